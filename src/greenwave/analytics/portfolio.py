"""The client portfolio of seed 003, computed per client from their won deals.

A client here is a company with at least one won deal the actor may see (in the main
currency). Its figures are those of the visible deals: a manager's portfolio is their
clients' purchases from them, the director's the whole history.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.functions import Least
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from greenwave.accounts.models import User
from greenwave.accounts.scoping import scope_records
from greenwave.core.errors import not_found
from greenwave.core.listing import FilterSpec, ListQuery, ListSpec, SortSpec, apply_list_query
from greenwave.core.money import CENTS, DEFAULT_CURRENCY
from greenwave.core.records import field_values
from greenwave.crm.models import Company, Contact, Gender
from greenwave.crm.requisites import format_phone
from greenwave.crm.selectors import company_list, company_main_contacts
from greenwave.sales.models import Deal, DealItem, DealStatus

from .client_rollups import sees_every_client
from .figures import LOST_AFTER_DAYS, NEW_WITHIN_DAYS
from .models import ClientRollup, ClientTotal
from .rollups import rollup_scope


class ClientStatus:
    NEW = "new"
    REGULAR = "regular"
    LOST = "lost"
    PROSPECT = "prospect"

    CHOICES = (
        (NEW, pgettext_lazy("client status", "New")),
        (REGULAR, pgettext_lazy("client status", "Regular")),
        (LOST, pgettext_lazy("client status", "Lost")),
    )


def status_definitions(new_days: int, lost_days: int) -> list[tuple[str, str]]:
    return [
        (
            pgettext("client status", "New"),
            _("the first purchase was at most %(days)s days ago") % {"days": new_days},
        ),
        (
            pgettext("client status", "Lost"),
            _("the last purchase was more than %(days)s days ago") % {"days": lost_days},
        ),
        (
            pgettext("client status", "Regular"),
            _("every other client: bought earlier and still buys"),
        ),
    ]


PORTFOLIO_SPEC = ListSpec(
    search_fields=("company__name", "company__inn"),
    sorts=(
        SortSpec("revenue", gettext_lazy("Lifetime revenue"), ("revenue",)),
        SortSpec("orders", gettext_lazy("Purchases"), ("orders",)),
        SortSpec("average_check", gettext_lazy("Average check"), ("average_check",)),
        SortSpec("first_purchase", gettext_lazy("First purchase"), ("first_purchase",)),
        SortSpec("last_purchase", gettext_lazy("Last purchase"), ("last_purchase",)),
        SortSpec("name", gettext_lazy("Client"), ("company__name",)),
    ),
    default_sort="-revenue",
    filters=(
        FilterSpec(
            "status",
            gettext_lazy("Status"),
            "status",
            choices=lambda actor: [(k, str(v)) for k, v in ClientStatus.CHOICES],
            allowed=tuple(k for k, _v in ClientStatus.CHOICES),
        ),
        FilterSpec("region", gettext_lazy("Region"), "company__region", kind="text"),
    ),
)
_MONEY: models.DecimalField[Decimal, Decimal] = models.DecimalField(max_digits=20, decimal_places=2)


def _first_contact() -> models.Subquery:
    """The client's first deal (of any outcome) was opened."""
    first = Deal.objects.filter(company=models.OuterRef("company_id")).order_by("created_at")
    return models.Subquery(first.values("created_at")[:1])


