"""Deals walking the B2B pipeline with their events, lines, losses and wins."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from greenwave.datagen import names
from greenwave.datagen.generator.activities import ActivitiesMixin, Around
from greenwave.datagen.generator.base import (
    BACK_P,
    BACK_TO,
    BOTTLENECK_FACTOR,
    BOTTLENECK_STAGE,
    CENTS,
    DEALS_WITH_LINES,
    DOCUMENT_TITLES,
    LOSS_P,
    MAX_REWORK,
    NEGLECT_DAYS,
    SKEWED_LOSS_SHARE,
    SKEWED_LOSS_STAGE,
    STAGE_OUTPUTS,
    _Batch,
    _Users,
)
from greenwave.datagen.generator.handoffs import HandoffsMixin
from greenwave.datagen.generator.leads import LeadsMixin
from greenwave.datagen.generator.processes import ProcessesMixin

# One event of a deal: when, activity, payload, actor, links (True: the deal's own objects).
_DealEvent = tuple[datetime, str, dict[str, Any], int | None, bool | tuple[Any, ...]]


@dataclass
class _DealDraft:
    """One deal as it is drawn: whose and when, its events so far, where its walk ended."""

    pk: int
    company: int
    owner: int
    contact: int
    hunted: bool
    created: datetime
    horizon: datetime
    entered: datetime  # when it entered the stage it ends in
    events: list[_DealEvent] = field(default_factory=list)
    amount: Decimal = Decimal(0)
    lines: int = 0  # product lines
    stage: int = 0  # the index of the stage it ends in
    approved: bool = False  # its contract approval process ran
    status: str = "open"
    closed_at: datetime | None = None
    lost_reason: int | None = None
    changes: int = 0  # padding changes of the expected close date


class DealsMixin(ActivitiesMixin, ProcessesMixin, LeadsMixin, HandoffsMixin):
    def _stage_days(self, code: str, expected: int) -> float:
        days = expected * self.rng.lognormvariate(math.log(0.8), 0.6)
        if code == BOTTLENECK_STAGE:
            days *= BOTTLENECK_FACTOR
        return max(days, 0.02)

    def _loss_reason(self, code: str) -> int:
        reasons = self.ref.loss_reasons
        if code == SKEWED_LOSS_STAGE and self.rng.random() < SKEWED_LOSS_SHARE:
            return self.skew_reason
        return self.rng.randrange(len(reasons))

    def _deals(
        self, users: _Users, companies: list[tuple[int, int, int, bool]], neglected: set[int]
    ) -> None:
        rng, cfg = self.rng, self.config
        call_centre = users.by_role["call_center"]
        approvers = {
            "cp": users.by_role["head_of_sales"],
            "contract": users.by_role["lawyer"],
            "payment": users.by_role["finance"],
        }
        done = 0
        span = (cfg.end - self.start).total_seconds()
        fresh = self._fresh_deals(users, companies)
        while done < cfg.deals:
            n = min(cfg.chunk, cfg.deals - done)
            batch = _Batch()
            for _ in range(n):
                if fresh:
                    (company, owner, contact, hunted), created = fresh.pop()
                else:
                    company, owner, contact, hunted = rng.choice(companies)
                    created = self.start + timedelta(seconds=rng.random() * span)
                horizon = cfg.end
                neglect_from = cfg.end - timedelta(days=NEGLECT_DAYS)
                if cfg.steady and company in neglected and created >= neglect_from:
                    while company in neglected:  # nobody sells to a neglected client lately
                        company, owner, contact, hunted = rng.choice(companies)
                if company in neglected:
                    if not cfg.steady:
                        created = self.start + timedelta(seconds=rng.random() * (span * 0.6))
                    horizon = min(neglect_from, created + timedelta(days=90))
                self._deal(
                    batch,
                    users,
                    approvers,
                    call_centre,
                    (company, owner, contact, hunted),
                    created,
                    horizon,
                )
            self._finish_events(batch)
            with self.sink.phase():
                for table, rows in batch.tables():
                    self._emit(table, rows)
            done += n
            self.progress(
                f"deals {done}/{cfg.deals}, events {self.result.counts.get('core.event', 0)}"
            )
        self._cards_dated()
        self._handoffs(users)
        self._disqualified_leads(users, companies)

    def _fresh_deals(
        self, users: _Users, companies: list[tuple[int, int, int, bool]]
    ) -> list[tuple[tuple[int, int, int, bool], datetime]]:
        """`fresh_per_seller` deals of each owner of new clients, with one of their clients,
        created in the last hours (taken first, before the open cap fills)."""
        per_seller = self.config.fresh_per_seller
        if not per_seller:
            return []
        clients: dict[int, list[tuple[int, int, int, bool]]] = {}
        for row in companies:
            if row[3]:
                clients.setdefault(row[1], []).append(row)
        fresh = []
        for seller, _weight in users.sellers:
            for _ in range(per_seller if clients.get(seller) else 0):
                created = self.config.end - timedelta(hours=self.rng.uniform(1, 12))
                fresh.append((self.rng.choice(clients[seller]), created))
        return fresh[::-1]  # popped from the end: in the sellers' order

    def _deal(
        self,
        batch: _Batch,
        users: _Users,
        approvers: Mapping[str, list[int]],
        call_centre: list[int],
        client: tuple[int, int, int, bool],
        created: datetime,
        horizon: datetime,
    ) -> None:
        """One deal of `client` (company, owner, contact, hunted): created, priced, walked
        through the stages until it closes or reaches `horizon`, with its events, approvals,
        activities and the lead it came from."""
        company, owner, contact, hunted = client
        self._touch(company, created)
        deal = _DealDraft(
            pk=self._id("sales.deal"),
            company=company,
            owner=owner,
            contact=contact,
            hunted=hunted,
            created=created,
            horizon=horizon,
            entered=created,
        )
        s_id, _s_code, s_name, _exp, _prob = self.ref.stages[0]
        deal.events.append(
            (
                created,
                "deal_created",
                {"stage": s_id, "stage_name": s_name, "pipeline": self.ref.pipeline_id},
                owner,
                True,
            )
        )
        self._deal_lines(batch, deal)
        self._deal_walk(batch, users, approvers, deal)
        self.open_deals += deal.status == "open"
        self._deal_running_approval(batch, users, deal)
        self._deal_padding(deal)
        deal.events.sort(key=lambda e: e[0])
        self._deal_events(batch, deal)
        batch.deals.append(self._deal_row(users, deal))
        batch.deal_contacts.append(
            {"id": self._id("sales.deal_contacts"), "deal_id": deal.pk, "contact_id": contact}
        )
        self._activities(
            batch,
            users,
            Around(owner, company, contact, deal.pk),
            created,
            deal.closed_at or horizon,
            open_at_end=deal.status == "open",
        )
        if self.rng.random() < 0.6:
            self._converted_lead(batch, users, call_centre, company, contact, deal.pk, created)
        if hunted and deal.status == "won" and deal.closed_at is not None:
            known = self.first_win.get(company)
            if known is None or deal.closed_at < known[0]:
                self.first_win[company] = (deal.closed_at, deal.pk, owner)

    def _deal_lines(self, batch: _Batch, deal: _DealDraft) -> None:
        """The amount; some deals get product lines, added one by one right after the deal
        was created (`deal_add_item`): each line priced from the deal's price list, the
        amount re-summed, a `deal_changed` event."""
        rng = self.rng
        amount = Decimal(int(rng.lognormvariate(math.log(400_000), 0.9)) // 100 * 100)
        deal.amount = amount.quantize(CENTS)  # as a deal's amount reads back from its column
        if not (self.products and rng.random() < DEALS_WITH_LINES):
            return
        lines: list[tuple[int, int, Decimal]] = []  # product, quantity, price
        for _ in range(rng.choice((1, 1, 2, 2, 3, 4))):
            product, price = rng.choice(self.products)
            wanted = deal.amount / 2 / price if price else Decimal(1)
            quantity = max(1, min(500, int(wanted * Decimal(rng.uniform(0.5, 1.5)))))
            lines.append((product, quantity, price))
        running = Decimal(0).quantize(CENTS)
        for k, (product, quantity, price) in enumerate(lines):
            before = running
            running += (quantity * price).quantize(CENTS)
            batch.deal_items.append(
                {
                    "id": self._id("sales.dealitem"),
                    "deal_id": deal.pk,
                    "product_id": product,
                    "quantity": Decimal(quantity),
                    "price": price,
                }
            )
            deal.events.append(
                (
                    deal.created + timedelta(minutes=k + 1, seconds=rng.uniform(0, 50)),
                    "deal_changed",
                    {
                        "item_added": {
                            "product": self.product_names[product],
                            "quantity": str(quantity),
                            "price": str(price),
                        },
                        "changes": {"amount": [str(before), str(running)]},
                    },
                    deal.owner,
                    (("product", str(product), "product"),),
                )
            )
        deal.amount = running
        deal.lines = len(lines)

    def _deal_walk(
        self,
        batch: _Batch,
        users: _Users,
        approvers: Mapping[str, list[int]],
        deal: _DealDraft,
    ) -> None:
        """Walks the stages; a deal that would stay open past the open cap is walked again
        faster (its rows of the slower walk dropped)."""
        marks = (len(deal.events), len(batch.instances), len(batch.tasks), len(batch.events))
        speed = 1.0
        while True:
            self._deal_stages(batch, users, approvers, deal, speed)
            cap = self.config.max_open
            if deal.status != "open" or cap is None or self.open_deals < cap or speed >= 64:
                return
            del deal.events[marks[0] :]
            del batch.instances[marks[1] :]
            del batch.tasks[marks[2] :]
            del batch.events[marks[3] :]
            speed *= 2

    def _deal_stages(
        self,
        batch: _Batch,
        users: _Users,
        approvers: Mapping[str, list[int]],
        deal: _DealDraft,
        speed: float,
    ) -> None:
        """One walk from the first stage: each stay drawn, then lost, sent back, moved on
        or won, until the deal closes or the horizon comes."""
        rng, stages = self.rng, self.ref.stages
        deal.stage, deal.entered, reworks = 0, deal.created, 0
        # One approval process per deal: its first pass of the contract stage.
        deal.approved = False
        deal.status, deal.closed_at, deal.lost_reason = "open", None, None
        while True:
            s_id, s_code, s_name, expected, _prob = stages[deal.stage]
            stay = timedelta(days=self._stage_days(s_code, expected) / speed)
            leave = deal.entered + stay
            if leave >= deal.horizon:
                return
            seconds = int(stay.total_seconds())
            r = rng.random()
            lose = r < LOSS_P.get(s_code, 0.0)
            back = (
                not lose
                and reworks < MAX_REWORK
                and r < LOSS_P.get(s_code, 0) + BACK_P.get(s_code, 0)
            )
            if not lose and not back:
                self._stage_outputs(batch, users, approvers, deal, s_code, stay)
            if lose:
                reason = self._loss_reason(s_code)
                r_id, r_name = self.ref.loss_reasons[reason]
                payload = {
                    "stage": s_id,
                    "stage_name": s_name,
                    "reason": r_name,
                    "comment": "",
                    "seconds_in_stage": seconds,
                }
                deal.events.append((leave, "deal_lost", payload, deal.owner, True))
                deal.status, deal.closed_at, deal.lost_reason = "lost", leave, r_id
                return
            if deal.stage == len(stages) - 1:
                payload = {
                    "stage": s_id,
                    "stage_name": s_name,
                    "amount": str(deal.amount),
                    "seconds_in_stage": seconds,
                }
                deal.events.append((leave, "deal_won", payload, deal.owner, True))
                deal.status, deal.closed_at = "won", leave
                return
            j = self.stage_index[BACK_TO[s_code]] if back else deal.stage + 1
            reworks += back
            t_id, _t_code, t_name, _e, _p = stages[j]
            payload = {
                "from_stage": s_id,
                "from_name": s_name,
                "to_stage": t_id,
                "to_name": t_name,
                "direction": "back" if back else "forward",
                "seconds_in_stage": seconds,
                "override": False,
                "override_comment": "",
                "missing": [],
            }
            deal.events.append((leave, "deal_stage_changed", payload, deal.owner, True))
            deal.stage, deal.entered = j, leave

    def _stage_outputs(
        self,
        batch: _Batch,
        users: _Users,
        approvers: Mapping[str, list[int]],
        deal: _DealDraft,
        s_code: str,
        stay: timedelta,
    ) -> None:
        """The documents and approvals a stage produces before the deal moves on."""
        rng = self.rng
        leave = deal.entered + stay
        drafted: datetime | None = None
        for k, (kind, what) in enumerate(STAGE_OUTPUTS.get(s_code, ())):
            at = deal.entered + stay * (0.3 + 0.2 * k + 0.1 * rng.random())
            if kind == "document":
                payload = {"document": what, "title": DOCUMENT_TITLES[what]}
                deal.events.append((at, "deal_document_attached", payload, deal.owner, False))
                drafted = at
                continue
            # The contract's approval process runs from the draft to just before the move
            # on; the deal's approval is its lawyer's, when it ends.
            done = None
            if what == "contract" and drafted and self.ref.approval and not deal.approved:
                done = self._contract_approval(batch, users, deal.pk, deal.owner, drafted, leave)
                deal.approved = done is not None
            when, approver = done or (at, rng.choice(approvers[what]))
            payload = {"approval": what, "comment": ""}
            deal.events.append((when, "deal_approved", payload, approver, False))

    def _deal_running_approval(self, batch: _Batch, users: _Users, deal: _DealDraft) -> None:
        """Still in the contract stage: the draft is recent and its approval process is
        running (or has just ended, then the deal has the lawyer's approval). A deal left
        alone months ago has no draft out: no review waits for it for months."""
        s_code = self.ref.stages[deal.stage][1]
        worked = deal.horizon >= self.config.end  # not one of the neglected clients' deals
        if not (
            deal.status == "open"
            and s_code == "contract"
            and self.ref.approval
            and not deal.approved
            and worked
        ):
            return
        drafted = max(deal.entered, deal.horizon - timedelta(hours=self.rng.uniform(1, 120)))
        done = self._contract_approval(
            batch, users, deal.pk, deal.owner, drafted, deal.horizon, running=True
        )
        if done is not None:
            payload = {"approval": "contract", "comment": ""}
            deal.events.append((done[0], "deal_approved", payload, done[1], False))

    def _deal_padding(self, deal: _DealDraft) -> None:
        """Up to `events_per_deal`: changes of the expected close date in between."""
        target = self.config.events_per_deal
        if not target or len(deal.events) >= target:
            return
        rng, created = self.rng, deal.created
        end = deal.closed_at or min(deal.horizon, max(deal.entered, created) + timedelta(days=30))
        window = max((end - created).total_seconds(), 60.0)
        close = (created + timedelta(days=45)).date()
        for _ in range(target - len(deal.events)):
            at = created + timedelta(seconds=1 + rng.random() * (window - 2))
            new_close = close + timedelta(days=rng.randint(3, 30))
            change = {"expected_close_date": [close.isoformat(), new_close.isoformat()]}
            deal.events.append((at, "deal_changed", {"changes": change}, deal.owner, False))
            close, deal.changes = new_close, deal.changes + 1

    def _deal_events(self, batch: _Batch, deal: _DealDraft) -> None:
        objects = (
            ("company", str(deal.company), "client"),
            ("user", str(deal.owner), "responsible"),
        )
        batch.case_events(
            "deal",
            deal.pk,
            (
                (at, activity, actor, payload, objects if linked is True else (linked or ()))
                for at, activity, payload, actor, linked in deal.events
            ),
        )

    def _deal_row(self, users: _Users, deal: _DealDraft) -> dict[str, Any]:
        s_id, _s_code, _s_name, _exp, probability = self.ref.stages[deal.stage]
        status, events = deal.status, deal.events
        moves = sum(1 for e in events if e[1] in ("deal_stage_changed", "deal_won", "deal_lost"))
        return {
            "id": deal.pk,
            "title": names.dated_deal_title(self.rng, deal.created),
            "pipeline_id": self.ref.pipeline_id,
            "stage_id": s_id,
            "status": status,
            "company_id": deal.company,
            "amount": deal.amount,
            "currency": "RUB",
            "probability": 100 if status == "won" else 0 if status == "lost" else probability,
            "expected_close_date": (deal.created + timedelta(days=45)).date(),
            "responsible_id": deal.owner,
            "team_id": users.team_of[deal.owner],
            "hunter_id": deal.owner if deal.hunted else None,
            "hunter_share_percent": Decimal(0),
            "stage_entered_at": deal.entered,
            "lost_reason_id": deal.lost_reason,
            "closed_at": deal.closed_at,
            "version": 1 + moves + deal.changes + deal.lines,
            "price_list_id": self.ref.price_lists[0][0] if deal.lines else None,
            "created_at": deal.created,
            "updated_at": events[-1][0],
        }
