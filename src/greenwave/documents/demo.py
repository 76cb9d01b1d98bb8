"""Demo data of the documents app: our legal entity, documents and invoices on demo deals
(issued ones, some overdue). Idempotent: skipped once the demo has documents."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from greenwave.bpm import services as bpm
from greenwave.core.errors import DomainError
from greenwave.sales.models import Deal, DealStatus

from . import services
from .models import Document, LegalEntity

DEMO_ENTITY = {
    "name": "ООО «Гринвейв Трейд»",
    "full_name": "Общество с ограниченной ответственностью «Гринвейв Трейд»",
    "inn": "7701234560",
    "kpp": "770101001",
    "ogrn": "1027700123450",
    "address": "123112, г. Москва, Пресненская наб., д. 12, офис 301",
    "phone": "+7 495 120-30-40",
    "email": "sales@greenwave.example",
    "bank_name": "ПАО Сбербанк, г. Москва",
    "bik": "044525225",
    "account": "40702810938000012345",
    "corr_account": "30101810400000000225",
    "signatory_name": "Смирнова Анна Петровна",
    "signatory_position": "Генеральный директор",
    "chief_accountant": "Кузнецова Ольга Игоревна",
}
DEALS = 8
# The B2B stages from «Договор» on, where a deal has its contract; how many get one.
CONTRACT_STAGES = ("contract", "invoice", "payment")
CONTRACT_DEALS = 6


def seed_documents(context: dict[str, Any]) -> None:
    if Document.objects.exists():
        return
    entity = LegalEntity.objects.filter(inn=DEMO_ENTITY["inn"]).first()
    if entity is None:
        entity = services.legal_entity_create(actor=None, data=dict(DEMO_ENTITY))
    deals = list(_with_requisites(Deal.objects.all())[:DEALS])
    today = timezone.localdate()
    for index, deal in enumerate(deals):
        try:
            services.document_generate(
                actor=None, deal=deal, kind="quote", legal_entity=entity, with_pdf=False
            )
            invoice = services.invoice_create_from_deal(actor=None, deal=deal, seller=entity)
            if index < 6:
                # Two of them overdue: issued three weeks ago, due two weeks ago.
                issued = today - timedelta(days=21 if index < 2 else index)
                services.invoice_issue(
                    actor=None,
                    invoice=invoice,
                    issue_date=issued,
                    due_date=issued + timedelta(days=7 if index < 2 else 10),
                )
                services.document_generate(
                    actor=None, deal=deal, kind="invoice", legal_entity=entity, with_pdf=False
                )
        except DomainError:
            continue  # a demo deal the generator left without requisites: skip it
    # Contracts are drafted for deals that reached «Договор» (not at the qualification): first
    # every deal whose contract approval is running (its reviewers read a contract, not «no
    # document»), then others up to CONTRACT_DEALS.
    candidates = list(_with_requisites(Deal.objects.filter(stage__code__in=CONTRACT_STAGES)))
    running = [deal for deal in candidates if _contract_run_open(deal)]
    others = [deal for deal in candidates if deal not in running]
    for deal in [*running, *others[: max(CONTRACT_DEALS - len(running), 0)]]:
        try:
            contract = services.document_generate(
                actor=None, deal=deal, kind="contract", legal_entity=entity, with_pdf=False
            )
        except DomainError:
            continue
        _contract_with_its_approval(contract)


def _with_requisites(deals: QuerySet[Deal]) -> QuerySet[Deal]:
    """Open deals of clients with the requisites a document needs, and an amount."""
    return (
        deals.filter(status=DealStatus.OPEN, company__isnull=False)
        .exclude(company__inn="")
        .exclude(company__legal_address="", company__actual_address="")
        .filter(amount__gt=0)
        .select_related("company", "responsible", "team", "price_list")
        .order_by("pk")
    )


def _contract_run_open(deal: Deal) -> bool:
    runs = bpm.subject_runs(subject_type="deal", subject_id=deal.pk)
    return any(r.key == services.CONTRACT_PROCESS and r.is_open for r in runs)


def _contract_with_its_approval(contract: Document) -> None:
    """The history's contract approval of the deal (written before any document existed) is
    this contract's: it goes with the latest run, so an approved run leaves it approved (it
    can be sent) and a running one on approval — not a draft beside an approved deal."""
    runs = bpm.subject_runs(subject_type="deal", subject_id=contract.deal_id)
    run = next((r for r in runs if r.key == services.CONTRACT_PROCESS), None)
    if run is not None and (run.is_open or run.status == "completed"):
        services.contract_link_to_approval(document=contract, instance_id=run.id)
