"""Invoices as records: drafted from a deal, issued with a gap-free number, cancelled; the
events of INVOICE_EVENTS.md; the «Счёт» gate; scoping."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from greenwave.core.errors import DomainError
from greenwave.core.models import Event
from greenwave.documents import selectors, services
from greenwave.documents.errors import DocumentsError
from greenwave.documents.models import Invoice, InvoiceStatus
from greenwave.sales import services as sales_services
from greenwave.sales.gates import evaluate_stage

pytestmark = pytest.mark.django_db


def test_invoice_from_deal_copies_lines_and_computes_vat(seller, deal, two_teams) -> None:
    invoice = services.invoice_create_from_deal(actor=two_teams["hunter_a"], deal=deal)
    line = invoice.lines.get()
    assert line.amount == Decimal("12962.88")  # 10.5 × 1234.56
    assert line.vat_amount == Decimal("2160.48")  # 12962.88 × 20 / 120
    assert invoice.total == Decimal("12962.88")
    assert invoice.vat_amount == Decimal("2160.48")
    assert invoice.subtotal == Decimal("10802.40")
    assert invoice.status == InvoiceStatus.DRAFT
    assert invoice.number == ""
    assert invoice.responsible == two_teams["hunter_a"]
    assert invoice.team == two_teams["team_a"]


def test_issue_numbers_gap_free_and_appends_the_contract_event(seller, deal, two_teams) -> None:
    hunter = two_teams["hunter_a"]
    first = services.invoice_issue(
        actor=hunter, invoice=services.invoice_create_from_deal(actor=hunter, deal=deal)
    )
    # Numbers run per year: the second is dated earlier in the year of the first (today).
    earlier = timezone.localdate().replace(month=1, day=1)
    second = services.invoice_issue(
        actor=hunter,
        invoice=services.invoice_create_from_deal(actor=hunter, deal=deal),
        issue_date=earlier,
        due_date=earlier + timedelta(days=10),
    )
    assert (first.number, second.number) == ("1", "2")
    event = Event.objects.filter(case_type="invoice", case_id=str(second.pk)).last()
    assert event.activity == "invoice_issued"
    assert event.payload == {
        "number": "2",
        "total": "12962.88",
        "vat": "2160.48",
        "currency": "RUB",
        "issue_date": earlier.isoformat(),
        "due_date": (earlier + timedelta(days=10)).isoformat(),
        "deal_id": deal.pk,
        "company_id": deal.company_id,
        "responsible_id": hunter.pk,
        "team_id": two_teams["team_a"].pk,
    }
    links = {(o.object_type, o.object_id, o.qualifier) for o in event.links.all()}
    assert links == {("deal", str(deal.pk), "deal"), ("company", str(deal.company_id), "buyer")}


def test_cancel_keeps_the_number_and_logs_the_reason(seller, deal, two_teams) -> None:
    hunter = two_teams["hunter_a"]
    invoice = services.invoice_issue(
        actor=hunter, invoice=services.invoice_create_from_deal(actor=hunter, deal=deal)
    )
    services.invoice_cancel(actor=hunter, invoice=invoice, reason="Ошибка в количестве")
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.CANCELLED
    assert invoice.number == "1"
    event = Event.objects.filter(case_type="invoice", case_id=str(invoice.pk)).last()
    assert event.activity == "invoice_cancelled"
    assert event.payload == {"number": "1", "reason": "Ошибка в количестве"}
    with pytest.raises(DomainError) as caught:
        services.invoice_cancel(actor=hunter, invoice=invoice, reason="ещё раз")
    assert caught.value.code == DocumentsError.WRONG_STATUS


def test_the_invoice_gate_opens_with_an_issued_invoice(seller, deal, two_teams, stages) -> None:
    hunter = two_teams["hunter_a"]
    invoice_stage = stages["invoice"]
    assert not all(i.met for i in evaluate_stage(deal, invoice_stage))
    draft = services.invoice_create_from_deal(actor=hunter, deal=deal)
    assert not all(i.met for i in evaluate_stage(deal, invoice_stage))
    services.invoice_issue(actor=hunter, invoice=draft)
    assert all(i.met for i in evaluate_stage(deal, invoice_stage))


def test_another_team_neither_sees_nor_invoices_the_deal(seller, deal, two_teams) -> None:
    invoice = services.invoice_create_from_deal(actor=two_teams["hunter_a"], deal=deal)
    other = two_teams["hunter_b"]
    with pytest.raises(DomainError) as caught:
        selectors.invoice_get(actor=other, pk=invoice.pk)
    assert caught.value.status == 404
    assert not selectors.invoice_list(actor=other).exists()
    with pytest.raises(DomainError) as caught:
        services.invoice_issue(actor=other, invoice=invoice)
    assert caught.value.status == 404
    with pytest.raises(DomainError) as caught:
        services.invoice_create_from_deal(actor=other, deal=deal)
    assert caught.value.status == 404
    assert Invoice.objects.get(pk=invoice.pk).status == InvoiceStatus.DRAFT


def test_overdue_filter_finds_issued_invoices_past_due(seller, deal, two_teams) -> None:
    from greenwave.core.listing import ListQuery

    hunter = two_teams["hunter_a"]
    past = date.today() - timedelta(days=30)
    late = services.invoice_issue(
        actor=hunter,
        invoice=services.invoice_create_from_deal(actor=hunter, deal=deal),
        issue_date=past,
        due_date=past + timedelta(days=5),
    )
    services.invoice_issue(
        actor=hunter, invoice=services.invoice_create_from_deal(actor=hunter, deal=deal)
    )
    found = selectors.invoice_list(actor=hunter, query=ListQuery(filters={"overdue": "true"}))
    assert [i.pk for i in found] == [late.pk]


def test_bad_lines_are_refused_and_nothing_is_stored(seller, deal, two_teams) -> None:
    bad = [services.LineInput(name="x", quantity=Decimal("-1"), price=Decimal("10"))]
    with pytest.raises(DomainError) as caught:
        services.invoice_create(
            actor=two_teams["hunter_a"], buyer=deal.company, lines=bad, deal=deal
        )
    assert caught.value.code == DocumentsError.INVALID_LINE
    assert not Invoice.objects.exists()


def test_legal_entity_requisites_are_validated_and_genitive_filled(db) -> None:
    from .conftest import SELLER

    entity = services.legal_entity_create(actor=None, data=dict(SELLER))
    assert entity.signatory_name_genitive == "Смирновой Анны Петровны"
    assert entity.signatory_position_genitive == "Генерального директора"
    for field, value in (
        ("account", "40702810038000012345"),
        ("bik", "123"),
        ("inn", "7701234561"),
    ):
        with pytest.raises(DomainError) as caught:
            services.legal_entity_create(actor=None, data={**SELLER, field: value})
        assert caught.value.details["field"] == field


def test_deal_without_client_cannot_be_invoiced(seller, two_teams, b2b) -> None:
    deal = sales_services.deal_create(
        actor=two_teams["hunter_a"], title="Без клиента", pipeline=b2b
    )
    with pytest.raises(DomainError) as caught:
        services.invoice_create_from_deal(actor=two_teams["hunter_a"], deal=deal)
    assert caught.value.code == DocumentsError.NO_BUYER
