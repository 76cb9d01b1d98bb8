"""Demo mailings: the «Дни рождения на этой неделе» segment (with birthdays given to a few
demo contacts in the coming days) and a news campaign sent to the clients who agreed to
mailings, with opens, clicks, an unsubscribe and a bounce recorded through the same services
a recipient's mail client and the head would use. Idempotent: nothing is done when the
segment exists."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.mail import get_connection
from django.utils import timezone

from greenwave.accounts.models import User
from greenwave.crm import services as crm_services

from . import messages, selectors, services
from .models import Delivery, DeliveryStatus, Segment

BIRTHDAY_SEGMENT = "Дни рождения на этой неделе"
NEWS_SEGMENT = "Клиенты с согласием на рассылку"
NEWS_BODY = """Здравствуйте, {{ name_and_patronymic|default:full_name }}!

В каталоге появились новые насосы и фильтры для {{ company|default:"вашей компании" }}.
Подробности и цены: https://example.ru/catalog/new

Если удобнее обсудить по телефону — напишите мне, {{ manager }}.
"""
BIRTHDAY_BODY = """{{ name_and_patronymic|default:full_name }}, с днём рождения!

Желаем здоровья, удачи и успехов {{ company }}.
С уважением, {{ manager }}.
"""


def _give_birthdays(actor: User, today: date) -> None:
    """Birthdays in the coming days for a few consenting contacts the head reads (the demo
    client base has none), so the birthday segment has people in it."""
    contacts = list(
        selectors.mailable(
            selectors.segment_contacts(actor=actor, filters={"consent_only": True})
        ).filter(birthday__isnull=True)[:6]
    )
    for offset, contact in enumerate(contacts):
        day = today + timedelta(days=offset)
        born = date(1975 + offset * 3, day.month, min(day.day, 28) if day.month == 2 else day.day)
        crm_services.contact_update(actor=None, contact=contact, birthday=born)


def seed_outreach(context: dict[str, Any]) -> None:
    users: dict[str, User] = context.get("users", {})
    head = users.get("head_north")
    if head is None or Segment.objects.filter(name=BIRTHDAY_SEGMENT).exists():
        return
    today = timezone.localdate()
    _give_birthdays(head, today)
    birthdays = services.segment_create(
        actor=head,
        name=BIRTHDAY_SEGMENT,
        description="Клиенты, у которых день рождения в ближайшие 7 дней.",
        filters={"birthday_within_days": 7, "consent_only": True},
    )
    services.campaign_create(
        actor=head,
        name="Поздравление с днём рождения",
        kind="birthday",
        segment=birthdays,
        subject="С днём рождения, {{ first_name }}!",
        body=BIRTHDAY_BODY,
    )
    news = services.segment_create(
        actor=head,
        name=NEWS_SEGMENT,
        filters={"consent_only": True},
    )
    if not selectors.mailable(
        selectors.segment_contacts(actor=head, filters=news.filters)
    ).exists():
        return
    campaign = services.campaign_create(
        actor=head,
        name="Новинки каталога — декабрь",
        segment=news,
        subject="{{ first_name }}, новинки каталога для {{ company }}",
        body=NEWS_BODY,
    )
    services.campaign_send(actor=head, campaign=campaign)
    # The demo has no mail server: the letters go to the in-memory backend, all at once.
    connection = get_connection("django.core.mail.backends.locmem.EmailBackend")
    while services.deliveries_send_due(connection=connection, rate_limit=False):
        pass
    sent = list(
        Delivery.objects.filter(campaign=campaign, status=DeliveryStatus.SENT).order_by("pk")
    )
    for index, delivery in enumerate(sent):
        if index % 2 == 0:
            services.record_open(token=messages.open_token(delivery))
        if index % 5 == 0:
            services.record_click(
                token=messages.click_token(delivery, "https://example.ru/catalog/new")
            )
    if len(sent) > 3:
        services.unsubscribe(token=messages.unsubscribe_token(sent[3]))
        services.delivery_bounce(
            actor=head, campaign=campaign, email=sent[-1].email, reason="550 mailbox unavailable"
        )
