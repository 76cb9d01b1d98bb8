"""What a document template is filled with: our legal entity, the client and its signatory,
the deal, its lines with VAT and the totals in words — and what is missing for a kind.

Numbers are written the Russian way (`12 962,88`), dates as «4 декабря 2026 г.».
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from greenwave.core.errors import DomainError
from greenwave.crm.models import Company, VatRate
from greenwave.sales.models import Deal

from .errors import DocumentsError
from .models import ClientBankAccount, Invoice, InvoiceLine, LegalEntity, NumberedKind
from .requisites import amount_in_words, initials, name_genitive, position_genitive

MONTHS = (
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
)
NBSP = "\u00a0"
# Kinds that carry the client's legal requisites (a proposal only needs its name).
FORMAL_KINDS = {NumberedKind.CONTRACT, NumberedKind.INVOICE, NumberedKind.ACT, NumberedKind.UPD}
# Documents are Russian whatever the reader's language: their titles, file names, subjects.
RU_TITLES: dict[str, str] = {
    NumberedKind.QUOTE: "Коммерческое предложение",
    NumberedKind.TECH_QUOTE: "Технико-коммерческое предложение",
    NumberedKind.CONTRACT: "Договор поставки",
    NumberedKind.INVOICE: "Счёт на оплату",
    NumberedKind.ACT: "Акт",
    NumberedKind.UPD: "Универсальный передаточный документ",
}
NUMBER_PREFIX: dict[str, str] = {
    NumberedKind.QUOTE: "КП-",
    NumberedKind.TECH_QUOTE: "ТКП-",
    NumberedKind.CONTRACT: "Д-",
}


def ru_date(value: date | None) -> str:
    if value is None:
        return ""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year} г."


def ru_money(value: Decimal) -> str:
    text = f"{value.quantize(Decimal('0.01')):,.2f}"
    return text.replace(",", NBSP).replace(".", ",")


def ru_quantity(value: Decimal) -> str:
    text = format(value.normalize(), "f") if value == value.to_integral() else f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


def city_of(address: str) -> str:
    """«г. Москва, …» → «Москва» (where a contract is signed); Москва when none is named."""
    found = re.search(r"\bг\.\s*([А-ЯЁ][А-Яа-яЁё-]+(?:[ -][А-ЯЁ][А-Яа-яЁё-]+)?)", address)
    return found.group(1) if found else "Москва"


def vat_label(rate: str) -> str:
    return {"20": "20%", "10": "10%", "0": "0%"}.get(rate, "без НДС")


def format_number(kind: str, sequence: int) -> str:
    return f"{NUMBER_PREFIX.get(kind, '')}{sequence}"


def _signatory(company: Company) -> dict[str, str]:
    """The client's signatory: its most influential decision maker (seed 003, «ЛПР»), else
    its first contact with a position."""
    maker = (
        company.decision_makers.select_related("contact")
        .filter(contact__is_deleted=False)
        .order_by("-influence_level", "pk")
        .first()
    )
    if maker is not None:
        name, position = maker.contact.full_name, maker.contact.position or maker.role
    else:
        contact = (
            company.contacts.filter(is_deleted=False).exclude(position="").order_by("pk").first()
        )
        if contact is None:
            return {}
        name, position = contact.full_name, contact.position
    return {
        "signatory_name": name,
        "signatory_short": initials(name),
        "signatory_position": position,
        "signatory_name_genitive": name_genitive(name),
        "signatory_position_genitive": position_genitive(position),
        "signatory_basis": "Устава",
        "contact_name": name,
    }


def missing_requisites(kind: str, company: Company | None, lines: list[InvoiceLine]) -> list[str]:
    """What the client lacks for this kind of document, as readable items (empty: ready)."""
    if company is None:
        return [_("the client of the deal")]
    missing: list[str] = []
    if kind in FORMAL_KINDS:
        if not company.inn:
            missing.append(_("INN of the client"))
        elif len(company.inn) == 10 and not company.kpp:
            missing.append(_("KPP of the client"))
        if not (company.legal_address or company.actual_address):
            missing.append(_("legal address of the client"))
    if kind == NumberedKind.CONTRACT and not _signatory(company):
        missing.append(_("the client's signatory (a decision maker with a position)"))
    if not lines:
        missing.append(_("lines or an amount of the deal"))
    return missing


def require_requisites(kind: str, company: Company | None, lines: list[InvoiceLine]) -> None:
    missing = missing_requisites(kind, company, lines)
    if missing:
        raise DomainError(
            DocumentsError.MISSING_REQUISITES,
            _("Fill in before generating the document: %(items)s.") % {"items": ", ".join(missing)},
            details={"missing": missing},
        )


def _seller(entity: LegalEntity) -> dict[str, Any]:
    return {
        "name": entity.name,
        "full_name": entity.full_name or entity.name,
        "inn": entity.inn,
        "kpp": entity.kpp,
        "ogrn": entity.ogrn,
        "address": entity.address,
        "phone": entity.phone,
        "email": entity.email,
        "bank_name": entity.bank_name,
        "bik": entity.bik,
        "account": entity.account,
        "corr_account": entity.corr_account,
        "signatory_name": entity.signatory_name,
        "signatory_short": initials(entity.signatory_name),
        "signatory_position": entity.signatory_position,
        "signatory_name_genitive": entity.signatory_name_genitive,
        "signatory_position_genitive": entity.signatory_position_genitive,
        "signatory_basis": entity.signatory_basis or "Устава",
        "chief_accountant": entity.chief_accountant,
        "chief_accountant_short": initials(entity.chief_accountant)
        or initials(entity.signatory_name),
    }


def _buyer(company: Company) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": company.name,
        "full_name": company.name,
        "inn": company.inn,
        "kpp": company.kpp,
        "ogrn": company.ogrn,
        "address": company.legal_address or company.actual_address,
        "phone": company.phone,
        "email": company.email,
        "contact_name": "",
        "signatory_name": "",
        "signatory_short": "",
        "signatory_position": "",
        "signatory_name_genitive": "",
        "signatory_position_genitive": "",
        "signatory_basis": "Устава",
        "bank_name": "",
        "bik": "",
        "corr_account": "",
        "account": "",
    }
    bank = ClientBankAccount.objects.filter(company=company).first()
    if bank is not None:
        data.update(
            bank_name=bank.bank_name,
            bik=bank.bik,
            corr_account=bank.corr_account,
            account=bank.account,
        )
    data.update(_signatory(company))
    return data


def _line(n: int, line: InvoiceLine) -> dict[str, Any]:
    net = line.amount - line.vat_amount
    price_net = (net / line.quantity).quantize(Decimal("0.01")) if line.quantity else net
    return {
        "n": n,
        "name": line.name,
        "description": (line.product.description if line.product_id and line.product else "")[:500],
        "quantity": ru_quantity(line.quantity),
        "unit": line.unit,
        "price": ru_money(line.price),
        "discount": f"{ru_quantity(line.discount_percent)}%" if line.discount_percent else "",
        "amount": ru_money(line.amount),
        "vat_label": vat_label(line.vat_rate),
        "vat_amount": ru_money(line.vat_amount) if line.vat_rate != VatRate.NONE else "без НДС",
        "price_net": ru_money(price_net),
        "amount_net": ru_money(net),
    }


def build_context(
    *,
    kind: str,
    deal: Deal,
    seller: LegalEntity,
    lines: list[InvoiceLine],
    number: str,
    on: date,
    invoice: Invoice | None = None,
    basis: str = "",
) -> dict[str, Any]:
    company = deal.company
    assert company is not None  # missing_requisites refused a deal without a client
    total = sum((line.amount for line in lines), Decimal(0))
    vat = sum((line.vat_amount for line in lines), Decimal(0))
    vat_included = any(line.vat_rate != VatRate.NONE for line in lines)
    manager = deal.responsible
    return {
        "document": {
            "number": number,
            "date": ru_date(on),
            "title": RU_TITLES[kind],
            "valid_until": ru_date(on + timedelta(days=14)),
        },
        "seller": _seller(seller),
        "buyer": _buyer(company),
        "deal": {
            "title": deal.title,
            "id": deal.pk,
            "price_list": deal.price_list.name if deal.price_list_id and deal.price_list else "",
        },
        "manager": {
            "name": (manager.get_full_name() or manager.username) if manager else "",
            "email": manager.email if manager else "",
        },
        "lines": [_line(n, line) for n, line in enumerate(lines, start=1)],
        "total": ru_money(total),
        "subtotal": ru_money(total - vat),
        "vat": ru_money(vat) if vat_included else "без НДС",
        "vat_label": "В том числе НДС" if vat_included else "Без налога (НДС)",
        "vat_included": vat_included,
        "total_words": amount_in_words(total),
        "invoice": {
            "number": invoice.number if invoice else "",
            "issue_date": ru_date(invoice.issue_date) if invoice else "",
            "due_date": ru_date(invoice.due_date) if invoice else "",
        },
        "basis": basis or f"Сделка «{deal.title}»",
        "city": city_of(seller.address),
        "payment_days": 5,
        "contract_valid_until": f"31 декабря {on.year} г.",
    }
