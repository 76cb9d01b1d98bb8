"""Leads: create, qualify, disqualify, convert, reassign, the web form."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, Unpack

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from greenwave.accounts.models import RoleCode, Team, User
from greenwave.bpm.errors import BpmError
from greenwave.bpm.services import message_correlate
from greenwave.core.errors import CoreError, DomainError
from greenwave.core.services import (
    ObjectRef,
    RecordHistory,
    assign,
    event_append_for,
    fields_check,
    ref,
)
from greenwave.core.text import visible_text
from greenwave.crm import services as crm_services
from greenwave.crm.models import Company, Contact
from greenwave.crm.requisites import normalize_inn

from .. import events, selectors
from ..errors import SalesError
from ..models import (
    Deal,
    DisqualificationReason,
    Lead,
    LeadCategory,
    LeadRating,
    LeadSource,
    LeadStatus,
    Pipeline,
)
from .common import (
    LEAD_FIELDS,
    LeadChanges,
    LeadFields,
    _lead_phone,
    _long_text,
    _require_access,
    _require_owner_in_reach,
)
from .deals import (
    deal_create,
)

# --- leads -----------------------------------------------------------------------------------

_LEAD_HISTORY = RecordHistory(Lead.objects.all(), schema=LeadChanges, changed=events.LEAD_CHANGED)


@transaction.atomic
def lead_create(
    *,
    actor: User | None,
    title: str = "",
    source: str = LeadSource.OTHER,
    responsible: User | None = None,
    team: Team | None = None,
    client_ip: str | None = None,
    **given: Unpack[LeadFields],
) -> Lead:
    fields_check(given, LeadFields)
    fields = _lead_fields_clean({**given, "source": source})
    del fields["source"]
    _require_reachable(fields)
    title = visible_text(title) or fields.get("company_name") or fields.get("contact_name") or ""
    responsible = responsible or (actor if actor and not actor.is_greenwave_admin else None)
    _require_owner_in_reach(actor, responsible, team)
    lead = Lead.objects.create(
        title=str(title)[:200] or _("Lead"),
        source=source,
        responsible=responsible,
        team=team or (responsible.team if responsible else None),
        client_ip=client_ip,
        **fields,
    )
    event_append_for(
        lead,
        activity=events.LEAD_CREATED,
        actor=actor,
        payload={
            "source": source,
            "utm_source": lead.utm_source,
            "utm_campaign": lead.utm_campaign,
        },
        new_case=True,
    )
    return lead


def _lead_fields_clean(fields: Mapping[str, Any]) -> dict[str, Any]:
    """A lead's given fields as stored. Its INN by the client base's rule (`normalize_inn`: the
    length and the check digit), which the conversion applies to the new company — refused
    here, not at the conversion. The phone and e-mail are kept as typed when they are not
    valid (`_lead_phone`, `lead_client_reach`). Each refusal names its field
    (`details["field"]`)."""
    data = dict(fields)
    if "source" in data and data["source"] not in LeadSource.values:
        raise DomainError(
            CoreError.VALIDATION, _("Unknown lead source."), details={"field": "source"}
        )
    if "title" in data:
        data["title"] = visible_text(data["title"])
        if not data["title"]:
            raise DomainError(
                CoreError.VALIDATION, _("A lead needs a title."), details={"field": "title"}
            )
    if "inn" in data:
        data["inn"] = normalize_inn(str(data["inn"] or ""))
    if "phone" in data:
        data["phone"] = _lead_phone(data["phone"])
    for field in ("need", "next_steps"):
        if field in data:
            data[field] = _long_text(data[field], field)
    _classification_check(data)
    return data


_CLASSIFICATION_CHOICES = {"category": LeadCategory, "rating": LeadRating}


def _classification_check(data: dict[str, Any]) -> None:
    """A lead's category and prospect rating are one of their lists (or empty: not classified
    yet); its probability of closing is a whole percent 0–100 (or None: not estimated)."""
    for field, choices in _CLASSIFICATION_CHOICES.items():
        if field in data:
            data[field] = data[field] or ""
        if data.get(field) and data[field] not in choices.values:
            raise DomainError(
                CoreError.VALIDATION, _("Choose a value from the list."), details={"field": field}
            )
    probability = data.get("close_probability")
    if probability is not None and (type(probability) is not int or not 0 <= probability <= 100):
        raise DomainError(
            CoreError.VALIDATION,
            _("The probability of closing is a whole percent from 0 to 100."),
            details={"field": "close_probability"},
        )


def _require_reachable(fields: Mapping[str, Any]) -> None:
    contact_bits = [fields.get(k, "") for k in ("contact_name", "phone", "email", "company_name")]
    if not any(visible_text(b) for b in contact_bits):
        raise DomainError(
            CoreError.VALIDATION,
            _("A lead needs at least a name, a phone, an e-mail or a company."),
        )


def _lead_write(
    actor: User | None,
    lead: Lead,
    activity: str,
    payload: dict[str, Any],
    objects: Iterable[ObjectRef] = (),
    **fields: Any,
) -> None:
    """A lead's step (qualified, disqualified, converted, handed over): set its `fields`,
    save the row and append the one event that tells the step."""
    assign(lead, fields)
    lead.save()
    event_append_for(lead, activity=activity, actor=actor, payload=payload, objects=objects)


def _open_lead(lead: Lead) -> Lead:
    locked = Lead.objects.select_for_update().get(pk=lead.pk)
    _refuse_closed(locked)
    return locked


def _refuse_closed(lead: Lead) -> None:
    if lead.status in (LeadStatus.CONVERTED, LeadStatus.DISQUALIFIED):
        raise DomainError(SalesError.LEAD_CLOSED, _("The lead is already closed."))


@transaction.atomic
def lead_update(*, actor: User | None, lead: Lead, **fields: Unpack[LeadChanges]) -> Lead:
    """Change an open lead's card; only the given fields change, checked as on creation."""
    _require_access(actor, lead)
    fields_check(fields, LeadChanges)
    data = _lead_fields_clean(fields)

    def apply(locked: Lead) -> None:
        _refuse_closed(locked)
        assign(locked, data)
        _require_reachable(vars(locked))  # a change must not leave it no way to reach anyone

    return _LEAD_HISTORY.update(lead, fields, apply, actor=actor)


