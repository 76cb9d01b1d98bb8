"""Segments: validated filters (a 400 naming the field), the birthday window across the new
year and 29 February, the other filters, and scoping (a segment sees only readable contacts;
another team's segment is a 404)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from greenwave.crm import services as crm_services
from greenwave.outreach import selectors, services
from greenwave.outreach.models import Segment
from greenwave.outreach.segments import birthday_condition, birthday_on, birthday_window
from greenwave.sales import services as sales_services
from greenwave.sales.models import Deal, Pipeline

pytestmark = pytest.mark.django_db


def _post(client: Any, url: str, body: Any) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


@pytest.mark.parametrize(
    ("filters", "field"),
    [
        ({"birthday_in_days": 7}, "filters.birthday_in_days"),
        ({"birthday_within_days": -1}, "filters.birthday_within_days"),
        ({"birthday_within_days": 400}, "filters.birthday_within_days"),
        ({"birthday_within_days": "7"}, "filters.birthday_within_days"),
        ({"client_status": ["vip"]}, "filters.client_status"),
        ({"regions": "Москва"}, "filters.regions"),
        ({"deal_stage_ids": [999999]}, "filters.deal_stage_ids"),
        ({"product_group_ids": [999999]}, "filters.product_group_ids"),
        ({"analytics_segment_ids": [999999]}, "filters.analytics_segment_ids"),
        ({"analytics_segment_ids": "1"}, "filters.analytics_segment_ids"),
        ({"consent_only": "yes"}, "filters.consent_only"),
    ],
)
def test_bad_filters_are_refused_naming_the_field_and_nothing_is_stored(
    two_teams: dict[str, Any], bearer: Any, filters: dict[str, Any], field: str
) -> None:
    answer = _post(
        bearer(two_teams["head_a"]), "/api/v1/segments", {"name": "x", "filters": filters}
    )
    assert answer.status_code == 400, answer.content
    body = answer.json()
    assert body["code"] == "outreach.invalid_filters"
    assert field in body["details"]["fields"]
    assert not Segment.objects.exists()


def test_birthday_window_crosses_the_new_year() -> None:
    assert birthday_window(date(2026, 12, 29), 5) == [(12, 29, 31), (1, 1, 3)]
    assert birthday_on(date(1980, 1, 2), date(2026, 12, 29), 5) == date(2027, 1, 2)
    assert birthday_on(date(1980, 1, 4), date(2026, 12, 29), 5) is None


def test_29_february_is_greeted_on_28_february_without_a_leap_day() -> None:
    leapling = date(1984, 2, 29)
    assert birthday_on(leapling, date(2027, 2, 28), 0) == date(2027, 2, 28)
    assert birthday_on(leapling, date(2028, 2, 28), 0) is None  # 2028 has its own 29th
    assert birthday_on(leapling, date(2028, 2, 28), 1) == date(2028, 2, 29)
    assert (2, 28, 29) in birthday_window(date(2027, 2, 28), 0)
    assert birthday_window(date(2028, 2, 28), 0) == [(2, 28, 28)]


def test_birthday_filter_in_the_database(two_teams: dict[str, Any]) -> None:
    head = two_teams["head_a"]

    def person(name: str, born: date) -> None:
        crm_services.contact_create(
            actor=head, full_name=name, birthday=born, mailing_consent=True, emails=[f"{name}@x.ru"]
        )

    person("dec31", date(1990, 12, 31))
    person("jan02", date(1990, 1, 2))
    person("jan05", date(1990, 1, 5))
    person("feb29", date(1988, 2, 29))
    from greenwave.crm.models import Contact

    def names(today: date, days: int) -> set[str]:
        return set(
            Contact.objects.filter(birthday_condition(today, days)).values_list(
                "full_name", flat=True
            )
        )

    assert names(date(2026, 12, 30), 3) == {"dec31", "jan02"}
    assert names(date(2027, 2, 28), 0) == {"feb29"}
    assert names(date(2028, 2, 28), 0) == set()
    assert names(date(2028, 2, 29), 0) == {"feb29"}
    assert names(date(2026, 1, 1), 366) == {"dec31", "jan02", "jan05", "feb29"}


def test_filters_by_status_region_stage_and_product_group(
    two_teams: dict[str, Any], default_pipelines: None
) -> None:
    head = two_teams["head_a"]
    moscow = crm_services.company_create(actor=head, name="M", region="Москва")
    kazan = crm_services.company_create(actor=head, name="K", region="Казань")
    for company, name in ((moscow, "m"), (kazan, "k")):
        crm_services.contact_create(
            actor=head,
            company=company,
            full_name=name,
            mailing_consent=True,
            emails=[f"{name}@x.ru"],
        )
    pipeline = Pipeline.objects.get(code="b2b")
    stage = pipeline.stages.order_by("order")[1]
    deal = sales_services.deal_create(actor=head, title="d", pipeline=pipeline, company=kazan)
    sales_services.deal_move(actor=head, deal=deal, stage=stage, override_comment="test")
    pumps = crm_services.product_group_create(actor=None, name="Насосы")
    deep = crm_services.product_group_create(actor=None, name="Глубинные", parent=pumps)

    def names(filters: dict[str, Any]) -> set[str]:
        return {c.full_name for c in selectors.segment_contacts(actor=head, filters=filters)}

    assert names({"regions": ["Москва"]}) == {"m"}
    assert names({"deal_stage_ids": [stage.pk]}) == {"k"}
    assert names({"client_status": ["current"]}) == set()
    assert names({"client_status": ["new"]}) == {"m", "k"}
    product = crm_services.product_create(actor=None, name="P", sku="P-1", group=deep)
    sales_services.deal_add_item(
        actor=head, deal=deal, product=product, quantity=Decimal(1), price=Decimal(10)
    )
    assert names({"product_group_ids": [pumps.pk]}) == set()  # an open deal is not a purchase
    Deal.objects.filter(pk=deal.pk).update(status="won")  # the win itself is sales' business
    assert names({"product_group_ids": [pumps.pk]}) == {"k"}  # a subgroup counts


def test_a_segment_counts_only_contacts_the_user_may_read(
    two_teams: dict[str, Any], bearer: Any
) -> None:
    hunter_a, hunter_b = two_teams["hunter_a"], two_teams["hunter_b"]
    for owner in (hunter_a, hunter_b):
        crm_services.contact_create(
            actor=owner,
            full_name=owner.username,
            mailing_consent=True,
            emails=[f"{owner.username}@x.ru"],
        )
    segment = services.segment_create(actor=hunter_a, name="all", filters={})
    preview = bearer(hunter_a).get(f"/api/v1/segments/{segment.pk}/preview").json()
    assert [r["full_name"] for r in preview["recipients"]] == ["hunter_a"]
    # Another team's segment does not exist for team B, by id or in the list.
    assert bearer(hunter_b).get(f"/api/v1/segments/{segment.pk}").status_code == 404
    assert bearer(hunter_b).get(f"/api/v1/segments/{segment.pk}/preview").status_code == 404
    assert bearer(hunter_b).get("/api/v1/segments").json()["count"] == 0


def test_roles_without_mailings_cannot_create_segments(
    two_teams: dict[str, Any], make_user: Any, bearer: Any
) -> None:
    lawyer = make_user("lawyer1", roles=["lawyer"])
    answer = _post(bearer(lawyer), "/api/v1/segments", {"name": "x", "filters": {}})
    assert answer.status_code == 403
    assert not Segment.objects.exists()


def test_a_campaign_cannot_name_another_teams_segment_in_its_body(
    two_teams: dict[str, Any], bearer: Any
) -> None:
    from greenwave.outreach.models import Campaign

    segment = services.segment_create(actor=two_teams["hunter_a"], name="A's", filters={})
    body = {"name": "x", "segment_id": segment.pk, "subject": "Hi", "body": "Hello"}
    answer = _post(bearer(two_teams["hunter_b"]), "/api/v1/campaigns", body)
    assert answer.status_code == 404
    assert not Campaign.objects.exists()
    assert _post(bearer(two_teams["hunter_a"]), "/api/v1/campaigns", body).status_code == 201


def _won(company: Any, owner: Any, amount: str, when: date) -> None:
    from datetime import datetime, time

    from django.utils import timezone

    pipeline = Pipeline.objects.get(code="b2b")
    moment = datetime.combine(when, time(12), tzinfo=timezone.get_current_timezone())
    Deal.objects.create(
        title=f"{company.name} {amount}",
        pipeline=pipeline,
        stage=pipeline.stages.order_by("order").first(),
        status="won",
        company=company,
        amount=Decimal(amount),
        responsible=owner,
        team=owner.team,
        stage_entered_at=moment,
        closed_at=moment,
    )


@pytest.fixture
def abc_clients(two_teams: dict[str, Any], default_pipelines: None) -> dict[str, Any]:
    """Team A's clients by revenue of March 2026: Big 800 (A), Mid 150 (B), Small 50 (C);
    Big has two contacts (one without consent), Mid and Small one each; one contact has no
    company. Team B's client Other (1000) is invisible to team A."""
    from greenwave.analytics import services as analytics_services
    from greenwave.analytics.segments import SegmentParams

    hunter_a, hunter_b = two_teams["hunter_a"], two_teams["hunter_b"]
    made: dict[str, Any] = dict(two_teams)
    for name, amount, region in (("Big", "800", "Москва"), ("Mid", "150", "Казань")):
        made[name] = crm_services.company_create(actor=hunter_a, name=name, region=region)
        _won(made[name], hunter_a, amount, date(2026, 3, 10))
    made["Small"] = crm_services.company_create(actor=hunter_a, name="Small", region="Москва")
    _won(made["Small"], hunter_a, "50", date(2026, 3, 12))
    made["Other"] = crm_services.company_create(actor=hunter_b, name="Other")
    _won(made["Other"], hunter_b, "1000", date(2026, 3, 12))
    for company, person, consent in (
        ("Big", "big1", True),
        ("Big", "big2", False),
        ("Mid", "mid1", True),
        ("Small", "small1", True),
        (None, "loner", True),
    ):
        crm_services.contact_create(
            actor=hunter_a,
            company=made[company] if company else None,
            full_name=person,
            mailing_consent=consent,
            emails=[f"{person}@x.ru"],
        )
    crm_services.contact_create(
        actor=hunter_b, company=made["Other"], full_name="other1", emails=["o@x.ru"]
    )
    params = SegmentParams(months=12, as_of=date(2026, 3, 31))
    made["top"] = analytics_services.segment_save(
        actor=hunter_a, name="Top", kind="abc", classes=["A"], params=params
    )
    made["tail"] = analytics_services.segment_save(
        actor=hunter_a, name="Tail", kind="abc", classes=["B", "C"], params=params
    )
    made["b_top"] = analytics_services.segment_save(
        actor=hunter_b, name="B top", kind="abc", classes=["A"], params=params
    )
    return made


