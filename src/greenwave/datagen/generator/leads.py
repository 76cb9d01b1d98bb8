"""Leads: converted ones behind the deals, and disqualified ones, each classified as seed 001's
manager does (category, prospect rating, probability of closing, plan of next steps)."""

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

# Who the lead's company is (weights): mostly end users, then wholesale and dealers.
LEAD_CATEGORIES = (
    ("end_user", 45),
    ("wholesale", 20),
    ("dealer", 15),
    ("integrator", 12),
    ("public", 5),
    ("other", 3),
)
# Prospect rating (weights) of a lead that became a deal and of one that was refused, with the
# range of its probability of closing (whole percent, in steps of 5).
CONVERTED_RATINGS = (("hot", 40), ("warm", 50), ("cold", 10))
REFUSED_RATINGS = (("hot", 5), ("warm", 25), ("cold", 70))
PROBABILITY_RANGES = {"hot": (60, 90), "warm": (30, 55), "cold": (5, 25)}
# Refused leads the call centre closed before classifying them.
UNCLASSIFIED_REFUSED = 0.3
NEXT_STEPS = {
    "hot": (
        "Выслать КП до пятницы, назначить встречу с ЛПР.",
        "Согласовать спецификацию и сроки поставки, подготовить договор.",
        "Провести демонстрацию на объекте клиента, обсудить условия оплаты.",
    ),
    "warm": (
        "Уточнить объём и график закупок, выслать прайс-лист.",
        "Выяснить, кто принимает решение, и договориться о звонке с ним.",
        "Отправить кейсы похожих клиентов, перезвонить через неделю.",
    ),
    "cold": (
        "Добавить в рассылку, перезвонить через квартал.",
        "Выслать каталог, вернуться к разговору перед новым бюджетным годом.",
        "",
    ),
}


class LeadsMixin(_GeneratorBase):
    def _lead_classification(self, *, converted: bool) -> dict[str, Any]:
        """A lead's classification: a converted one is classified, mostly hot or warm; a refused
        one is mostly cold, and some were refused before anyone classified them."""
        rng = self.classification_rng
        if not converted and rng.random() < UNCLASSIFIED_REFUSED:
            return {}
        ratings = CONVERTED_RATINGS if converted else REFUSED_RATINGS
        rating = rng.choices([r for r, _w in ratings], [w for _r, w in ratings])[0]
        low, high = PROBABILITY_RANGES[rating]
        return {
            "category": rng.choices(
                [c for c, _w in LEAD_CATEGORIES], [w for _c, w in LEAD_CATEGORIES]
            )[0],
            "rating": rating,
            "close_probability": rng.randrange(low, high + 1, 5),
            "next_steps": rng.choice(NEXT_STEPS[rating]),
        }

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
        lead.update(self._lead_classification(converted=True))
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
                lead.update(self._lead_classification(converted=False))
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
