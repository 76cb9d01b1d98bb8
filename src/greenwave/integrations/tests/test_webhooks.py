"""Webhooks: subscriptions, dispatch from the event log, signed delivery with retries, SSRF."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone

from greenwave.accounts.models import User
from greenwave.activities.models import Activity
from greenwave.core.errors import DomainError
from greenwave.core.models import Event
from greenwave.crm import services as crm_services
from greenwave.integrations import services
from greenwave.integrations.models import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)

from .conftest import Receiver

pytestmark = pytest.mark.django_db

LOCAL = override_settings(WEBHOOK_ALLOWED_HOSTS=["127.0.0.1"], WEBHOOK_DISPATCH_SETTLE_SECONDS=0)


def _due(now: Any) -> int:
    return services.webhook_deliveries_send_due(now=now)


@LOCAL
def test_receiver_gets_a_signed_event_fails_twice_and_gets_it_on_the_third_try(
    admin: User, receiver: Receiver
) -> None:
    sub = services.webhook_create(
        actor=admin, url=receiver.url, events=["company.created"], secret="s" * 24
    )
    services.webhooks_dispatch()  # the cursor starts at the end of the log
    company = crm_services.company_create(actor=admin, name="ООО Ромашка")
    assert services.webhooks_dispatch() == 1
    delivery = WebhookDelivery.objects.get(subscription=sub)
    receiver.answers[:] = [500, 503]
    now = timezone.now()
    assert _due(now) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("pending", 1, 500)
    assert _due(now) == 0  # not due before its backoff
    now = delivery.next_attempt_at
    assert _due(now) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("pending", 2)
    assert delivery.next_attempt_at - now == timedelta(minutes=2)  # exponential backoff
    assert _due(delivery.next_attempt_at) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("delivered", 3, 200)
    assert len(receiver.received) == 3
    last = receiver.received[-1]
    assert last["body"] == receiver.received[0]["body"]  # the same bytes every time
    expected = "sha256=" + hmac.new(b"s" * 24, last["body"], hashlib.sha256).hexdigest()
    assert last["headers"]["X-Greenwave-Signature"] == expected
    body = json.loads(last["body"])
    assert body["event"] == "company.created"
    assert body["case"] == {"type": "company", "id": str(company.pk)}
    assert body["data"]["after"]["name"] == "ООО Ромашка" or "ООО Ромашка" in last["body"].decode()
    log = list(WebhookAttempt.objects.filter(delivery=delivery).order_by("attempted_at", "pk"))
    assert [a.status_code for a in log] == [500, 503, 200]
    assert all(a.duration_ms >= 0 for a in log)
    activities = list(
        Event.objects.filter(case_type="webhook", case_id=str(sub.pk))
        .order_by("pk")
        .values_list("activity", flat=True)
    )
    assert activities == [
        "webhook_created",
        "webhook_delivery_failed",
        "webhook_delivery_failed",
        "webhook_delivered",
    ]
    sub.refresh_from_db()
    assert sub.consecutive_failures == 0


@LOCAL
def test_an_event_is_delivered_once_even_when_read_twice(admin: User, receiver: Receiver) -> None:
    sub = services.webhook_create(actor=admin, url=receiver.url, events=["company.created"])
    crm_services.company_create(actor=admin, name="Альфа")
    with override_settings(WEBHOOK_DISPATCH_SETTLE_SECONDS=3600):
        assert services.webhooks_dispatch() == 1
        assert services.webhooks_dispatch() == 0  # the unsettled window is reread, deduped
    assert WebhookDelivery.objects.filter(subscription=sub).count() == 1


@LOCAL
def test_events_before_the_subscription_or_of_other_types_are_not_sent(
    admin: User, receiver: Receiver
) -> None:
    crm_services.company_create(actor=admin, name="Раньше")
    services.webhooks_dispatch()
    sub = services.webhook_create(actor=admin, url=receiver.url, events=["deal.won"])
    crm_services.company_create(actor=admin, name="Позже")
    assert services.webhooks_dispatch() == 0
    assert not WebhookDelivery.objects.filter(subscription=sub).exists()


@LOCAL
@override_settings(WEBHOOK_DISABLE_AFTER_FAILURES=3)
def test_repeated_failures_switch_the_webhook_off_and_tell_the_admins(
    admin: User, receiver: Receiver
) -> None:
    sub = services.webhook_create(actor=admin, url=receiver.url, events=["company.created"])
    receiver.answers[:] = [500] * 10
    delivery = services.webhook_test(actor=admin, subscription=sub)
    now = timezone.now()
    for _ in range(3):
        assert _due(now) == 1
        delivery.refresh_from_db()
        now = delivery.next_attempt_at or now
    sub.refresh_from_db()
    assert not sub.is_active
    assert sub.disabled_at is not None
    assert "3" in sub.disabled_reason
    assert _due(now + timedelta(hours=1)) == 0  # a switched-off webhook sends nothing
    notice = Activity.objects.get(responsible=admin, kind="task")
    assert receiver.url in notice.subject
    assert Event.objects.filter(case_type="webhook", activity="webhook_disabled").count() == 1
    services.webhook_update(actor=admin, subscription=sub, is_active=True)
    sub.refresh_from_db()
    assert sub.is_active
    assert sub.consecutive_failures == 0


@LOCAL
def test_a_delivery_is_given_up_after_24_hours(admin: User) -> None:
    sub = services.webhook_create(
        actor=admin, url="http://127.0.0.1:9/nothing-listens", events=["deal.won"]
    )
    delivery = services.webhook_test(actor=admin, subscription=sub)
    _due(delivery.created_at + timedelta(hours=23, minutes=59, seconds=30))
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == 1
    attempt = WebhookAttempt.objects.get(delivery=delivery)
    assert attempt.status_code is None
    assert attempt.error


@pytest.mark.parametrize(
    "url",
    [
        "https://10.1.2.3/hook",
        "http://127.0.0.1:8000/hook",
        "https://127.0.0.1/hook",
        "https://[::1]/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://224.0.0.1/hook",
        "https://[::ffff:10.0.0.1]/hook",
        "https://0.0.0.0/hook",
        "ftp://example.com/hook",
        "https://user:pw@example.com/hook",
        "not a url",
    ],
)
def test_private_and_odd_addresses_are_refused_and_nothing_is_stored(admin: User, url: str) -> None:
    events_before = Event.objects.count()
    with pytest.raises(DomainError) as refused:
        services.webhook_create(actor=admin, url=url, events=["deal.won"])
    assert refused.value.details == {"field": "url"}
    assert not WebhookSubscription.objects.exists()
    assert Event.objects.count() == events_before


def test_a_hostname_resolving_to_a_private_address_is_refused(
    admin: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fake_getaddrinfo(host: str, port: int, *args: Any, **kwargs: Any) -> list[Any]:
        assert host == "intranet.example.com"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("192.168.1.10", port))]

    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    with pytest.raises(DomainError) as refused:
        services.webhook_create(
            actor=admin, url="https://intranet.example.com/hook", events=["deal.won"]
        )
    assert "192.168.1.10" in refused.value.message


@override_settings(WEBHOOK_ALLOWED_HOSTS=["hooks.example.com"])
def test_dns_rebinding_is_caught_at_send_time(admin: User, monkeypatch: pytest.MonkeyPatch) -> None:
    """Saved while the host was allowed/public; at send it resolves to loopback: refused,
    recorded, and no connection is made."""
    answers = {"ip": "93.184.216.34"}

    def fake_getaddrinfo(host: str, port: int, *args: Any, **kwargs: Any) -> list[Any]:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answers["ip"], port))]

    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    with override_settings(WEBHOOK_ALLOWED_HOSTS=[]):
        sub = services.webhook_create(
            actor=admin, url="https://hooks.example.com/hook", events=["deal.won"]
        )
        delivery = services.webhook_test(actor=admin, subscription=sub)
        answers["ip"] = "127.0.0.1"

        def no_connection(*args: Any, **kwargs: Any) -> Any:
            raise AssertionError("connected to a refused address")

        monkeypatch.setattr(socket, "create_connection", no_connection)
        assert _due(timezone.now()) == 1
    attempt = WebhookAttempt.objects.get(delivery=delivery)
    assert attempt.status_code is None
    assert "127.0.0.1" in attempt.error


@LOCAL
def test_unknown_event_types_and_bad_secrets_are_refused(admin: User, receiver: Receiver) -> None:
    with pytest.raises(DomainError):
        services.webhook_create(actor=admin, url=receiver.url, events=["deal.exploded"])
    with pytest.raises(DomainError):
        services.webhook_create(actor=admin, url=receiver.url, events=[])
    with pytest.raises(DomainError):
        services.webhook_create(actor=admin, url=receiver.url, events=["deal.won"], secret="short")
    assert not WebhookSubscription.objects.exists()


@LOCAL
def test_only_an_admin_manages_webhooks(make_user: Callable[..., User], receiver: Receiver) -> None:
    head = make_user("head", roles=["head_of_sales"])
    with pytest.raises(DomainError) as refused:
        services.webhook_create(actor=head, url=receiver.url, events=["deal.won"])
    assert refused.value.status == 403


@LOCAL
def test_redirects_are_not_followed(admin: User, receiver: Receiver) -> None:
    sub = services.webhook_create(actor=admin, url=receiver.url, events=["deal.won"])
    receiver.answers[:] = [302]
    delivery = services.webhook_test(actor=admin, subscription=sub)
    _due(timezone.now())
    delivery.refresh_from_db()
    assert delivery.status == "pending"
    assert delivery.response_status == 302
    assert len(receiver.received) == 1
