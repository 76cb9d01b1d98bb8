"""The pages as a head uses them: the segment builder with its live count, the campaign
editor refusing a broken template, the campaign page with statistics and a preview per
recipient; another team's records are 404."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from greenwave.analytics.models import SavedSegment
from greenwave.core.tests.refusals import assert_not_found
from greenwave.crm import services as crm_services
from greenwave.outreach import services
from greenwave.outreach.models import Campaign, Segment

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _birthday_contacts(owner: Any, n: int) -> list[Any]:
    today = timezone.localdate() + timedelta(days=2)
    company = crm_services.company_create(actor=owner, name="ООО Ромашка", region="Москва")
    return [
        crm_services.contact_create(
            actor=owner,
            company=company,
            full_name=f"Сидоров{i} Павел Андреевич",
            birthday=date(1984, today.month, today.day),  # a leap year: any day exists
            mailing_consent=True,
            emails=[f"p{i}@example.ru"],
        )
        for i in range(n)
    ]


def test_head_builds_a_segment_with_a_live_count_and_saves_it(two_teams: dict[str, Any]) -> None:
    head = two_teams["head_a"]
    _birthday_contacts(head, 2)
    client = _client(head)
    empty = client.get("/outreach/segments/")
    assert empty.status_code == 200
    assert "empty-state" in empty.content.decode()
    count = client.post(
        "/outreach/segments/count/", {"birthday_within_days": "7", "consent_only": "on"}
    )
    assert count.status_code == 200
    assert 'data-testid="segment-count">2<' in count.content.decode()
    nobody = client.post("/outreach/segments/count/", {"birthday_within_days": "0"})
    assert 'data-testid="segment-count">0<' in nobody.content.decode()
    assert "empty-state" in nobody.content.decode()
    saved = client.post(
        "/outreach/segments/new/",
        {"name": "Дни рождения на этой неделе", "birthday_within_days": "7", "consent_only": "on"},
    )
    assert saved.status_code == 302
    segment = Segment.objects.get()
    assert segment.filters == {"birthday_within_days": 7, "consent_only": True}
    page = client.get(f"/outreach/segments/{segment.pk}/").content.decode()
    assert "Сидоров0" in page


def test_campaign_editor_refuses_a_broken_tag_and_stores_nothing(
    two_teams: dict[str, Any],
) -> None:
    head = two_teams["head_a"]
    segment = services.segment_create(actor=head, name="s", filters={})
    answer = _client(head).post(
        "/outreach/campaigns/new/",
        {
            "name": "x",
            "kind": "one_off",
            "segment": segment.pk,
            "subject": "Hi",
            "body": "Hello {% if first_name %}{{ first_name }}",
            "track_opens": "on",
        },
    )
    assert answer.status_code == 200
    assert "Ошибка в шаблоне («текст»)" in answer.content.decode()
    assert not Campaign.objects.exists()


def test_campaign_page_previews_per_recipient_sends_and_shows_statistics(
    two_teams: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    head = two_teams["head_a"]
    contacts = _birthday_contacts(head, 2)
    segment = services.segment_create(actor=head, name="s", filters={"birthday_within_days": 7})
    client = _client(head)
    created = client.post(
        "/outreach/campaigns/new/",
        {
            "name": "Поздравления",
            "kind": "one_off",
            "segment": segment.pk,
            "subject": "{{ first_name }}, поздравляем",
            "body": "Здравствуйте, {{ name_and_patronymic }}! Ваш менеджер {{ manager }}.",
            "track_opens": "on",
        },
    )
    assert created.status_code == 302
    campaign = Campaign.objects.get()
    preview = client.get(
        f"/outreach/campaigns/{campaign.pk}/preview/", {"contact": contacts[0].pk}
    ).content.decode()
    assert "Павел Андреевич" in preview
    assert "Павел, поздравляем" in preview
    with django_assert_max_num_queries(40):
        sent = client.post(f"/outreach/campaigns/{campaign.pk}/send/")
    assert sent.status_code == 302
    services.deliveries_send_due()
    assert len(mail.outbox) == 2
    page = client.get(f"/outreach/campaigns/{campaign.pk}/").content.decode()
    assert 'data-testid="stat-sent">2<' in page
    with django_assert_max_num_queries(15):
        assert client.get("/outreach/campaigns/").status_code == 200


def test_other_team_gets_404_on_segment_and_campaign_pages(two_teams: dict[str, Any]) -> None:
    head = two_teams["head_a"]
    segment = services.segment_create(actor=head, name="s", filters={})
    campaign = services.campaign_create(
        actor=head, name="c", segment=segment, subject="Hi", body="Hello"
    )
    outsider = _client(two_teams["hunter_b"])
    assert_not_found(
        outsider,
        f"/outreach/segments/{segment.pk}/",
        f"/outreach/campaigns/{campaign.pk}/",
        f"/outreach/campaigns/{campaign.pk}/edit/",
        f"/outreach/campaigns/{campaign.pk}/preview/",
    )
    assert outsider.post(f"/outreach/campaigns/{campaign.pk}/send/").status_code == 404
    listing = outsider.get("/outreach/campaigns/").content.decode()
    assert f"/outreach/campaigns/{campaign.pk}/" not in listing


def test_a_campaign_is_edited_on_its_page_though_its_kind_is_fixed(
    two_teams: dict[str, Any],
) -> None:
    # The kind is a disabled field: the browser does not send it, and the edit must not
    # refuse the form for it (it did: «This field is required» on every campaign edit).
    head = two_teams["head_a"]
    segment = services.segment_create(actor=head, name="Все", filters={})
    campaign = services.campaign_create(
        actor=head, name="Новости", segment=segment, subject="Тема", body="Текст"
    )
    answer = _client(head).post(
        f"/outreach/campaigns/{campaign.pk}/edit/",
        {
            "name": "Новости декабря",
            "kind": "birthday",  # a forged kind is ignored
            "segment": segment.pk,
            "subject": "Тема",
            "body": "Текст\r\nвторая строка",  # a textarea's lines as a browser sends them
        },
    )
    assert answer.status_code == 302
    campaign.refresh_from_db()
    assert campaign.body == "Текст\nвторая строка"
    assert (campaign.name, campaign.kind, campaign.track_opens) == (
        "Новости декабря",
        "one_off",
        False,
    )


@pytest.mark.parametrize("saved", [0, 1])
def test_the_saved_segments_list_is_never_one_row_tall(
    two_teams: dict[str, Any], saved: int
) -> None:
    """A multiple select of size 1 collapses into a one-row box («0 selected»)."""
    head = two_teams["head_a"]
    for i in range(saved):
        SavedSegment.objects.create(
            name=f"Топ-клиенты {i}",
            kind="abc",
            rule={"kind": "abc"},
            responsible=head,
            team=head.team,
        )
    page = _client(head).get("/outreach/segments/new/").content.decode()
    select = re.search(r'<select[^>]*name="analytics_segment_ids"[^>]*>', page)
    assert select is not None
    assert 'size="3"' in select.group(0)
    assert ("Пока ничего не сохранено" in page) is (saved == 0)
