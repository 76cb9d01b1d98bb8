"""Motivation (seeds 002, 004): the monthly commission statement of a person, every line
traced to a payment event of an invoice (INVOICE_EVENTS.md).

A line is a payment (or refund) dated in the month, credited to the invoice's responsible:
its amount split over the product groups of the invoice's deal lines (in proportion to their
totals), times the scheme's percent for each group, times the multiplier of the step the
person's revenue plan achievement reached. A hunter's line is the hunter's share of a
handed-off client's later sales (the share and the period recorded at handoff by `sales`),
not multiplied. An assistant's split (seed 002, `AssistantSplit`) moves a part of every line
the manager earns while it is valid to the assistant: a deduction line in the manager's
statement, a line of the same payment in the assistant's — the assistant's part follows the
manager's plan achievement, as it is a part of the multiplied commission. Being computed
from the log, a payment entered late still lands in the month of its date: the statement of
that month is recalculated the moment it arrives.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, ExpressionWrapper, F, Q, Sum

from greenwave.sales.models import ClientHandoff, Deal, DealItem

from . import kpis
from .models import AssistantSplit, CommissionScheme, PlanTarget

CENT = Decimal("0.01")
LINE_OWN, LINE_HUNTER = "own", "hunter_share"
# The manager's part given to the assistant (negative) and the assistant's line (positive).
LINE_TO_ASSISTANT, LINE_ASSISTANT = "to_assistant", "assistant_share"


@dataclass(frozen=True)
class Line:
    kind: str
    invoice: str
    invoice_id: str
    payment_date: date
    amount: Decimal
    base: Decimal
    percent: Decimal
    multiplier: Decimal
    commission: Decimal
    deal_id: int | None
    note: str = ""


@dataclass(frozen=True)
class Statement:
    month: kpis.Month
    user_id: int
    scheme: CommissionScheme | None
    paid: Decimal
    target: Decimal | None
    achievement: Decimal | None
    multiplier: Decimal
    lines: list[Line]

    @property
    def total(self) -> Decimal:
        return sum((line.commission for line in self.lines), Decimal(0))


def multiplier_for(scheme: CommissionScheme, achievement: Decimal | None) -> Decimal:
    """The multiplier of the highest step reached (1 below the first step or without a plan)."""
    result = Decimal(1)
    if achievement is None:
        return result
    for start, factor in sorted(
        ((Decimal(str(a)), Decimal(str(b))) for a, b in scheme.steps or []), key=lambda s: s[0]
    ):
        if achievement >= start:
            result = factor
    return result


def _group_shares(deal_ids: set[int]) -> dict[int, dict[int | None, Decimal]]:
    """{deal: {product group: share of the deal's lines}} (one grouped query)."""
    total = ExpressionWrapper(
        F("quantity") * F("price"), output_field=DecimalField(max_digits=20, decimal_places=5)
    )
    rows = (
        DealItem.objects.filter(deal_id__in=deal_ids)
        .values("deal_id", "product__group_id")
        .annotate(s=Sum(total))
        .order_by()
    )
    sums: dict[int, dict[int | None, Decimal]] = {}
    for row in rows:
        sums.setdefault(row["deal_id"], {})[row["product__group_id"]] = row["s"] or Decimal(0)
    shares: dict[int, dict[int | None, Decimal]] = {}
    for deal_id, groups in sums.items():
        whole = sum(groups.values(), Decimal(0))
        if whole > 0:
            shares[deal_id] = {g: v / whole for g, v in groups.items()}
    return shares


def _percent(scheme: CommissionScheme, group_id: int | None) -> Decimal:
    value = (scheme.group_percents or {}).get(str(group_id)) if group_id else None
    return Decimal(str(value)) if value is not None else scheme.default_percent


def revenue_target(user_id: int, month: kpis.Month) -> Decimal | None:
    """The person's revenue target of the month (None without a plan)."""
    return (
        PlanTarget.objects.filter(
            plan__period=month.first, plan__user_id=user_id, kpi__key="revenue"
        )
        .values_list("target", flat=True)
        .first()
    )


def splits_of(user_id: int, month: kpis.Month) -> list[AssistantSplit]:
    """The splits where the person is the manager or the assistant, valid in the month."""
    return list(
        AssistantSplit.objects.filter(Q(manager_id=user_id) | Q(assistant_id=user_id))
        .filter(valid_from__lte=month.last)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=month.first))
        .select_related("manager", "assistant")
        .order_by("valid_from", "pk")
    )


