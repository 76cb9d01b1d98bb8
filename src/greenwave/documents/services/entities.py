"""Our legal entities (requisites, the default one) and the client's bank details."""

from __future__ import annotations

from typing import Any, TypedDict, Unpack

from django.db import transaction
from django.utils.translation import gettext as _

from greenwave.accounts.models import User
from greenwave.accounts.scoping import require_visible, require_write
from greenwave.core.errors import CoreError, DomainError, permission_denied
from greenwave.core.record_change import changes_log, record_insert
from greenwave.core.services import (
    RecordHistory,
    assign,
    changes_between,
    typed_fields,
)
from greenwave.crm.models import Company
from greenwave.crm.requisites import normalize_email, normalize_inn, normalize_kpp, normalize_ogrn

from .. import events
from ..models import (
    ClientBankAccount,
    LegalEntity,
)
from ..requisites import (
    name_genitive,
    normalize_account,
    normalize_bik,
    normalize_corr_account,
    position_genitive,
)
from .common import (
    _is_finance,
)

# --- legal entities -----------------------------------------------------------------------

LEGAL_ENTITY_TEXT_FIELDS = (
    "name",
    "full_name",
    "address",
    "phone",
    "bank_name",
    "signatory_name",
    "signatory_position",
    "signatory_name_genitive",
    "signatory_position_genitive",
    "signatory_basis",
    "chief_accountant",
)


class LegalEntityChanges(TypedDict, total=False):
    """What `legal_entity_update` may change (mypy checks the keyword arguments against it)."""

    name: str
    full_name: str
    inn: str
    kpp: str
    ogrn: str
    address: str
    phone: str
    email: str
    bank_name: str
    bik: str
    account: str
    corr_account: str
    signatory_name: str
    signatory_position: str
    signatory_name_genitive: str
    signatory_position_genitive: str
    signatory_basis: str
    chief_accountant: str
    vat_payer: bool
    is_default: bool
    is_active: bool


LEGAL_ENTITY_FIELDS = typed_fields(LegalEntityChanges)
LEGAL_ENTITY_REQUIRED = (
    "name",
    "inn",
    "address",
    "bank_name",
    "bik",
    "account",
    "corr_account",
    "signatory_name",
    "signatory_position",
)


def _field(name: str) -> Any:
    return LegalEntity._meta.get_field(name)


def _clean_legal_entity(data: dict[str, Any]) -> dict[str, Any]:
    """Validate and normalise a full set of requisites (each error names its field)."""
    clean: dict[str, Any] = {}
    for field in LEGAL_ENTITY_TEXT_FIELDS:
        value = str(data.get(field) or "").strip()
        max_length = _field(field).max_length or 255
        if len(value) > max_length:
            raise DomainError(
                CoreError.VALIDATION,
                _("At most %(n)s characters.") % {"n": max_length},
                details={"field": field},
            )
        clean[field] = value
    for field in LEGAL_ENTITY_REQUIRED:
        if not clean.get(field) and not str(data.get(field) or "").strip():
            raise DomainError(
                CoreError.VALIDATION,
                _("Fill in: %(field)s.") % {"field": _field(field).verbose_name},
                details={"field": field},
            )
    inn = normalize_inn(str(data.get("inn") or ""))
    clean["inn"] = inn
    clean["kpp"] = normalize_kpp(str(data.get("kpp") or ""), inn=inn)
    if len(inn) == 10 and not clean["kpp"]:
        raise DomainError(
            CoreError.VALIDATION,
            _("An organisation (10-digit INN) needs its KPP."),
            details={"field": "kpp"},
        )
    clean["ogrn"] = normalize_ogrn(str(data.get("ogrn") or ""), inn=inn)
    clean["email"] = normalize_email(str(data.get("email") or ""), field="email")
    bik = normalize_bik(str(data.get("bik") or ""))
    clean["bik"] = bik
    clean["account"] = normalize_account(str(data.get("account") or ""), bik=bik)
    clean["corr_account"] = normalize_corr_account(str(data.get("corr_account") or ""), bik=bik)
    for flag, default in (("vat_payer", True), ("is_default", False), ("is_active", True)):
        value = data.get(flag, default)
        clean[flag] = bool(default if value is None else value)
    if not clean["signatory_name_genitive"]:
        clean["signatory_name_genitive"] = name_genitive(clean["signatory_name"])
    if not clean["signatory_position_genitive"]:
        clean["signatory_position_genitive"] = position_genitive(clean["signatory_position"])
    if not clean["full_name"]:
        clean["full_name"] = clean["name"]
    return clean


_LEGAL_ENTITY_HISTORY = RecordHistory(
    LegalEntity.objects.all(), schema=LegalEntityChanges, changed=events.LEGAL_ENTITY_CHANGED
)


