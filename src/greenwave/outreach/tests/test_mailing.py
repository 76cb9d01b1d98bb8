"""A head builds a «birthdays this week» segment, previews it and sends a campaign: the
letters reach a real SMTP server, the unsubscribe link works, statistics add up, and a crash
of the sender sends nobody twice."""

from __future__ import annotations

import itertools
import json
import re
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlparse

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from greenwave.core.errors import DomainError
from greenwave.core.models import Event
from greenwave.crm import services as crm_services
from greenwave.crm.models import Contact
from greenwave.outreach import messages, selectors, services
from greenwave.outreach.models import Campaign, Delivery, DeliveryStatus, Unsubscription

pytestmark = pytest.mark.django_db
_PERSON = itertools.count()  # a person an address: two calls make no duplicate contacts


def _contacts(
    owner: Any, n: int, *, birthday_in: int | None = 0, consent: bool = True
) -> list[Contact]:
    company = crm_services.company_create(
        actor=owner, name=f"Ромашка {owner.username}", region="Москва"
    )
    today = timezone.localdate()
    result = []
    for i in range(n):
        born = None
        if birthday_in is not None:
            day = today + timedelta(days=birthday_in)
            born = (
                date(1980, day.month, day.day)
                if (day.month, day.day) != (2, 29)
                else date(1980, 2, 29)
            )
        result.append(
            crm_services.contact_create(
                actor=owner,
                company=company,
                full_name=f"Петров{i} Иван Сергеевич",
                emails=[f"ivan{next(_PERSON)}.{owner.username}@example.ru"],
                birthday=born,
                mailing_consent=consent,
            )
        )
    return result


def _birthday_campaign(head: Any) -> Campaign:
    segment = services.segment_create(
        actor=head, name="Дни рождения на этой неделе", filters={"birthday_within_days": 7}
    )
    return services.campaign_create(
        actor=head,
        name="Поздравления",
        segment=segment,
        subject="{{ first_name }}, с днём рождения!",
        body=(
            "Здравствуйте, {{ name_and_patronymic }}!\n"
            "Подарок: https://example.ru/gift\n{{ manager }}"
        ),
    )