def _split_line(line: Line, split: AssistantSplit, kind: str, sign: int, who: str) -> Line:
    part = (line.commission * split.share_percent / 100).quantize(CENT)
    return Line(
        kind,
        line.invoice,
        line.invoice_id,
        line.payment_date,
        line.amount,
        line.commission,
        split.share_percent,
        Decimal(1),
        sign * part,
        line.deal_id,
        note=who,
    )


def _assistant_lines(split: AssistantSplit, month: kpis.Month) -> list[Line]:
    """The assistant's lines of one split: its part of every line the manager earns on a day
    the split covers."""
    manager = _earned(
        user_id=split.manager_id, month=month, target=revenue_target(split.manager_id, month)
    )
    return [
        _split_line(line, split, LINE_ASSISTANT, 1, str(split.manager))
        for line in manager.lines
        if split.covers(line.payment_date)
    ]


@dataclass(frozen=True)
class Assisted:
    """The revenue an assistant shares in through one split in a month: the manager's paid
    revenue on the days the split covers (the payments behind it), the assistant's part of
    it (`share_percent` % of that revenue) and the commission it brings the assistant — the
    sum of the `assistant_share` lines of this split in the assistant's statement (which also
    carry the share of the manager's hunter lines, not part of the manager's revenue)."""

    split: AssistantSplit
    revenue: Decimal
    revenue_share: Decimal
    commission: Decimal
    payments: list[kpis.Fact]


def covered_payments(split: AssistantSplit, month: kpis.Month) -> list[kpis.Fact]:
    """The manager's own payments (and refunds) of the month on the days the split covers:
    the revenue the assistant shares in, as the statement counts it (paid, by payment date)."""
    ctx = kpis.context_for(month)
    return [
        f
        for f in kpis.payments(ctx, kpis.Scope(user_ids=frozenset({split.manager_id})))
        if f.user_id == split.manager_id and split.covers(f.day)
    ]


def assisted(*, user_id: int, month: kpis.Month) -> list[Assisted]:
    """Every split valid in the month where the person is the assistant (none: no query
    beyond the one that finds the splits)."""
    result = []
    has_scheme = CommissionScheme.objects.filter(is_active=True).exists()
    for split in splits_of(user_id, month):
        if split.assistant_id != user_id:
            continue
        facts = covered_payments(split, month)
        revenue = sum((f.value for f in facts), Decimal(0))
        lines = _assistant_lines(split, month) if has_scheme else []
        result.append(
            Assisted(
                split=split,
                revenue=revenue,
                revenue_share=(revenue * split.share_percent / 100).quantize(CENT),
                commission=sum((line.commission for line in lines), Decimal(0)),
                payments=facts,
            )
        )
    return result


def statement(*, user_id: int, month: kpis.Month, target: Decimal | None) -> Statement:
    """The statement of the month: own and hunter's lines, then the assistant splits."""
    own = _earned(user_id=user_id, month=month, target=target)
    if own.scheme is None:
        return own
    lines = list(own.lines)
    for split in splits_of(user_id, month):
        if split.manager_id == user_id:
            lines += [
                _split_line(line, split, LINE_TO_ASSISTANT, -1, str(split.assistant))
                for line in own.lines
                if split.covers(line.payment_date)
            ]
        elif split.assistant_id == user_id:
            lines += _assistant_lines(split, month)
    lines.sort(key=lambda line: (line.payment_date, line.invoice, line.kind))
    return Statement(
        month, user_id, own.scheme, own.paid, target, own.achievement, own.multiplier, lines
    )


