"""Error codes of the crm app (stable API surface: `details.field` names the bad field)."""

from greenwave.core.errors import ErrorCode, conflict_codes


class CrmError(ErrorCode):
    INVALID_INN = "crm.invalid_inn"
    INVALID_KPP = "crm.invalid_kpp"
    INVALID_OGRN = "crm.invalid_ogrn"
    INVALID_PHONE = "crm.invalid_phone"
    INVALID_EMAIL = "crm.invalid_email"
    INVALID_FIELD = "crm.invalid_field"
    DUPLICATE = "crm.duplicate"
    WRONG_COMPANY = "crm.wrong_company"
    NOT_A_CATALOG_MANAGER = "crm.not_a_catalog_manager"
    INVALID_PRICE = "crm.invalid_price"
    BAD_FILE = "crm.bad_file"
    NOT_A_COMPETITOR_EDITOR = "crm.not_a_competitor_editor"
    IMPORT_NOT_READY = "crm.import_not_ready"
    BAD_ROWS = "crm.bad_rows"


# Refusals by a record's current state: 409 Conflict (see `core.errors.conflict_codes`).
STATE_CONFLICTS = conflict_codes(CrmError.IMPORT_NOT_READY)
