"""Leads: converted ones behind the deals, and disqualified ones."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from greenwave.datagen import names
from greenwave.datagen.generator.base import (
    DISQUALIFY_REASONS,
    LEAD_CHANNELS,
    UTM_CAMPAIGNS,
    _Batch,
    _GeneratorBase,
    _Users,
)


class LeadsMixin(_GeneratorBase):
    def _lead_row(
        self,
        users: _Users,
        call_centre: list[int],
        created: datetime,
        company: int | None,
        contact: int | None,
    ) -> dict[str, Any]:
        rng = self.rng
        source, _w, utm = rng.choices(LEAD_CHANNELS, [c[1] for c in LEAD_CHANNELS])[0]
        owner = rng.choice(call_centre)
        pk = self._id("sales.lead")
        first, last, _middle = names.person(rng, rng.random() < 0.5)
        return {
            "id": pk,
            "title": f"Заявка: {names.deal_title(rng)}",
            "status": "new",
            "source": source,
            "utm_source": utm[0] if utm else "",
            "utm_medium": utm[1] if utm else "",
            "utm_campaign": rng.choice(UTM_CAMPAIGNS) if utm else "",
            "contact_name": f"{first} {last}",
            "phone": names.mobile(rng),
            "email": f"{names.translit(last)}{pk}@example.ru",
            "responsible_id": owner,
            "team_id": users.team_of[owner],
            "company_id": company,
            "contact_id": contact,
            "created_at": created,
            "updated_at": created,
        }

    def _lead_closed(
        self,
        batch: _Batch,
        lead: dict[str, Any],
        closed: datetime,
        fields: dict[str, Any],
        steps: list[tuple[datetime, str, dict[str, Any], tuple[tuple[str, str, str], ...]]],
    ) -> None:
        """A lead closed at `closed` (converted or disqualified): its row, with `fields`, and
        its events — created, then `steps`."""
        lead.update(fields, closed_at=closed, updated_at=closed)
        batch.leads.append(lead)
        created = lead["created_at"]
        chain = [
            (
                created,
                "lead_created",
                {
                    "source": lead["source"],
                    "utm_source": lead["utm_source"],
                    "utm_campaign": lead["utm_campaign"],
                },
                (),
            ),
            *steps,
        ]
        owner = lead["responsible_id"]
        batch.case_events(
            "lead",
            lead["id"],
            ((at, activity, owner, payload, links) for at, activity, payload, links in chain),
        )

    def _converted_lead(
        self,
        batch: _Batch,
        users: _Users,
        call_centre: list[int],
        company: int,
        contact: int,
        deal: int,
        deal_created: datetime,
    ) -> None:
        rng = self.rng
        created = deal_created - timedelta(hours=rng.uniform(4, 240))
        self._touch(company, created)
        lead = self._lead_row(users, call_centre, created, company, contact)
        mql = created + (deal_created - created) * 0.3
        sql = created + (deal_created - created) * 0.7
        converted = deal_created - timedelta(seconds=1)
        self._lead_closed(
            batch,
            lead,
            converted,
            {"status": "converted", "qualified_at": sql, "deal_id": deal},
            [
                (mql, "lead_qualified", {"from": "new", "to": "mql"}, ()),
                (sql, "lead_qualified", {"from": "mql", "to": "sql"}, ()),
                (converted, "lead_converted", {"deal": deal}, (("deal", str(deal), "deal"),)),
            ],
        )

    def _disqualified_leads(
        self, users: _Users, companies: list[tuple[int, int, int, bool]]
    ) -> None:
        rng, cfg = self.rng, self.config
        call_centre = users.by_role["call_center"]
        count = cfg.deals // 3
        span = (cfg.end - self.start).total_seconds()
        done = 0
        while done < count:
            n = min(cfg.chunk, count - done)
            batch = _Batch()
            for _ in range(n):
                created = self.start + timedelta(seconds=rng.random() * span)
                lead = self._lead_row(users, call_centre, created, None, None)
                # Closed by the end of the history at the latest (a lead created in its last
                # three days was closed "tomorrow" otherwise).
                closed = min(created + timedelta(hours=rng.uniform(1, 72)), cfg.end)
                reason = rng.choice(DISQUALIFY_REASONS)
                self._lead_closed(
                    batch,
                    lead,
                    closed,
                    {"status": "disqualified", "disqualification_reason": reason},
                    [(closed, "lead_disqualified", {"reason": reason, "comment": ""}, ())],
                )
            self._finish_events(batch)
            with self.sink.phase():
                for table, rows in batch.tables():
                    self._emit(table, rows)
            done += n
            self.progress(f"disqualified leads {done}/{count}")
