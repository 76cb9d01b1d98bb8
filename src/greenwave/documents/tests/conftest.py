"""Fixtures of the documents tests: our legal entity, a client with requisites, a deal with
product lines in the B2B pipeline."""

from __future__ import annotations

import importlib
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.utils import translation

from greenwave.bpm import services as bpm
from greenwave.bpm.tests.steps import with_reviewers
from greenwave.crm import services as crm_services
from greenwave.documents import services
from greenwave.documents.demo import DEMO_ENTITY
from greenwave.documents.models import LegalEntity
from greenwave.sales import services as sales_services
from greenwave.sales.models import Deal, Pipeline

_DEFAULTS = importlib.import_module("greenwave.sales.migrations.0002_default_pipelines")
_OPENING = importlib.import_module("greenwave.sales.migrations.0006_stage_opening_process")

# Our legal entity: the demo one's requisites, under a shorter name and address.
SELLER = {
    **{k: v for k, v in DEMO_ENTITY.items() if k not in ("phone", "email")},
    "name": "ООО «Гринвейв»",
    "full_name": "Общество с ограниченной ответственностью «Гринвейв»",
    "address": "123112, г. Москва, Пресненская наб., д. 12",
    "bank_name": "ПАО Сбербанк",
}


@pytest.fixture(autouse=True)
def _english() -> Any:
    """Service-level messages are checked in English (HTTP requests pick their own language)."""
    with translation.override("en"):
        yield


@pytest.fixture
def b2b(db: Any) -> Pipeline:
    """The default B2B pipeline (a transactional test's flush drops the migration's rows)."""
    _DEFAULTS.create(apps, None)
    _OPENING.name_contract_approval(apps, None)
    return Pipeline.objects.get(code="b2b")


@pytest.fixture
def stages(b2b: Pipeline) -> dict[str, Any]:
    return {s.code: s for s in b2b.stages.all()}


@pytest.fixture
def seller(db: Any) -> LegalEntity:
    return services.legal_entity_create(actor=None, data=dict(SELLER))


@pytest.fixture
def client_company(two_teams: dict[str, Any]) -> Any:
    return crm_services.company_create(
        actor=None,
        name="ООО «Ромашка»",
        inn="5001007329",
        kpp="500101001",
        legal_address="141400, Московская обл., г. Химки, ул. Ленина, д. 1",
        responsible=two_teams["hunter_a"],
        team=two_teams["team_a"],
    )


@pytest.fixture
def product(db: Any) -> Any:
    return crm_services.product_create(
        actor=None, name="Труба стальная 57×3,5", sku="TR-57", unit="m", vat_rate="20"
    )


@pytest.fixture
def deal(two_teams: dict[str, Any], b2b: Any, client_company: Any, product: Any) -> Deal:
    deal = sales_services.deal_create(
        actor=two_teams["hunter_a"],
        title="Поставка труб",
        pipeline=b2b,
        company=client_company,
    )
    sales_services.deal_add_item(
        actor=two_teams["hunter_a"],
        deal=deal,
        product=product,
        quantity=Decimal("10.5"),
        price=Decimal("1234.56"),
    )
    return Deal.objects.get(pk=deal.pk)


def director_add(*, actor: Any, company: Any, email: str) -> Any:
    """The company's general director, added as its decision maker (the contract signatory)."""
    contact = crm_services.contact_create(
        actor=actor,
        company=company,
        full_name="Петров Сергей Николаевич",
        position="Генеральный директор",
        emails=[email],
    )
    crm_services.decision_maker_add(
        actor=actor, company=company, contact=contact, role="ЛПР", influence_level=5
    )
    return contact


@pytest.fixture
def signatory(client_company: Any) -> Any:
    """The client's general director, its decision maker, with an e-mail."""
    return director_add(actor=None, company=client_company, email="petrov@romashka.ru")


@pytest.fixture
def library(db: Any) -> None:
    """The built-in processes (the approvals) installed."""
    bpm.library_install(actor=None)


@pytest.fixture
def people(two_teams: dict[str, Any], make_user: Any) -> dict[str, Any]:
    """The two teams, with team A's lawyer and financier (the contract's reviewers)."""
    return with_reviewers(make_user, two_teams)