@transaction.atomic
def lead_qualify(*, actor: User | None, lead: Lead, level: str) -> Lead:
    """New → MQL → SQL (seed 001: MQL fits the target portrait, SQL has a formed need)."""
    _require_access(actor, lead)
    lead = _open_lead(lead)
    order = [LeadStatus.NEW, LeadStatus.MQL, LeadStatus.SQL]
    if level not in (LeadStatus.MQL, LeadStatus.SQL) or order.index(
        LeadStatus(level)
    ) <= order.index(LeadStatus(lead.status)):
        raise DomainError(
            CoreError.VALIDATION, _("A lead is qualified forward only: new → MQL → SQL.")
        )
    payload = {"from": lead.status, "to": level}
    _lead_write(
        actor, lead, events.LEAD_QUALIFIED, payload, status=level, qualified_at=timezone.now()
    )
    return lead


@transaction.atomic
def lead_disqualify(*, actor: User | None, lead: Lead, reason: str, comment: str = "") -> Lead:
    _require_access(actor, lead)
    if reason not in DisqualificationReason.values:
        raise DomainError(
            SalesError.DISQUALIFICATION_REASON_REQUIRED,
            _("Choose a disqualification reason from the list."),
        )
    if reason == DisqualificationReason.OTHER and not comment.strip():
        raise DomainError(
            SalesError.DISQUALIFICATION_REASON_REQUIRED,
            _("Write the reason in the comment when it is “Other”."),
        )
    lead = _open_lead(lead)
    _lead_write(
        actor,
        lead,
        events.LEAD_DISQUALIFIED,
        {"reason": reason, "comment": comment},
        status=LeadStatus.DISQUALIFIED,
        closed_at=timezone.now(),
        disqualification_reason=reason,
        disqualification_comment=comment,
    )
    return lead


@transaction.atomic
def lead_convert(
    *,
    actor: User | None,
    lead: Lead,
    pipeline: Pipeline,
    title: str = "",
    amount: Decimal = Decimal(0),
    responsible: User | None = None,
    company: Company | None = None,
) -> Deal:
    """Lead → deal (+ client and contact) in the first stage of the pipeline.

    The client is the given company, else an existing one found by the client base's duplicate
    detection (INN, phone, e-mail, name), else a new one made from the lead. The contact is
    the client's one (or, without a client, one of the base's) with the lead's person's name,
    phone or e-mail — linked, and named in the event's `reused_contact` — else a new one.
    """
    _require_access(actor, lead)
    lead = _open_lead(lead)
    if responsible is not None:
        _require_owner_in_reach(actor, responsible, None)
    owner = responsible or lead.responsible or actor
    if owner is None:
        raise DomainError(CoreError.VALIDATION, _("Choose who will be responsible for the deal."))
    client = company or _client_for_lead(actor, lead, owner)
    contact, reused = _contact_for_lead(actor, lead, client, owner)
    deal = deal_create(
        actor=actor,
        title=title or lead.title,
        pipeline=pipeline,
        amount=amount,
        responsible=owner,
        team=owner.team if owner else lead.team,
        description=lead.need,
        hunter=owner if owner.has_role(RoleCode.HUNTER) else None,
        company=client,
        contacts=[contact] if contact else [],
    )
    lead.company, lead.contact = client, contact
    _lead_write(
        actor,
        lead,
        events.LEAD_CONVERTED,
        # `reused_contact`: the contact the base already had, linked instead of a new one.
        {"deal": deal.pk, "reused_contact": contact.pk if reused and contact else None},
        objects=[ref(deal, "deal")],
        status=LeadStatus.CONVERTED,
        closed_at=timezone.now(),
        deal=deal,
    )
    return deal


