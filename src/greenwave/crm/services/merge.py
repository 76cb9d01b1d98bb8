"""Merging a duplicate company into the kept one."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from greenwave.accounts.models import RoleCode, User
from greenwave.core.errors import DomainError, permission_denied
from greenwave.core.models import EventObject
from greenwave.core.selectors import event_list_for_object
from greenwave.core.services import (
    ObjectRef,
    changes_between,
    event_append_for,
    ref,
)

from .. import events
from ..errors import CrmError
from ..merging import company_merge_handlers
from ..models import (
    ClientProfile,
    Company,
    CompetitorPresence,
    Contact,
    DecisionMaker,
)
from .clients import (
    _COMPANY_HISTORY,
    _company_search_text,
    _contact_search_text,
    _field_error,
    require_writable_company,
)
from .profiles import (
    CLIENT_PROFILE_FIELDS,
)

# --- Merging duplicates -------------------------------------------------------------------

# Card fields a merge copies from the duplicate when the kept company has them empty.
MERGE_FILL_FIELDS = (
    "inn",
    "kpp",
    "ogrn",
    "legal_address",
    "actual_address",
    "region",
    "industry",
    "size",
    "source",
    "phone",
    "email",
    "website",
)
MERGERS = (RoleCode.HEAD_OF_SALES, RoleCode.ADMIN)


def _merge_profiles(source: Company, target: Company) -> bool:
    source_profile = ClientProfile.objects.filter(company=source).first()
    if source_profile is None:
        return False
    target_profile = ClientProfile.objects.filter(company=target).first()
    if target_profile is None:
        source_profile.company = target
        source_profile.save(update_fields=["company", "updated_at"])
        return True
    for name in CLIENT_PROFILE_FIELDS:
        if getattr(target_profile, name) in ("", None, []):
            setattr(target_profile, name, getattr(source_profile, name))
    target_profile.save()
    source_profile.delete()
    return True


def _repoint_history(source: Company, target: Company) -> int:
    """Link every event of the duplicate to the kept company, so its timeline shows them.

    The log is append-only: events keep their case; an extra event object does the re-pointing.
    """
    event_ids = list(
        event_list_for_object(object_type=Company.EVENT_CASE_TYPE, object_id=source.pk)
        .order_by()
        .values_list("pk", flat=True)
    )
    already = set(
        EventObject.objects.filter(
            event_id__in=event_ids,
            object_type=Company.EVENT_CASE_TYPE,
            object_id=str(target.pk),
            qualifier="merged",
        ).values_list("event_id", flat=True)
    )
    EventObject.objects.bulk_create(
        EventObject(
            event_id=pk,
            object_type=Company.EVENT_CASE_TYPE,
            object_id=str(target.pk),
            qualifier="merged",
        )
        for pk in event_ids
        if pk not in already
    )
    return len(event_ids)


@transaction.atomic
def company_merge(*, actor: User | None, target: Company, source: Company) -> Company:
    """Fold the duplicate `source` into `target`: nothing of the source's history is lost.

    Empty card fields of the target are filled from the source, tags and custom fields are
    united, contacts, decision makers, competitors and the profile move over, every event of
    the source is linked to the target, other apps move their records through their merge
    handlers, and the source stays as a tombstone pointing to the target.
    """
    if target.pk == source.pk:
        raise _field_error("source", _("A company cannot be merged with itself."))
    require_writable_company(actor, target)
    require_writable_company(actor, source)
    locked = {
        c.pk: c
        for c in Company.objects.select_for_update(of=("self",))
        .select_related("responsible", "team")
        .filter(pk__in=[target.pk, source.pk])
    }
    target, source = locked[target.pk], locked[source.pk]
    if actor is not None:
        owns_both = actor.pk == target.responsible_id == source.responsible_id
        if not (owns_both or actor.has_role(*MERGERS) or actor.is_superuser):
            raise permission_denied(
                _("Only a head of sales can merge clients of different managers.")
            )
    if source.merged_into_id is not None or target.merged_into_id is not None:
        raise DomainError(
            CrmError.DUPLICATE, _("This company has already been merged."), status=409
        )
    before = _COMPANY_HISTORY.snapshot(target)
    for name in MERGE_FILL_FIELDS:
        if not getattr(target, name) and getattr(source, name):
            setattr(target, name, getattr(source, name))
    target.tags = list(dict.fromkeys([*target.tags, *source.tags]))
    target.custom_fields = {**source.custom_fields, **target.custom_fields}
    target.search_text = _company_search_text(target)
    target.save()
    contact_ids = list(source.contacts.values_list("pk", flat=True))
    Contact.objects.filter(pk__in=contact_ids).update(
        company=target, responsible=target.responsible, team=target.team
    )
    for contact in Contact.objects.filter(pk__in=contact_ids).select_related("company"):
        contact.search_text = _contact_search_text(contact)
        contact.save(update_fields=["search_text"])
    DecisionMaker.objects.filter(company=source).update(company=target)
    present = set(target.competitor_presence.values_list("competitor_id", flat=True))
    CompetitorPresence.objects.filter(company=source, competitor_id__in=present).delete()
    CompetitorPresence.objects.filter(company=source).update(company=target)
    profile_moved = _merge_profiles(source, target)
    source.merged_into = target
    source.save(update_fields=["merged_into", "updated_at"])
    for handler in company_merge_handlers():
        handler(actor=actor, source=source, target=target)
    events_linked = _repoint_history(source, target)
    event_append_for(
        target,
        activity=events.COMPANY_MERGED,
        actor=actor,
        payload={
            "changes": changes_between(before, _COMPANY_HISTORY.snapshot(target)),
            "subject": source.name,
            "merged_company": source.pk,
            "contacts_moved": len(contact_ids),
            "events_linked": events_linked,
            "profile_moved": profile_moved,
        },
        objects=[ref(source, "merged_from")]
        + [ObjectRef(Contact.EVENT_CASE_TYPE, str(pk), "contact") for pk in contact_ids],
    )
    event_append_for(
        source,
        activity=events.COMPANY_MERGED_INTO,
        actor=actor,
        payload={"subject": target.name, "merged_into": target.pk},
        objects=[ref(target, "merged_into")],
    )
    return target
