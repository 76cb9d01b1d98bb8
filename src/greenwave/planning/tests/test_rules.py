"""The rules of plans and motivation as pages (not admin): custom KPIs, commission schemes,
the revenue setting and the assistant splits of seed 002 — role-gated, validated with a clear
message, audited in the event log — and the assistant's split in the commission statements
(known answers)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from greenwave.core.errors import DomainError
from greenwave.core.models import Event
from greenwave.crm.models import Company, ProductGroup
from greenwave.planning import selectors, services
from greenwave.planning.models import (
    AssistantSplit,
    CommissionScheme,
    Kpi,
    PlanningSettings,
    RevenueBasis,
)
from greenwave.planning.motivation import LINE_ASSISTANT, LINE_TO_ASSISTANT
from greenwave.planning.tests.test_kpis import (  # noqa: F401
    MARCH,
    _invoice,
    _paid,
    at,
    commission_march,
    history,
)

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- pages ----------------------------------------------------------------------------------


def test_pages_are_for_heads_directors_and_admins(two_teams: dict[str, Any]) -> None:
    urls = [
        "/planning/settings/",
        "/planning/kpis/new/",
        "/planning/settings/schemes/new/",
        "/planning/settings/assistants/new/",
    ]
    hunter = _client(two_teams["hunter_a"])
    for url in urls:
        assert hunter.get(url).status_code == 403, url
    for who in ("head_a", "director", "admin"):
        client = _client(two_teams[who])
        for url in urls:
            assert client.get(url).status_code == 200, (who, url)
    # The KPI list is for everyone; the edit buttons only for planners.
    assert b"kpi-create" not in hunter.get("/planning/kpis/").content
    assert b"kpi-create" in _client(two_teams["head_a"]).get("/planning/kpis/").content


def test_revenue_setting_page_saves_and_audits(two_teams: dict[str, Any]) -> None:
    head = two_teams["head_a"]
    client = _client(head)
    answer = client.post("/planning/settings/", {"revenue_basis": "won"})
    assert answer.status_code == 302
    assert PlanningSettings.objects.get().revenue_basis == RevenueBasis.WON
    event = Event.objects.get(activity="planning_settings_changed")
    assert event.actor_id == head.pk
    assert event.payload == {"revenue_basis": ["paid", "won"]}
    bad = client.post("/planning/settings/", {"revenue_basis": "guess"})
    assert bad.status_code == 200
    assert PlanningSettings.objects.get().revenue_basis == RevenueBasis.WON
    page = client.get("/planning/settings/", HTTP_ACCEPT_LANGUAGE="ru")
    assert "Выручка в плане" in page.content.decode()


KPI_FORM = {
    "key": "big_wins",
    "name": "Крупные победы",
    "name_en": "Big wins",
    "unit": "money",
    "direction": "up",
    "source": "record",
    "aggregate": "sum",
    "record": "deal",
    "field": "amount",
    "date_field": "closed_at",
    "filters": "status = won",
    "event_activity": "",
    "definition": "Сумма выигранных сделок",
    "definition_en": "",
    "is_active": "on",
}


def test_kpi_page_validates_each_building_block_with_a_clear_message(
    two_teams: dict[str, Any],
) -> None:
    client = _client(two_teams["head_a"])
    wrong = {
        **KPI_FORM,
        "field": "responsible__password",
        "date_field": "birthday",
        "filters": "title__regex = .*",
    }
    answer = client.post("/planning/kpis/new/", wrong)
    assert answer.status_code == 200
    form = answer.context["form"]
    assert form.errors["field"] == [
        "Для суммы или среднего нужно числовое поле записи: amount, probability."
    ]
    assert form.errors["date_field"] == ["Месяц определяется датой записи: closed_at, created_at."]
    assert form.errors["filters"] == [
        "По полю title__regex фильтровать нельзя; доступные фильтры: status."
    ]
    unparsed = client.post("/planning/kpis/new/", {**KPI_FORM, "filters": "status won"})
    assert "filters" in unparsed.context["form"].errors
    taken = client.post("/planning/kpis/new/", {**KPI_FORM, "key": "revenue"})
    assert "key" in taken.context["form"].errors
    assert "числовое поле" in answer.content.decode()
    assert not Kpi.objects.filter(key="big_wins").exists()
    assert not Event.objects.filter(activity="kpi_created").exists()


def test_kpi_page_creates_edits_hides_and_audits(history: dict[str, Any]) -> None:  # noqa: F811
    head = history["head_a"]
    client = _client(head)
    assert client.post("/planning/kpis/new/", KPI_FORM).status_code == 302
    kpi = Kpi.objects.get(key="big_wins")
    assert (kpi.record, kpi.field, kpi.filters) == ("deal", "amount", {"status": "won"})
    created = Event.objects.get(case_type="kpi", activity="kpi_created")
    assert created.actor_id == head.pk
    assert created.payload["key"] == "big_wins"
    hunter = history["hunter_a"]
    report = selectors.plan_report(
        actor=hunter, month=MARCH, subject=selectors.Subject(user=hunter)
    )
    figures = {f.kpi.key: f.actual for f in report.figures}
    assert figures["big_wins"] == Decimal("157000.00")  # 100 000 + 50 000 + 7 000 won in March
    # Edit: the form opens with the stored values and saving it untouched changes nothing.
    page = client.get("/planning/kpis/big_wins/edit/")
    assert page.status_code == 200
    untouched = {k: v for k, v in KPI_FORM.items() if k != "key"}
    assert client.post("/planning/kpis/big_wins/edit/", untouched).status_code == 302
    assert not Event.objects.filter(activity="kpi_updated").exists()
    changed = {**untouched, "aggregate": "avg", "name": "Средняя победа"}
    assert client.post("/planning/kpis/big_wins/edit/", changed).status_code == 302
    event = Event.objects.get(activity="kpi_updated")
    assert event.payload["changes"]["aggregate"] == ["sum", "avg"]
    assert Kpi.objects.get(key="big_wins").name == "Средняя победа"
    # A built-in KPI is the system's: no edit page, but it may be hidden and shown again.
    assert client.get("/planning/kpis/revenue/edit/").status_code == 404
    assert client.post("/planning/kpis/calls/toggle/").status_code == 302
    assert not Kpi.objects.get(key="calls").is_active
    assert client.post("/planning/kpis/calls/toggle/").status_code == 302
    assert Kpi.objects.get(key="calls").is_active
    assert Event.objects.filter(activity="kpi_updated").count() == 3
    with pytest.raises(DomainError):
        services.kpi_update(actor=hunter, kpi=kpi, spec=services.KpiSpec(name="x"))


def test_scheme_pages_create_edit_activate_and_refuse_bad_steps(
    two_teams: dict[str, Any],
) -> None:
    tools = ProductGroup.objects.create(name="Инструмент")
    client = _client(two_teams["director"])
    form = {
        "name": "Базовая",
        "default_percent": "5",
        f"group_{tools.pk}": "7.5",
        "steps": "80 = 0.8\n100 = 1.2",
    }
    assert client.post("/planning/settings/schemes/new/", form).status_code == 302
    first = CommissionScheme.objects.get()
    assert first.is_active
    assert first.group_percents == {str(tools.pk): "7.50"}
    assert first.steps == [["80.00", "0.80"], ["100.00", "1.20"]]
    down = client.post("/planning/settings/schemes/new/", {**form, "steps": "100 = 1.2\n80 = 0.8"})
    assert down.status_code == 200
    assert down.context["form"].errors["steps"] == [
        "Ступени идут по возрастанию: каждая начинается с большего процента плана, чем предыдущая."
    ]
    nan = client.post("/planning/settings/schemes/new/", {**form, "steps": "80 = много"})
    assert "steps" in nan.context["form"].errors
    assert CommissionScheme.objects.count() == 1
    # The edit form saved untouched changes nothing and writes no event.
    edit_url = f"/planning/settings/schemes/{first.pk}/"
    page = client.get(edit_url)
    assert page.status_code == 200
    assert client.post(edit_url, page.context["form"].initial).status_code == 302
    assert not Event.objects.filter(activity="commission_scheme_changed").exists()
    assert client.post(edit_url, {**form, "default_percent": "6"}).status_code == 302
    change = Event.objects.get(activity="commission_scheme_changed")
    assert change.payload["changes"]["default_percent"] == ["5.00", "6.00"]
    client.post("/planning/settings/schemes/new/", {**form, "name": "Новая"})
    assert CommissionScheme.objects.get(is_active=True).name == "Новая"
    client.post(f"/planning/settings/schemes/{first.pk}/activate/")
    assert CommissionScheme.objects.get(is_active=True).pk == first.pk
    assert Event.objects.filter(activity="commission_scheme_activated").count() == 1
    # A manager cannot open or change a scheme.
    hunter = _client(two_teams["hunter_a"])
    assert hunter.get(edit_url).status_code == 403
    assert hunter.post(f"/planning/settings/schemes/{first.pk}/activate/").status_code == 403


def test_split_page_is_scoped_and_validated(two_teams: dict[str, Any], make_user: Any) -> None:
    head_a = two_teams["head_a"]
    helper = make_user("helper_a", roles=["hunter"], team=two_teams["team_a"])
    client = _client(head_a)
    form = {
        "manager": two_teams["hunter_a"].pk,
        "assistant": helper.pk,
        "share_percent": "20",
        "valid_from": "2026-03-01",
        "valid_until": "",
    }
    # Another team's person is not offered and cannot be posted.
    foreign = client.post(
        "/planning/settings/assistants/new/", {**form, "assistant": two_teams["hunter_b"].pk}
    )
    assert "assistant" in foreign.context["form"].errors
    same = client.post("/planning/settings/assistants/new/", {**form, "assistant": form["manager"]})
    assert same.context["form"].errors["assistant"] == [
        "Ассистентом должен быть другой человек, не сам менеджер."
    ]
    backwards = client.post(
        "/planning/settings/assistants/new/", {**form, "valid_until": "2026-02-01"}
    )
    assert "valid_until" in backwards.context["form"].errors
    assert client.post("/planning/settings/assistants/new/", form).status_code == 302
    split = AssistantSplit.objects.get()
    event = Event.objects.get(case_type="assistant_split", activity="assistant_split_saved")
    assert event.payload["share_percent"] == "20.00"
    overlap = client.post("/planning/settings/assistants/new/", form)
    assert "valid_from" in overlap.context["form"].errors
    # Edit untouched: nothing changes; head B and the hunter do not see it.
    url = f"/planning/settings/assistants/{split.pk}/"
    page = client.get(url)
    assert page.status_code == 200
    assert client.post(url, form).status_code == 302
    assert not Event.objects.filter(activity="assistant_split_changed").exists()
    assert client.post(url, {**form, "valid_until": "2026-03-31"}).status_code == 302
    assert AssistantSplit.objects.get().valid_until == date(2026, 3, 31)
    assert _client(two_teams["head_b"]).get(url).status_code == 404
    assert _client(two_teams["hunter_a"]).get(url).status_code == 403
    assert split.pk not in [s.pk for s in selectors.assistant_splits(actor=two_teams["head_b"])]
    # The event log API reads the split's history for the head, not for another team's head.
    from greenwave.core.case_access import can_read_case

    assert can_read_case(head_a, "assistant_split", str(split.pk))
    assert not can_read_case(two_teams["head_b"], "assistant_split", str(split.pk))


# --- the assistant's split in the statements (known answers) --------------------------------


def _split_history(history: dict[str, Any], make_user: Any) -> Any:  # noqa: F811
    """test_kpis' March with a's payment of С-201 (60 000 on the 15th), a revenue plan of
    100 000 for a, a scheme (5 %, service 10 %, ×1.5 from 100 %), b the hunter of a's client
    and two splits of one assistant: 20 % of a on the 15th only, 10 % of b open-ended."""
    a, b = history["hunter_a"], history["hunter_b"]
    helper = make_user("helper", roles=["hunter"], team=a.team)
    commission_march(history)
    # Before any split: the known statement of test_kpis (a: 15 600, b: 3 000).
    assert selectors.commission_statement(actor=a, month=MARCH)[1].total == Decimal("15600.00")
    # a's assistant takes 20 % of a's lines paid on the 15th only (the С-201 payment: its
    # lines 2 250 and 4 500 after a's ×1.5 for 178 % of the plan) → 450 + 900.
    services.assistant_split_save(
        actor=history["head_a"],
        manager=a,
        assistant=helper,
        share_percent="20",
        valid_from=date(2026, 3, 15),
        valid_until=date(2026, 3, 15),
    )
    # b's assistant (the same person, named by the director who sees both teams) takes 10 %
    # of b's hunter share of 3 000 → 300, open-ended.
    services.assistant_split_save(
        actor=history["director"],
        manager=b,
        assistant=helper,
        share_percent="10",
        valid_from=date(2026, 1, 1),
    )
    return helper


def test_assistant_takes_a_part_of_the_managers_multiplied_commission(
    history: dict[str, Any],  # noqa: F811
    make_user: Any,
    bearer: Any,
) -> None:
    a, b = history["hunter_a"], history["hunter_b"]
    helper = _split_history(history, make_user)
    _user, mine = selectors.commission_statement(actor=a, month=MARCH)
    assert [
        (line.invoice, line.commission) for line in mine.lines if line.kind == LINE_TO_ASSISTANT
    ] == [("С-201", Decimal("-450.00")), ("С-201", Decimal("-900.00"))]
    assert mine.total == Decimal("14250.00")
    _user, hunter = selectors.commission_statement(actor=b, month=MARCH)
    assert [(line.kind, line.commission) for line in hunter.lines] == [
        ("hunter_share", Decimal("3000.00")),
        (LINE_TO_ASSISTANT, Decimal("-300.00")),
    ]
    assert hunter.total == Decimal("2700.00")
    head = history["head_a"]
    _user, theirs = selectors.commission_statement(actor=head, month=MARCH, user_id=helper.pk)
    assert sorted((line.note, line.commission) for line in theirs.lines) == sorted(
        [(str(a), Decimal("450.00")), (str(a), Decimal("900.00")), (str(b), Decimal("300.00"))]
    )
    assert all(line.kind == LINE_ASSISTANT for line in theirs.lines)
    assert theirs.total == Decimal("1650.00")
    # Nothing is lost or made up: the three together earn what a and b earned before.
    assert mine.total + hunter.total + theirs.total == Decimal("15600.00") + Decimal("3000.00")
    # A month the split does not cover keeps the manager's whole line.
    _user, april = selectors.commission_statement(actor=a, month=MARCH.next)
    assert not [line for line in april.lines if line.kind == LINE_TO_ASSISTANT]
    # The API shows the lines; the page names them.
    answer = bearer(helper).get("/api/v1/commissions/2026-03")
    assert answer.status_code == 200
    assert Decimal(answer.json()["total"]) == Decimal("1650.00")
    page = _client(helper).get(
        "/planning/plan/commissions/?period=2026-03", HTTP_ACCEPT_LANGUAGE="ru"
    )
    assert "Как ассистент" in page.content.decode()


# --- the same rules through the API -----------------------------------------------------------


def test_rules_through_the_api(two_teams: dict[str, Any], bearer: Any, make_user: Any) -> None:
    head, hunter = bearer(two_teams["head_a"]), bearer(two_teams["hunter_a"])
    helper = make_user("helper_api", roles=["hunter"], team=two_teams["team_a"])
    json = "application/json"
    # Revenue setting.
    assert hunter.get("/api/v1/planning-settings").status_code == 403
    assert head.get("/api/v1/planning-settings").json() == {"revenue_basis": "paid"}
    put = head.put("/api/v1/planning-settings", {"revenue_basis": "won"}, content_type=json)
    assert put.json() == {"revenue_basis": "won"}
    bad = head.put("/api/v1/planning-settings", {"revenue_basis": "x"}, content_type=json)
    assert bad.status_code == 400
    # A KPI: each wrong block named with its message; nothing stored.
    body = {
        "key": "big_wins",
        "name": "Крупные победы",
        "unit": "money",
        "source": "record",
        "aggregate": "sum",
        "record": "deal",
        "field": "title",
        "date_field": "closed_at",
        "filters": {"status": "won"},
    }
    refused = head.post("/api/v1/kpis", body, content_type=json)
    assert refused.status_code == 400
    assert refused.json()["details"]["errors"] == {
        "field": "Для суммы или среднего нужно числовое поле записи: amount, probability."
    }
    assert (
        hunter.post("/api/v1/kpis", {**body, "field": "amount"}, content_type=json).status_code
        == 403
    )
    created = head.post("/api/v1/kpis", {**body, "field": "amount"}, content_type=json)
    assert created.status_code == 201, created.content
    change = {k: v for k, v in body.items() if k != "key"} | {"field": "amount", "active": False}
    changed = head.put("/api/v1/kpis/big_wins", change, content_type=json)
    assert changed.json()["active"] is False
    assert head.put("/api/v1/kpis/revenue", change, content_type=json).status_code == 409
    # Schemes.
    scheme = {"name": "Базовая", "default_percent": "5", "steps": [["100", "1.2"]]}
    made = head.post("/api/v1/commission-schemes", scheme, content_type=json)
    assert made.status_code == 201
    scheme_id = made.json()["id"]
    edited = head.put(
        f"/api/v1/commission-schemes/{scheme_id}",
        {**scheme, "default_percent": "6"},
        content_type=json,
    )
    assert Decimal(edited.json()["default_percent"]) == 6
    down = head.put(
        f"/api/v1/commission-schemes/{scheme_id}",
        {**scheme, "steps": [["100", "1.2"], ["80", "1"]]},
        content_type=json,
    )
    assert down.status_code == 400
    assert hunter.get("/api/v1/commission-schemes").status_code == 404
    # Splits: another team's head cannot name team A's people; the head of A can.
    split = {
        "manager_id": two_teams["hunter_a"].pk,
        "assistant_id": helper.pk,
        "share_percent": "15",
        "valid_from": "2026-01-01",
    }
    head_b = bearer(two_teams["head_b"])
    assert head_b.post("/api/v1/assistant-splits", split, content_type=json).status_code == 404
    assert hunter.post("/api/v1/assistant-splits", split, content_type=json).status_code == 403
    made_split = head.post("/api/v1/assistant-splits", split, content_type=json)
    assert made_split.status_code == 201, made_split.content
    split_id = made_split.json()["id"]
    assert (
        head_b.put(f"/api/v1/assistant-splits/{split_id}", split, content_type=json).status_code
        == 404
    )
    assert [s["id"] for s in head_b.get("/api/v1/assistant-splits").json()] == []
    assert [s["id"] for s in bearer(helper).get("/api/v1/assistant-splits").json()] == [split_id]
    assert AssistantSplit.objects.get().share_percent == Decimal(15)
    assert Event.objects.filter(activity="assistant_split_saved").count() == 1


def test_assistants_plan_shows_the_revenue_they_share_in(
    history: dict[str, Any],  # noqa: F811
    make_user: Any,
    bearer: Any,
) -> None:
    """Seed 002's assistant: «Мой план» and GET /plans show each manager's revenue on the
    split's days, the assistant's part of it and the commission it brings — the statement's
    own lines, and the revenue clicks through to its payments."""
    a, b = history["hunter_a"], history["hunter_b"]
    helper = _split_history(history, make_user)
    # b's own sale: С-104 paid 8 000 on March 20 → b's own line 400 (5 %, no plan: ×1).
    _paid(104, at(2026, 3, 20), "8000.00", "2026-03-20", 10)
    split_a = AssistantSplit.objects.get(manager=a)
    split_b = AssistantSplit.objects.get(manager=b)
    report = selectors.plan_report(
        actor=helper, month=MARCH, subject=selectors.Subject(user=helper)
    )
    shared = {x.split.manager_id: x for x in report.assisted}
    # a: of 178 000 paid in March only the 60 000 of the 15th; 20 % of it; 450 + 900.
    assert (shared[a.pk].revenue, shared[a.pk].revenue_share, shared[a.pk].commission) == (
        Decimal("60000.00"),
        Decimal("12000.00"),
        Decimal("1350.00"),
    )
    # b: the 8 000 of С-104; 10 % of it; 10 % of b's lines 3 000 (hunter) + 400 (own).
    assert (shared[b.pk].revenue, shared[b.pk].revenue_share, shared[b.pk].commission) == (
        Decimal("8000.00"),
        Decimal("800.00"),
        Decimal("340.00"),
    )
    # The commission statement says the same, line by line.
    _user, theirs = selectors.commission_statement(actor=helper, month=MARCH)
    assert theirs.total == Decimal("1690.00")
    for manager in (a, b):
        assert shared[manager.pk].commission == sum(
            (line.commission for line in theirs.lines if line.note == str(manager)), Decimal(0)
        )
    # The managers and the head of a person without a split see no such block.
    assert (
        selectors.plan_report(actor=a, month=MARCH, subject=selectors.Subject(user=a)).assisted
        == []
    )
    # April: a's split (March 15 only) is over, b's goes on (nothing paid yet).
    april = selectors.plan_report(
        actor=helper, month=MARCH.next, subject=selectors.Subject(user=helper)
    )
    assert [(x.split.pk, x.revenue, x.commission) for x in april.assisted] == [
        (split_b.pk, Decimal(0), Decimal(0))
    ]

    # The page: the assistant's own plan, and the head's view of it.
    page = _client(helper).get("/planning/plan/?period=2026-03", HTTP_ACCEPT_LANGUAGE="ru")
    html = page.content.decode()
    assert "Выручка, в которой вы участвуете как ассистент" in html
    facts_url = f"/planning/plan/facts/?split={split_a.pk}&period=2026-03"
    assert facts_url in html
    row = html.replace("\xa0", " ")
    for money in ("60 000,00 ₽", "12 000,00 ₽", "1 350,00 ₽"):
        assert money in row
    head_view = _client(history["head_a"]).get(f"/planning/plan/?period=2026-03&user={helper.pk}")
    assert b'data-testid="assisted-row"' in head_view.content
    assert b'data-testid="assisted"' not in _client(a).get("/planning/plan/?period=2026-03").content
    # The click-through: the payment behind a's shared revenue, for the assistant and the
    # manager; nobody else (another team's head, another hunter) reads it.
    facts = _client(helper).get(f"/planning/plan/facts/?split={split_a.pk}&period=2026-03")
    assert facts.status_code == 200
    assert [(f.label, f.value) for f in facts.context["page"].object_list] == [
        ("С-201", Decimal("60000.00"))
    ]
    assert (
        _client(a).get(f"/planning/plan/facts/?split={split_a.pk}&period=2026-03").status_code
        == 200
    )
    for outsider in (history["head_b"], b):
        answer = _client(outsider).get(f"/planning/plan/facts/?split={split_a.pk}&period=2026-03")
        assert answer.status_code == 404
    # …and the invoice behind it opens for the assistant, even of the other team's manager.
    invoice_104 = "/planning/invoices/104/events/"
    assert _client(helper).get(invoice_104).status_code == 200
    assert _client(make_user("stranger", team=a.team)).get(invoice_104).status_code == 404

    # The API: the same figures, for the assistant and for the head who asks for them.
    for client, query in (
        (bearer(helper), ""),
        (bearer(history["head_a"]), f"?user_id={helper.pk}"),
    ):
        body = client.get(f"/api/v1/plans/2026-03{query}").json()
        got = {x["manager_id"]: x for x in body["assisted"]}
        assert Decimal(got[a.pk]["revenue"]) == Decimal("60000.00")
        assert Decimal(got[a.pk]["revenue_share"]) == Decimal("12000.00")
        assert Decimal(got[a.pk]["commission"]) == Decimal("1350.00")
        assert Decimal(got[b.pk]["commission"]) == Decimal("340.00")
        assert got[a.pk]["facts_url"] == f"/planning/plan/facts/?split={split_a.pk}&period=2026-03"
    assert bearer(a).get("/api/v1/plans/2026-03").json()["assisted"] == []


def test_the_statement_names_each_invoice_s_client_linked_when_the_reader_may_open_it(
    history: dict[str, Any],  # noqa: F811
    django_assert_num_queries: Any,
) -> None:
    a = history["hunter_a"]
    commission_march(history)
    client = Company.objects.get(name="ООО «Первый»")
    issued = Event.objects.filter(case_type="invoice", case_id="201", activity="invoice_issued")
    issued.update(payload={**issued.get().payload, "company_id": client.pk})
    url = f"/planning/plan/commissions/?user={a.pk}&period=2026-03"
    reader = _client(a)
    with django_assert_num_queries(QUERIES_COMMISSIONS):
        html = reader.get(url).content.decode()
    cell = html.split('data-testid="commission-client">')[1].split("</div>")[0]
    link = f'<a class="link-secondary" href="/clients/companies/{client.pk}/">'
    assert cell == f"{link}ООО «Первый»</a>"
    # The client moved to team B: its name stays on a's statement, its card is not a's.
    Company.objects.filter(pk=client.pk).update(
        team=history["hunter_b"].team, responsible=history["hunter_b"]
    )
    html = reader.get(url).content.decode()
    assert html.split('data-testid="commission-client">')[1].split("</div>")[0] == "ООО «Первый»"


# The statement page as before, then the invoices' clients: their issue events, their names
# and which of them the reader may open — three queries, however many lines.
QUERIES_COMMISSIONS = 18
