"""Webhook writers: subscriptions, the dispatcher that turns events of
the log into deliveries, and the sender.

How an event reaches a webhook (never lost, never blocking the writer):
the apps append events as always — nothing is added to their transactions. The worker's
periodic job `webhooks_dispatch` reads the event log by id from a cursor and inserts one
`WebhookDelivery` per (subscription, event), unique on that pair, so reading an event twice is
harmless. Ids are handed out at insert but become visible at commit, so a slow transaction can
commit an id below one already read; the cursor therefore only *settles* past an id
`WEBHOOK_DISPATCH_SETTLE_SECONDS` after the dispatcher first saw it, and rereads the unsettled
window each run. An event whose transaction stays open longer than that window (minutes;
event appends are short transactions) would be missed — the one stated limit.
`webhook_deliveries_send_due` claims a due delivery with `FOR UPDATE SKIP LOCKED` by moving its
due time a lease ahead in a short transaction, then sends with no transaction open: a worker
killed mid-send leaves the delivery due again after the lease (at-least-once, like every
webhook system; receivers dedupe by `X-Greenwave-Delivery`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from greenwave.accounts.models import RoleCode, User
from greenwave.activities.models import ActivityKind
from greenwave.activities.services import activity_create
from greenwave.core.errors import DomainError
from greenwave.core.models import Event
from greenwave.core.record_change import record_insert
from greenwave.core.selectors import event_last_id
from greenwave.core.services import event_append_for
from greenwave.core.text import visible_text

from .. import addresses
from .. import events as log_events
from ..catalogue import PING, WEBHOOK_EVENTS, activities_of, event_type_of
from ..errors import IntegrationsError
from ..models import (
    DeliveryStatus,
    DispatchCursor,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)
from .common import _invalid, require_admin

logger = logging.getLogger(__name__)


DELIVERY_WINDOW = timedelta(hours=24)
MAX_BACKOFF = timedelta(hours=6)
SEND_LEASE = timedelta(minutes=2)
DISPATCH_BATCH = 1000
SIGNATURE_HEADER = "X-Greenwave-Signature"


# --- Subscriptions -------------------------------------------------------------------------


def _clean_events(values: Iterable[Any]) -> list[str]:
    chosen = sorted({str(v) for v in values})
    unknown = [v for v in chosen if v not in WEBHOOK_EVENTS]
    if unknown:
        raise DomainError(
            IntegrationsError.UNKNOWN_EVENT,
            _("Unknown event types: %(names)s.") % {"names": ", ".join(unknown)},
            details={"field": "events", "known": sorted(WEBHOOK_EVENTS)},
        )
    if not chosen:
        raise _invalid("events", _("Choose at least one event."))
    return chosen


def _clean_secret(secret: str | None) -> str:
    value = (secret or "").strip()
    if not value:
        return secrets.token_urlsafe(32)
    if not 16 <= len(value) <= 128 or not value.isprintable():
        raise _invalid("secret", _("The secret is 16 to 128 printable characters."))
    return value


def _clean_url(url: str) -> str:
    value = (url or "").strip()
    if len(value) > 500:
        raise _invalid("url", _("The address is longer than 500 characters."))
    addresses.resolve(value)  # refuses private addresses (SSRF) with a clear message
    return value


@transaction.atomic
def webhook_create(
    *,
    actor: User | None,
    url: str,
    events: Iterable[str],
    secret: str = "",
    description: str = "",
) -> WebhookSubscription:
    """Subscribe a URL to event types; without a secret one is generated (shown once)."""
    require_admin(actor)
    subscription = WebhookSubscription(
        url=_clean_url(url),
        events=_clean_events(events),
        secret=_clean_secret(secret),
        description=visible_text(description or "")[:200],
        created_by=actor,
        start_event_id=event_last_id(),
    )
    return record_insert(
        subscription,
        activity=log_events.WEBHOOK_CREATED,
        actor=actor,
        payload={"url": subscription.url, "events": subscription.events},
    )


@transaction.atomic
def webhook_update(
    *,
    actor: User | None,
    subscription: WebhookSubscription,
    url: str | None = None,
    events: Iterable[str] | None = None,
    secret: str | None = None,
    description: str | None = None,
    is_active: bool | None = None,
) -> WebhookSubscription:
    """Change a subscription; switching it back on clears its failure count."""
    require_admin(actor)
    sub = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
    before = {
        "url": sub.url,
        "events": sub.events,
        "description": sub.description,
        "is_active": sub.is_active,
    }
    if url is not None:
        sub.url = _clean_url(url)
    if events is not None:
        sub.events = _clean_events(events)
    if description is not None:
        sub.description = visible_text(description)[:200]
    secret_changed = False
    if secret is not None and secret.strip():
        sub.secret = _clean_secret(secret)
        secret_changed = True
    if is_active is not None and is_active != sub.is_active:
        sub.is_active = is_active
        if is_active:
            sub.consecutive_failures, sub.disabled_at, sub.disabled_reason = 0, None, ""
    after = {
        "url": sub.url,
        "events": sub.events,
        "description": sub.description,
        "is_active": sub.is_active,
    }
    changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    if secret_changed:
        changes["secret"] = ["***", "***"]
    if changes:
        sub.save()
        event_append_for(
            sub, activity=log_events.WEBHOOK_CHANGED, actor=actor, payload={"changes": changes}
        )
    return sub


@transaction.atomic
def webhook_delete(*, actor: User | None, subscription: WebhookSubscription) -> None:
    """Delete a subscription for good, with its deliveries and their attempts.

    Not a soft delete: switching a webhook off (`is_active`) already keeps it and its log;
    a deletion is asked to stop sending and forget the bodies — copies of client data signed
    with the subscription's secret. What stays is the event log: its creation, changes,
    each delivery's outcome and this deletion (with the address and how many deliveries
    went). Deleted through the collector, deliveries before the subscription: the same lock
    order as the sender's `_record`, which finds a delivery deleted mid-send gone."""
    require_admin(actor)
    counts = dict(
        WebhookDelivery.objects.filter(subscription=subscription)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    event_append_for(
        subscription,
        activity=log_events.WEBHOOK_DELETED,
        actor=actor,
        payload={"url": subscription.url, "events": subscription.events, "deliveries": counts},
    )
    WebhookSubscription.objects.filter(pk=subscription.pk).delete()


def _body(payload: Mapping[str, Any]) -> str:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def signature_of(body: bytes, secret: str) -> str:
    """`sha256=<hex HMAC-SHA256 of the raw body>`: the value of X-Greenwave-Signature."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@transaction.atomic
def webhook_test(*, actor: User | None, subscription: WebhookSubscription) -> WebhookDelivery:
    """Queue a `ping` delivery, due at once (the worker — or the page's Test button — sends)."""
    require_admin(actor)
    if not subscription.is_active:
        raise DomainError(
            IntegrationsError.INVALID,
            _("The webhook is switched off: switch it on to test it."),
            status=409,
        )
    now = timezone.now()
    delivery = WebhookDelivery.objects.create(
        subscription=subscription,
        event_type=PING,
        body=_body(
            {
                "event": PING,
                "event_id": None,
                "occurred_at": now.isoformat(),
                "webhook_id": subscription.pk,
                "data": {"message": "Greenwave webhook test"},
            }
        ),
        next_attempt_at=now,
    )
    event_append_for(
        subscription,
        activity=log_events.WEBHOOK_TEST_REQUESTED,
        actor=actor,
        payload={"delivery": delivery.pk},
    )
    return delivery


# --- Dispatcher: event log → deliveries ----------------------------------------------------


def _settle_after() -> timedelta:
    return timedelta(seconds=getattr(settings, "WEBHOOK_DISPATCH_SETTLE_SECONDS", 300))


def _event_body(event: Event, event_type: str) -> str:
    return _body(
        {
            "event": event_type,
            "event_id": event.pk,
            "occurred_at": event.timestamp.isoformat(),
            "case": {"type": event.case_type, "id": event.case_id},
            "actor": event.actor.username if event.actor else None,
            "data": event.payload,
        }
    )


def webhooks_dispatch(now: datetime | None = None) -> int:
    """The periodic job: one delivery per new event and subscription wanting it."""
    moment = now or timezone.now()
    with transaction.atomic():
        high = event_last_id()
        # A first run starts where the oldest subscription started: never at history.
        start = WebhookSubscription.objects.aggregate(m=Min("start_event_id"))["m"]
        start = high if start is None else min(start, high)
        cursor, _created = DispatchCursor.objects.get_or_create(
            name="webhooks", defaults={"settled_id": start, "seen_id": start, "seen_at": None}
        )
        cursor = DispatchCursor.objects.select_for_update().get(pk=cursor.pk)
        subscriptions = list(WebhookSubscription.objects.filter(is_active=True))
        wanted = activities_of({t for s in subscriptions for t in s.events})
        created = 0
        last = cursor.settled_id
        while wanted:
            batch = list(
                Event.objects.filter(pk__gt=last, pk__lte=high, activity__in=wanted)
                .select_related("actor")
                .order_by("pk")[:DISPATCH_BATCH]
            )
            if not batch:
                break
            rows = [
                WebhookDelivery(
                    subscription=sub,
                    event_id=event.pk,
                    event_type=event_type,
                    body=_event_body(event, event_type),
                    next_attempt_at=moment,
                )
                for event in batch
                if (event_type := event_type_of(event.case_type, event.activity))
                for sub in subscriptions
                if event_type in sub.events and event.pk > sub.start_event_id
            ]
            before = WebhookDelivery.objects.count() if rows else 0
            WebhookDelivery.objects.bulk_create(rows, ignore_conflicts=True)
            if rows:
                created += WebhookDelivery.objects.count() - before
            last = batch[-1].pk
        # Everything up to `seen_id` has had `settle` time to commit and has now been read.
        if cursor.seen_at is None or cursor.seen_at <= moment - _settle_after():
            cursor.settled_id = max(cursor.settled_id, cursor.seen_id)
            cursor.seen_id, cursor.seen_at = high, moment
            cursor.save()
    return created


# --- Sender --------------------------------------------------------------------------------


def _backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 … minutes after the n-th failed attempt, at most six hours."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def _claim_next(moment: datetime) -> WebhookDelivery | None:
    with transaction.atomic():
        qs = (
            WebhookDelivery.objects.filter(
                status=DeliveryStatus.PENDING,
                next_attempt_at__lte=moment,
                subscription__is_active=True,
            )
            .select_related("subscription")
            .order_by("next_attempt_at", "pk")
        )
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True, of=("self",))
        delivery = qs.first()
        if delivery is None:
            return None
        WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=moment + SEND_LEASE)
        return delivery