def _hunter_lines(
    user_id: int,
    facts: list[kpis.Fact],
    deal_of: dict[str, int | None],
    deals: dict[int, Any],
    handoffs: dict[int, Any],
) -> list[Line]:
    """The hunter's share of others' payments: of their own deal's, or of the farmer's later
    deals of a client handed off (until the handoff's share ends)."""
    found: list[Line] = []
    for fact in facts:
        deal = deals.get(deal_of.get(fact.ref) or 0)
        if deal is None or fact.user_id == user_id:
            continue
        handoff = handoffs.get(deal["company_id"])
        share = Decimal(0)
        if deal["hunter_id"] == user_id and deal["hunter_share_percent"]:
            share = deal["hunter_share_percent"]
        elif (
            handoff is not None
            and handoff.hunter_id == user_id
            and handoff.deal_id != deal["pk"]
            and fact.day <= handoff.share_until
        ):
            share = handoff.share_percent
        if share:
            found.append(
                Line(
                    LINE_HUNTER,
                    fact.label,
                    fact.ref,
                    fact.day,
                    fact.value,
                    fact.value,
                    share,
                    Decimal(1),
                    (fact.value * share / 100).quantize(CENT),
                    deal["pk"],
                    note=deal["title"],
                )
            )
    return found


def _earned(*, user_id: int, month: kpis.Month, target: Decimal | None) -> Statement:
    """What the person earns before any assistant split."""
    scheme = CommissionScheme.objects.filter(is_active=True).order_by("pk").first()
    ctx = kpis.context_for(month)
    facts = kpis.payments(ctx, kpis.Scope())
    invoices = kpis.invoices_of(ctx, {f.ref for f in facts}) if facts else {}
    deal_of = {f.ref: invoices[f.ref].deal_id if f.ref in invoices else None for f in facts}
    deal_ids = {d for d in deal_of.values() if d}
    deals: dict[int, Any] = {
        d["pk"]: d
        for d in Deal.objects.filter(pk__in=deal_ids).values(
            "pk", "company_id", "hunter_id", "hunter_share_percent", "title"
        )
    }
    handoffs = {
        h.company_id: h
        for h in ClientHandoff.objects.filter(
            company_id__in={d["company_id"] for d in deals.values() if d["company_id"]}
        )
    }
    own = [f for f in facts if f.user_id == user_id]
    paid = sum((f.value for f in own), Decimal(0))
    achievement = (100 * paid / target).quantize(CENT) if target else None
    lines: list[Line] = []
    if scheme is None:
        return Statement(month, user_id, None, paid, target, achievement, Decimal(1), lines)
    multiplier = multiplier_for(scheme, achievement)
    shares = _group_shares(deal_ids)
    for fact in own:
        deal_id = deal_of.get(fact.ref)
        split = shares.get(deal_id or 0) or {None: Decimal(1)}
        for group_id, share in sorted(split.items(), key=lambda g: g[0] or 0):
            base = (fact.value * share).quantize(CENT)
            percent = _percent(scheme, group_id)
            lines.append(
                Line(
                    LINE_OWN,
                    fact.label,
                    fact.ref,
                    fact.day,
                    fact.value,
                    base,
                    percent,
                    multiplier,
                    (base * percent / 100 * multiplier).quantize(CENT),
                    deal_id,
                    note=str(group_id or ""),
                )
            )
    lines += _hunter_lines(user_id, facts, deal_of, deals, handoffs)
    lines.sort(key=lambda line: (line.payment_date, line.invoice, line.kind))
    return Statement(month, user_id, scheme, paid, target, achievement, multiplier, lines)
