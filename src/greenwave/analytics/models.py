"""What analytics stores: the cost price of products (for the profit per deal) and saved
segments (a named list of clients with the rule that chose them, for mailings and lists).

The figures are computed from deals, lines and leads when asked; the heavy ones (the all-time
funnel, the sales overview, the portfolio) read the daily and client rollups below, which
`analytics.rollups` keeps from the event log. NPS surveys are stored here too.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from greenwave.accounts.models import OwnedRecord, owner_index
from greenwave.core.model_fields import choice_field, kept_link, optional_moment
from greenwave.core.models import EventLogCursor, TimeStampedModel
from greenwave.core.money import money_amount_field
from greenwave.crm.models import Company, Contact
from greenwave.orders.models import Claim
from greenwave.sales.models import Deal


def row_key(name: str, *fields: str) -> models.UniqueConstraint:
    """The key of a rollup table: one row per combination of `fields`."""
    return models.UniqueConstraint(fields=list(fields), name=name)


def rollup_client() -> models.ForeignKey[Any, Any]:
    """The client a rollup row sums: a reference without a database constraint (the rollup is
    derived data, rebuilt at will), nothing done when the client goes, no reverse accessor."""
    return models.ForeignKey(
        "crm.Company", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )


class ProductCost(TimeStampedModel):
    """The cost price of one unit of a product (seed 003: «прибыль с каждой сделки»).

    `crm.Product` has no cost; analytics keeps it beside the product, in the main currency.
    """

    EVENT_CASE_TYPE = "product_cost"

    product = models.OneToOneField(
        "crm.Product", verbose_name=_("product"), on_delete=models.CASCADE, related_name="cost"
    )
    cost = money_amount_field(_("cost price"))

    class Meta:
        verbose_name = _("product cost price")
        verbose_name_plural = _("product cost prices")
        constraints = [
            models.CheckConstraint(condition=models.Q(cost__gte=0), name="analytics_cost_positive")
        ]

    def __str__(self) -> str:
        return f"{self.product_id}: {self.cost}"


class SegmentKind(models.TextChoices):
    ABC = "abc", _("ABC by revenue")
    XYZ = "xyz", _("XYZ by regularity")
    RFM = "rfm", _("RFM scores")


class SavedSegment(OwnedRecord):
    """A named list of clients, frozen when saved, with the rule that chose them."""

    EVENT_CASE_TYPE = "segment"

    name = models.CharField(_("name"), max_length=200)
    kind = choice_field(_("kind"), SegmentKind, max_length=8)
    # {"classes": ["A"], "months": 12, ...}: enough to recompute the list later.
    rule = models.JSONField(_("rule"), default=dict)
    company_ids = models.JSONField(_("clients"), default=list)

    class Meta:
        verbose_name = _("saved segment")
        verbose_name_plural = _("saved segments")
        ordering = ["-created_at", "-pk"]
        indexes = [owner_index("analytics_segment_owner")]

    def __str__(self) -> str:
        return self.name

    @property
    def size(self) -> int:
        return len(self.company_ids)


class NpsChannel(models.TextChoices):
    LINK = "link", _("Survey link")
    RECORDED = "recorded", _("Recorded by the manager")


class NpsSurvey(OwnedRecord):
    """One NPS question to one client contact (seed 000: «с какой вероятностью вы
    порекомендуете нас…» on a 0–10 scale, and «что нужно сделать, чтобы в следующий раз вы
    поставили нам 10»), asked after a won deal: by a public link answered once, or recorded
    by the manager who asked it by phone. Scoped like the deal (its responsible and team).
    """

    EVENT_CASE_TYPE = "nps_survey"

    token = models.CharField(_("link token"), max_length=64, unique=True)
    channel = choice_field(_("channel"), NpsChannel, max_length=10, default=NpsChannel.LINK)
    deal = kept_link(Deal, _("deal"))
    company = kept_link(Company, _("client"))
    contact = kept_link(Contact, _("contact"))
    claim = kept_link(Claim, _("claim"))
    # What an automatic link was sent for ("deal:<id>:<contact id>", "claim:<id>:<contact
    # id>"): one link per contact per won deal or closed claim, however often the job runs.
    occurrence = models.CharField(max_length=64, null=True, blank=True, unique=True)
    email = models.CharField(_("e-mail"), max_length=254, blank=True)
    sent_at = optional_moment(_("sent at"))
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    comment = models.TextField(_("what would make it a 10"), blank=True)
    answered_at = optional_moment(_("answered at"))

    class Meta:
        verbose_name = _("NPS survey")
        verbose_name_plural = _("NPS surveys")
        ordering = ["-answered_at", "-pk"]
        indexes = [
            models.Index(fields=["answered_at"], name="analytics_nps_answered"),
            owner_index("analytics_nps_owner"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__lte=10),
                name="analytics_nps_score_0_10",
            )
        ]

    def __str__(self) -> str:
        return f"NPS {self.pk}: {self.score}"


class StageMeasures(models.Model):
    """Deal measures of one local day × pipeline × stage × measure × currency."""

    day = models.DateField()
    pipeline_id = models.IntegerField()
    stage_id = models.IntegerField(default=0)  # 0: the measure belongs to no stage
    measure = models.CharField(max_length=16)
    currency = models.CharField(max_length=3, default="")
    count = models.BigIntegerField(default=0)
    seconds = models.BigIntegerField(default=0)
    timed = models.BigIntegerField(default=0)  # rows that had seconds
    cents = models.BigIntegerField(default=0)  # summed amounts in kopecks (exact everywhere)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.day} {self.measure} {self.stage_id}: {self.count}"


class OwnerSplit(models.Model):
    """Rows split per owner of the deals they sum, the deal's team and responsible by id (0: no
    team, nobody): a scoped reader takes the rows of the teams they see and their own, as of
    the deals (`rollups._scoped_rows`, `sales_rollups`)."""

    team_id = models.IntegerField(default=0)  # 0: no team
    responsible_id = models.IntegerField(default=0)  # 0: nobody

    class Meta:
        abstract = True


class DailyRollup(OwnerSplit, StageMeasures):
    """Deal measures summed per local day × pipeline × stage × team × person × measure.

    Kept by `analytics.rollups` from the event log (the worker's job and the
    `rollups_rebuild` command); the all-time funnel, the sales overview and the portfolio read
    it instead of the raw events, so their cost grows with days × people × stages, not with
    the history. `count` is the number of rows of the measure, `seconds` the summed seconds
    (in stage, or of the whole deal for won/lost), `cents` the summed deal amounts.
    """

    class Meta:
        constraints = [
            row_key(
                "analytics_rollup_key",
                "day",
                "pipeline_id",
                "stage_id",
                "team_id",
                "responsible_id",
                "measure",
                "currency",
            )
        ]
        indexes = [
            models.Index(fields=["pipeline_id", "measure", "day"], name="analytics_rollup_pm"),
            # The deal rows (stage 0) of the sales overview by day.
            models.Index(fields=["stage_id", "day"], name="analytics_rollup_stage_day"),
            # Whose rows there are: does a reader's scope hold every row (`_scoped_rows`)?
            models.Index(fields=["team_id", "responsible_id"], name="analytics_rollup_owner"),
        ]


class ClientWins(models.Model):
    """Won deals of one client in one currency: orders, revenue, the first and the last."""

    company = rollup_client()
    company_id: int  # the column of `company` (the type checker sees it on concrete models)
    currency = models.CharField(max_length=3)
    orders = models.BigIntegerField(default=0)
    revenue = models.DecimalField(max_digits=20, decimal_places=2, default=0)
    first_won = models.DateTimeField(null=True)
    last_won = models.DateTimeField(null=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.company_id}: {self.orders}"


class ClientRollup(OwnerSplit, ClientWins):
    """Won deals per client × team × person × currency: orders, revenue, first and last."""

    class Meta:
        constraints = [
            row_key(
                "analytics_client_rollup_key", "company", "team_id", "responsible_id", "currency"
            )
        ]


class DayRollup(StageMeasures):
    """`DailyRollup` without the team and person split: what a reader of every deal (the
    director, the admin) sums. Per local day × pipeline × stage × measure × currency, so the
    all-time funnel and the sales overview of the whole company read a few rows per day
    instead of one per person and day. Kept by the same writes as `DailyRollup`."""

    class Meta:
        constraints = [
            row_key(
                "analytics_dayrollup_key", "stage_id", "day", "pipeline_id", "measure", "currency"
            )
        ]
        indexes = [
            models.Index(fields=["pipeline_id", "stage_id"], name="analytics_dayrollup_ps"),
        ]


class ClientTotal(ClientWins):
    """Won deals per client × currency (every owner summed): the portfolio of a reader of
    every deal, one narrow row per client, indexed for the page's sort by revenue."""

    class Meta:
        constraints = [row_key("analytics_client_total_key", "company", "currency")]
        indexes = [
            models.Index(
                fields=["currency", "-revenue", "company"], name="analytics_client_total_rev"
            ),
        ]