def _admins() -> list[User]:
    return list(
        User.objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(roles__code=RoleCode.ADMIN))
        .distinct()
        .order_by("pk")
    )


def _notify_admins(subscription: WebhookSubscription, moment: datetime) -> None:
    """A task for every administrator: it shows in their day and rings the reminders bell."""
    for admin in _admins():
        activity_create(
            actor=None,
            kind=ActivityKind.TASK,
            subject=_("Webhook switched off after repeated failures: %(url)s")
            % {"url": subscription.url},
            responsible=admin,
            due_at=moment,
            description=subscription.disabled_reason,
        )


def _record(
    delivery_id: int, moment: datetime, result: addresses.PostResult
) -> WebhookDelivery | None:
    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().filter(pk=delivery_id).first()
        if delivery is None:  # its webhook was deleted while it was being sent
            return None
        sub = WebhookSubscription.objects.select_for_update().get(pk=delivery.subscription_id)
        WebhookAttempt.objects.create(
            delivery=delivery,
            attempted_at=moment,
            status_code=result.status_code,
            response_excerpt=result.excerpt[:500],
            duration_ms=result.duration_ms,
            error=result.error[:300],
        )
        delivery.attempts += 1
        delivery.last_attempt_at = moment
        delivery.response_status = result.status_code
        payload = {
            "delivery": delivery.pk,
            "event": delivery.event_type,
            "attempt": delivery.attempts,
            "status_code": result.status_code,
            "duration_ms": result.duration_ms,
        }
        if result.ok:
            delivery.status, delivery.delivered_at, delivery.next_attempt_at = (
                DeliveryStatus.DELIVERED,
                moment,
                None,
            )
            sub.consecutive_failures = 0
            activity = log_events.WEBHOOK_DELIVERED
        else:
            payload["error"] = result.error
            sub.consecutive_failures += 1
            retry_at = moment + _backoff(delivery.attempts)
            if retry_at > delivery.created_at + DELIVERY_WINDOW:
                delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, None
                activity = log_events.WEBHOOK_DELIVERY_GAVE_UP
            else:
                delivery.next_attempt_at = retry_at
                activity = log_events.WEBHOOK_DELIVERY_FAILED
        delivery.save()
        event_append_for(sub, activity=activity, actor=None, payload=payload)
        limit = int(getattr(settings, "WEBHOOK_DISABLE_AFTER_FAILURES", 10))
        if not result.ok and sub.is_active and sub.consecutive_failures >= limit:
            sub.is_active, sub.disabled_at = False, moment
            sub.disabled_reason = _(
                "%(n)d delivery attempts in a row failed; the last: %(error)s"
            ) % {"n": sub.consecutive_failures, "error": result.error or result.status_code}
            event_append_for(
                sub,
                activity=log_events.WEBHOOK_DISABLED,
                actor=None,
                payload={"failures": sub.consecutive_failures, "reason": sub.disabled_reason},
            )
            _notify_admins(sub, moment)
        sub.save()
        return delivery