def test_head_sends_birthday_campaign_through_real_smtp_and_unsubscribe_works(
    two_teams: dict[str, Any],
    bearer: Any,
    smtp_server: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    head = two_teams["head_a"]
    contacts = _contacts(head, 3)
    _contacts(head, 1, consent=False)  # matched, but without consent: never mailed
    api = bearer(head)
    created = api.post(
        "/api/v1/segments",
        json.dumps({"name": "Дни рождения на этой неделе", "filters": {"birthday_within_days": 7}}),
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    segment_id = created.json()["id"]
    preview = api.get(f"/api/v1/segments/{segment_id}/preview").json()
    assert preview["count"] == 3
    assert preview["mailable"] == 3
    assert {r["full_name"] for r in preview["recipients"]} == {c.full_name for c in contacts}

    campaign = api.post(
        "/api/v1/campaigns",
        json.dumps(
            {
                "name": "Поздравления",
                "segment_id": segment_id,
                "subject": "{{ first_name }}, с днём рождения!",
                "body": "Здравствуйте, {{ name_and_patronymic }}!\nПодарок: https://example.ru/gift",
            }
        ),
        content_type="application/json",
    )
    assert campaign.status_code == 201, campaign.content
    campaign_id = campaign.json()["id"]
    with django_capture_on_commit_callbacks(execute=True):  # the task it queues runs
        sent = api.post(
            f"/api/v1/campaigns/{campaign_id}/send", "{}", content_type="application/json"
        )
    assert sent.status_code == 200, sent.content

    assert sorted(smtp_server.recipients) == sorted(c.emails[0] for c in contacts)
    letter = smtp_server.to(contacts[0].emails[0])[0]
    assert letter["Subject"]
    assert "Иван" in str(
        __import__("email.header", fromlist=["x"]).make_header(
            __import__("email.header", fromlist=["x"]).decode_header(letter["Subject"])
        )
    )
    header = "".join(str(letter["List-Unsubscribe"]).split())
    assert letter["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe_url = re.fullmatch(r"<(.+)>", header).group(1)  # type: ignore[union-attr]
    text = next(p for p in letter.walk() if p.get_content_type() == "text/plain")
    assert "Иван Сергеевич" in text.get_payload(decode=True).decode()

    # The link of the letter works without signing in, and is an event.
    page = Client().get(urlparse(unsubscribe_url).path)
    assert page.status_code == 200
    assert b"unsubscribed" in page.content.lower()
    assert Unsubscription.objects.filter(contact=contacts[0]).exists()
    assert Event.objects.filter(activity="mail_unsubscribed", case_id=str(campaign_id)).count() == 1

    stats = api.get(f"/api/v1/campaigns/{campaign_id}/stats").json()
    assert stats["recipients"] == 3
    assert stats["sent"] == 3
    assert stats["unsubscribed"] == 1
    assert Campaign.objects.get(pk=campaign_id).status == "sent"
    assert Event.objects.filter(activity="mail_sent", case_id=str(campaign_id)).count() == 3


def test_open_pixel_and_click_count_once_and_redirect_only_to_links_of_the_body(
    two_teams: dict[str, Any],
) -> None:
    head = two_teams["head_a"]
    _contacts(head, 1)
    campaign = _birthday_campaign(head)
    services.campaign_send(actor=head, campaign=campaign)
    services.deliveries_send_due()  # the worker
    delivery = Delivery.objects.get(campaign=campaign)
    assert delivery.status == DeliveryStatus.SENT
    assert len(mail.outbox) == 1
    html = mail.outbox[0].alternatives[0][0]  # type: ignore[attr-defined]
    assert "/outreach/o/" in html
    assert "/outreach/c/" in html
    client = Client()
    for _ in range(2):
        assert client.get(f"/outreach/o/{messages.open_token(delivery)}").status_code == 200
        answer = client.get(
            f"/outreach/c/{messages.click_token(delivery, 'https://example.ru/gift')}"
        )
        assert answer.status_code == 302
        assert answer["Location"] == "https://example.ru/gift"
    forged = client.get(f"/outreach/c/{messages.click_token(delivery, 'https://evil.example/x')}")
    assert forged.status_code == 400
    assert client.get("/outreach/c/garbage").status_code == 400
    stats = selectors.campaign_stats(campaign=campaign)
    assert (stats.opened, stats.clicked) == (1, 1)
    assert Event.objects.filter(activity="mail_clicked").count() == 1


def test_open_tracking_can_be_switched_off(two_teams: dict[str, Any]) -> None:
    head = two_teams["head_a"]
    _contacts(head, 1)
    campaign = _birthday_campaign(head)
    Campaign.objects.filter(pk=campaign.pk).update(track_opens=False)
    campaign.refresh_from_db()
    services.campaign_send(actor=head, campaign=campaign)
    services.deliveries_send_due()  # the worker
    assert "/outreach/o/" not in mail.outbox[0].alternatives[0][0]  # type: ignore[attr-defined]
    delivery = Delivery.objects.get(campaign=campaign)
    Client().get(f"/outreach/o/{messages.open_token(delivery)}")
    assert selectors.campaign_stats(campaign=campaign).opened == 0


class WorkerKilled(BaseException):
    """What SIGKILL looks like to the code: nothing after it runs (not an Exception)."""


def test_a_crash_mid_send_resumes_without_sending_anyone_twice(
    two_teams: dict[str, Any], smtp_server: Any, settings: Any, monkeypatch: Any
) -> None:
    head = two_teams["head_a"]
    contacts = _contacts(head, 5)
    campaign = _birthday_campaign(head)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    services.campaign_send(actor=head, campaign=campaign)
    assert smtp_server.messages == []

    from django.core.mail.backends.smtp import EmailBackend

    real_send = EmailBackend.send_messages
    calls = {"n": 0}

    def dies_after_the_third_is_accepted(self: Any, batch: Any) -> int:
        calls["n"] += 1
        result = real_send(self, batch)
        if calls["n"] == 3:  # the server has it; the worker dies before recording it
            raise WorkerKilled
        return result

    monkeypatch.setattr(EmailBackend, "send_messages", dies_after_the_third_is_accepted)
    with pytest.raises(WorkerKilled):
        services.deliveries_send_due()
    monkeypatch.setattr(EmailBackend, "send_messages", real_send)
    assert Delivery.objects.filter(status=DeliveryStatus.SENDING).count() == 1

    services.deliveries_send_due()  # the next worker
    services.deliveries_send_due()

    received = sorted(smtp_server.recipients)
    assert received == sorted(set(received)), "somebody got the letter twice"
    assert sorted(received) == sorted(c.emails[0] for c in contacts)
    stats = selectors.campaign_stats(campaign=campaign)
    assert (stats.sent, stats.interrupted, stats.pending) == (4, 1, 0)
    assert Event.objects.filter(activity="mail_interrupted").count() == 1


def test_rate_limit_sends_at_most_the_allowed_number_per_minute(
    two_teams: dict[str, Any], settings: Any
) -> None:
    head = two_teams["head_a"]
    _contacts(head, 5)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.OUTREACH_RATE_PER_MINUTE = 2
    campaign = _birthday_campaign(head)
    services.campaign_send(actor=head, campaign=campaign)
    assert services.deliveries_send_due() == 2
    assert services.deliveries_send_due() == 0  # the minute's budget is spent
    assert len(mail.outbox) == 2
    later = timezone.now() + timedelta(minutes=2)
    assert services.deliveries_send_due(now=later) == 2
    assert len(mail.outbox) == 4


def test_a_server_that_refuses_a_recipient_is_a_failure_not_a_retry(
    two_teams: dict[str, Any], monkeypatch: Any
) -> None:
    import smtplib

    from django.core.mail.backends.locmem import EmailBackend

    head = two_teams["head_a"]
    _contacts(head, 2)
    campaign = _birthday_campaign(head)

    def refuse(self: Any, batch: Any) -> int:
        raise smtplib.SMTPRecipientsRefused({"x": (550, b"no such user")})

    monkeypatch.setattr(EmailBackend, "send_messages", refuse)
    services.campaign_send(actor=head, campaign=campaign)
    services.deliveries_send_due()  # the worker
    stats = selectors.campaign_stats(campaign=campaign)
    assert (stats.failed, stats.sent) == (2, 0)
    assert Event.objects.filter(activity="mail_failed").count() == 2


def test_a_segment_that_matches_nobody_refuses_to_send_with_a_clear_message(
    two_teams: dict[str, Any], bearer: Any
) -> None:
    head = two_teams["head_a"]
    _contacts(head, 2, birthday_in=None)
    campaign = _birthday_campaign(head)
    answer = bearer(head).post(
        f"/api/v1/campaigns/{campaign.pk}/send", "{}", content_type="application/json"
    )
    assert answer.status_code == 400
    assert answer.json()["code"] == "outreach.no_recipients"
    assert answer.json()["details"] == {"matched": 0, "mailable": 0}
    assert "ни один контакт" in answer.json()["message"]
    campaign.refresh_from_db()
    assert campaign.status == "draft"
    assert not Delivery.objects.exists()
    preview = bearer(head).get(f"/api/v1/segments/{campaign.segment_id}/preview").json()
    assert preview["count"] == 0
    assert preview["message"] == "Под эти фильтры не подходит ни один контакт."


def test_contacts_without_consent_alone_are_named_as_the_reason(two_teams: dict[str, Any]) -> None:
    head = two_teams["head_a"]
    _contacts(head, 2, consent=False)
    segment = services.segment_create(
        actor=head, name="all", filters={"birthday_within_days": 7, "consent_only": False}
    )
    campaign = services.campaign_create(
        actor=head, name="x", segment=segment, subject="Hi", body="Hello"
    )
    with pytest.raises(DomainError) as refused:
        services.campaign_send(actor=head, campaign=campaign)
    assert refused.value.details == {"matched": 2, "mailable": 0}


def test_scheduled_campaign_waits_for_its_time(two_teams: dict[str, Any]) -> None:
    head = two_teams["head_a"]
    _contacts(head, 1)
    campaign = _birthday_campaign(head)
    at = timezone.now() + timedelta(hours=1)
    services.campaign_send(actor=head, campaign=campaign, scheduled_at=at)
    campaign.refresh_from_db()
    assert campaign.status == "scheduled"
    assert not Delivery.objects.exists()
    services.deliveries_send_due()
    assert mail.outbox == []
    services.deliveries_send_due(now=at + timedelta(seconds=1))
    assert len(mail.outbox) == 1
    campaign.refresh_from_db()
    assert campaign.status == "sent"


def test_bounce_is_recorded_as_an_event_and_counted(two_teams: dict[str, Any], bearer: Any) -> None:
    head = two_teams["head_a"]
    contacts = _contacts(head, 2)
    campaign = _birthday_campaign(head)
    services.campaign_send(actor=head, campaign=campaign)
    services.deliveries_send_due()  # the worker
    answer = bearer(head).post(
        f"/api/v1/campaigns/{campaign.pk}/bounces",
        json.dumps({"email": contacts[0].emails[0], "reason": "550 mailbox unavailable"}),
        content_type="application/json",
    )
    assert answer.status_code == 200
    assert answer.json() == {"marked": 1}
    stats = selectors.campaign_stats(campaign=campaign)
    assert (stats.bounced, stats.sent) == (1, 2)
    assert Event.objects.filter(activity="mail_bounced").count() == 1
    unknown = bearer(head).post(
        f"/api/v1/campaigns/{campaign.pk}/bounces",
        json.dumps({"email": "nobody@example.ru"}),
        content_type="application/json",
    )
    assert unknown.status_code == 400


def test_an_unsubscribed_contact_is_left_out_of_the_next_campaign(
    two_teams: dict[str, Any],
) -> None:
    head = two_teams["head_a"]
    contacts = _contacts(head, 2)
    first = _birthday_campaign(head)
    services.campaign_send(actor=head, campaign=first)
    services.deliveries_send_due()  # the worker
    services.unsubscribe(
        token=messages.unsubscribe_token(Delivery.objects.filter(campaign=first).first())
    )  # type: ignore[arg-type]
    second = services.campaign_create(
        actor=head, name="again", segment=first.segment, subject="Hi", body="Hello"
    )
    mail.outbox.clear()
    services.campaign_send(actor=head, campaign=second)
    services.deliveries_send_due()  # the worker
    assert len(mail.outbox) == 1
    assert Delivery.objects.filter(campaign=second).count() == 1
    assert contacts  # both had consent; one left


def test_bad_unsubscribe_token_is_a_clear_400(db: Any) -> None:
    answer = Client().get("/outreach/unsubscribe/not-a-token")
    assert answer.status_code == 400
    assert not Unsubscription.objects.exists()


def test_the_unsubscribe_page_has_the_favicon_of_every_page(db: Any) -> None:
    html = Client().get("/outreach/unsubscribe/not-a-token").content.decode()
    assert '<link rel="icon" href="/static/greenwave/favicon.svg"' in html
