"""The HTTP surface of sales: API (deals, moves, leads), HTML pages, the public web form."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.test.utils import override_settings

from greenwave.core.services import event_append
from greenwave.core.tests.queries import assert_queries_do_not_grow
from greenwave.sales import services
from greenwave.sales.models import Deal, Lead, LeadSource, Stage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_rate_limits():
    cache.clear()


def test_deal_lifecycle_through_the_api(two_teams, bearer, b2b, stages) -> None:
    api = bearer(two_teams["hunter_a"])
    created = api.post(
        "/api/v1/deals",
        {"title": "Поставка", "amount": "1000.00"},
        content_type="application/json",
    )
    assert created.status_code == 201
    deal = created.json()
    assert deal["stage_name"] == "Квалификация"

    refused = api.post(
        f"/api/v1/deals/{deal['id']}/move",
        {"stage_id": stages["needs"].pk, "version": deal["version"]},
        content_type="application/json",
    )
    assert refused.status_code == 409  # the deal's state refuses the move: a conflict
    body = refused.json()
    assert body["code"] == "sales.gate_not_met"
    assert [m["key"] for m in body["details"]["missing"]] == ["call_completed"]

    event_append(case_type="deal", case_id=deal["id"], activity="call_completed", actor=None)
    moved = api.post(
        f"/api/v1/deals/{deal['id']}/move",
        {"stage_id": stages["needs"].pk, "version": deal["version"]},
        content_type="application/json",
    )
    assert moved.status_code == 200
    assert moved.json()["stage_name"] == "Оценка потребности"

    stale = api.post(
        f"/api/v1/deals/{deal['id']}/move",
        {"stage_id": stages["qualification"].pk, "version": deal["version"]},
        content_type="application/json",
    )
    assert stale.status_code == 409

    no_reason = api.post(
        f"/api/v1/deals/{deal['id']}/lose", {"reason_id": 0}, content_type="application/json"
    )
    assert no_reason.status_code == 400
    assert no_reason.json()["code"] == "sales.loss_reason_required"
    assert Deal.objects.get(pk=deal["id"]).status == "open"


def test_deals_of_another_team_are_404_and_lists_are_scoped(two_teams, bearer, b2b) -> None:
    deal = services.deal_create(actor=two_teams["hunter_b"], title="Чужая", pipeline=b2b)
    api = bearer(two_teams["hunter_a"])
    assert api.get(f"/api/v1/deals/{deal.pk}").status_code == 404
    assert (
        api.post(f"/api/v1/deals/{deal.pk}/win", {}, content_type="application/json").status_code
        == 404
    )
    assert api.get("/api/v1/deals").json()["count"] == 0
    assert bearer(two_teams["head_b"]).get("/api/v1/deals").json()["count"] == 1


def test_deal_list_query_count_is_pinned(two_teams, bearer, b2b) -> None:
    api = bearer(two_teams["admin"])
    services.deal_create(actor=two_teams["hunter_a"], title="one", pipeline=b2b)

    def add_ten() -> None:
        for i in range(10):
            services.deal_create(actor=two_teams["hunter_a"], title=f"d{i}", pipeline=b2b)

    response, _ = assert_queries_do_not_grow(lambda: api.get("/api/v1/deals"), add_ten)
    assert response.json()["count"] == 11


def test_board_and_pages_render_with_a_pinned_query_count(client, two_teams, b2b) -> None:
    client.force_login(two_teams["head_a"])
    for i in range(3):
        services.deal_create(actor=two_teams["hunter_a"], title=f"Сделка {i}", pipeline=b2b)

    def add_ten() -> None:
        for i in range(10):
            services.deal_create(actor=two_teams["hunter_a"], title=f"Ещё {i}", pipeline=b2b)

    board, _ = assert_queries_do_not_grow(lambda: client.get("/sales/"), add_ten)
    assert "Ещё 9" in board.content.decode()
    deal = Deal.objects.first()
    assert client.get(f"/sales/deals/{deal.pk}/").status_code == 200
    assert client.get("/sales/deals/").status_code == 200
    assert client.get("/sales/leads/").status_code == 200


def test_board_drop_refused_by_the_gate_answers_with_the_reason(client, two_teams, b2b, stages):
    deal = services.deal_create(actor=two_teams["hunter_a"], title="Перетаскиваемая", pipeline=b2b)
    client.force_login(two_teams["hunter_a"])
    response = client.post(
        f"/sales/deals/{deal.pk}/move/",
        {"stage": stages["needs"].pk, "version": deal.version, "from": "board"},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert 'data-testid="board-feedback"' in body
    assert "Звонок совершён" in body
    assert Deal.objects.get(pk=deal.pk).stage == stages["qualification"]


def test_pipeline_settings_are_for_admins_and_bad_checklists_are_refused(client, two_teams, b2b):
    client.force_login(two_teams["hunter_a"])
    assert client.get("/sales/settings/pipelines/").status_code == 403
    client.force_login(two_teams["admin"])
    assert client.get("/sales/settings/pipelines/").status_code == 200
    stage = b2b.stages.get(code="needs")
    response = client.post(
        f"/sales/settings/pipelines/{b2b.pk}/stages/{stage.pk}/",
        {
            "code": "needs",
            "name": "Оценка",
            "expected_days": 5,
            "probability": 150,
            "checklist": ["document:cp"],
            "activities": "meeting_completed",
        },
    )
    assert response.status_code == 200  # form error: probability > 100
    stage.refresh_from_db()
    assert stage.name == "Оценка потребности"
    response = client.post(
        f"/sales/settings/pipelines/{b2b.pk}/stages/{stage.pk}/",
        {
            "code": "needs",
            "name": "Оценка",
            "expected_days": 5,
            "probability": 25,
            "checklist": ["document:cp"],
            "activities": "meeting_completed",
        },
    )
    assert response.status_code == 302
    stage.refresh_from_db()
    assert stage.output_checklist == [
        {"kind": "document", "document": "cp"},
        {"kind": "activity", "activity": "meeting_completed"},
    ]


def test_web_form_creates_a_lead_for_the_least_loaded_operator(two_teams, make_user) -> None:
    busy = make_user("cc_busy", roles=["call_center"], team=two_teams["team_a"])
    free = make_user("cc_free", roles=["call_center"], team=two_teams["team_a"])
    services.lead_create(actor=None, responsible=busy, contact_name="x", source=LeadSource.CALL)
    client = Client()
    assert client.get("/sales/form/?utm_source=yandex").status_code == 200
    response = client.post(
        "/sales/form/",
        {
            "name": "Пётр",
            "company": "ООО «Вектор»",
            "phone": "+7 900 000-00-00",
            "message": "Нужны насосы",
            "utm_source": "yandex",
            "utm_campaign": "pumps",
        },
    )
    assert 'data-testid="web-form-sent"' in response.content.decode()
    lead = Lead.objects.get(company_name="ООО «Вектор»")
    assert lead.responsible == free
    assert lead.source == LeadSource.WEB_FORM
    assert lead.utm_campaign == "pumps"


def test_web_form_honeypot_and_flood_create_nothing(db) -> None:
    client = Client()
    bot = client.post("/sales/form/", {"name": "bot", "phone": "1", "website": "http://spam"})
    assert bot.status_code == 200
    assert Lead.objects.count() == 0
    assert client.post("/sales/form/", {"name": "no contact"}).status_code == 200
    assert Lead.objects.count() == 0
    with override_settings(WEB_FORM_RATE_LIMIT=3):
        statuses = [
            client.post("/sales/form/", {"name": f"n{i}", "phone": "+79000000000"}).status_code
            for i in range(5)
        ]
    # The bot and the invalid post already counted two hits of this address.
    assert statuses == [200, 429, 429, 429, 429]
    assert Lead.objects.count() == 1


def test_lead_to_deal_through_the_api(two_teams, bearer, b2b) -> None:
    api = bearer(two_teams["hunter_a"])
    lead = api.post(
        "/api/v1/leads",
        {"contact_name": "Анна", "phone": "+79161234567", "need": "фильтры"},
        content_type="application/json",
    ).json()
    assert (
        api.post(
            f"/api/v1/leads/{lead['id']}/qualify", {"level": "sql"}, content_type="application/json"
        ).json()["status"]
        == "sql"
    )
    deal = api.post(
        f"/api/v1/leads/{lead['id']}/convert", {"amount": "5000"}, content_type="application/json"
    )
    assert deal.status_code == 201
    assert deal.json()["hunter_id"] == two_teams["hunter_a"].pk
    again = api.post(
        f"/api/v1/leads/{lead['id']}/disqualify",
        {"reason": "spam"},
        content_type="application/json",
    )
    assert again.status_code == 409
    assert again.json()["code"] == "sales.lead_closed"
    empty = api.post("/api/v1/leads", {"need": "?"}, content_type="application/json")
    assert empty.status_code == 400


def test_a_lead_with_a_phone_and_e_mail_kept_as_typed_still_converts(
    two_teams, bearer, b2b
) -> None:
    api = bearer(two_teams["hunter_a"])
    typed = {"phone": "звоните вечером", "email": "petr(at)vector"}
    lead = api.post(
        "/api/v1/leads",
        {"contact_name": "Пётр", "company_name": "ООО «Вектор»", **typed},
        content_type="application/json",
    ).json()
    deal = api.post(f"/api/v1/leads/{lead['id']}/convert", {}, content_type="application/json")
    assert deal.status_code == 201, deal.content
    row = Lead.objects.select_related("company", "contact").get(pk=lead["id"])
    assert (row.phone, row.email) == (typed["phone"], typed["email"])
    assert (row.company.phone, row.company.email) == ("", "")
    assert (row.contact.phones, row.contact.emails) == ([], [])


def test_events_api_returns_a_deal_history_only_to_those_who_see_the_deal(
    two_teams, bearer, b2b
) -> None:
    deal = services.deal_create(actor=two_teams["hunter_a"], title="История", pipeline=b2b)
    services.deal_update(actor=two_teams["hunter_a"], deal=deal, amount=10)
    mine = bearer(two_teams["hunter_a"]).get(f"/api/v1/events?case=deal:{deal.pk}")
    assert mine.status_code == 200
    assert [e["activity"] for e in mine.json()["items"]] == ["deal_changed", "deal_created"]
    assert mine.json()["items"][0]["prev_activity"] == "deal_created"
    other = bearer(two_teams["hunter_b"]).get(f"/api/v1/events?case=deal:{deal.pk}")
    assert other.status_code == 404
    unknown = bearer(two_teams["admin"]).get("/api/v1/events?case=secret:1")
    assert unknown.status_code == 404
    bad = bearer(two_teams["admin"]).get("/api/v1/events?case=deal")
    assert bad.status_code == 400


def test_funnel_page_renders_for_a_head(client, two_teams, b2b) -> None:
    services.deal_create(actor=two_teams["hunter_a"], title="Воронка", pipeline=b2b)
    client.force_login(two_teams["head_a"])
    page = client.get(f"/sales/funnel/?pipeline={b2b.pk}&group_by=responsible")
    assert page.status_code == 200
    assert 'data-testid="funnel"' in page.content.decode()


def test_admin_creates_a_pipeline_adds_a_reason_and_reorders_stages(client, two_teams, b2b):
    client.force_login(two_teams["admin"])
    assert (
        client.post(
            "/sales/settings/pipelines/new/", {"code": "service", "name": "Сервис"}
        ).status_code
        == 302
    )
    duplicate = client.post("/sales/settings/pipelines/new/", {"code": "service", "name": "X"})
    assert duplicate.status_code == 200
    client.post(f"/sales/settings/pipelines/{b2b.pk}/loss-reason/", {"name": "Сорван тендер"})
    assert b2b.loss_reasons.filter(name="Сорван тендер").exists()
    second = b2b.stages.get(order=2)
    client.post(f"/sales/settings/pipelines/{b2b.pk}/up/", {"stage": second.pk})
    second.refresh_from_db()
    assert second.order == 1
    client.force_login(two_teams["hunter_a"])
    assert (
        client.post(f"/sales/settings/pipelines/{b2b.pk}/loss-reason/", {"name": "x"}).status_code
        == 403
    )


def test_a_web_lead_starts_the_web_lead_process_when_one_is_deployed(
    two_teams, make_user, django_capture_on_commit_callbacks
) -> None:
    from greenwave.bpm.models import ProcessInstance
    from greenwave.bpm.services import library_install

    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/sales/form/", {"name": "Без процесса", "phone": "+79000000001"})
    assert Lead.objects.filter(contact_name="Без процесса").exists()
    assert ProcessInstance.objects.count() == 0  # nothing deployed: the form still works

    make_user("assigner", roles=["head_of_sales"], team=two_teams["team_a"])
    library_install(actor=None)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/sales/form/", {"name": "С процессом", "phone": "+79000000002"})
    lead = Lead.objects.get(contact_name="С процессом")
    instance = ProcessInstance.objects.get()
    assert instance.business_key == f"lead:{lead.pk}"


def test_mark_as_won_is_offered_only_at_the_last_stage_with_its_output_met(
    client, two_teams, b2b, stages
) -> None:
    hunter = two_teams["hunter_a"]
    client.force_login(hunter)
    early = services.deal_create(actor=hunter, title="Рано", pipeline=b2b)
    at_money = services.deal_create(
        actor=hunter, title="Ждём оплату", pipeline=b2b, stage=stages["payment"]
    )
    for deal in (early, at_money):
        page = client.get(f"/sales/deals/{deal.pk}/")
        assert page.status_code == 200
        assert b'data-testid="win"' not in page.content

    services.deal_approve(actor=two_teams["head_a"], deal=at_money, kind="payment")
    page = client.get(f"/sales/deals/{at_money.pk}/")
    assert b'data-testid="win"' in page.content


def test_the_approval_form_offers_only_what_the_user_may_approve(
    client, two_teams, b2b, make_user
) -> None:
    hunter = two_teams["hunter_a"]
    deal = services.deal_create(actor=hunter, title="Договор", pipeline=b2b)

    client.force_login(hunter)
    assert b'data-testid="approve"' not in client.get(f"/sales/deals/{deal.pk}/").content

    lawyer = make_user("lawyer_a", roles=["lawyer"], team=two_teams["team_a"])
    client.force_login(lawyer)
    page = client.get(f"/sales/deals/{deal.pk}/")
    assert b'data-testid="approve"' in page.content
    kinds = page.context["approval_form"].fields["kind"].choices
    assert [k for k, _label in kinds] == ["contract"]


def test_required_activities_are_chosen_by_name_and_round_trip(client, two_teams, b2b) -> None:
    """The stage form offers the registered activities by name (not a box of event codes);
    saving it untouched keeps every stored one, an unknown stored name included."""
    stage = b2b.stages.get(code="needs")
    checklist = [
        {"kind": "document", "document": "cp"},
        {"kind": "activity", "activity": "call_completed"},
        {"kind": "activity", "activity": "meeting_held"},  # no app registers it
    ]
    Stage.objects.filter(pk=stage.pk).update(output_checklist=checklist)
    client.force_login(two_teams["admin"])
    url = f"/sales/settings/pipelines/{b2b.pk}/stages/{stage.pk}/"
    page = client.get(url).content.decode()
    assert 'type="checkbox" name="activities" value="call_completed"' in page
    assert "Звонок совершён" in page
    assert "meeting_held (неизвестное действие)" in page
    assert 'value="call_completed, meeting_held"' not in page
    form = re.findall(r'<input type="checkbox" name="activities" value="([^"]+)"[^>]*checked', page)
    assert sorted(form) == ["call_completed", "meeting_held"]
    data = {
        "code": stage.code,
        "name": stage.name,
        "expected_days": stage.expected_days,
        "probability": stage.probability,
        "checklist": ["document:cp"],
        "activities": form,
    }
    assert client.post(url, data).status_code == 302
    stage.refresh_from_db()
    assert stage.output_checklist == checklist
    # A code that is neither registered nor stored is refused, nothing changes.
    assert client.post(url, {**data, "activities": ["made_up"]}).status_code == 200
    stage.refresh_from_db()
    assert stage.output_checklist == checklist
    settings_page = client.get("/sales/settings/pipelines/").content.decode()
    assert "Действие: Звонок совершён" in settings_page
    assert "activity: call_completed" not in settings_page
    assert "document: cp" not in settings_page
