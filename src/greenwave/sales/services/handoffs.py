"""The hand-overs of seed 001's conveyor: a deal from the hunter to a closer (who closes it),
the client of a first won deal from the hunter to a farmer, and the hunter's share."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from greenwave.accounts.models import RoleCode, Team, User
from greenwave.core.errors import CoreError, DomainError
from greenwave.core.services import event_append, event_append_for, ref
from greenwave.crm import services as crm_services
from greenwave.crm.models import Company

from .. import events
from ..errors import SalesError
from ..models import (
    ClientHandoff,
    CloserHandoff,
    Deal,
    DealStatus,
)
from .common import (
    _lock_open,
    _long_text,
    _require_access,
    _require_owner_in_reach,
    sales_settings,
)


def _active_hunter_share(company: Company | None) -> ClientHandoff | None:
    if company is None:
        return None
    return (
        ClientHandoff.objects.filter(company=company, share_until__gte=timezone.localdate())
        .select_related("hunter")
        .first()
    )


def _least_loaded(role: RoleCode, team: Team | None, load: Count) -> User | None:
    """The active user of `role` with the least `load`, in `team` first, else anywhere."""
    people = User.objects.filter(is_active=True, roles__code=role)
    in_team = people.filter(team=team) if team is not None else people.none()
    for pool in (in_team, people):
        person = pool.annotate(load=load).order_by("load", "pk").first()
        if person is not None:
            return person
    return None


def _least_loaded_farmer(team: Team | None) -> User | None:
    return _least_loaded(RoleCode.FARMER, team, Count("company", distinct=True))


def _least_loaded_closer(team: Team | None) -> User | None:
    open_deals = Count("deals", filter=Q(deals__status=DealStatus.OPEN), distinct=True)
    return _least_loaded(RoleCode.CLOSER, team, open_deals)


@transaction.atomic
def closer_handoff(
    *, actor: User | None, deal: Deal, closer: User | None = None, comment: str = ""
) -> CloserHandoff:
    """Hand an open deal from the hunter to a closer (seed 001: the hunter passes the SQL on,
    the closer agrees the order and closes it) — the given closer, else the least loaded one
    of the deal's team (else of any team). The closer becomes the responsible; the hunter
    (the deal's, else its responsible until now) stays the deal's hunter. Once per deal."""
    _require_access(actor, deal)
    comment = _long_text(comment, "comment").strip()
    locked = _lock_open(deal, None)
    if CloserHandoff.objects.filter(deal=locked).exists():
        raise DomainError(
            SalesError.DEAL_HANDED_OVER, _("The deal has already been handed to a closer.")
        )
    closer = closer or _least_loaded_closer(locked.team)
    if closer is None or not closer.is_active or not closer.has_role(RoleCode.CLOSER):
        raise DomainError(
            CoreError.VALIDATION, _("Choose an active closer."), details={"field": "closer"}
        )
    _require_owner_in_reach(actor, closer, None)
    hunter = locked.hunter or locked.responsible
    handoff = CloserHandoff.objects.create(
        deal=locked, hunter=hunter, closer=closer, handed_by=actor, comment=comment
    )
    before = locked.responsible.username if locked.responsible else None
    locked.hunter, locked.responsible, locked.team = hunter, closer, closer.team or locked.team
    locked.version += 1
    locked.save()
    objects = [ref(closer, "closer")] + ([ref(hunter, "hunter")] if hunter else [])
    event_append_for(
        locked,
        activity=events.DEAL_HANDED_TO_CLOSER,
        actor=actor,
        payload={
            "hunter": hunter.username if hunter else None,
            "closer": closer.username,
            "comment": comment,
            "changes": {"responsible": [before, closer.username]},
        },
        objects=objects,
    )
    deal.refresh_from_db()
    return handoff


@transaction.atomic
def client_handoff(*, actor: User | None, deal: Deal, farmer: User | None = None) -> ClientHandoff:
    """Hand the client of a first won deal from the hunter to a farmer (seed 004).

    The hunter keeps `hunter_share_percent` of later sales of the client for
    `hunter_share_months`; every later deal of the client records it for commissions.
    """
    if deal.company_id is None:
        raise DomainError(CoreError.VALIDATION, _("The deal has no client to hand over."))
    company = Company.objects.select_related("responsible", "team").get(pk=deal.company_id)
    rules = sales_settings()
    hunter = deal.hunter or company.responsible
    farmer = farmer or _least_loaded_farmer(company.team or deal.team)
    handoff = ClientHandoff.objects.create(
        company=company,
        hunter=hunter,
        farmer=farmer,
        deal=deal,
        share_percent=rules.hunter_share_percent,
        share_until=timezone.localdate() + timedelta(days=30 * rules.hunter_share_months),
    )
    if farmer is not None and farmer.pk != company.responsible_id:
        crm_services.company_reassign(actor=None, company=company, responsible=farmer)
    crm_services.company_update(actor=None, company=company, segment="current")
    objects = [ref(deal, "first_sale")]
    if hunter is not None:
        objects.append(ref(hunter, "hunter"))
    if farmer is not None:
        objects.append(ref(farmer, "farmer"))
    event_append(
        case_type=company.EVENT_CASE_TYPE,
        case_id=company.pk,
        activity=events.CLIENT_HANDED_OFF,
        actor=actor,
        payload={
            "hunter": hunter.username if hunter else None,
            "farmer": farmer.username if farmer else None,
            "share_percent": str(handoff.share_percent),
            "share_until": handoff.share_until.isoformat(),
        },
        objects=objects,
    )
    return handoff
