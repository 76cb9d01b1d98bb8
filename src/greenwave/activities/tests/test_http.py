"""The HTTP surface: the API (filters, scoping, errors, query counts), the pages and the
timeline partial other apps include with htmx."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from greenwave.activities import services
from greenwave.activities.models import Activity, ActivityStatus
from greenwave.core.tests.queries import assert_queries_do_not_grow

from .conftest import soon

pytestmark = pytest.mark.django_db


def _calls(user, company, n, **extra):
    return [
        services.activity_create(
            actor=user,
            kind="call",
            subject=f"Звонок {i}",
            company=company,
            due_at=soon(i + 1),
            **extra,
        )
        for i in range(n)
    ]


def test_call_is_planned_and_completed_through_the_api(
    two_teams, bearer, company_a, deal_a
) -> None:
    client = bearer(two_teams["hunter_a"])
    response = client.post(
        "/api/v1/activities",
        {"kind": "call", "subject": "Звонок", "deal_id": deal_a.pk, "due_at": soon().isoformat()},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["company"]["id"] == company_a.pk
    assert body["deal"]["id"] == deal_a.pk

    bad = client.post(
        f"/api/v1/activities/{body['id']}/complete",
        {"call_result": "no_answer"},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert bad.json()["code"] == "activities.next_date_required"
    assert Activity.objects.get(pk=body["id"]).status == ActivityStatus.PLANNED

    done = client.post(
        f"/api/v1/activities/{body['id']}/complete",
        {"call_result": "no_answer", "next_call_at": soon(24).isoformat()},
        content_type="application/json",
    )
    assert done.status_code == 200
    assert done.json()["status"] == "done"
    again = client.post(
        f"/api/v1/activities/{body['id']}/complete",
        {"call_result": "order_taken"},
        content_type="application/json",
    )
    assert again.status_code == 409


def test_task_for_a_user_of_another_team_is_a_403_through_the_api(two_teams, bearer) -> None:
    response = bearer(two_teams["hunter_a"]).post(
        "/api/v1/activities",
        {"kind": "task", "subject": "x", "responsible_id": two_teams["hunter_b"].pk},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response.json()["code"] == "activities.assignee_out_of_scope"
    assert not Activity.objects.exists()


def test_list_filters_by_type_owner_period_and_link(
    two_teams, bearer, company_a, company_b
) -> None:
    _calls(two_teams["hunter_a"], company_a, 2)
    services.activity_create(
        actor=two_teams["hunter_a"], kind="note", subject="Заметка", company=company_a
    )
    _calls(two_teams["hunter_b"], company_b, 2)
    client = bearer(two_teams["hunter_a"])
    everything = client.get("/api/v1/activities").json()
    assert everything["count"] == 3  # team B's calls are not visible
    calls = client.get("/api/v1/activities?type=call").json()
    assert calls["count"] == 2
    owner = client.get(
        f"/api/v1/activities?owner={two_teams['hunter_a'].pk}&company={company_a.pk}"
    )
    assert owner.json()["count"] == 3
    # The period is in the company's time zone: late in the UTC evening it is tomorrow there.
    today = timezone.localdate().isoformat()
    period = client.get(f"/api/v1/activities?from=2000-01-01&to={today}&type=note").json()
    assert period["count"] == 1
    assert client.get("/api/v1/activities?from=yesterday").status_code == 400
    # The head of the department sees both teams.
    assert bearer(two_teams["director"]).get("/api/v1/activities").json()["count"] == 5


def test_another_teams_activity_is_a_404(two_teams, bearer, company_b) -> None:
    (call,) = _calls(two_teams["hunter_b"], company_b, 1)
    client = bearer(two_teams["hunter_a"])
    assert client.get(f"/api/v1/activities/{call.pk}").status_code == 404
    response = client.post(
        f"/api/v1/activities/{call.pk}/cancel", {"reason": "x"}, content_type="application/json"
    )
    assert response.status_code == 404
    assert Activity.objects.get(pk=call.pk).status == ActivityStatus.PLANNED


def test_api_list_query_count_does_not_grow_with_rows(two_teams, bearer, company_a) -> None:
    client = bearer(two_teams["hunter_a"])
    _calls(two_teams["hunter_a"], company_a, 2)
    response, _ = assert_queries_do_not_grow(
        lambda: client.get("/api/v1/activities"),
        lambda: _calls(two_teams["hunter_a"], company_a, 15),
    )
    assert response.status_code == 200


def test_list_page_query_count_does_not_grow_with_rows(client, two_teams, company_a) -> None:
    client.force_login(two_teams["hunter_a"])
    _calls(two_teams["hunter_a"], company_a, 2)
    response, _ = assert_queries_do_not_grow(
        lambda: client.get("/activities/"), lambda: _calls(two_teams["hunter_a"], company_a, 15)
    )
    assert response.status_code == 200
    assert response.content.count(b'data-testid="activity-row"') == 17


def test_call_is_logged_and_completed_through_the_pages(client, two_teams, company_a) -> None:
    client.force_login(two_teams["hunter_a"])
    form = client.get(f"/activities/new/?company={company_a.pk}&kind=call")
    assert form.status_code == 200
    response = client.post(
        f"/activities/new/?company={company_a.pk}",
        {
            "kind": "call",
            "subject": "Холодный звонок",
            "company": company_a.pk,
            "due_at": soon().strftime("%Y-%m-%dT%H:%M"),
            "priority": "normal",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    call = Activity.objects.get()
    detail = client.get(f"/activities/{call.pk}/")
    assert detail.status_code == 200
    assert "Холодный звонок" in detail.content.decode()

    refused = client.post(f"/activities/{call.pk}/complete/", {"call_result": "busy"}, follow=True)
    assert refused.status_code == 200
    call.refresh_from_db()
    assert call.status == ActivityStatus.PLANNED

    client.post(
        f"/activities/{call.pk}/complete/", {"call_result": "meeting_booked", "duration_minutes": 5}
    )
    call.refresh_from_db()
    assert call.status == ActivityStatus.DONE
    assert call.duration_minutes == 5


def test_another_teams_activity_page_is_a_404(client, two_teams, company_b) -> None:
    (call,) = _calls(two_teams["hunter_b"], company_b, 1)
    client.force_login(two_teams["hunter_a"])
    assert client.get(f"/activities/{call.pk}/").status_code == 404
    assert client.post(f"/activities/{call.pk}/cancel/", {"reason": "x"}).status_code == 404


def test_timeline_merges_activities_with_other_events_filters_and_pages(
    client, two_teams, company_a, deal_a
) -> None:
    client.force_login(two_teams["hunter_a"])
    call = _calls(two_teams["hunter_a"], company_a, 1)[0]
    services.activity_complete(
        actor=two_teams["hunter_a"], activity=call, call_result="order_taken"
    )
    services.activity_create(
        actor=two_teams["hunter_a"], kind="note", subject="Про ЛПР", company=company_a
    )
    url = f"/activities/timeline/company/{company_a.pk}/"
    page = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-kind="call"' in page
    assert 'data-kind="note"' in page
    assert 'data-kind="change"' in page  # company_created, deal_created from other apps
    calls_only = client.get(url + "?type=call").content.decode()
    assert 'data-kind="note"' not in calls_only
    assert 'data-kind="call"' in calls_only
    changes = client.get(url + "?type=changes").content.decode()
    assert 'data-kind="call"' not in changes
    assert 'data-kind="change"' in changes
    deal_feed = client.get(f"/activities/timeline/deal/{deal_a.pk}/").content.decode()
    assert 'data-testid="timeline"' in deal_feed

    _calls(two_teams["hunter_a"], company_a, 25)
    first = client.get(url).content.decode()
    assert first.count('data-testid="timeline-entry"') == 20
    assert "timeline-older" in first
    second = client.get(url + "?page=2").content.decode()
    assert second.count('data-testid="timeline-entry"') >= 8


def test_timeline_query_count_is_fixed_and_other_teams_get_404(
    client, two_teams, company_a, company_b
) -> None:
    client.force_login(two_teams["hunter_a"])
    url = f"/activities/timeline/company/{company_a.pk}/"
    _calls(two_teams["hunter_a"], company_a, 2)
    assert_queries_do_not_grow(
        lambda: client.get(url), lambda: _calls(two_teams["hunter_a"], company_a, 12), warm_up=False
    )
    assert client.get(f"/activities/timeline/company/{company_b.pk}/").status_code == 404
    assert client.get("/activities/timeline/secret/1/").status_code == 404


def test_activity_events_are_readable_through_the_events_api_within_scope(
    two_teams, bearer, company_a
) -> None:
    (call,) = _calls(two_teams["hunter_a"], company_a, 1)
    url = f"/api/v1/events?case=activity:{call.pk}"
    body = bearer(two_teams["hunter_a"]).get(url).json()
    assert [e["activity"] for e in body["items"]] == ["activity_planned"]
    assert bearer(two_teams["hunter_b"]).get(url).status_code == 404


def test_the_list_opens_on_what_needs_doing_first_and_keeps_a_chosen_sort(
    client, bearer, two_teams, company_a
) -> None:
    """The overdue and today's open activities first, the upcoming ones by date, the open
    ones without a date, then the done ones (the latest first) and the cancelled; a chosen
    ?sort=due / -due still sorts by the planned date alone (the page and the API alike)."""
    hunter = two_teams["hunter_a"]
    now = timezone.now()
    rows = {}
    for name, due, status in (
        ("Сделано вчера", now - timedelta(days=1), ActivityStatus.DONE),
        ("Ждёт без даты", None, ActivityStatus.PLANNED),
        ("Через неделю", now + timedelta(days=7), ActivityStatus.PLANNED),
        ("Отменённый звонок", now + timedelta(days=1), ActivityStatus.CANCELLED),
        ("Сегодняшний звонок", now + timedelta(minutes=5), ActivityStatus.PLANNED),
        ("Сделано давно", now - timedelta(days=300), ActivityStatus.DONE),
        ("Просрочено", now - timedelta(days=3), ActivityStatus.PLANNED),
    ):
        rows[name] = services.activity_create(
            actor=hunter, kind="call", subject=name, company=company_a, due_at=soon(1)
        )
        Activity.objects.filter(pk=rows[name].pk).update(due_at=due, status=status)
    urgent = ["Просрочено", "Сегодняшний звонок", "Через неделю", "Ждёт без даты"]
    urgent += ["Сделано вчера", "Сделано давно", "Отменённый звонок"]
    by_date = [
        "Сделано давно",
        "Просрочено",
        "Сделано вчера",
        "Сегодняшний звонок",
        "Отменённый звонок",
    ]
    by_date.append("Через неделю")
    client.force_login(hunter)

    def page_order(url):
        html = client.get(url).content.decode()
        return [name for _i, name in sorted((html.index(f">{name}<"), name) for name in rows)]

    def api_order(query=""):
        items = bearer(hunter).get(f"/api/v1/activities{query}").json()["items"]
        return [item["subject"] for item in items]

    assert page_order("/activities/") == urgent
    assert api_order() == urgent
    assert api_order("?sort=urgent") == urgent
    dated = [name for name in page_order("/activities/?sort=due") if name != "Ждёт без даты"]
    assert dated == by_date
    dated = [name for name in api_order("?sort=-due") if name != "Ждёт без даты"]
    assert dated == by_date[::-1]


@pytest.mark.parametrize(
    ("language", "label"), [("ru", "Сначала срочные"), ("en", "Most urgent first")]
)
def test_most_urgent_first_is_offered_one_way_and_its_reverse_is_refused(
    client, bearer, two_teams, language, label
) -> None:
    hunter = two_teams["hunter_a"]
    hunter.language = language
    hunter.save(update_fields=["language"])
    client.force_login(hunter)
    html = client.get("/activities/").content.decode()
    assert f'<option value="urgent" selected>{label}</option>' in html
    assert 'value="-urgent"' not in html
    assert '<option value="-due" >' in html
    assert bearer(hunter).get("/api/v1/activities?sort=-urgent").status_code == 400
    reset = client.get("/activities/?sort=-urgent").content.decode()  # the page says so
    assert f'<option value="urgent" selected>{label}</option>' in reset
