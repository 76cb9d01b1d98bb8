"""Monthly plans through the API and the pages: who sets and sees which plan, locking after
the month, audit events, copy from last month, top-down split, XLSX import (all or nothing),
and the grid's query count (no N+1)."""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook

from greenwave.core.errors import DomainError
from greenwave.core.models import Event
from greenwave.planning import kpis, selectors, services
from greenwave.planning.models import MonthPlan, PlanTarget
from greenwave.planning.tests.builders import call_done

pytestmark = pytest.mark.django_db

NOW = kpis.Month.of(kpis.today())


def _plan_read(client: Client, query: str) -> int:
    """The status of reading this month's plan named by `query` (a person's or a team's)."""
    return client.get(f"/api/v1/plans/{NOW.key}?{query}").status_code


def _plan_write(client: Client, body: dict[str, Any]) -> int:
    """The status of setting this month's targets `body`."""
    return client.put(f"/api/v1/plans/{NOW.key}", body, content_type="application/json").status_code


def test_kpis_endpoint_lists_the_eleven(two_teams: dict[str, Any], bearer: Any) -> None:
    answer = bearer(two_teams["hunter_a"]).get("/api/v1/kpis")
    assert answer.status_code == 200
    keys = [k["key"] for k in answer.json()]
    assert keys == list(kpis.BUILTIN_KEYS)
    assert all(k["definition"] for k in answer.json())


def test_head_sets_a_plan_and_the_manager_sees_only_their_own(
    two_teams: dict[str, Any], bearer: Any
) -> None:
    head, hunter, other = two_teams["head_a"], two_teams["hunter_a"], two_teams["hunter_b"]
    body = {"user_id": hunter.pk, "targets": {"calls": 120, "revenue": "500000"}}
    answer = bearer(head).put(f"/api/v1/plans/{NOW.key}", body, content_type="application/json")
    assert answer.status_code == 200, answer.content
    data = answer.json()
    assert Decimal(data["targets"]["calls"]) == 120
    assert set(data["actuals"]) >= set(kpis.BUILTIN_KEYS)
    assert set(data["forecast"]) >= set(kpis.BUILTIN_KEYS)
    event = Event.objects.get(case_type="month_plan", activity="plan_targets_set")
    assert event.actor_id == head.pk
    assert event.payload["changes"]["calls"] == [None, "120.00"]

    mine = bearer(hunter).get(f"/api/v1/plans/{NOW.key}")
    assert mine.status_code == 200
    assert Decimal(mine.json()["targets"]["revenue"]) == 500000
    team_a, team_b = two_teams["team_a"].pk, two_teams["team_b"].pk
    # A manager sees no one else's plan, not even a teammate's or the team's; cannot set plans.
    assert _plan_read(bearer(hunter), f"user_id={head.pk}") == 404
    assert _plan_read(bearer(hunter), f"team_id={team_a}") == 404
    assert _plan_write(bearer(hunter), {"user_id": hunter.pk, "targets": {"calls": 1}}) == 403
    # The head sees the team; another team's person and team are a 404.
    assert _plan_read(bearer(head), f"team_id={team_a}") == 200
    assert _plan_read(bearer(head), f"user_id={other.pk}") == 404
    assert _plan_read(bearer(head), f"team_id={team_b}") == 404
    assert _plan_write(bearer(head), {"user_id": other.pk, "targets": {"calls": 5}}) == 404
    assert PlanTarget.objects.count() == 2


