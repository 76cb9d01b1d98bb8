"""Soft delete and restore of companies and contacts; the custom fields of the company card."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from greenwave.accounts.models import User
from greenwave.accounts.scoping import (
    require_write,
    scope_records,
)
from greenwave.core.errors import not_found, permission_denied
from greenwave.core.record_change import record_change, record_insert
from greenwave.core.services import event_append_for

from .. import events
from ..models import (
    Company,
    Contact,
    CustomField,
    CustomFieldKind,
)
from .clients import (
    REASSIGNERS,
    _choice,
    _company_refs,
    _field_error,
    _refuse_duplicate_inn,
    _require_writable_contact,
    _text,
    require_writable_company,
)

# --- Soft delete and restore --------------------------------------------------------------


def _require_owner_or_head(actor: User | None, responsible_id: int) -> None:
    if actor is None or actor.pk == responsible_id or actor.is_superuser:
        return
    if not actor.has_role(*REASSIGNERS):
        raise permission_denied(
            _("Only the responsible manager or a head of sales can delete or restore it.")
        )


@transaction.atomic
def company_delete(*, actor: User | None, company: Company) -> Company:
    """Hide a client from lists and search; everything stays and can be restored."""
    require_writable_company(actor, company)
    company = Company.objects.select_for_update().get(pk=company.pk)
    _require_owner_or_head(actor, company.responsible_id)
    return record_change(
        company,
        {"is_deleted": True, "deleted_at": timezone.now()},
        activity=events.COMPANY_DELETED,
        actor=actor,
        payload={},
    )


@transaction.atomic
def company_restore(*, actor: User | None, company: Company) -> Company:
    company = Company.objects.select_for_update().get(pk=company.pk)
    if actor is not None:
        visible = scope_records(Company.objects.filter(pk=company.pk), actor=actor).exists()
        if not visible or not company.is_deleted:
            raise not_found(_("Company not found."))
    require_write(actor, company)
    _require_owner_or_head(actor, company.responsible_id)
    _refuse_duplicate_inn(actor, company.inn, company.kpp, exclude_pk=company.pk)
    return record_change(
        company,
        {"is_deleted": False, "deleted_at": None},
        activity=events.COMPANY_RESTORED,
        actor=actor,
        payload={},
    )


@transaction.atomic
def contact_delete(*, actor: User | None, contact: Contact) -> Contact:
    return _contact_mark_deleted(actor, contact, deleted=True)


@transaction.atomic
def contact_restore(*, actor: User | None, contact: Contact) -> Contact:
    return _contact_mark_deleted(actor, contact, deleted=False)


def _contact_mark_deleted(actor: User | None, contact: Contact, *, deleted: bool) -> Contact:
    """Hide a contact (or show it again): its row locked, the flag set, one event."""
    contact = (
        Contact.objects.select_for_update(of=("self",)).select_related("company").get(pk=contact.pk)
    )
    _require_writable_contact(actor, contact)
    if not deleted and not contact.is_deleted:
        raise not_found(_("Contact not found."))
    _require_owner_or_head(actor, contact.responsible_id)
    return record_change(
        contact,
        {"is_deleted": deleted, "deleted_at": timezone.now() if deleted else None},
        activity=events.CONTACT_DELETED if deleted else events.CONTACT_RESTORED,
        actor=actor,
        payload={"subject": contact.full_name},
        objects=_company_refs(contact.company),
    )


# --- custom fields of the company card ------------------------------------------------------


def _require_admin(actor: User | None) -> None:
    if actor is not None and not actor.is_greenwave_admin:
        raise permission_denied(_("Only an administrator sets up custom fields."))


@transaction.atomic
def custom_field_create(
    *,
    actor: User | None,
    name: str,
    kind: str = CustomFieldKind.TEXT,
    choices: Iterable[str] = (),
    required: bool = False,
    order: int = 0,
) -> CustomField:
    """Add a field to every company card; its values are kept under `name`."""
    _require_admin(actor)
    name = _text(name, "name", 100, required=True)
    kind = _choice(kind, CustomFieldKind.values, "kind", blank=False)
    options = list(dict.fromkeys(str(c).strip()[:100] for c in choices if str(c).strip()))
    if kind == CustomFieldKind.CHOICE and not options:
        raise _field_error("choices", _("A choice field needs at least one option."))
    if CustomField.objects.filter(name__iexact=name).exists():
        raise _field_error("name", _("A custom field with this name exists."))
    field = CustomField(
        name=name,
        kind=kind,
        choices=options if kind == CustomFieldKind.CHOICE else [],
        required=required,
        order=order,
    )
    return record_insert(
        field,
        activity=events.CUSTOM_FIELD_CREATED,
        actor=actor,
        payload={"name": name, "kind": kind, "choices": field.choices, "required": required},
    )


@transaction.atomic
def custom_field_delete(*, actor: User | None, field: CustomField) -> None:
    """Stop showing a field; the values companies hold under its name are kept."""
    _require_admin(actor)
    event_append_for(
        field, activity=events.CUSTOM_FIELD_DELETED, actor=actor, payload={"name": field.name}
    )
    field.delete()