def _require_finance(actor: User | None) -> None:
    if not _is_finance(actor):
        raise permission_denied(
            _("Only finance, accounting or an administrator keeps our legal entities.")
        )


def _only_default(entity: LegalEntity) -> None:
    if entity.is_default:
        LegalEntity.objects.exclude(pk=entity.pk).filter(is_default=True).update(is_default=False)


@transaction.atomic
def legal_entity_create(*, actor: User | None, data: dict[str, Any]) -> LegalEntity:
    _require_finance(actor)
    clean = _clean_legal_entity(data)
    if not LegalEntity.objects.filter(is_default=True).exists():
        clean["is_default"] = True  # the first one sells by default
    entity = LegalEntity(**clean)
    record_insert(
        entity,
        activity=events.LEGAL_ENTITY_CREATED,
        actor=actor,
        payload={"name": entity.name, "inn": entity.inn},
    )
    _only_default(entity)
    return entity


@transaction.atomic
def legal_entity_update(
    *, actor: User | None, entity: LegalEntity, **fields: Unpack[LegalEntityChanges]
) -> LegalEntity:
    """Change requisites; a name or position changed without its genitive gets a new one."""
    _require_finance(actor)

    def apply(locked: LegalEntity) -> None:
        merged = {**_LEGAL_ENTITY_HISTORY.stored(locked), **fields}
        if "signatory_name" in fields and "signatory_name_genitive" not in fields:
            merged["signatory_name_genitive"] = ""
        if "signatory_position" in fields and "signatory_position_genitive" not in fields:
            merged["signatory_position_genitive"] = ""
        assign(locked, _clean_legal_entity(merged))

    entity = _LEGAL_ENTITY_HISTORY.update(entity, fields, apply, actor=actor)
    _only_default(entity)
    return entity


def legal_entity_default() -> LegalEntity | None:
    """The seller when none is named: the default active entity, else the first active one."""
    return LegalEntity.objects.filter(is_active=True).order_by("-is_default", "pk").first()


# --- the client's bank details --------------------------------------------------------------

CLIENT_BANK_FIELDS = ("bank_name", "bik", "corr_account", "account")


def _client_bank_snapshot(account: ClientBankAccount | None) -> dict[str, Any]:
    return {f: getattr(account, f) if account else "" for f in CLIENT_BANK_FIELDS}


def _clean_client_bank(data: dict[str, Any]) -> dict[str, str]:
    """The same rules as our legal entity's bank details (each error names its field)."""
    bank_name = str(data.get("bank_name") or "").strip()
    if not bank_name:
        raise DomainError(
            CoreError.VALIDATION,
            _("Fill in: %(field)s.") % {"field": _("bank")},
            details={"field": "bank_name"},
        )
    if len(bank_name) > 255:
        raise DomainError(
            CoreError.VALIDATION,
            _("At most %(n)s characters.") % {"n": 255},
            details={"field": "bank_name"},
        )
    bik = normalize_bik(str(data.get("bik") or ""))
    return {
        "bank_name": bank_name,
        "bik": bik,
        "corr_account": normalize_corr_account(str(data.get("corr_account") or ""), bik=bik),
        "account": normalize_account(str(data.get("account") or ""), bik=bik),
    }


def client_bank_account_of(company: Company) -> ClientBankAccount | None:
    return ClientBankAccount.objects.filter(company=company).first()


@transaction.atomic
def client_bank_account_set(
    *, actor: User | None, company: Company, data: dict[str, Any]
) -> ClientBankAccount | None:
    """Save the client's bank details (bank, BIK, correspondent and settlement accounts), all
    four together; all four left empty remove them. Written by whoever may change the client;
    the change goes to the client's timeline."""
    require_visible(actor, company, _("Client not found."))
    require_write(actor, company)
    current = ClientBankAccount.objects.select_for_update().filter(company=company).first()
    before = _client_bank_snapshot(current)
    if not any(str(data.get(f) or "").strip() for f in CLIENT_BANK_FIELDS):
        if current is not None:
            current.delete()
            current = None
    else:
        clean = _clean_client_bank(data)
        if current is None:
            current = ClientBankAccount(company=company)
        assign(current, clean)
        if changes_between(before, clean):
            current.updated_by = actor
            current.save()
    changes = changes_between(before, _client_bank_snapshot(current))
    changes_log(company, changes, activity=events.CLIENT_BANK_ACCOUNT_SET, actor=actor)
    return current


def client_bank_account_merge(*, actor: User | None, source: Company, target: Company) -> None:
    """Client base merge hook: the merged-away client's bank details go to the kept one unless
    it has its own."""
    if ClientBankAccount.objects.filter(company=target).exists():
        ClientBankAccount.objects.filter(company=source).delete()
    else:
        ClientBankAccount.objects.filter(company=source).update(company=target)
