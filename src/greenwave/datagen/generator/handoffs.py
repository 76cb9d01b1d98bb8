"""Hunter → farmer handoffs of the clients won by hunters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from greenwave.datagen.generator.base import (
    _Batch,
    _GeneratorBase,
    _Users,
)


@dataclass(frozen=True)
class _Handoff:
    """One client handed from its hunter to a farmer after its first sale (`deal`)."""

    company: int
    deal: int
    hunter: int
    farmer: int
    at: datetime
    percent: Decimal
    share_until: date
    contact_ids: range


class HandoffsMixin(_GeneratorBase):
    def _handoffs(self, users: _Users) -> None:
        """The first sale of a hunter's client hands it to the least loaded farmer, as
        `sales.services.client_handoff` does when the deal is won: the handoff row, the
        client (and its contacts) reassigned and made current, and the client's events
        `company_reassigned`, `company_changed`, `client_handed_off`. In the order of the
        wins, so each farmer's load is the one the service would have counted."""
        farmers = sorted(users.by_role["farmer"])
        load = {f: self.clients_of.get(f, 0) for f in farmers}
        wins = sorted(
            (at, deal, company, hunter) for company, (at, deal, hunter) in self.first_win.items()
        )
        for start in range(0, len(wins), self.config.chunk):
            batch = _Batch()
            companies: list[dict[str, Any]] = []
            contacts: list[dict[str, Any]] = []
            for won_at, deal, company, hunter in wins[start : start + self.config.chunk]:
                farmer = min(farmers, key=lambda f: (load[f], f))
                load[farmer] += 1
                handoff = self._handoff(batch, won_at, deal, company, (hunter, farmer))
                team = users.team_of[farmer]
                companies.append(
                    {
                        "id": company,
                        "responsible_id": farmer,
                        "team_id": team,
                        "segment": "current",
                        "updated_at": handoff.at,
                    }
                )
                contacts.extend(
                    {"id": c, "responsible_id": farmer, "team_id": team}
                    for c in handoff.contact_ids
                )
                self._handoff_events(batch, users, handoff)
            self._finish_events(batch)
            with self.sink.phase():
                for table, rows in batch.tables():
                    self._emit(table, rows)
                self.sink.update("crm.company", companies)
                self.sink.update("crm.contact", contacts)
            self.progress(f"handoffs {min(start + self.config.chunk, len(wins))}/{len(wins)}")

    def _handoff(
        self, batch: _Batch, won_at: datetime, deal: int, company: int, who: tuple[int, int]
    ) -> _Handoff:
        """The handoff row of one client from its hunter to a farmer (`who`)."""
        hunter, farmer = who
        percent, months = self.ref.hunter_share
        at = won_at + timedelta(milliseconds=self.rng.randint(2, 9))
        local_day = at.astimezone(ZoneInfo(self.ref.time_zone)).date()
        share_until = local_day + timedelta(days=30 * months)
        batch.handoffs.append(
            {
                "id": self._id("sales.clienthandoff"),
                "created_at": at,
                "updated_at": at,
                "company_id": company,
                "hunter_id": hunter,
                "farmer_id": farmer,
                "deal_id": deal,
                "share_percent": percent,
                "share_until": share_until,
            }
        )
        first, count = self.contacts_of[company]
        return _Handoff(
            company=company,
            deal=deal,
            hunter=hunter,
            farmer=farmer,
            at=at,
            percent=percent,
            share_until=share_until,
            contact_ids=range(first, first + count),
        )

    def _handoff_events(self, batch: _Batch, users: _Users, handoff: _Handoff) -> None:
        """The client's `company_reassigned`, `company_changed`, `client_handed_off`."""
        at, hunter, farmer = handoff.at, handoff.hunter, handoff.farmer
        reassigned_links = [
            ("user", str(hunter), "previous_responsible"),
            ("user", str(farmer), "responsible"),
            *(("contact", str(c), "contact") for c in handoff.contact_ids),
        ]
        handed_off_links = [
            ("deal", str(handoff.deal), "first_sale"),
            ("user", str(hunter), "hunter"),
            ("user", str(farmer), "farmer"),
        ]
        reassigned = {
            "responsible": [users.full_name[hunter], users.full_name[farmer]],
            "team": [
                users.team_name[users.team_of[hunter]],
                users.team_name[users.team_of[farmer]],
            ],
        }
        handed_off = {
            "hunter": users.username[hunter],
            "farmer": users.username[farmer],
            "share_percent": str(handoff.percent),
            "share_until": handoff.share_until.isoformat(),
        }
        chain = [
            (
                at,
                "company_reassigned",
                None,
                {"changes": reassigned},
                tuple(sorted(reassigned_links)),
            ),
            (
                at + timedelta(milliseconds=1),
                "company_changed",
                None,
                {"changes": {"segment": ["new", "current"]}},
                (),
            ),
            (
                at + timedelta(milliseconds=2),
                "client_handed_off",
                hunter,
                handed_off,
                tuple(sorted(handed_off_links)),
            ),
        ]
        batch.case_events("company", handoff.company, chain)
