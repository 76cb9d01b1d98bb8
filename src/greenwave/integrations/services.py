"""Writers of the integrations app: webhook subscriptions, the dispatcher that turns events of
the log into deliveries, the sender, and the 1C exchange (`onec_*`).

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
import re
import secrets
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from greenwave.accounts.models import RoleCode, User
from greenwave.core.errors import DomainError
from greenwave.core.models import Event
from greenwave.core.services import event_append_for
from greenwave.core.text import visible_text
from greenwave.crm import services as crm_services
from greenwave.crm.models import PriceList, Product, ProductGroup

from . import addresses, commerceml
from . import events as log_events
from .catalogue import PING, WEBHOOK_EVENTS, activities_of, event_type_of
from .commerceml import MAX_FILE_BYTES, CommerceMLError, Document
from .errors import IntegrationsError
from .models import (
    DeliveryStatus,
    DispatchCursor,
    ExchangeKind,
    ExchangeSource,
    ExchangeStatus,
    OneCExchange,
    OneCFile,
    OneCLink,
    OneCLinkKind,
    OneCOrderMark,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)

logger = logging.getLogger(__name__)

DELIVERY_WINDOW = timedelta(hours=24)
MAX_BACKOFF = timedelta(hours=6)
SEND_LEASE = timedelta(minutes=2)
DISPATCH_BATCH = 1000
SIGNATURE_HEADER = "X-Greenwave-Signature"


def _invalid(field: str, message: str) -> DomainError:
    return DomainError(IntegrationsError.INVALID, message, details={"field": field})


def require_admin(actor: User | None) -> None:
    """Integrations are settings of the whole installation: administrators only (None is the
    system itself — the worker, the demo, the 1C exchange user)."""
    if actor is not None and not actor.is_greenwave_admin:
        raise DomainError(
            IntegrationsError.NOT_AN_ADMIN,
            _("Only an administrator manages integrations."),
            status=403,
        )


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


def _last_event_id() -> int:
    return int(Event.objects.aggregate(m=Max("id"))["m"] or 0)


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
    subscription = WebhookSubscription.objects.create(
        url=_clean_url(url),
        events=_clean_events(events),
        secret=_clean_secret(secret),
        description=visible_text(description or "")[:200],
        created_by=actor,
        start_event_id=_last_event_id(),
    )
    event_append_for(
        subscription,
        activity=log_events.WEBHOOK_CREATED,
        actor=actor,
        payload={"url": subscription.url, "events": subscription.events},
        new_case=True,
    )
    return subscription


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
        high = _last_event_id()
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
    from greenwave.activities.models import ActivityKind
    from greenwave.activities.services import activity_create

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


def _record(delivery_id: int, moment: datetime, result: addresses.PostResult) -> WebhookDelivery:
    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery_id)
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
    return _record(delivery.pk, moment, result)


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


# --- 1C exchange (CommerceML 2) ------------------------------------------------------------

ONEC_SESSION_TTL = timedelta(hours=1)
ONEC_COOKIE = "gw_1c_exchange"
CATALOG_FILE = re.compile(r"^[\w.\-]{1,150}\.xml$", re.ASCII)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def onec_credentials_ok(username: str, password: str) -> bool:
    """HTTP Basic of 1C against ONEC_EXCHANGE_USERNAME / ONEC_EXCHANGE_PASSWORD."""
    expected_user = getattr(settings, "ONEC_EXCHANGE_USERNAME", "")
    expected_password = getattr(settings, "ONEC_EXCHANGE_PASSWORD", "")
    if not expected_user or not expected_password:
        raise DomainError(
            IntegrationsError.EXCHANGE_NOT_CONFIGURED,
            _(
                "The 1C exchange is switched off: set ONEC_EXCHANGE_USERNAME and "
                "ONEC_EXCHANGE_PASSWORD."
            ),
            status=403,
        )
    same_user = hmac.compare_digest(username.encode(), expected_user.encode())
    same_password = hmac.compare_digest(password.encode(), expected_password.encode())
    return same_user and same_password


@transaction.atomic
def onec_session_open(*, kind: str) -> tuple[OneCExchange, str]:
    """checkauth: a new exchange and the cookie value 1C sends back on every later call."""
    token = secrets.token_urlsafe(32)
    exchange = OneCExchange.objects.create(
        kind=kind,
        source=ExchangeSource.HTTP,
        session_hash=_hash(token),
        session_expires_at=timezone.now() + ONEC_SESSION_TTL,
    )
    event_append_for(
        exchange,
        activity=log_events.ONEC_EXCHANGE_STARTED,
        actor=None,
        payload={"kind": kind, "source": ExchangeSource.HTTP},
        new_case=True,
    )
    return exchange, token


def onec_session_get(*, token: str, kind: str) -> OneCExchange | None:
    if not token:
        return None
    now = timezone.now()
    exchange = OneCExchange.objects.filter(
        session_hash=_hash(token), kind=kind, session_expires_at__gt=now
    ).first()
    if exchange is not None:
        OneCExchange.objects.filter(pk=exchange.pk).update(
            session_expires_at=now + ONEC_SESSION_TTL
        )
    return exchange


def _clean_file_name(name: str) -> str:
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    if not CATALOG_FILE.match(base):
        raise CommerceMLError(
            _("«%(name)s» is not a CommerceML file name (letters, digits, . _ - and .xml).")
            % {"name": name[:100]}
        )
    return base


@transaction.atomic
def onec_file_append(*, exchange: OneCExchange, name: str, data: bytes) -> OneCFile | None:
    """mode=file: 1C may send a file in several parts; they are joined until mode=import.
    Pictures (import_files/…) are answered but not kept: Greenwave stores no product images."""
    if (name or "").lower().split("?")[0].endswith((".jpg", ".jpeg", ".png", ".gif", ".webp")):
        return None
    clean = _clean_file_name(name)
    upload, _new = OneCFile.objects.select_for_update().get_or_create(exchange=exchange, name=clean)
    if len(upload.content) + len(data) > MAX_FILE_BYTES:
        raise CommerceMLError(
            _("The file is larger than %(mb)d MB.") % {"mb": MAX_FILE_BYTES // (1024 * 1024)}
        )
    upload.content = bytes(upload.content) + data
    upload.save(update_fields=["content", "updated_at"])
    return upload


def _link_map(kind: str, guids: Iterable[str]) -> dict[str, int]:
    return dict(
        OneCLink.objects.filter(kind=kind, guid__in=list(set(guids))).values_list(
            "guid", "object_id"
        )
    )


def _crm_error(exc: DomainError, line: int) -> CommerceMLError:
    return CommerceMLError(exc.message, line)


def _import_groups(actor: User | None, doc: Document) -> dict[str, ProductGroup]:
    links = _link_map(OneCLinkKind.GROUP, (g.guid for g in doc.groups))
    by_guid: dict[str, ProductGroup] = {}
    existing = {g.pk: g for g in ProductGroup.objects.filter(pk__in=list(links.values()))}
    for group in doc.groups:  # parents come before their children in the file
        if group.guid in links and links[group.guid] in existing:
            by_guid[group.guid] = existing[links[group.guid]]
            continue
        parent = by_guid.get(group.parent_guid) if group.parent_guid else None
        found = ProductGroup.objects.filter(name__iexact=group.name).first()
        if (
            found is not None
            and OneCLink.objects.filter(kind=OneCLinkKind.GROUP, object_id=found.pk).exists()
        ):
            found = None  # the name belongs to another 1C group: keep them apart
            name = f"{group.name} ({parent.name})" if parent else f"{group.name} ({group.guid[:8]})"
        else:
            name = group.name
        try:
            made = found or crm_services.product_group_create(actor=actor, name=name, parent=parent)
        except DomainError as exc:
            raise _crm_error(exc, group.line) from None
        OneCLink.objects.update_or_create(
            kind=OneCLinkKind.GROUP, guid=group.guid, defaults={"object_id": made.pk}
        )
        by_guid[group.guid] = made
    return by_guid


def _import_items(
    actor: User | None, doc: Document, groups: dict[str, ProductGroup]
) -> tuple[int, int]:
    links = _link_map(OneCLinkKind.PRODUCT, (i.guid for i in doc.items))
    products = {p.pk: p for p in Product.objects.filter(pk__in=list(links.values()))}
    missing_groups = [i for i in doc.items if i.group_guid and i.group_guid not in groups]
    if missing_groups:
        group_links = _link_map(OneCLinkKind.GROUP, (i.group_guid or "" for i in missing_groups))
        for pk, group in ProductGroup.objects.in_bulk(list(group_links.values())).items():
            for guid, object_id in group_links.items():
                if object_id == pk:
                    groups[guid] = group
    created = updated = 0
    for item in doc.items:
        if item.group_guid and item.group_guid not in groups:
            raise CommerceMLError(
                _("the product refers to group %(id)s, which is not in the classifier.")
                % {"id": item.group_guid},
                item.line,
            )
        fields: dict[str, Any] = {
            "name": item.name,
            "group": groups.get(item.group_guid or ""),
            "unit": item.unit,
            "description": item.description,
            "is_active": item.is_active,
        }
        if item.vat_rate is not None:
            fields["vat_rate"] = item.vat_rate
        product = products.get(links.get(item.guid, -1))
        if product is None and item.sku:
            product = Product.objects.filter(sku__iexact=item.sku).first()
            if (
                product is not None
                and OneCLink.objects.filter(
                    kind=OneCLinkKind.PRODUCT, object_id=product.pk
                ).exists()
            ):
                raise CommerceMLError(
                    _("the article %(sku)s is already another 1C product's.") % {"sku": item.sku},
                    item.line,
                )
        try:
            if product is None:
                sku = item.sku or item.guid[:64]
                product = crm_services.product_create(actor=actor, sku=sku, **fields)
                created += 1
            else:
                if item.sku:
                    fields["sku"] = item.sku
                before = product.updated_at
                product = crm_services.product_update(actor=actor, product=product, **fields)
                updated += int(product.updated_at != before)
        except DomainError as exc:
            raise _crm_error(exc, item.line) from None
        OneCLink.objects.update_or_create(
            kind=OneCLinkKind.PRODUCT, guid=item.guid, defaults={"object_id": product.pk}
        )
    return created, updated


def _import_offers(actor: User | None, doc: Document) -> tuple[int, int]:
    links = _link_map(OneCLinkKind.PRICE_TYPE, (p.guid for p in doc.price_types))
    lists = {p.pk: p for p in PriceList.objects.filter(pk__in=list(links.values()))}
    by_guid: dict[str, PriceList] = {}
    for kind in doc.price_types:
        price_list = lists.get(links.get(kind.guid, -1))
        if price_list is None:
            price_list = PriceList.objects.filter(name__iexact=kind.name).first()
            try:
                if price_list is None:
                    price_list = crm_services.price_list_create(
                        actor=actor, name=kind.name, kind="base", currency=kind.currency
                    )
                OneCLink.objects.update_or_create(
                    kind=OneCLinkKind.PRICE_TYPE,
                    guid=kind.guid,
                    defaults={"object_id": price_list.pk},
                )
            except (DomainError, IntegrityError) as exc:
                message = exc.message if isinstance(exc, DomainError) else str(exc)
                raise CommerceMLError(message, kind.line) from None
        by_guid[kind.guid] = price_list
    if doc.offers and not doc.price_types:
        known = _link_map(OneCLinkKind.PRICE_TYPE, (g for o in doc.offers for g in o.prices))
        for guid, pk in known.items():
            by_guid[guid] = PriceList.objects.get(pk=pk)
    products = _link_map(OneCLinkKind.PRODUCT, (o.product_guid for o in doc.offers))
    wanted: dict[str, dict[int, Decimal]] = {}
    for offer in doc.offers:
        if offer.product_guid not in products:
            raise CommerceMLError(
                _(
                    "the offer is for product %(id)s, which Greenwave does not have: import the "
                    "catalogue (import.xml) first."
                )
                % {"id": offer.product_guid},
                offer.line,
            )
        for kind_guid, amount in offer.prices.items():
            if kind_guid not in by_guid:
                raise CommerceMLError(
                    _("unknown price type %(id)s.") % {"id": kind_guid}, offer.line
                )
            wanted.setdefault(kind_guid, {})[products[offer.product_guid]] = amount
    changed = 0
    for kind_guid, prices in wanted.items():
        try:
            changes = crm_services.prices_set(
                actor=actor, price_list=by_guid[kind_guid], prices=prices
            )
        except DomainError as exc:
            raise CommerceMLError(exc.message) from None
        changed += len(changes)
    return len(by_guid), changed


def _import_document(actor: User | None, name: str, data: bytes) -> dict[str, Any]:
    doc = commerceml.parse(data)
    result: dict[str, Any] = {"file": name, "warnings": doc.warnings}
    groups = _import_groups(actor, doc)
    if doc.has_catalog or doc.groups:
        created, updated = _import_items(actor, doc, groups)
        result.update(groups=len(doc.groups), products_created=created, products_updated=updated)
    if doc.has_offers:
        lists, changed = _import_offers(actor, doc)
        result.update(price_lists=lists, prices_changed=changed)
    return result


def onec_import(
    *, actor: User | None, exchange: OneCExchange, name: str, data: bytes
) -> dict[str, Any]:
    """Import one CommerceML file: all of it or nothing of it. The exchange keeps the result
    (or the error) either way, with an event."""
    try:
        with transaction.atomic():
            result = _import_document(actor, name, data)
            activity = (
                log_events.ONEC_OFFERS_IMPORTED
                if "prices_changed" in result and "products_created" not in result
                else log_events.ONEC_CATALOG_IMPORTED
            )
            locked = OneCExchange.objects.select_for_update().get(pk=exchange.pk)
            locked.results = [*locked.results, result]
            locked.save(update_fields=["results", "updated_at"])
            event_append_for(locked, activity=activity, actor=actor, payload=result)
    except DomainError as exc:
        with transaction.atomic():
            locked = OneCExchange.objects.select_for_update().get(pk=exchange.pk)
            locked.results = [*locked.results, {"file": name, "error": exc.message}]
            locked.status, locked.error = ExchangeStatus.FAILED, exc.message
            locked.finished_at = timezone.now()
            locked.save()
            event_append_for(
                locked,
                activity=log_events.ONEC_IMPORT_FAILED,
                actor=actor,
                payload={"file": name, "error": exc.message, "line": exc.details.get("line")},
            )
        raise
    return result


def onec_exchange_start(*, actor: User | None, kind: str, source: str) -> OneCExchange:
    require_admin(actor)
    exchange = OneCExchange.objects.create(kind=kind, source=source, started_by=actor)
    event_append_for(
        exchange,
        activity=log_events.ONEC_EXCHANGE_STARTED,
        actor=actor,
        payload={"kind": kind, "source": source},
        new_case=True,
    )
    return exchange


def onec_exchange_finish(*, exchange: OneCExchange) -> None:
    OneCExchange.objects.filter(pk=exchange.pk, status=ExchangeStatus.OPEN).update(
        status=ExchangeStatus.SUCCEEDED, finished_at=timezone.now()
    )


def _catalog_first(files: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    """The catalogue before the offers that price it, whatever order the files came in."""
    return sorted(
        files,
        key=lambda f: (
            b"\xd0\x9f\xd0\xb0\xd0\xba\xd0\xb5\xd1\x82" in f[1] or "offers" in f[0].lower()
        ),
    )


def onec_import_files(
    *, actor: User | None, files: list[tuple[str, bytes]], source: str
) -> OneCExchange:
    """A manual upload or `commerceml_import`: each file all-or-nothing, stop at the first
    error (the offers of a refused catalogue would not find their products)."""
    exchange = onec_exchange_start(actor=actor, kind=ExchangeKind.CATALOG, source=source)
    for name, data in _catalog_first(files):
        onec_import(actor=actor, exchange=exchange, name=name, data=data)
    onec_exchange_finish(exchange=exchange)
    exchange.refresh_from_db()
    return exchange


def onec_session_import(*, exchange: OneCExchange, name: str) -> dict[str, Any]:
    """mode=import: import the file 1C uploaded in this session, then forget its bytes."""
    clean = _clean_file_name(name)
    upload = OneCFile.objects.filter(exchange=exchange, name=clean).first()
    if upload is None:
        raise CommerceMLError(_("The file %(name)s was not uploaded.") % {"name": clean})
    result = onec_import(actor=None, exchange=exchange, name=clean, data=bytes(upload.content))
    upload.delete()
    if not OneCFile.objects.filter(exchange=exchange).exists():
        onec_exchange_finish(exchange=exchange)
    return result


# --- Orders to 1C (type=sale) --------------------------------------------------------------

ORDERS_PER_QUERY = 500


def _orders_due() -> list[Any]:
    from greenwave.sales.models import Deal, DealStatus

    confirmed = OneCOrderMark.objects.filter(confirmed_at__isnull=False).values("deal_id")
    return list(
        Deal.objects.filter(status=DealStatus.WON, items__isnull=False)
        .exclude(pk__in=confirmed)
        .select_related("company")
        .prefetch_related("items__product")
        .distinct()
        .order_by("closed_at", "pk")[:ORDERS_PER_QUERY]
    )


def _as_order(deal: Any, product_guids: dict[int, str]) -> commerceml.Order:
    lines = [
        commerceml.OrderLine(
            guid=product_guids.get(item.product_id, item.product.sku),
            sku=item.product.sku,
            name=item.product.name,
            unit=item.product.unit,
            quantity=item.quantity,
            price=item.price,
            total=item.total,
        )
        for item in deal.items.all()
    ]
    company = deal.company
    return commerceml.Order(
        number=str(deal.pk),
        guid=f"greenwave-deal-{deal.pk}",
        when=timezone.localtime(deal.closed_at or deal.created_at),
        currency=deal.currency,
        amount=sum((line.total for line in lines), Decimal(0)),
        comment=deal.title,
        client_guid=f"greenwave-company-{company.pk}" if company else "greenwave-company-none",
        client_name=company.name if company else "—",
        client_inn=company.inn if company else "",
        client_kpp=company.kpp if company else "",
        lines=lines,
    )


@transaction.atomic
def onec_orders_query(*, exchange: OneCExchange) -> bytes:
    """mode=query: the won deals with lines 1C has not confirmed yet, as CommerceML."""
    deals = _orders_due()
    links = dict(
        OneCLink.objects.filter(
            kind=OneCLinkKind.PRODUCT,
            object_id__in={i.product_id for d in deals for i in d.items.all()},
        ).values_list("object_id", "guid")
    )
    now = timezone.now()
    for deal in deals:
        OneCOrderMark.objects.update_or_create(
            deal_id=deal.pk, defaults={"exchange": exchange, "sent_at": now}
        )
    document = commerceml.orders_document(
        [_as_order(d, links) for d in deals], generated_at=timezone.localtime(now)
    )
    event_append_for(
        exchange,
        activity=log_events.ONEC_ORDERS_EXPORTED,
        actor=None,
        payload={"deals": [d.pk for d in deals]},
    )
    return document


@transaction.atomic
def onec_orders_confirm(*, exchange: OneCExchange) -> int:
    """mode=success: 1C took the orders of this session; they are not sent again."""
    now = timezone.now()
    marks = OneCOrderMark.objects.filter(exchange=exchange, confirmed_at__isnull=True)
    deal_ids = list(marks.values_list("deal_id", flat=True))
    marks.update(confirmed_at=now)
    event_append_for(
        exchange,
        activity=log_events.ONEC_ORDERS_CONFIRMED,
        actor=None,
        payload={"deals": deal_ids},
    )
    OneCExchange.objects.filter(pk=exchange.pk).update(
        status=ExchangeStatus.SUCCEEDED,
        finished_at=now,
        results=[{"orders": len(deal_ids)}],
    )
    return len(deal_ids)


def onec_configured() -> bool:
    return bool(
        getattr(settings, "ONEC_EXCHANGE_USERNAME", "")
        and getattr(settings, "ONEC_EXCHANGE_PASSWORD", "")
    )


def onec_username() -> str:
    return str(getattr(settings, "ONEC_EXCHANGE_USERNAME", ""))
