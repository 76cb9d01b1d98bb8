"""The handoff of a won client from the hunter to a farmer, and the hunter's share."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from greenwave.accounts.models import RoleCode, Team, User
from greenwave.core.errors import CoreError, DomainError
from greenwave.core.services import event_append, ref
from greenwave.crm import services as crm_services
from greenwave.crm.models import Company

from .. import events
from ..models import (
    ClientHandoff,
    Deal,
)
from .common import (
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


def _least_loaded_farmer(team: Team | None) -> User | None:
    farmers = User.objects.filter(is_active=True, roles__code=RoleCode.FARMER)
    in_team = farmers.filter(team=team) if team is not None else farmers.none()
    for pool in (in_team, farmers):
        farmer = (
            pool.annotate(clients=Count("company", distinct=True)).order_by("clients", "pk").first()
        )
        if farmer is not None:
            return farmer
    return None


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