def test_a_saved_analytics_segment_filters_the_live_count_and_preview(
    abc_clients: dict[str, Any], bearer: Any
) -> None:
    hunter_a = abc_clients["hunter_a"]
    top, tail = abc_clients["top"], abc_clients["tail"]
    assert top.company_ids == [abc_clients["Big"].pk]  # known answer of the ABC split
    client = bearer(hunter_a)

    def preview(filters: dict[str, Any]) -> dict[str, Any]:
        made = _post(client, "/api/v1/segments", {"name": "s", "filters": filters})
        assert made.status_code == 201, made.content
        answer = client.get(f"/api/v1/segments/{made.json()['id']}/preview")
        assert answer.status_code == 200
        return dict(answer.json())

    every = preview({"analytics_segment_ids": [top.pk], "consent_only": False})
    assert (every["count"], every["mailable"]) == (2, 1)
    assert [r["full_name"] for r in every["recipients"]] == ["big1", "big2"]
    consenting = preview({"analytics_segment_ids": [top.pk]})
    assert (consenting["count"], [r["full_name"] for r in consenting["recipients"]]) == (
        1,
        ["big1"],
    )
    both = preview({"analytics_segment_ids": [top.pk, tail.pk]})
    assert [r["full_name"] for r in both["recipients"]] == ["big1", "mid1", "small1"]
    # With another filter: both must hold.
    moscow_tail = preview({"analytics_segment_ids": [tail.pk], "regions": ["Москва"]})
    assert [r["full_name"] for r in moscow_tail["recipients"]] == ["small1"]


