"""NPS: known answers over a small history, the public link answered once, scoping."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from greenwave.core.errors import DomainError
from greenwave.core.models import Event
from greenwave.crm.models import Contact

from .. import services
from ..models import NpsSurvey
from ..nps import answers, nps_by, nps_changes, nps_periods
from .conftest import at

MARCH = (date(2026, 3, 1), date(2026, 3, 31))


def _answer(history: dict[str, Any], deal: str, score: int, day: date) -> NpsSurvey:
    owner = history[deal].responsible
    survey = services.nps_record(actor=owner, deal_id=history[deal].pk, score=score)
    NpsSurvey.objects.filter(pk=survey.pk).update(answered_at=at(day))
    return survey


@pytest.fixture
def answered(history: dict[str, Any]) -> dict[str, Any]:
    """March 2026: 10, 9 (team A) and 3 (team B); February: 7 and 2 (team A); March 2025: 10."""
    _answer(history, "d2", 10, date(2026, 3, 5))
    _answer(history, "d3", 9, date(2026, 3, 12))
    _answer(history, "d8", 3, date(2026, 3, 20))
    _answer(history, "d5", 7, date(2026, 2, 16))
    _answer(history, "d4", 2, date(2026, 2, 20))
    _answer(history, "d1", 10, date(2025, 3, 11))
    return history


def test_nps_known_answer_with_both_comparisons(answered: dict[str, Any]) -> None:
    figures = {
        f.key: f for f in nps_periods(actor=answered["admin"], date_from=MARCH[0], date_to=MARCH[1])
    }
    current, previous, year_ago = figures["current"], figures["previous"], figures["year_ago"]
    assert (current.promoters, current.passives, current.detractors) == (2, 0, 1)
    assert current.nps == Decimal("33.3")  # (2 − 1) / 3
    assert (previous.promoters, previous.passives, previous.detractors) == (0, 1, 1)
    assert previous.nps == Decimal("-50.0")
    assert (year_ago.responses, year_ago.nps) == (1, Decimal("100.0"))
    changes = nps_changes(list(figures.values()))
    assert changes == {"previous": Decimal("83.3"), "year_ago": Decimal("-66.7")}


def test_nps_is_scoped_and_split_by_manager(answered: dict[str, Any]) -> None:
    mine = nps_periods(actor=answered["hunter_a"], date_from=MARCH[0], date_to=MARCH[1])[0]
    assert (mine.promoters, mine.detractors, mine.nps) == (2, 0, Decimal("100.0"))
    other = nps_periods(actor=answered["hunter_b"], date_from=MARCH[0], date_to=MARCH[1])[0]
    assert (other.detractors, other.nps) == (1, Decimal("-100.0"))
    rows = {
        r["name"]: r["nps"]
        for r in nps_by(
            actor=answered["admin"], date_from=MARCH[0], date_to=MARCH[1], by="responsible"
        )
    }
    assert rows == {
        str(answered["hunter_a"]): Decimal("100.0"),
        str(answered["hunter_b"]): Decimal("-100.0"),
    }
    detractors = answers(
        actor=answered["admin"], date_from=MARCH[0], date_to=MARCH[1], kind="detractors"
    )
    assert [s.deal_id for s in detractors] == [answered["d8"].pk]


def test_recording_writes_the_event_and_refuses_bad_input(history: dict[str, Any]) -> None:
    a = history["hunter_a"]
    survey = services.nps_record(actor=a, deal_id=history["d2"].pk, score=8, comment=" ok ")
    event = Event.objects.get(case_type="nps_survey", case_id=str(survey.pk))
    assert (event.activity, event.payload["kind"], survey.comment) == (
        "nps_recorded",
        "passives",
        "ok",
    )
    for score in (11, -1, "9", True):
        with pytest.raises(DomainError):
            services.nps_record(actor=a, deal_id=history["d2"].pk, score=score)
    stranger = Contact.objects.create(full_name="Stranger", company=history["c4"], responsible=a)
    with pytest.raises(DomainError):  # a contact of another client
        services.nps_record(actor=a, deal_id=history["d2"].pk, score=9, contact_id=stranger.pk)
    with pytest.raises(DomainError):  # a lost deal
        services.nps_record(actor=a, deal_id=history["d7"].pk, score=9)
    with pytest.raises(DomainError) as error:  # another team's deal is not found
        services.nps_record(actor=a, deal_id=history["d8"].pk, score=9)
    assert error.value.status == 404
    assert NpsSurvey.objects.count() == 1


def test_public_link_is_answered_once(history: dict[str, Any]) -> None:
    survey = services.nps_survey_create(actor=history["hunter_a"], deal_id=history["d2"].pk)
    url = reverse("analytics:nps_answer", args=[survey.token])
    anonymous = Client()
    page = anonymous.get(url)
    assert page.status_code == 200
    assert b'name="score"' in page.content
    assert anonymous.post(url, {"score": "12"}).status_code == 200
    survey.refresh_from_db()
    assert survey.score is None
    anonymous.post(url, {"score": "9", "comment": "faster delivery"})
    survey.refresh_from_db()
    assert (survey.score, survey.comment) == (9, "faster delivery")
    assert survey.answered_at is not None
    with pytest.raises(DomainError):
        services.nps_answer(token=survey.token, score=0)
    assert b'data-testid="nps-done"' in anonymous.get(url).content
    assert anonymous.get(reverse("analytics:nps_answer", args=["x" * 32])).status_code == 404
    assert Event.objects.filter(case_id=str(survey.pk), activity="nps_answered").count() == 1


def test_nps_api(answered: dict[str, Any], bearer: Any) -> None:
    client = bearer(answered["hunter_a"])
    body = client.get("/api/v1/analytics/nps", {"from": "2026-03-01", "to": "2026-03-31"}).json()
    assert body["periods"][0]["nps"] == "100.0"
    assert body["periods"][1]["detractors"] == 1
    made = client.post(
        "/api/v1/analytics/nps", {"deal_id": answered["d3"].pk}, content_type="application/json"
    )
    assert made.status_code == 201, made.content
    assert "/analytics/nps/answer/" in made.json()["link"]
    recorded = client.post(
        "/api/v1/analytics/nps",
        {"deal_id": answered["d3"].pk, "score": 6},
        content_type="application/json",
    )
    assert recorded.status_code == 201
    assert recorded.json()["link"] is None
    outsider = client.post(
        "/api/v1/analytics/nps",
        {"deal_id": answered["d8"].pk, "score": 6},
        content_type="application/json",
    )
    assert outsider.status_code == 404
    bad = client.post(
        "/api/v1/analytics/nps",
        {"deal_id": answered["d3"].pk, "score": 42},
        content_type="application/json",
    )
    assert bad.status_code == 400


def test_nps_page_and_sales_page_show_it(answered: dict[str, Any], client: Client) -> None:
    client.force_login(answered["head_a"])
    page = client.get(
        reverse("analytics:nps"), {"date_from": "2026-03-01", "date_to": "2026-03-31"}
    )
    assert page.status_code == 200
    assert b'data-nps="promoters"' in page.content
    assert b'data-score="10"' in page.content
    # The answers table scrolls inside its card: at 1024 px it pushed the page sideways.
    answers = page.content.decode().split('data-testid="nps-answers"')[1]
    assert '<div class="table-responsive"><table' in answers.split("</section>")[0]
    sales = client.get(
        reverse("analytics:sales"), {"date_from": "2026-03-01", "date_to": "2026-03-31"}
    )
    assert b'data-testid="nps-figure"' in sales.content
    posted = client.post(
        reverse("analytics:nps"), {"deal": answered["d3"].pk, "score": "9", "action": "record"}
    )
    assert posted.status_code == 302
    assert NpsSurvey.objects.filter(deal=answered["d3"], score=9).exists()
    today = timezone.localdate()
    assert today - timedelta(days=1) < NpsSurvey.objects.latest(
        "pk"
    ).answered_at.date() + timedelta(days=1)


def test_links_are_sent_automatically_after_a_win_and_a_closed_claim(
    history: dict[str, Any], mailoutbox: list[Any]
) -> None:
    """One link per contact per won deal or closed claim, mailed once; nothing for the
    history before the job first ran, nothing twice however often it runs."""
    from greenwave.core.services import event_append
    from greenwave.orders.models import Claim, ClaimStatus, Order

    deal = history["d2"]
    ivan = Contact.objects.create(
        responsible=deal.responsible,
        company=deal.company,
        full_name="Ivan Petrov",
        emails=["ivan@alpha.test"],
    )
    Contact.objects.create(
        company=deal.company, full_name="Anna Nomail", responsible=deal.responsible
    )
    olga = Contact.objects.create(
        responsible=deal.responsible,
        company=deal.company,
        full_name="Olga Sidorova",
        emails=["olga@alpha.test"],
    )
    # The first run notes where the log ends: an earlier win gets no link.
    event_append(case_type="deal", case_id=history["d1"].pk, activity="deal_won", actor=None)
    assert services.nps_links_job() == 0
    assert not NpsSurvey.objects.exists()

    event_append(case_type="deal", case_id=deal.pk, activity="deal_won", actor=None)
    order = Order.objects.create(
        deal=deal, company=deal.company, promised_date=date(2026, 3, 20), team=deal.team
    )
    claim = Claim.objects.create(
        order=order,
        kind="claim",
        subject="Broken",
        deadline=date(2026, 4, 1),
        status=ClaimStatus.CLOSED,
        responsible=deal.responsible,
        team=deal.team,
    )
    event_append(case_type="claim", case_id=claim.pk, activity="claim_closed", actor=None)
    # A lost deal's event and an open claim's close are no occasion.
    event_append(case_type="deal", case_id=history["d7"].pk, activity="deal_won", actor=None)

    assert services.nps_links_job() == 4 + 4  # 2 contacts × (win, claim): created, then sent
    links = NpsSurvey.objects.filter(occurrence__isnull=False)
    assert sorted(links.values_list("occurrence", flat=True)) == sorted(
        [
            f"deal:{deal.pk}:{ivan.pk}",
            f"deal:{deal.pk}:{olga.pk}",
            f"claim:{claim.pk}:{ivan.pk}",
            f"claim:{claim.pk}:{olga.pk}",
        ]
    )
    assert all(s.sent_at and s.deal_id == deal.pk and s.score is None for s in links)
    assert sorted(m.to[0] for m in mailoutbox) == sorted(["ivan@alpha.test", "olga@alpha.test"] * 2)
    link = links.get(occurrence=f"claim:{claim.pk}:{olga.pk}")
    assert link.claim_id == claim.pk
    assert reverse("analytics:nps_answer", args=[link.token]) in "\n".join(
        m.body for m in mailoutbox
    )
    assert Event.objects.filter(case_type="nps_survey", activity="nps_survey_sent").count() == 4

    # Again (the lookback re-reads the same events): no new link, no second letter.
    event_append(case_type="deal", case_id=deal.pk, activity="deal_won", actor=None)
    assert services.nps_links_job() == 0
    assert (links.count(), len(mailoutbox)) == (4, 4)

    # The link answers once, like any survey link.
    services.nps_answer(token=link.token, score=9)
    with pytest.raises(DomainError):
        services.nps_answer(token=link.token, score=10)