def test_team_plan_is_the_sum_of_its_people_unless_set_top_down(
    two_teams: dict[str, Any], make_user: Any
) -> None:
    head, hunter = two_teams["head_a"], two_teams["hunter_a"]
    second = make_user("hunter_a2", roles=["hunter"], team=two_teams["team_a"])
    services.plan_targets_set(actor=head, month=NOW, user=hunter, targets={"calls": 100})
    services.plan_targets_set(actor=head, month=NOW, user=second, targets={"calls": 50})
    subject = selectors.plan_subject(actor=head, team_id=two_teams["team_a"].pk)
    report = selectors.plan_report(actor=head, month=NOW, subject=subject)
    assert next(f for f in report.figures if f.kpi.key == "calls").target == 150
    team = two_teams["team_a"]
    services.plan_targets_set(actor=head, month=NOW, team=team, targets={"calls": 301})
    report = selectors.plan_report(actor=head, month=NOW, subject=subject)
    assert next(f for f in report.figures if f.kpi.key == "calls").target == 301
    members = list(selectors.team_members(actor=head, team=team))
    services.plan_split_team(actor=head, month=NOW, team=team, members=members)
    split = sorted(
        PlanTarget.objects.filter(plan__user__in=members, kpi__key="calls").values_list(
            "target", flat=True
        )
    )
    assert split == [Decimal(150), Decimal(151)]


def test_bad_targets_change_nothing(two_teams: dict[str, Any], bearer: Any) -> None:
    head, hunter = two_teams["head_a"], two_teams["hunter_a"]
    client = bearer(head)
    url = f"/api/v1/plans/{NOW.key}"
    for body in (
        {"user_id": hunter.pk, "targets": {"calls": 10, "nonsense": 5}},
        {"user_id": hunter.pk, "targets": {"calls": -1}},
        {"user_id": hunter.pk, "targets": {"motivated_refusal_share": 150}},
        {"user_id": hunter.pk, "team_id": two_teams["team_a"].pk, "targets": {"calls": 1}},
        {"targets": {"calls": 1}},
        {"user_id": hunter.pk, "targets": {"calls": 1}, "extra": 1},
    ):
        answer = client.put(url, body, content_type="application/json")
        assert 400 <= answer.status_code < 500, body
        assert "code" in answer.json()
    assert client.get("/api/v1/plans/2026-13").status_code == 422
    assert not PlanTarget.objects.exists()
    assert not MonthPlan.objects.exists()


def test_a_month_that_is_over_is_locked(two_teams: dict[str, Any], bearer: Any) -> None:
    head, hunter = two_teams["head_a"], two_teams["hunter_a"]
    past = NOW.previous
    with pytest.raises(DomainError) as caught:
        services.plan_targets_set(actor=head, month=past, user=hunter, targets={"calls": 1})
    assert caught.value.status == 409
    body = {"user_id": hunter.pk, "targets": {"calls": 1}}
    answer = bearer(head).put(f"/api/v1/plans/{past.key}", body, content_type="application/json")
    assert answer.status_code == 409
    assert answer.json()["code"] == "planning.plan_locked"


def test_copy_from_last_month(two_teams: dict[str, Any]) -> None:
    head, hunter = two_teams["head_a"], two_teams["hunter_a"]
    old = MonthPlan.objects.create(period=NOW.previous.first, user=hunter)
    calls = selectors.kpi_get(actor=head, key="calls")
    meetings = selectors.kpi_get(actor=head, key="meetings")
    PlanTarget.objects.create(plan=old, kpi=calls, target=90)
    PlanTarget.objects.create(plan=old, kpi=meetings, target=9)
    services.plan_targets_set(actor=head, month=NOW, user=hunter, targets={"meetings": 12})
    assert services.plan_copy_previous(actor=head, month=NOW, team=two_teams["team_a"]) == 1
    now = dict(
        PlanTarget.objects.filter(plan__period=NOW.first, plan__user=hunter).values_list(
            "kpi__key", "target"
        )
    )
    assert now == {"calls": Decimal(90), "meetings": Decimal(12)}  # set targets are kept
    assert Event.objects.filter(activity="plan_copied").count() == 1


def _xlsx(rows: list[list[Any]]) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    return data