def test_another_teams_saved_segment_is_refused_and_a_deleted_one_matches_nobody(
    abc_clients: dict[str, Any], bearer: Any
) -> None:
    from greenwave.analytics import services as analytics_services

    hunter_a = abc_clients["hunter_a"]
    b_top = abc_clients["b_top"]
    assert b_top.company_ids == [abc_clients["Other"].pk]
    answer = _post(
        bearer(hunter_a),
        "/api/v1/segments",
        {"name": "x", "filters": {"analytics_segment_ids": [b_top.pk]}},
    )
    assert answer.status_code == 400
    assert "filters.analytics_segment_ids" in answer.json()["details"]["fields"]
    assert not Segment.objects.exists()
    # Read with the reader's scope: team B's segment adds nobody to team A's count.
    filters = {"analytics_segment_ids": [b_top.pk], "consent_only": False}
    assert selectors.segment_preview(actor=hunter_a, filters=filters).count == 0
    assert selectors.segment_preview(actor=abc_clients["hunter_b"], filters=filters).count == 1
    segment = services.segment_create(
        actor=hunter_a,
        name="top",
        filters={"analytics_segment_ids": [abc_clients["top"].pk]},
    )
    assert selectors.segment_preview(actor=hunter_a, filters=segment.filters).count == 1
    analytics_services.segment_delete(actor=hunter_a, segment=abc_clients["top"])
    assert selectors.segment_preview(actor=hunter_a, filters=segment.filters).count == 0


def test_the_segment_builder_offers_the_readable_saved_segments(
    abc_clients: dict[str, Any], client: Any
) -> None:
    client.force_login(abc_clients["hunter_a"])
    page = client.get("/outreach/segments/new/").content.decode()
    assert "Top" in page
    assert "Tail" in page
    assert "B top" not in page
    answer = client.post(
        "/outreach/segments/count/",
        {"name": "", "analytics_segment_ids": [str(abc_clients["tail"].pk)], "consent_only": "on"},
    )
    text = answer.content.decode()
    assert "mid1" in text
    assert "small1" in text
    assert "big1" not in text