@transaction.atomic
def lead_reassign(*, actor: User | None, lead: Lead, responsible: User) -> Lead:
    _require_access(actor, lead)
    _require_owner_in_reach(actor, responsible, None)
    lead = _open_lead(lead)
    before = lead.responsible.username if lead.responsible else None
    payload = {"changes": {"responsible": [before, responsible.username]}}
    _lead_write(
        actor, lead, events.LEAD_REASSIGNED, payload, responsible=responsible, team=responsible.team
    )
    return lead


def _least_loaded_call_centre_user() -> User | None:
    """Web leads go to the call-centre operator with the fewest open leads (load balance)."""
    return (
        User.objects.filter(is_active=True, roles__code=RoleCode.CALL_CENTER)
        .annotate(
            open_leads=Count("leads", filter=Q(leads__status__in=[LeadStatus.NEW, LeadStatus.MQL]))
        )
        .order_by("open_leads", "pk")
        .first()
    )


@transaction.atomic
def lead_from_web_form(*, data: dict[str, Any], client_ip: str | None) -> Lead:
    """A lead from the public form, assigned to the least loaded call-centre operator."""
    operator = _least_loaded_call_centre_user()
    lead = lead_create(
        actor=None,
        title=data.get("company") or data.get("name") or "",
        source=LeadSource.WEB_FORM,
        responsible=operator,
        client_ip=client_ip or None,
        contact_name=data.get("name", ""),
        company_name=data.get("company", ""),
        phone=data.get("phone", ""),
        email=data.get("email", ""),
        need=data.get("message", ""),
        **{k: data.get(k, "") for k in LEAD_FIELDS if k.startswith("utm_")},
    )
    # Seed 001: a web lead starts the web-lead process if one is deployed (message start
    # «new_lead»). After the commit, and never failing the form: the lead is already saved.
    transaction.on_commit(lambda: _start_web_lead_process(lead), robust=True)
    return lead


WEB_LEAD_MESSAGE = "new_lead"


def _start_web_lead_process(lead: Lead) -> None:
    try:
        message_correlate(
            actor=None,
            name=WEB_LEAD_MESSAGE,
            correlation_key=f"lead:{lead.pk}",
            payload={"lead_id": lead.pk},
        )
    except DomainError as exc:
        if exc.code != BpmError.MESSAGE_NOT_CORRELATED:  # no process deployed: nothing to do
            raise


def _client_for_lead(actor: User | None, lead: Lead, owner: User) -> Company | None:
    if not (lead.company_name or lead.inn):
        return None
    existing = selectors.lead_existing_client(lead=lead, owner=owner)
    if existing is not None:
        return existing
    phone, email = selectors.lead_client_reach(lead)
    return crm_services.company_create(
        actor=actor,
        name=lead.company_name or lead.title,
        inn=lead.inn,
        phone=phone,
        email=email,
        source=_company_source(lead.source),
        responsible=owner,
        team=owner.team,
    )


LEAD_TO_CLIENT_SOURCE: dict[str, str] = {
    LeadSource.WEB_FORM: "website",
    LeadSource.WEBSITE: "website",
    LeadSource.COLD: "cold_call",
    LeadSource.REFERRAL: "referral",
    LeadSource.EXHIBITION: "exhibition",
    LeadSource.ADVERTISING: "advertising",
    LeadSource.SOCIAL: "social",
}


def _company_source(lead_source: str) -> str:
    return LEAD_TO_CLIENT_SOURCE.get(lead_source, "other")


def _contact_for_lead(
    actor: User | None, lead: Lead, company: Company | None, owner: User
) -> tuple[Contact | None, bool]:
    """The lead's person and whether the base already had it: the contact at the client named
    like it or holding its phone or e-mail is linked (`selectors.lead_existing_contact`), not
    repeated; else a new one is made (a look-alike elsewhere in the base does not keep a lead
    from becoming a deal: it can be merged later)."""
    existing = selectors.lead_existing_contact(lead=lead, company=company, owner=owner)
    if existing is not None or not lead.contact_name:
        return existing, existing is not None
    phone, email = selectors.lead_client_reach(lead)
    contact = crm_services.contact_create(
        actor=actor,
        allow_duplicate=True,
        company=company,
        full_name=lead.contact_name,
        phones=[phone] if phone else [],
        emails=[email] if email else [],
        responsible=owner if company is None else None,
    )
    return contact, False