def webhook_delivery_attempt(delivery: WebhookDelivery, moment: datetime) -> WebhookDelivery:
    """Send a claimed delivery once and record the outcome (no transaction open while sending)."""
    sub = delivery.subscription
    body = delivery.body.encode()
    try:
        target = addresses.resolve(sub.url)  # again at send time: DNS may have changed
    except DomainError as exc:
        result = addresses.PostResult(None, "", 0, exc.message[:300])
    else:
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "Greenwave-Webhooks/1",
            "X-Greenwave-Event": delivery.event_type,
            "X-Greenwave-Delivery": str(delivery.pk),
            SIGNATURE_HEADER: signature_of(body, sub.secret),
        }
        timeout = float(getattr(settings, "WEBHOOK_TIMEOUT_SECONDS", 10))
        result = addresses.post(target, body, headers, timeout=timeout)
    # a delivery deleted meanwhile (with its webhook) is answered as it was claimed
    return _record(delivery.pk, moment, result) or delivery


def webhook_deliveries_send_due(now: datetime | None = None, *, limit: int = 50) -> int:
    """The periodic job: attempt every due delivery of an active subscription once."""
    moment = now or timezone.now()
    sent = 0
    for _attempt in range(limit):
        delivery = _claim_next(moment)
        if delivery is None:
            break
        try:
            webhook_delivery_attempt(delivery, moment)
        except Exception:  # a bug must not stop the other deliveries; the lease retries it
            logger.exception("webhook delivery %s failed to record", delivery.pk)
        sent += 1
    return sent


def webhook_test_send_now(
    *, actor: User | None, subscription: WebhookSubscription
) -> WebhookDelivery:
    """The Test button: queue a ping and send it at once, so the page shows the answer."""
    delivery = webhook_test(actor=actor, subscription=subscription)
    moment = timezone.now()
    claimed = WebhookDelivery.objects.filter(
        pk=delivery.pk, status=DeliveryStatus.PENDING, next_attempt_at__lte=moment
    ).update(next_attempt_at=moment + SEND_LEASE)
    if not claimed:  # a worker took it meanwhile: it sends it
        return delivery
    fresh = WebhookDelivery.objects.select_related("subscription").get(pk=delivery.pk)
    return webhook_delivery_attempt(fresh, moment)
