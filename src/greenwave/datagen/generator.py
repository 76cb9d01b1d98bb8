"""A deterministic Russian B2B sales department, generated straight into the tables.

One seed gives the same rows every time (one `random.Random` drawn in a fixed order). Deals
walk the default B2B pipeline (data migration of the sales app) with stage durations, losses
with reasons, rework loops and wins; every step is written to the event log exactly as
`greenwave.sales.services` writes it (same activities, payloads, objects, and
`prev_activity`/`prev_timestamp` as `core.services.event_append` fills them), so the funnel,
history and mining read generated data as they read real data.

Planted facts — the known answers analytics must find (documented in bench/README.md):

* `BOTTLENECK_STAGE`: deals stay there ~`BOTTLENECK_FACTOR` times longer than its expected
  duration; most open deals sitting there are overdue ("stuck").
* `SKEWED_LOSS_STAGE` / `SKEWED_LOSS_REASON`: at that stage `SKEWED_LOSS_SHARE` of losses
  have that one reason (elsewhere reasons are spread).
* `OVERLOADED_MANAGER`: a farmer with `OVERLOADED_PORTFOLIO_FACTOR`× the average portfolio
  whose clients had no touch for the last `NEGLECT_DAYS` days: the most abandoned clients.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Protocol

from greenwave.datagen import names
from greenwave.datagen.requisites import REGIONS, make_inn10, make_kpp, make_ogrn13

BOTTLENECK_STAGE = "contract"
BOTTLENECK_FACTOR = 4.5
SKEWED_LOSS_STAGE = "cp_approval"
SKEWED_LOSS_REASON = "Цена выше, чем у конкурентов"
SKEWED_LOSS_SHARE = 0.7
OVERLOADED_MANAGER = "gen_farmer_01"
OVERLOADED_PORTFOLIO_FACTOR = 5
NEGLECT_DAYS = 45
SPAN_DAYS = 365
DATASET_CASE_TYPE = "dataset"
DATASET_ACTIVITY = "dataset_generated"

# Leaving stage `code`: probability of a loss and of a move back (rework), to `BACK_TO`.
LOSS_P = {
    "qualification": 0.25,
    "needs": 0.15,
    "presentation": 0.15,
    "cp_preparation": 0.05,
    "cp_approval": 0.22,
    "contract": 0.08,
    "invoice": 0.03,
    "payment": 0.06,
}
BACK_P = {"cp_approval": 0.15, "contract": 0.12, "invoice": 0.05}
BACK_TO = {"cp_approval": "cp_preparation", "contract": "cp_approval", "invoice": "contract"}
MAX_REWORK = 3
# What a stage's output leaves in the log when it is met (documents and approvals).
STAGE_OUTPUTS: dict[str, tuple[tuple[str, str], ...]] = {
    "needs": (("document", "questionnaire"),),
    "cp_preparation": (("document", "cp"),),
    "cp_approval": (("approval", "cp"),),
    "contract": (("document", "contract"), ("approval", "contract")),
    "invoice": (("document", "invoice"),),
    "payment": (("approval", "payment"),),
}
DOCUMENT_TITLES = {
    "questionnaire": "Анкета клиента",
    "cp": "Коммерческое предложение",
    "contract": "Договор поставки",
    "invoice": "Счёт на оплату",
}
LEAD_CHANNELS: tuple[tuple[str, int, tuple[str, str] | None], ...] = (
    # source, weight, (utm_source, utm_medium) or None
    ("web_form", 30, ("yandex", "cpc")),
    ("advertising", 15, ("google", "cpc")),
    ("social", 10, ("vk", "social")),
    ("email", 8, ("unisender", "email")),
    ("call", 15, None),
    ("exhibition", 7, None),
    ("referral", 10, None),
    ("cold", 5, None),
)
UTM_CAMPAIGNS = ("opt_2025", "b2b_spring", "tender_season", "retarget", "brand")
DISQUALIFY_REASONS = ("not_target", "no_need", "no_budget", "no_contact", "duplicate", "spam")


@dataclass(frozen=True)
class Config:
    deals: int
    seed: int = 1
    events_per_deal: int | None = None
    end: datetime = field(
        default_factory=lambda: datetime.combine(date.today(), time.min, tzinfo=UTC)
    )
    chunk: int = 10_000


class Sink(Protocol):
    """Where rows go: a table name (model label) and an iterable of row dicts."""

    def write(self, table: str, rows: list[dict[str, Any]]) -> None: ...

    def phase(self) -> AbstractContextManager[Any]:
        """One transaction around rows that point at each other (teams ↔ heads, a chunk)."""
        ...


@dataclass
class Reference:
    """Rows that already exist and that generated rows point at (read once from the DB)."""

    pipeline_id: int
    stages: list[tuple[int, str, str, int, int]]  # id, code, name, expected_days, probability
    loss_reasons: list[tuple[int, str]]  # id, name
    roles: dict[str, int]  # code -> id
    next_ids: dict[str, int]


@dataclass
class Result:
    counts: dict[str, int] = field(default_factory=dict)
    digest: str = ""


@dataclass
class _Users:
    rows: list[dict[str, Any]] = field(default_factory=list)
    by_role: dict[str, list[int]] = field(default_factory=dict)
    team_of: dict[int, int] = field(default_factory=dict)
    username: dict[int, str] = field(default_factory=dict)


def _ts(value: datetime) -> str:
    return value.isoformat()


class Generator:
    def __init__(self, config: Config, ref: Reference, sink: Sink) -> None:
        self.config = config
        self.ref = ref
        self.sink = sink
        # Not for secrets: a seeded, reproducible stream is the point.
        self.rng = random.Random(config.seed)  # noqa: S311
        self.ids = dict(ref.next_ids)
        self.result = Result()
        self._hash = hashlib.sha256()
        self.start = config.end - timedelta(days=SPAN_DAYS)
        self.stage_index = {code: i for i, (_p, code, *_r) in enumerate(ref.stages)}
        self.reason_weights = [1.0] * len(ref.loss_reasons)
        skew_idx = next(
            (i for i, (_id, name) in enumerate(ref.loss_reasons) if name == SKEWED_LOSS_REASON), 0
        )
        self.skew_reason = skew_idx
        self.progress: Callable[[str], None] = lambda _msg: None

    # -- plumbing

    def _id(self, table: str) -> int:
        value = self.ids[table]
        self.ids[table] = value + 1
        return value

    def _emit(self, table: str, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        self.result.counts[table] = self.result.counts.get(table, 0) + len(rows)
        for row in rows[:: max(1, len(rows) // 50)]:  # a sample keeps hashing cheap
            self._hash.update(repr(sorted(row.items())).encode())
        self.sink.write(table, rows)

    # -- people

    def _users(self) -> _Users:
        rng, cfg = self.rng, self.config
        managers = min(500, max(8, cfg.deals // 2000))
        sales_teams = max(2, managers // 12)
        users = _Users()
        teams: list[dict[str, Any]] = []

        def team(name: str, parent: int | None) -> int:
            pk = self._id("accounts.team")
            teams.append(
                {
                    "id": pk,
                    "name": name,
                    "parent_id": parent,
                    "head_id": None,
                    "created_at": self.start,
                    "updated_at": self.start,
                }
            )
            return pk

        def user(role: str, team_id: int, number: int, *, head: bool = False) -> int:
            pk = self._id("accounts.user")
            female = rng.random() < 0.45
            first, last, middle = names.person(rng, female)
            username = f"gen_{role}_{number:02d}"
            users.rows.append(
                {
                    "id": pk,
                    "username": username,
                    "password": "!datagen",
                    "first_name": first,
                    "last_name": last,
                    "middle_name": middle,
                    "email": f"{username}@example.ru",
                    "position": names.POSITIONS[role],
                    "phone": names.mobile(rng),
                    "team_id": team_id,
                    "is_active": True,
                    "date_joined": self.start,
                    "time_zone": "Europe/Moscow",
                    "language": "ru",
                }
            )
            users.by_role.setdefault(role, []).append(pk)
            users.team_of[pk] = team_id
            users.username[pk] = username
            if head:
                for t in teams:
                    if t["id"] == team_id:
                        t["head_id"] = pk
            return pk

        department = team("Отдел продаж", None)
        user("director", department, 1, head=True)
        call_centre = team("Колл-центр", department)
        user("head_of_sales", call_centre, 1, head=True)
        for n in range(1, max(2, managers // 5) + 1):
            user("call_center", call_centre, n)
        hunters = closers = 0
        for t in range(1, sales_teams + 1):
            group = team(f"Продажи — группа {t}", department)
            user("head_of_sales", group, t + 1, head=True)
            for _ in range(5):
                hunters += 1
                user("hunter", group, hunters)
            for _ in range(3):
                closers += 1
                user("closer", group, closers)
        clients = team("Клиентский отдел", department)
        user("head_of_sales", clients, sales_teams + 2, head=True)
        for n in range(1, max(3, managers // 6) + 1):
            user("farmer", clients, n)
        for n in range(1, max(1, managers // 20) + 1):
            user("kam", clients, n)
        back_office = team("Бэк-офис", department)
        for role in ("lawyer", "finance", "accountant", "hr", "admin"):
            user(role, back_office, 1)
        self._emit("accounts.team", teams)
        self._emit("accounts.user", users.rows)
        links = [
            {
                "id": self._id("accounts.user_roles"),
                "user_id": pk,
                "role_id": self.ref.roles["head_of_sales" if role == "director" else role],
            }
            for role, pks in users.by_role.items()
            for pk in pks
        ]
        self._emit("accounts.user_roles", links)
        return users

    # -- clients

    def _companies(self, users: _Users) -> tuple[list[tuple[int, int, int, bool]], set[int]]:
        """Companies and their contacts; returns (company, owner, contact, is_hunter's) rows
        and the set of neglected companies (the overloaded farmer's)."""
        rng, cfg = self.rng, self.config
        count = max(10, cfg.deals // 3)
        hunters = users.by_role["hunter"] + users.by_role.get("kam", [])
        farmers = users.by_role["farmer"]
        overloaded = next(pk for pk, name in users.username.items() if name == OVERLOADED_MANAGER)
        farmer_weights = [OVERLOADED_PORTFOLIO_FACTOR if f == overloaded else 1 for f in farmers]
        out: list[tuple[int, int, int, bool]] = []
        neglected: set[int] = set()
        done = 0
        while done < count:
            n = min(cfg.chunk, count - done)
            companies: list[dict[str, Any]] = []
            contacts: list[dict[str, Any]] = []
            for _ in range(n):
                pk = self._id("crm.company")
                current = rng.random() < 0.4
                owner = rng.choices(farmers, farmer_weights)[0] if current else rng.choice(hunters)
                if owner == overloaded:
                    neglected.add(pk)
                code, region = rng.choice(REGIONS)
                inn = make_inn10(rng, code)
                name = names.company(rng)
                phone = names.landline(rng, code)
                site = f"{names.latin(rng)}.ru"
                email = f"info@{site}"
                industry = rng.choice(names.INDUSTRIES)
                created = self.start - timedelta(days=rng.randint(0, 1500))
                search = " ".join([name, inn, region, industry, phone, email, site]).lower()
                companies.append(
                    {
                        "id": pk,
                        "name": name,
                        "inn": inn,
                        "kpp": make_kpp(inn),
                        "ogrn": make_ogrn13(rng, code, created.year),
                        "region": region,
                        "legal_address": names.address(rng, region),
                        "industry": industry,
                        "size": rng.choice(("micro", "small", "medium", "large")),
                        "source": rng.choice(
                            (
                                "website",
                                "cold_call",
                                "referral",
                                "exhibition",
                                "advertising",
                                "tender",
                            )
                        ),
                        "segment": "current" if current else "new",
                        "phone": phone,
                        "email": email,
                        "website": site,
                        "responsible_id": owner,
                        "team_id": users.team_of[owner],
                        "tags": [],
                        "custom_fields": {},
                        "search_text": search.replace("ё", "е"),
                        "created_at": created,
                        "updated_at": created,
                    }
                )
                first_contact = 0
                for position in range(rng.choice((1, 1, 2, 2, 3))):
                    cpk = self._id("crm.contact")
                    first_contact = first_contact or cpk
                    female = rng.random() < 0.5
                    first, last, middle = names.person(rng, female)
                    full = f"{last} {first} {middle}"
                    mobile = names.mobile(rng)
                    mail = f"{names.translit(last)}.{cpk}@{site}"
                    job = names.CONTACT_POSITIONS[position % len(names.CONTACT_POSITIONS)]
                    born = date(rng.randint(1960, 2000), rng.randint(1, 12), rng.randint(1, 28))
                    contacts.append(
                        {
                            "id": cpk,
                            "company_id": pk,
                            "full_name": full,
                            "position": job,
                            "phones": [mobile],
                            "emails": [mail],
                            "messengers": {},
                            "birthday": born,
                            "gender": "female" if female else "male",
                            "mailing_consent": rng.random() < 0.6,
                            "responsible_id": owner,
                            "team_id": users.team_of[owner],
                            "search_text": f"{full} {job} {mobile} {mail}".lower().replace(
                                "ё", "е"
                            ),
                            "created_at": created,
                            "updated_at": created,
                        }
                    )
                out.append((pk, owner, first_contact, not current))
            self._emit("crm.company", companies)
            self._emit("crm.contact", contacts)
            done += n
            self.progress(f"companies {done}/{count}")
        return out, neglected

    # -- deals

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
        while done < cfg.deals:
            n = min(cfg.chunk, cfg.deals - done)
            batch = _Batch()
            for _ in range(n):
                company, owner, contact, hunted = rng.choice(companies)
                created = self.start + timedelta(seconds=rng.random() * span)
                horizon = cfg.end
                if company in neglected:
                    created = self.start + timedelta(seconds=rng.random() * (span * 0.6))
                    horizon = min(
                        cfg.end - timedelta(days=NEGLECT_DAYS), created + timedelta(days=90)
                    )
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
        self._disqualified_leads(users, companies)

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
        events: list[tuple[datetime, str, dict[str, Any], int | None, bool]] = []
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
        i, entered, reworks = 0, created, 0
        status, closed_at, lost_reason = "open", None, None
        amount = Decimal(int(rng.lognormvariate(math.log(400_000), 0.9)) // 100 * 100)
        last = len(stages) - 1
        while True:
            s_id, s_code, s_name, expected, _prob = stages[i]
            stay = timedelta(days=self._stage_days(s_code, expected))
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
                for k, (kind, what) in enumerate(STAGE_OUTPUTS.get(s_code, ())):
                    at = entered + stay * (0.3 + 0.2 * k + 0.1 * rng.random())
                    if kind == "document":
                        payload = {"document": what, "title": DOCUMENT_TITLES[what]}
                        events.append((at, "deal_document_attached", payload, owner, False))
                    else:
                        payload = {"approval": what, "comment": ""}
                        events.append(
                            (at, "deal_approved", payload, rng.choice(approvers[what]), False)
                        )
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
        s_id, s_code, s_name, _exp, probability = stages[i]
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
                    "_links": objects if linked else (),
                }
            )
            prev_activity, prev_ts = activity, at
        moves = sum(1 for e in events if e[1] in ("deal_stage_changed", "deal_won", "deal_lost"))
        batch.deals.append(
            {
                "id": pk,
                "title": f"{names.deal_title(rng)} — {pk}",
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
                "version": 1 + moves + changes,
                "created_at": created,
                "updated_at": events[-1][0],
            }
        )
        batch.deal_contacts.append(
            {"id": self._id("sales.deal_contacts"), "deal_id": pk, "contact_id": contact}
        )
        if rng.random() < 0.6:
            self._converted_lead(batch, users, call_centre, company, contact, pk, created)

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

    def _lead_events(
        self,
        batch: _Batch,
        lead: dict[str, Any],
        steps: list[tuple[datetime, str, dict[str, Any], tuple[tuple[str, str, str], ...]]],
    ) -> None:
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
        prev_activity, prev_ts = "", None
        for at, activity, payload, links in chain:
            batch.events.append(
                {
                    "id": 0,
                    "case_type": "lead",
                    "case_id": str(lead["id"]),
                    "activity": activity,
                    "timestamp": at,
                    "actor_id": lead["responsible_id"],
                    "payload": payload,
                    "prev_activity": prev_activity,
                    "prev_timestamp": prev_ts,
                    "_links": links,
                }
            )
            prev_activity, prev_ts = activity, at

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
        lead = self._lead_row(users, call_centre, created, company, contact)
        mql = created + (deal_created - created) * 0.3
        sql = created + (deal_created - created) * 0.7
        converted = deal_created - timedelta(seconds=1)
        lead.update(
            status="converted",
            qualified_at=sql,
            closed_at=converted,
            deal_id=deal,
            updated_at=converted,
        )
        batch.leads.append(lead)
        self._lead_events(
            batch,
            lead,
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
                closed = created + timedelta(hours=rng.uniform(1, 72))
                reason = rng.choice(DISQUALIFY_REASONS)
                lead.update(
                    status="disqualified",
                    disqualification_reason=reason,
                    closed_at=closed,
                    updated_at=closed,
                )
                batch.leads.append(lead)
                self._lead_events(
                    batch,
                    lead,
                    [
                        (closed, "lead_disqualified", {"reason": reason, "comment": ""}, ()),
                    ],
                )
            self._finish_events(batch)
            with self.sink.phase():
                for table, rows in batch.tables():
                    self._emit(table, rows)
            done += n
            self.progress(f"disqualified leads {done}/{count}")

    def _finish_events(self, batch: _Batch) -> None:
        for event in batch.events:
            pk = self._id("core.event")
            event["id"] = pk
            for object_type, object_id, qualifier in event.pop("_links"):
                batch.event_objects.append(
                    {
                        "id": self._id("core.eventobject"),
                        "event_id": pk,
                        "object_type": object_type,
                        "object_id": object_id,
                        "qualifier": qualifier,
                    }
                )

    def run(self) -> Result:
        with self.sink.phase():
            users = self._users()
        companies, neglected = self._companies(users)
        self._deals(users, companies, neglected)
        self.result.digest = self._hash.hexdigest()
        return self.result


@dataclass
class _Batch:
    deals: list[dict[str, Any]] = field(default_factory=list)
    deal_contacts: list[dict[str, Any]] = field(default_factory=list)
    leads: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    event_objects: list[dict[str, Any]] = field(default_factory=list)

    def tables(self) -> Iterator[tuple[str, list[dict[str, Any]]]]:
        yield "sales.deal", self.deals
        yield "sales.deal_contacts", self.deal_contacts
        yield "sales.lead", self.leads
        yield "core.event", self.events
        yield "core.eventobject", self.event_objects


class CountingSink:
    """A dry run: rows are counted and hashed by the generator, nothing is written."""

    def write(self, table: str, rows: list[dict[str, Any]]) -> None:
        return None

    def phase(self) -> AbstractContextManager[Any]:
        return nullcontext()