def portfolio_rows(
    *,
    actor: User,
    query: ListQuery | None = None,
    new_days: int = NEW_WITHIN_DAYS,
    lost_days: int = LOST_AFTER_DAYS,
    now: datetime | None = None,
) -> models.QuerySet[Any]:
    """One row (a dict) per client with a visible won deal: the aggregates of those deals
    (the status as of `now`, by default this moment)."""
    now = now or timezone.now()
    # The client rollups hold the won deals per client × owner (analytics.rollups): summing
    # the visible owners' rows gives the aggregates of the visible deals without reading them.
    status = models.Case(
        models.When(
            last_purchase__lt=now - timedelta(days=lost_days), then=models.Value(ClientStatus.LOST)
        ),
        models.When(
            first_purchase__gte=now - timedelta(days=new_days), then=models.Value(ClientStatus.NEW)
        ),
        default=models.Value(ClientStatus.REGULAR),
        output_field=models.CharField(),
    )
    company = ("company_id", "company__name", "company__region", "company__created_at")
    rows: Any
    if sees_every_client(actor):
        # A reader of every won deal (the admin; a director heading every selling team):
        # one row per client already summed (`ClientTotal`), sorted
        # by its revenue index; no grouping.
        rows = (
            ClientTotal.objects.filter(currency=DEFAULT_CURRENCY)
            .order_by()
            .values(*company, "orders", "revenue")
            .annotate(
                average_check=models.ExpressionWrapper(
                    models.F("revenue") / models.F("orders"), output_field=_MONEY
                ),
                first_purchase=models.F("first_won"),
                last_purchase=models.F("last_won"),
                first_contact=Least("company__created_at", _first_contact()),
                status=status,
            )
        )
    else:
        clients = rollup_scope(ClientRollup.objects.filter(currency=DEFAULT_CURRENCY), actor)
        rows = (
            clients.order_by()
            .values(*company)
            .annotate(
                # Before `revenue` and `orders` name the sums: here the rollup's columns.
                average_check=models.ExpressionWrapper(
                    models.Sum("revenue") / models.Sum("orders"), output_field=_MONEY
                ),
                first_purchase=models.Min("first_won"),
                last_purchase=models.Max("last_won"),
                orders=models.Sum("orders"),
                revenue=models.Sum("revenue"),
                first_contact=Least("company__created_at", _first_contact()),
                status=status,
            )
        )
    if query is not None:
        # The list convention breaks ties by pk, which would group by deal: sort here, by
        # the client.
        rows = apply_list_query(rows, PORTFOLIO_SPEC, replace(query, sort=""))
        sort = query.sort or PORTFOLIO_SPEC.default_sort
        chosen = {s.key: s for s in PORTFOLIO_SPEC.sorts}[sort.lstrip("-")]
        prefix = "-" if sort.startswith("-") else ""
        rows = rows.order_by(*chosen.terms(descending=bool(prefix)), prefix + "company_id")
    return rows


def age_on(birthday: date, today: date) -> int:
    """Full years lived by `today` (one born on 29 February turns a year older on 1 March)."""
    return today.year - birthday.year - ((today.month, today.day) < (birthday.month, birthday.day))


