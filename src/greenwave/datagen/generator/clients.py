"""The product catalogue and the client base: companies, contacts, owners."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from greenwave.datagen import names
from greenwave.datagen.generator.activities import ActivitiesMixin, Around
from greenwave.datagen.generator.base import (
    CENTS,
    DISCOUNT_STEP,
    OVERLOADED_PORTFOLIO_FACTOR,
    _Batch,
    _Users,
)
from greenwave.datagen.requisites import REGIONS, make_kpp, make_ogrn13, make_unique_inn10

# The OGRN's year of a generated company: from the register's first full year on.
REGISTERED_SINCE = 2003


@dataclass
class _AdminLog:
    """The admin's catalogue events, a minute or two apart."""

    batch: _Batch
    admin: int
    at: datetime


@dataclass(frozen=True)
class _Cast:
    """Who may own a new company: the sellers, the farmers (weighted) and the overloaded one."""

    hunters: list[int]
    hunter_weights: list[float]
    farmers: list[int]
    farmer_weights: list[float]
    overloaded: int


class ClientsMixin(ActivitiesMixin):
    def _catalogue(self, users: _Users) -> None:
        """Product groups, products and their prices in the base and the five discount lists,
        written as the catalogue services write them (`product_group_create`,
        `product_create`, `prices_set`: one `prices_changed` event per list), by the admin."""
        lists = self.ref.price_lists
        if self.ref.products:
            self.products = [(pk, price) for pk, price, _name in self.ref.products]
            self.product_names = {pk: name for pk, _price, name in self.ref.products}
            return
        if not lists:
            return
        log = _AdminLog(_Batch(), users.by_role["admin"][0], self.start - timedelta(days=30))
        groups, products, base_prices, sku_of = self._catalogue_products(log)
        prices = self._catalogue_prices(log, lists, base_prices, sku_of)
        self.products = sorted(base_prices.items())
        for row in (*groups, *products, *prices):
            row.update(created_at=self.start, updated_at=self.start)
        self._finish_events(log.batch)
        with self.sink.phase():
            self._emit("crm.productgroup", groups)
            self._emit("crm.product", products)
            self._emit("crm.price", prices)
            for table, rows in log.batch.tables():
                self._emit(table, rows)

    def _admin_event(
        self,
        log: _AdminLog,
        case: tuple[str, int],
        activity: str,
        payload: dict[str, Any],
        links: tuple[tuple[str, str, str], ...] = (),
    ) -> None:
        log.at += timedelta(seconds=self.rng.randint(20, 120))
        log.batch.case_events(*case, ((log.at, activity, log.admin, payload, links),))

    def _catalogue_products(
        self, log: _AdminLog
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[int, Decimal], dict[int, str]]:
        """The groups and products of `names.CATALOGUE`; their base prices and SKUs."""
        groups: list[dict[str, Any]] = []
        products: list[dict[str, Any]] = []
        base_prices: dict[int, Decimal] = {}
        sku_of: dict[int, str] = {}
        for g, (group_name, unit, median, items) in enumerate(names.CATALOGUE, 1):
            gpk = self._id("crm.productgroup")
            groups.append({"id": gpk, "name": group_name, "parent_id": None})
            self._admin_event(
                log,
                ("product_group", gpk),
                "product_group_created",
                {"after": {"name": group_name, "parent": None}},
            )
            for n, item in enumerate(items, 1):
                ppk = self._id("crm.product")
                sku = f"GEN-{g:02d}-{n:03d}"
                product = {
                    "id": ppk,
                    "name": item,
                    "sku": sku,
                    "group_id": gpk,
                    "unit": unit,
                    "vat_rate": "20",
                    "description": "",
                    "is_active": True,
                    "search_text": f"{item} {sku}".lower().replace("ё", "е"),
                }
                products.append(product)
                after = {
                    "name": item,
                    "sku": sku,
                    "group": group_name,
                    "unit": unit,
                    "vat_rate": "20",
                    "description": "",
                    "is_active": True,
                }
                self._admin_event(log, ("product", ppk), "product_created", {"after": after})
                price = Decimal(int(median * self.rng.uniform(0.6, 1.6)) // 10 * 10)
                base_prices[ppk] = price.quantize(CENTS)
                sku_of[ppk] = sku
                self.product_names[ppk] = item
        return groups, products, base_prices, sku_of

    def _catalogue_prices(
        self,
        log: _AdminLog,
        lists: dict[int, tuple[int, str]],
        base_prices: dict[int, Decimal],
        sku_of: dict[int, str],
    ) -> list[dict[str, Any]]:
        """Every product in every price list, the discount growing with the list's level."""
        prices: list[dict[str, Any]] = []
        for level, (list_id, _name) in sorted(lists.items()):
            changes: dict[str, list[str | None]] = {}
            for ppk, base in base_prices.items():
                amount = (base * (1 - Decimal(level) * DISCOUNT_STEP)).quantize(CENTS)
                prices.append(
                    {
                        "id": self._id("crm.price"),
                        "price_list_id": list_id,
                        "product_id": ppk,
                        "amount": amount,
                    }
                )
                changes[sku_of[ppk]] = [None, str(amount)]
            links = tuple(sorted(("product", str(ppk), "product") for ppk in base_prices))
            self._admin_event(
                log, ("price_list", list_id), "prices_changed", {"changes": changes}, links
            )
        return prices

    def _companies(self, users: _Users) -> tuple[list[tuple[int, int, int, bool]], set[int]]:
        """Companies and their contacts; returns (company, owner, contact, is_hunter's) rows
        and the set of neglected companies (the overloaded farmer's)."""
        cfg = self.config
        count = max(10, cfg.deals // 3)
        farmers = users.by_role["farmer"]
        overloaded = next(
            pk for pk, name in users.username.items() if name == cfg.overloaded_manager
        )
        cast = _Cast(
            hunters=[pk for pk, _w in users.sellers],
            hunter_weights=[w for _pk, w in users.sellers],
            farmers=farmers,
            farmer_weights=[OVERLOADED_PORTFOLIO_FACTOR if f == overloaded else 1 for f in farmers],
            overloaded=overloaded,
        )
        out: list[tuple[int, int, int, bool]] = []
        neglected: set[int] = set()
        done = 0
        while done < count:
            n = min(cfg.chunk, count - done)
            companies: list[dict[str, Any]] = []
            contacts: list[dict[str, Any]] = []
            for _ in range(n):
                pk = self._id("crm.company")
                owner, current = self._company_owner(cast, pk, neglected)
                row = self._company_row(users, pk, owner, current=current)
                companies.append(row)
                first_contact = self._company_contacts(users, row, contacts)
                out.append((pk, owner, first_contact, not current))
                self.contacts_of[pk] = (first_contact, self.ids["crm.contact"] - first_contact)
                if current:
                    self.clients_of[owner] = self.clients_of.get(owner, 0) + 1
            self._emit("crm.company", companies)
            self._emit("crm.contact", contacts)
            self._keep_in_touch(users, out[-n:], neglected)
            done += n
            self.progress(f"companies {done}/{count}")
        return out, neglected

    def _company_owner(self, cast: _Cast, pk: int, neglected: set[int]) -> tuple[int, bool]:
        """Who owns a new company: a farmer (a current client) or a seller; the overloaded
        farmer's are neglected (some or all of them)."""
        rng, cfg = self.rng, self.config
        current = rng.random() < 0.4
        if current:
            owner = rng.choices(cast.farmers, cast.farmer_weights)[0]
        elif len(set(cast.hunter_weights)) == 1:
            owner = rng.choice(cast.hunters)
        else:
            owner = rng.choices(cast.hunters, cast.hunter_weights)[0]
        if owner == cast.overloaded and (
            cfg.neglected_share >= 1 or rng.random() < cfg.neglected_share
        ):
            neglected.add(pk)
        return owner, current

    def _company_row(self, users: _Users, pk: int, owner: int, *, current: bool) -> dict[str, Any]:
        rng = self.rng
        code, region = rng.choice(REGIONS)
        inn = make_unique_inn10(rng, code, self.inns)
        name, site = self.company_names.next(code)
        phone = names.landline(rng, code)
        email = f"info@{site}"
        industry = rng.choice(names.INDUSTRIES)
        # Within the history; the card of a company something happens with is dated again
        # before the first of it (`_cards_dated`). The legal entity is older.
        created = self.start + (self.config.end - self.start) * rng.random()
        registered = rng.randint(REGISTERED_SINCE, self.start.year)
        search = " ".join([name, inn, region, industry, phone, email, site]).lower()
        return {
            "id": pk,
            "name": name,
            "inn": inn,
            "kpp": make_kpp(inn),
            "ogrn": make_ogrn13(rng, code, registered),
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

    def _company_contacts(
        self, users: _Users, company: dict[str, Any], contacts: list[dict[str, Any]]
    ) -> int:
        """One to three contacts of a company, on its site's mail; answers the first one."""
        rng = self.rng
        pk, owner, created = company["id"], company["responsible_id"], company["created_at"]
        site = company["website"]
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
                    "search_text": f"{full} {job} {mobile} {mail}".lower().replace("ё", "е"),
                    "created_at": created,
                    "updated_at": created,
                }
            )
        return first_contact

    def _keep_in_touch(
        self, users: _Users, chunk: list[tuple[int, int, int, bool]], neglected: set[int]
    ) -> None:
        """Farmers keep in touch with their current clients (not the neglected ones)."""
        rng = self.rng
        batch = _Batch()
        recent = self.config.end - timedelta(days=120)
        for pk, owner, contact, hunted in chunk:
            if not hunted and pk not in neglected and rng.random() < 0.5:
                self._touch(pk, recent)
                self._activities(
                    batch,
                    users,
                    Around(owner, pk, contact, None),
                    recent,
                    self.config.end,
                    open_at_end=rng.random() < 0.3,
                    count=rng.choice((1, 1, 2)),
                )
        self._finish_events(batch)
        for table, rows in batch.tables():
            self._emit(table, rows)
