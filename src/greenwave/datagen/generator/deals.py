"""Deals walking the B2B pipeline with their events, lines, losses and wins."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from greenwave.datagen import names
from greenwave.datagen.generator.activities import ActivitiesMixin
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
                    company,
                    owner,
                    contact,
                    hunted,
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
        company: int,
        owner: int,
        contact: int,
        hunted: bool,
        created: datetime,
        horizon: datetime,
    ) -> None:
        rng, ref = self.rng, self.ref
        pk = self._id("sales.deal")
        case = str(pk)
        stages = ref.stages
        objects = (("company", str(company), "client"), ("user", str(owner), "responsible"))
        # when, activity, payload, actor, links: True = the deal's own objects, or given ones
        events: list[tuple[datetime, str, dict[str, Any], int | None, bool | tuple[Any, ...]]] = []
        s_id, s_code, s_name, _exp, _prob = stages[0]
        events.append(
            (
                created,
                "deal_created",
                {"stage": s_id, "stage_name": s_name, "pipeline": ref.pipeline_id},
                owner,
                True,
            )
        )
        amount = Decimal(int(rng.lognormvariate(math.log(400_000), 0.9)) // 100 * 100)
        amount = amount.quantize(CENTS)  # as a deal's amount reads back from its column
        lines: list[tuple[int, int, Decimal]] = []  # product, quantity, price
        if self.products and rng.random() < DEALS_WITH_LINES:
            for _ in range(rng.choice((1, 1, 2, 2, 3, 4))):
                product, price = rng.choice(self.products)
                wanted = amount / 2 / price if price else Decimal(1)
                quantity = max(1, min(500, int(wanted * Decimal(rng.uniform(0.5, 1.5)))))
                lines.append((product, quantity, price))
            # Added one by one right after the deal was created (`deal_add_item`): each line
            # priced from the deal's price list, the amount re-summed, a `deal_changed` event.
            running = Decimal(0).quantize(CENTS)
            for k, (product, quantity, price) in enumerate(lines):
                before = running
                running += (quantity * price).quantize(CENTS)
                batch.deal_items.append(
                    {
                        "id": self._id("sales.dealitem"),
                        "deal_id": pk,
                        "product_id": product,
                        "quantity": Decimal(quantity),
                        "price": price,
                    }
                )
                events.append(
                    (
                        created + timedelta(minutes=k + 1, seconds=rng.uniform(0, 50)),
                        "deal_changed",
                        {
                            "item_added": {
                                "product": self.product_names[product],
                                "quantity": str(quantity),
                                "price": str(price),
                            },
                            "changes": {"amount": [str(before), str(running)]},
                        },
                        owner,
                        (("product", str(product), "product"),),
                    )
                )
            amount = running
        last = len(stages) - 1
        # Rows the walk adds, kept to be dropped if it is walked again faster (the open cap).
        marks = (len(events), len(batch.instances), len(batch.tasks), len(batch.events))
        speed = 1.0
        while True:
            i, entered, reworks = 0, created, 0
            # One approval process per deal: its first pass of the contract stage.
            approved = False
            status, closed_at, lost_reason = "open", None, None
            while True:
                s_id, s_code, s_name, expected, _prob = stages[i]
                stay = timedelta(days=self._stage_days(s_code, expected) / speed)
                leave = entered + stay
                if leave >= horizon:
                    break
                seconds = int(stay.total_seconds())
                r = rng.random()
                lose = r < LOSS_P.get(s_code, 0.0)
                back = (
                    not lose
                    and reworks < MAX_REWORK
                    and r < LOSS_P.get(s_code, 0) + BACK_P.get(s_code, 0)
                )
                if not lose and not back:
                    drafted: datetime | None = None
                    for k, (kind, what) in enumerate(STAGE_OUTPUTS.get(s_code, ())):
                        at = entered + stay * (0.3 + 0.2 * k + 0.1 * rng.random())
                        if kind == "document":
                            payload = {"document": what, "title": DOCUMENT_TITLES[what]}
                            events.append((at, "deal_document_attached", payload, owner, False))
                            drafted = at
                        else:
                            # The contract's approval process runs from the draft to just before
                            # the move on; the deal's approval is its lawyer's, when it ends.
                            done = None
                            if what == "contract" and drafted and ref.approval and not approved:
                                done = self._contract_approval(
                                    batch, users, pk, owner, drafted, leave
                                )
                                approved = done is not None
                            when, approver = done or (at, rng.choice(approvers[what]))
                            payload = {"approval": what, "comment": ""}
                            events.append((when, "deal_approved", payload, approver, False))
                if lose:
                    reason = self._loss_reason(s_code)
                    r_id, r_name = ref.loss_reasons[reason]
                    events.append(
                        (
                            leave,
                            "deal_lost",
                            {
                                "stage": s_id,
                                "stage_name": s_name,
                                "reason": r_name,
                                "comment": "",
                                "seconds_in_stage": seconds,
                            },
                            owner,
                            True,
                        )
                    )
                    status, closed_at, lost_reason = "lost", leave, r_id
                    break
                if i == last:
                    events.append(
                        (
                            leave,
                            "deal_won",
                            {
                                "stage": s_id,
                                "stage_name": s_name,
                                "amount": str(amount),
                                "seconds_in_stage": seconds,
                            },
                            owner,
                            True,
                        )
                    )
                    status, closed_at = "won", leave
                    break
                j = self.stage_index[BACK_TO[s_code]] if back else i + 1
                reworks += back
                t_id, _t_code, t_name, _e, _p = stages[j]
                events.append(
                    (
                        leave,
                        "deal_stage_changed",
                        {
                            "from_stage": s_id,
                            "from_name": s_name,
                            "to_stage": t_id,
                            "to_name": t_name,
                            "direction": "back" if back else "forward",
                            "seconds_in_stage": seconds,
                            "override": False,
                            "override_comment": "",
                            "missing": [],
                        },
                        owner,
                        True,
                    )
                )
                i, entered = j, leave
            cap = self.config.max_open
            if status != "open" or cap is None or self.open_deals < cap or speed >= 64:
                break
            del events[marks[0] :]
            del batch.instances[marks[1] :]
            del batch.tasks[marks[2] :]
            del batch.events[marks[3] :]
            speed *= 2
        self.open_deals += status == "open"
        s_id, s_code, s_name, _exp, probability = stages[i]
        worked = horizon >= self.config.end  # not one of the neglected clients' deals
        if status == "open" and s_code == "contract" and ref.approval and not approved and worked:
            # Still in the contract stage: the draft is recent and its approval process is
            # running (or has just ended, then the deal has the lawyer's approval). A deal
            # left alone months ago has no draft out: no review waits for it for months.
            drafted = max(entered, horizon - timedelta(hours=rng.uniform(1, 120)))
            done = self._contract_approval(batch, users, pk, owner, drafted, horizon, running=True)
            if done is not None:
                payload = {"approval": "contract", "comment": ""}
                events.append((done[0], "deal_approved", payload, done[1], False))
        changes = 0
        target = self.config.events_per_deal
        if target and len(events) < target:
            end = closed_at or min(horizon, max(entered, created) + timedelta(days=30))
            window = max((end - created).total_seconds(), 60.0)
            close = (created + timedelta(days=45)).date()
            for _ in range(target - len(events)):
                at = created + timedelta(seconds=1 + rng.random() * (window - 2))
                new_close = close + timedelta(days=rng.randint(3, 30))
                change = {"expected_close_date": [close.isoformat(), new_close.isoformat()]}
                events.append((at, "deal_changed", {"changes": change}, owner, False))
                close, changes = new_close, changes + 1
        events.sort(key=lambda e: e[0])
        prev_activity, prev_ts = "", None
        for at, activity, payload, actor, linked in events:
            batch.events.append(
                {
                    "id": 0,
                    "case_type": "deal",
                    "case_id": case,
                    "activity": activity,
                    "timestamp": at,
                    "actor_id": actor,
                    "payload": payload,
                    "prev_activity": prev_activity,
                    "prev_timestamp": prev_ts,
                    "_links": objects if linked is True else (linked or ()),
                }
            )
            prev_activity, prev_ts = activity, at
        moves = sum(1 for e in events if e[1] in ("deal_stage_changed", "deal_won", "deal_lost"))
        batch.deals.append(
            {
                "id": pk,
                "title": names.dated_deal_title(rng, created),
                "pipeline_id": ref.pipeline_id,
                "stage_id": s_id,
                "status": status,
                "company_id": company,
                "amount": amount,
                "currency": "RUB",
                "probability": 100 if status == "won" else 0 if status == "lost" else probability,
                "expected_close_date": (created + timedelta(days=45)).date(),
                "responsible_id": owner,
                "team_id": users.team_of[owner],
                "hunter_id": owner if hunted else None,
                "hunter_share_percent": Decimal(0),
                "stage_entered_at": entered,
                "lost_reason_id": lost_reason,
                "closed_at": closed_at,
                "version": 1 + moves + changes + len(lines),
                "price_list_id": self.ref.price_lists[0][0] if lines else None,
                "created_at": created,
                "updated_at": events[-1][0],
            }
        )
        batch.deal_contacts.append(
            {"id": self._id("sales.deal_contacts"), "deal_id": pk, "contact_id": contact}
        )
        self._activities(
            batch,
            users,
            owner,
            company,
            contact,
            pk,
            created,
            closed_at or horizon,
            open_at_end=status == "open",
        )
        if rng.random() < 0.6:
            self._converted_lead(batch, users, call_centre, company, contact, pk, created)
        if hunted and status == "won" and closed_at is not None:
            known = self.first_win.get(company)
            if known is None or closed_at < known[0]:
                self.first_win[company] = (closed_at, pk, owner)