def test_xlsx_import_is_all_or_nothing_with_row_numbers(
    two_teams: dict[str, Any], make_user: Any
) -> None:
    head, hunter = two_teams["head_a"], two_teams["hunter_a"]
    second = make_user("hunter_a2", roles=["hunter"], team=two_teams["team_a"])
    users = {u.username: u for u in (hunter, second)}
    bad = _xlsx(
        [["login", "calls", "revenue"], ["hunter_a", 100, 500000], ["hunter_a2", "many", 1]]
    )
    with pytest.raises(DomainError) as caught:
        services.plan_import_xlsx(actor=head, month=NOW, file=bad, size=10, users=users)
    assert caught.value.details["errors"][0]["row"] == 3
    assert not PlanTarget.objects.exists()
    stranger = _xlsx([["login", "calls"], ["hunter_b", 1]])
    with pytest.raises(DomainError):
        services.plan_import_xlsx(actor=head, month=NOW, file=stranger, size=10, users=users)
    with pytest.raises(DomainError):
        services.plan_import_xlsx(
            actor=head, month=NOW, file=io.BytesIO(b"not a zip"), size=9, users=users
        )
    good = _xlsx(
        [["login", "calls", "revenue"], ["hunter_a", 100, 500000], ["hunter_a2", 80, None]]
    )
    assert services.plan_import_xlsx(actor=head, month=NOW, file=good, size=10, users=users) == 2
    assert PlanTarget.objects.count() == 3


def test_grid_of_twenty_people_is_a_handful_of_queries(
    two_teams: dict[str, Any], make_user: Any
) -> None:
    head, team = two_teams["head_a"], two_teams["team_a"]
    for i in range(19):
        make_user(f"grid{i}", roles=["hunter"], team=team)
    selectors.kpi_catalogue(actor=head)
    head = type(head).objects.get(pk=head.pk)
    with CaptureQueriesContext(connection) as queries:
        grid = selectors.team_grid(actor=head, month=NOW, team=team)
    assert len(grid.rows) == 20
    assert len(grid.rows[0].figures) == 11
    assert len(queries) <= 22, [q["sql"][:120] for q in queries]


def test_pages_answer_for_each_role(two_teams: dict[str, Any]) -> None:
    head, hunter, director = two_teams["head_a"], two_teams["hunter_a"], two_teams["director"]
    services.plan_targets_set(actor=head, month=NOW, user=hunter, targets={"calls": 100})
    client = Client()
    client.force_login(hunter)
    for name in ("my_plan", "kpi_list"):
        assert (
            client.get(f"/planning/{'plan/' if name == 'my_plan' else 'kpis/'}").status_code == 200
        )
    assert client.get("/planning/plan/team/").status_code == 404
    assert client.get(f"/planning/plan/facts/?kpi=calls&period={NOW.key}").status_code == 200
    assert client.get(f"/planning/plan/?user={head.pk}").status_code == 404
    client.force_login(head)
    for path in (
        "/planning/plan/team/",
        "/planning/plan/entry/",
        f"/planning/plan/?user={hunter.pk}",
    ):
        assert client.get(path).status_code == 200, path
    # A head of one team has nothing to choose: no team picker and no lone «Show» button.
    lone = client.get("/planning/plan/team/").content.decode()
    assert 'name="team"' not in lone
    assert '<input type="hidden" name="period"' not in lone
    assert client.get(f"/planning/plan/?user={two_teams['hunter_b'].pk}").status_code == 404
    assert client.get(f"/planning/plan/team/?team={two_teams['team_b'].pk}").status_code == 404
    client.force_login(director)
    page = client.get("/planning/plan/department/")
    assert page.status_code == 200
    assert "Team A" in page.content.decode()
    # The department view: a row per team under it (the people are in the teams' grids).
    assert [row.team.name for row in page.context["grid"].rows] == ["Team A", "Team B"]
    _ = date