class RollupDeal(models.Model):
    """What one deal last added to the rollups (to take it back when the deal changes)."""

    deal_id = models.BigIntegerField(primary_key=True)
    rows = models.JSONField(default=list)
    client = models.JSONField(null=True)

    def __str__(self) -> str:
        return str(self.deal_id)


class RollupCursor(EventLogCursor):
    """How far in the event log the rollups have been brought (one row)."""

    name = models.CharField(max_length=32, primary_key=True)

    def __str__(self) -> str:
        return f"{self.name}: {self.last_event_id}"


class SaleFact(OwnerSplit):
    """One row per won deal with a close date: what the fifteen sales figures sum for a reader
    of every deal (`analytics.sales_rollups`), with the client history the figures need
    already worked out (the raw figures compute it per deal with correlated subqueries).

    `first_day` is the local day of the client's first won deal (any currency, any owner);
    `repeat` says the client had won a deal before this one; `prev_day` is the day of the
    client's previous won deal in the same currency and `next_day` of its next won deal in
    any currency (so distinct clients, new clients and lost clients of a period are counts of
    rows). `profit_cents` is Σ (price − cost price) × quantity when every line has a cost
    price (None otherwise). Kept by the rollups' refresh (per touched client) and rebuild.
    """

    deal_id = models.BigIntegerField(primary_key=True)
    day = models.DateField()
    company_id = models.BigIntegerField(null=True)
    currency = models.CharField(max_length=3)
    cents = models.BigIntegerField(default=0)
    first_day = models.DateField(null=True)
    repeat = models.BooleanField(default=False)
    prev_day = models.DateField(null=True)
    next_day = models.DateField(null=True)
    has_lines = models.BooleanField(default=False)
    profit_cents = models.BigIntegerField(null=True)

    class Meta:
        indexes = [
            models.Index(fields=["day"], name="analytics_salefact_day"),
            models.Index(fields=["company_id"], name="analytics_salefact_company"),
            # `sales_rollups.sees_every_sale`: the teams of the facts, and a team's other owners
            models.Index(fields=["team_id", "responsible_id"], name="analytics_salefact_team"),
            # Lost clients of a reader of every sale: each client's last purchase so far, and
            # the purchases followed by another after a day (`sales_rollups._lost_of_all`).
            models.Index(
                fields=["day"],
                name="analytics_salefact_last",
                condition=models.Q(next_day__isnull=True, company_id__isnull=False),
            ),
            models.Index(
                fields=["next_day", "day"],
                name="analytics_salefact_next",
                condition=models.Q(company_id__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.deal_id}: {self.day} {self.cents}"


class SaleDay(models.Model):
    """The sale facts per local day × currency × the deal's team (the owners of a team
    summed): the additive measures of the sales figures and their series (a few rows a day
    instead of one per won deal; a scoped reader sums their teams' rows and reads their own
    facts outside them). Kept with the facts (`sales_rollups.recompute`: the days of every fact it
    rewrites)."""

    day = models.DateField()
    currency = models.CharField(max_length=3)
    team_id = models.IntegerField(default=0)  # 0: no team
    orders = models.BigIntegerField(default=0)
    cents = models.BigIntegerField(default=0)
    repeat_orders = models.BigIntegerField(default=0)
    no_lines_orders = models.BigIntegerField(default=0)
    no_lines_cents = models.BigIntegerField(default=0)
    costed_orders = models.BigIntegerField(default=0)  # every line with a cost price
    profit_cents = models.BigIntegerField(default=0)  # of the costed orders

    class Meta:
        constraints = [row_key("analytics_saleday_key", "day", "currency", "team_id")]

    def __str__(self) -> str:
        return f"{self.day} {self.currency}: {self.orders}"


class ProductDay(models.Model):
    """Product lines of the won deals per local day (the deal's close) × currency × product ×
    the deal's team: line totals, quantities and number of lines (sales per product and per
    product group). A reader sums the rows of the teams they see (and reads the few lines of
    their own deals outside those teams from the deals)."""

    day = models.DateField()
    currency = models.CharField(max_length=3)
    product_id = models.BigIntegerField()
    team_id = models.IntegerField(default=0)  # 0: no team
    revenue = models.DecimalField(max_digits=26, decimal_places=5, default=0)
    quantity = models.DecimalField(max_digits=24, decimal_places=3, default=0)
    lines = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            row_key("analytics_productday_key", "day", "currency", "product_id", "team_id")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.product_id}: {self.revenue}"


class LeadDay(models.Model):
    """Leads per local day of creation × source × utm_source × the lead's team: created,
    turned into a deal, won by now (conversion per advertising channel)."""

    day = models.DateField()
    source = models.CharField(max_length=32)
    utm_source = models.CharField(max_length=100, default="")
    team_id = models.IntegerField(default=0)  # 0: no team
    leads = models.BigIntegerField(default=0)
    deals = models.BigIntegerField(default=0)
    won = models.BigIntegerField(default=0)

    class Meta:
        constraints = [row_key("analytics_leadday_key", "day", "source", "utm_source", "team_id")]
        indexes = [models.Index(fields=["team_id"], name="analytics_leadday_team")]

    def __str__(self) -> str:
        return f"{self.day} {self.source}: {self.leads}"


class ClientPurchases(models.Model):
    """Won deals of one client over a month or a window of months, what the segments read:
    how many, their kopecks (exact on every database, unlike `ClientWins`' revenue) and when
    the last one was won."""

    company = rollup_client()
    company_id: int  # the column of `company` (the type checker sees it on concrete models)
    orders = models.BigIntegerField(default=0)
    cents = models.BigIntegerField(default=0)
    last_won = models.DateTimeField()

    class Meta:
        abstract = True


class ClientMonth(ClientPurchases):
    """Won deals per client × local month × currency (every owner summed): the monthly
    revenue series the segments read (ABC, XYZ, RFM) for a reader of every client. Kept with
    the client rollups (`analytics.client_rollups`); `cents` is exact on every database."""

    month = models.DateField()  # the first day of the local month
    currency = models.CharField(max_length=3)

    class Meta:
        constraints = [row_key("analytics_client_month_key", "company", "month", "currency")]
        indexes = [models.Index(fields=["currency", "month"], name="analytics_client_month_cm")]

    def __str__(self) -> str:
        return f"{self.company_id} {self.month}: {self.orders}"


class ClientWindow(ClientPurchases):
    """The segments' inputs per client over a standard window (`client_windows.WINDOW_MONTHS`
    whole months ending with the current local month), from the won deals in the main currency
    of every owner: purchases, kopecks, the last purchase (and its local day) and the
    coefficient of variation of the monthly revenue (× 10 000, as the segments round it).
    Derived from `ClientMonth` whenever it changes, and for every client when a month begins."""

    months = models.PositiveSmallIntegerField()
    end_month = models.DateField()  # the first day of the window's last (current) month
    last_day = models.DateField()
    variation = models.BigIntegerField(null=True)

    class Meta:
        constraints = [row_key("analytics_client_window_key", "company", "months")]
        indexes = [
            models.Index(
                fields=["months", "end_month", "-cents", "company"],
                name="analytics_client_window_rev",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company_id} {self.months}: {self.orders}"
