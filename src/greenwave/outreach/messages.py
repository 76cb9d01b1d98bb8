"""One e-mail of a campaign to one recipient: personalisation, tracked links, the open pixel,
the unsubscribe link and its `List-Unsubscribe` headers, and the signed tokens they carry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import override

from greenwave.crm.models import Contact

from . import templating
from .models import Campaign, Delivery

UNSUBSCRIBE_SALT = "outreach.unsubscribe"
OPEN_SALT = "outreach.open"
CLICK_SALT = "outreach.click"
PATRONYMIC_ENDINGS = ("вич", "вна", "ична", "ьич", "оглы", "кызы")


def split_name(full_name: str) -> tuple[str, str, str]:
    """(first name, patronymic, surname) of «Фамилия Имя Отчество», «Имя Отчество» or
    «First Last»."""
    words = full_name.split()
    if len(words) >= 3 and words[2].lower().endswith(PATRONYMIC_ENDINGS):
        return words[1], " ".join(words[2:]), words[0]
    if len(words) == 2 and words[1].lower().endswith(PATRONYMIC_ENDINGS):
        return words[0], words[1], ""
    if len(words) >= 2:
        return words[0], "", " ".join(words[1:])
    return (words[0] if words else ""), "", ""


def recipient_variables(contact: Contact, extra: dict[str, Any] | None = None) -> dict[str, str]:
    """The whitelisted variables of a recipient, all plain strings."""
    first, patronymic, last = split_name(contact.full_name)
    manager = contact.responsible
    variables = {
        "first_name": first,
        "patronymic": patronymic,
        "last_name": last,
        "name_and_patronymic": " ".join(p for p in (first, patronymic) if p),
        "full_name": contact.full_name,
        "company": contact.company.name if contact.company_id and contact.company else "",
        "position": contact.position,
        "manager": manager.get_full_name() or manager.username if manager else "",
        "manager_email": manager.email if manager else "",
        "manager_phone": str(getattr(manager, "phone", "") or "") if manager else "",
        "holiday": "",
        "stage": "",
    }
    for key, value in (extra or {}).items():
        if key in templating.VARIABLES:
            variables[key] = str(value)
    return variables


def absolute(path: str) -> str:
    return str(settings.GREENWAVE_BASE_URL).rstrip("/") + path


def unsubscribe_token(delivery: Delivery) -> str:
    return signing.dumps({"c": delivery.contact_id, "d": delivery.pk}, salt=UNSUBSCRIBE_SALT)


def open_token(delivery: Delivery) -> str:
    return signing.dumps({"d": delivery.pk}, salt=OPEN_SALT)


def click_token(delivery: Delivery, url: str) -> str:
    return signing.dumps({"d": delivery.pk, "u": url}, salt=CLICK_SALT, compress=True)


def read_token(token: str, salt: str) -> dict[str, Any] | None:
    try:
        data = signing.loads(token, salt=salt)
    except signing.BadSignature:
        return None
    return data if isinstance(data, dict) else None


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    unsubscribe_url: str


def _html_body(text: str, links: dict[str, str]) -> str:
    """The text as HTML with its campaign links replaced by tracked ones."""
    parts: list[str] = []
    position = 0
    for match in templating.URL.finditer(text):
        parts.append(escape(text[position : match.start()]))
        url = match.group(0)
        target = links.get(url)
        parts.append(f'<a href="{escape(target)}">{escape(url)}</a>' if target else escape(url))
        position = match.end()
    parts.append(escape(text[position:]))
    return "<br>\n".join("".join(parts).split("\n"))


def render_message(
    campaign: Campaign,
    contact: Contact,
    *,
    delivery: Delivery | None = None,
    extra: dict[str, Any] | None = None,
) -> Rendered:
    """Subject, text and HTML of the campaign for the contact. Without a delivery (a preview)
    the links are shown untracked and the unsubscribe link is a placeholder."""
    variables = recipient_variables(
        contact, extra if extra is not None else (delivery.context if delivery else None)
    )
    subject = " ".join(templating.render(campaign.subject, variables, field="subject").split())
    text = templating.render(campaign.body, variables, field="body").strip()
    links: dict[str, str] = {}
    unsubscribe_url = "#"
    pixel = ""
    if delivery is not None and delivery.pk:
        for url in templating.urls_in(campaign.body):
            links[url] = absolute(reverse("outreach:click", args=[click_token(delivery, url)]))
        unsubscribe_url = absolute(
            reverse("outreach:unsubscribe", args=[unsubscribe_token(delivery)])
        )
        if campaign.track_opens:
            src = absolute(reverse("outreach:open", args=[open_token(delivery)]))
            pixel = f'<img src="{escape(src)}" width="1" height="1" alt="">'
    with override(settings.LANGUAGE_CODE):
        footer = _("You receive this letter because you agreed to our mailings.")
        label = _("Unsubscribe")
    html = (
        f"<div>{_html_body(text, links)}</div>\n<hr>\n<p><small>{escape(footer)} "
        f'<a href="{escape(unsubscribe_url)}">{escape(label)}</a></small></p>{pixel}'
    )
    text_full = f"{text}\n\n-- \n{footer}\n{label}: {unsubscribe_url}\n"
    return Rendered(subject=subject, text=text_full, html=html, unsubscribe_url=unsubscribe_url)


def message_id(delivery: Delivery) -> str:
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(">").strip() or "localhost"
    return f"<outreach-{delivery.campaign_id}-{delivery.pk}@{domain}>"


def build_email(campaign: Campaign, delivery: Delivery, connection: Any) -> EmailMultiAlternatives:
    rendered = render_message(campaign, delivery.contact, delivery=delivery)
    email = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[delivery.email],
        connection=connection,
        headers={
            "List-Unsubscribe": f"<{rendered.unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            # The same id on every attempt of this delivery: a receiving server or client that
            # sees it twice can tell.
            "Message-ID": message_id(delivery),
        },
    )
    email.attach_alternative(rendered.html, "text/html")
    return email