def viewer_today(actor: User) -> date:
    """Today's date where the viewer is (their own time zone), whatever zone is active."""
    try:
        zone = zoneinfo.ZoneInfo(actor.time_zone or settings.TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    return timezone.localdate(timezone.now(), zone)


@dataclass
class ContactPerson:
    """The client's main contact person (seed 003's name, gender, age, e-mail, phone, birth
    date), shown only to a reader who may see that contact."""

    contact_id: int
    full_name: str
    position: str
    gender: str
    email: str
    phone: str
    birthday: date | None
    age: int | None

    @property
    def gender_label(self) -> str:
        return str(dict(Gender.choices).get(self.gender, "")) if self.gender else ""

    @property
    def phone_display(self) -> str:
        return format_phone(self.phone) if self.phone else ""

    @classmethod
    def of(cls, contact: Contact, today: date) -> ContactPerson:
        # The age from the birth date; without one, the age typed on the decision maker.
        recorded: int | None = getattr(contact, "recorded_age", None)
        return cls(
            contact_id=contact.pk,
            full_name=contact.full_name,
            position=contact.position,
            gender=contact.gender,
            email=contact.emails[0] if contact.emails else "",
            phone=contact.phones[0] if contact.phones else "",
            birthday=contact.birthday,
            age=age_on(contact.birthday, today) if contact.birthday else recorded,
        )

    def as_dict(self) -> dict[str, Any]:
        return field_values(self)


def main_contacts(actor: User, company_ids: Sequence[int]) -> dict[int, ContactPerson]:
    """The main contact person of each client the actor may see one of (crm's rule)."""
    if not company_ids:
        return {}
    today = viewer_today(actor)
    found = company_main_contacts(actor=actor, company_ids=company_ids)
    return {pk: ContactPerson.of(contact, today) for pk, contact in found.items()}


@dataclass
class ClientFigures:
    company_id: int
    name: str
    region: str
    first_purchase: datetime | None
    last_purchase: datetime | None
    orders: int
    revenue: Decimal
    average_check: Decimal | None
    first_contact: datetime | None
    status: str
    groups: list[str]
    # whether the reader may open the client's card (a won deal of theirs at a client handed
    # on to a farmer is counted, the card is not theirs); the HTML page links only those
    openable: bool = True
    # the main contact person, when the reader may see one of the client's contacts
    contact: ContactPerson | None = None

    @property
    def maturation_days(self) -> int | None:
        if self.first_purchase is None or self.first_contact is None:
            return None
        return max(0, (self.first_purchase - self.first_contact).days)

    @property
    def days_between_purchases(self) -> Decimal | None:
        """Purchase frequency: the average days between two purchases (two or more)."""
        if self.orders < 2 or self.first_purchase is None or self.last_purchase is None:
            return None
        span = Decimal((self.last_purchase - self.first_purchase).total_seconds()) / 86400
        return (span / (self.orders - 1)).quantize(Decimal("0.1"))

    @property
    def status_label(self) -> str:
        labels = {**dict(ClientStatus.CHOICES), ClientStatus.PROSPECT: _("No purchases")}
        return str(labels.get(self.status, self.status))

    def as_dict(self) -> dict[str, Any]:
        return {
            **field_values(self, leave_out={"groups", "openable", "contact"}),
            "product_groups": self.groups,
            "contact": self.contact.as_dict() if self.contact else None,
            "days_between_purchases": self.days_between_purchases,
            "maturation_days": self.maturation_days,
        }


def enrich(actor: User, rows: list[dict[str, Any]]) -> list[ClientFigures]:
    """The rows of one page as figures, with the product groups each client bought (one
    query for the whole page) and each client's main contact person the actor may see (one)."""
    ids = [row["company_id"] for row in rows]
    groups: dict[int, set[str]] = {}
    if ids:
        deals = scope_records(
            Deal.objects.filter(status=DealStatus.WON, company_id__in=ids), actor=actor
        )
        lines = (
            DealItem.objects.filter(deal__in=deals.values("pk"))
            .order_by()
            .values_list("deal__company_id", "product__group__name")
            .distinct()
        )
        for company_id, group in lines:
            groups.setdefault(company_id, set()).add(group or _("Without a group"))
    contacts = main_contacts(actor, ids)
    return [
        ClientFigures(
            company_id=row["company_id"],
            name=row["company__name"],
            region=row["company__region"],
            first_purchase=row["first_purchase"],
            last_purchase=row["last_purchase"],
            orders=row["orders"],
            revenue=Decimal(row["revenue"] or 0).quantize(CENTS),
            average_check=Decimal(row["average_check"]).quantize(CENTS)
            if row["average_check"] is not None
            else None,
            first_contact=row["first_contact"],
            status=row["status"],
            groups=sorted(groups.get(row["company_id"], set())),
            contact=contacts.get(row["company_id"]),
        )
        for row in rows
    ]


def client_portfolio(
    *,
    actor: User,
    company_id: int,
    new_days: int = NEW_WITHIN_DAYS,
    lost_days: int = LOST_AFTER_DAYS,
    now: datetime | None = None,
) -> ClientFigures:
    """One client's figures; 404 for a client the actor does not see."""
    company: Company | None = company_list(actor=actor).filter(pk=company_id).first()
    if company is None:
        raise not_found(_("Client not found."))
    found = list(
        portfolio_rows(actor=actor, new_days=new_days, lost_days=lost_days, now=now).filter(
            company_id=company_id
        )
    )
    if found:
        return enrich(actor, found)[0]
    first_deal = Deal.objects.filter(company=company).order_by("created_at").first()
    contact = min(
        (d for d in (company.created_at, first_deal.created_at if first_deal else None) if d),
        default=None,
    )
    return ClientFigures(
        company_id=company.pk,
        name=company.name,
        region=company.region,
        first_purchase=None,
        last_purchase=None,
        orders=0,
        revenue=Decimal("0.00"),
        average_check=None,
        first_contact=contact,
        status=ClientStatus.PROSPECT,
        groups=[],
        contact=main_contacts(actor, [company.pk]).get(company.pk),
    )