def test_plan_entry_grid_saves_all_rows_or_none(two_teams: dict[str, Any]) -> None:
    head, hunter, team = two_teams["head_a"], two_teams["hunter_a"], two_teams["team_a"]
    client = Client()
    client.force_login(head)
    url = f"/planning/plan/entry/?team={team.pk}&period={NOW.key}"
    bad = {f"t-u{hunter.pk}-calls": "50", f"t-t{team.pk}-revenue": "много"}
    client.post(url, bad)
    assert not PlanTarget.objects.exists()
    good = {f"t-u{hunter.pk}-revenue": "2\u00a0206\u00a0000,50", f"t-t{team.pk}-calls": "300"}
    assert client.post(url, good).status_code == 302
    saved = dict(PlanTarget.objects.values_list("kpi__key", "target"))
    assert saved == {"revenue": Decimal("2206000.50"), "calls": Decimal(300)}
    page = client.get(url).content.decode()
    assert "2206000.5" in page, page[page.find("t-u") : page.find("t-u") + 300]
    outsider = {f"t-u{two_teams['hunter_b'].pk}-calls": "5"}
    assert client.post(url, outsider).status_code == 404
    assert PlanTarget.objects.count() == 2


def test_every_way_of_writing_a_closed_month_is_refused_and_nothing_changes(
    two_teams: dict[str, Any],
) -> None:
    """The lock after the month's close holds for the grid, copy, split and XLSX import —
    through the pages a head uses — and a refused write leaves no audit event."""
    head, hunter, team = two_teams["head_a"], two_teams["hunter_a"], two_teams["team_a"]
    past = NOW.previous
    old = MonthPlan.objects.create(period=past.previous.first, user=hunter)
    PlanTarget.objects.create(plan=old, kpi=selectors.kpi_get(actor=head, key="calls"), target=9)
    top = MonthPlan.objects.create(period=past.first, team=team)
    PlanTarget.objects.create(plan=top, kpi=selectors.kpi_get(actor=head, key="calls"), target=90)
    client = Client()
    client.force_login(head)
    query = f"?team={team.pk}&period={past.key}"
    page = client.get(f"/planning/plan/entry/{query}", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Месяц закончился: его план закрыт для изменений." in page
    assert "Сохранить план" not in page
    lock = "закрыт: месяц закончился"
    form = {"team": team.pk, "period": past.key}
    for url, data in (
        (f"/planning/plan/entry/{query}", {f"t-u{hunter.pk}-calls": "5"}),
        ("/planning/plan/copy/", form),
        ("/planning/plan/split/", form),
        ("/planning/plan/import/", {**form, "file": _xlsx([["login", "calls"], ["hunter_a", 5]])}),
    ):
        answer = client.post(url, data, follow=True, HTTP_ACCEPT_LANGUAGE="ru")
        assert answer.status_code == 200, url
        assert lock in answer.content.decode(), url
    assert list(PlanTarget.objects.order_by("target").values_list("target", flat=True)) == [9, 90]
    assert not Event.objects.filter(case_type="month_plan").exists()


def test_xlsx_import_page_writes_audited_plans_or_lists_the_bad_rows(
    two_teams: dict[str, Any],
) -> None:
    head, hunter, team = two_teams["head_a"], two_teams["hunter_a"], two_teams["team_a"]
    client = Client()
    client.force_login(head)
    form = {"team": team.pk, "period": NOW.key}
    bad = _xlsx([["login", "calls"], ["hunter_a", 5], ["hunter_b", 7]])
    answer = client.post(
        "/planning/plan/import/", {**form, "file": bad}, follow=True, HTTP_ACCEPT_LANGUAGE="ru"
    )
    assert "строка 3: неизвестный сотрудник: hunter_b" in answer.content.decode()
    assert not PlanTarget.objects.exists()
    good = _xlsx([["login", "calls", "revenue"], ["hunter_a", 5, 300000]])
    answer = client.post("/planning/plan/import/", {**form, "file": good})
    assert answer.status_code == 302
    assert dict(PlanTarget.objects.values_list("kpi__key", "target")) == {
        "calls": Decimal(5),
        "revenue": Decimal(300000),
    }
    event = Event.objects.get(case_type="month_plan", activity="plan_imported")
    assert event.actor_id == head.pk
    assert event.payload["row"] == 2
    assert event.payload["user_id"] == hunter.pk
    assert event.payload["changes"] == {"calls": [None, "5.00"], "revenue": [None, "300000.00"]}
    # Imported again with another figure: the audit keeps the old value and the new.
    again = _xlsx([["login", "calls"], ["hunter_a", 6]])
    client.post("/planning/plan/import/", {**form, "file": again})
    last = Event.objects.filter(activity="plan_imported").order_by("-pk").first()
    assert last is not None
    assert last.payload["changes"] == {"calls": ["5.00", "6.00"]}


def test_links_of_the_plan_pages_keep_whose_plan_with_big_ids(
    two_teams: dict[str, Any], make_user: Any
) -> None:
    """A person or team id over 999 is not written «1 234» in a link (Russian thousands), and
    the month arrows keep the team or the person."""
    from greenwave.accounts.models import Team, User
    from greenwave.accounts.services import roles_by_codes

    head = two_teams["head_a"]
    team = Team.objects.create(pk=4321, name="Team Big", parent=two_teams["team_a"])
    hunter = User.objects.create(pk=5432, username="big_hunter", team=team)
    hunter.roles.set(roles_by_codes(["hunter"]))
    client = Client()
    client.force_login(head)
    grid = client.get(f"/planning/plan/team/?team=4321&period={NOW.key}", HTTP_ACCEPT_LANGUAGE="ru")
    html = grid.content.decode()
    assert f"?period={NOW.previous.key}&team=4321" in html
    assert "user=5432" in html
    for wrong in ("4\u00a0321", "4 321", "5\u00a0432", "5 432"):
        assert wrong not in html
    statement = client.get(
        f"/planning/plan/commissions/?user={hunter.pk}&period={NOW.key}", HTTP_ACCEPT_LANGUAGE="ru"
    )
    assert f"?period={NOW.next.key}&user={hunter.pk}" in statement.content.decode()
    entry = client.get(f"/planning/plan/entry/?team=4321&period={NOW.key}")
    assert f"?period={NOW.previous.key}&team=4321" in entry.content.decode()


def _calls(row: Any) -> Decimal | None:
    return next(f.actual for f in row.figures if f.kpi.key == "calls")


def test_department_rows_add_up_to_the_total_with_the_directors_own_calls(
    two_teams: dict[str, Any],
) -> None:
    """The director's own records belong to the department, to no team: they get a row of
    their own, so the rows add up to the total the page shows."""
    director = two_teams["director"]
    call_done(two_teams["hunter_a"])
    call_done(two_teams["hunter_b"])
    call_done(director)
    call_done(director)

    grid = selectors.department_grid(actor=director, month=NOW, team=two_teams["department"])

    assert [row.rest for row in grid.rows] == [False, False, True]
    assert [_calls(row) for row in grid.rows] == [1, 1, 2]
    assert _calls(grid.total) == sum(_calls(row) for row in grid.rows) == 4
    html = _page(director, f"/planning/plan/department/?team={two_teams['department'].pk}")
    assert 'data-testid="grid-rest"' in html


def test_a_team_whose_records_all_have_a_row_shows_no_rest_row(two_teams: dict[str, Any]) -> None:
    call_done(two_teams["hunter_a"])
    grid = selectors.department_grid(
        actor=two_teams["director"], month=NOW, team=two_teams["department"]
    )
    assert not any(row.rest for row in grid.rows)
    assert _calls(grid.total) == sum(_calls(row) for row in grid.rows)


def _page(user: Any, url: str) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_last_month_arrow_is_red_when_a_less_is_better_kpi_rose(
    two_teams: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """▲ next to last month's value is green for more calls but red for more days per order."""
    real = selectors.plan_report

    def rose(**kwargs: Any) -> selectors.PlanReport:
        report = real(**kwargs)
        for figure in report.figures:
            if figure.kpi.key in ("calls", "order_processing_days"):
                figure.previous, figure.actual = Decimal(3), Decimal(5)
        return report

    monkeypatch.setattr(selectors, "plan_report", rose)
    client = Client()
    client.force_login(two_teams["hunter_a"])
    html = client.get("/planning/plan/").content.decode()

    def arrow(key: str) -> list[tuple[str, str]]:
        row = html.split(f'data-kpi="{key}"', 1)[1].split("</tr>", 1)[0]
        return re.findall(r'<span class="(text-\w+)" data-testid="trend">(.)</span>', row)

    assert arrow("calls") == [("text-success", "▲")]
    assert arrow("order_processing_days") == [("text-danger", "▲")]


def test_assistant_split_page_title_writes_the_share_for_the_language(
    two_teams: dict[str, Any], make_user: Any
) -> None:
    head = two_teams["head_a"]
    helper = make_user("helper", team=two_teams["team_a"])
    split = services.assistant_split_save(
        actor=head,
        manager=two_teams["hunter_a"],
        assistant=helper,
        share_percent="12.5",
        valid_from=date(2026, 1, 1),
    )
    client = Client()
    client.force_login(head)
    for language, share in (("ru", "12,50 %"), ("en", "12.50 %")):
        type(head).objects.filter(pk=head.pk).update(language=language)
        page = client.get(f"/planning/settings/assistants/{split.pk}/").content.decode()
        title = page.split("<title>", 1)[1].split("</title>", 1)[0]
        assert title.startswith(f"hunter_a → helper {share} ·"), (language, title)


def test_a_share_reads_10_percent_on_one_line_and_in_its_form_which_takes_it_back_untouched(
    two_teams: dict[str, Any], make_user: Any
) -> None:
    head = two_teams["head_a"]
    split = services.assistant_split_save(
        actor=head,
        manager=two_teams["hunter_a"],
        assistant=make_user("helper", team=two_teams["team_a"]),
        share_percent="10",
        valid_from=date(2026, 1, 1),
    )
    client = Client()
    client.force_login(head)
    settings_page = client.get("/planning/settings/").content.decode()
    assert 'data-testid="split-share">10&nbsp;%</td>' in settings_page
    page = client.get(f"/planning/settings/assistants/{split.pk}/").content.decode()
    field = re.search(r'<input[^>]*name="share_percent"[^>]*>', page)
    assert field is not None
    assert 'value="10"' in field.group(0)
    answer = client.post(
        f"/planning/settings/assistants/{split.pk}/",
        {
            "manager": split.manager_id,
            "assistant": split.assistant_id,
            "share_percent": "10",
            "valid_from": "2026-01-01",
        },
    )
    assert answer.status_code == 302
    split.refresh_from_db()
    assert split.share_percent == Decimal("10.00")


def test_settings_keep_each_commission_step_and_its_percent_sign_on_one_line(
    two_teams: dict[str, Any],
) -> None:
    head = two_teams["head_a"]
    services.commission_scheme_save(
        actor=head, name="Base", default_percent="5", steps=[["80", "1.2"]]
    )
    client = Client()
    client.force_login(head)
    page = client.get("/planning/settings/").content.decode()
    assert '<span class="text-nowrap" data-testid="scheme-step">от 80 % × 1,20</span>' in page


def test_the_event_log_names_planning_settings_and_product_groups_in_words() -> None:
    from django.utils import translation

    from greenwave.core.case_access import case_type_label

    expected = {
        "ru": ["Настройки планирования", "Группа товаров"],
        "en": ["Planning settings", "Product group"],
    }
    for language, labels in expected.items():
        with translation.override(language):
            assert [case_type_label(t) for t in ("planning_settings", "product_group")] == labels
