"""Error codes of the orders app (payments, receivables, orders), and the refusal of a field."""

from greenwave.core.errors import CoreError, DomainError, ErrorCode, conflict_codes


class OrdersError(ErrorCode):
    OVERPAYMENT = "orders.overpayment"
    NOT_PAYABLE = "orders.not_payable"
    REFUND_TOO_LARGE = "orders.refund_too_large"
    INVALID_STATEMENT = "orders.invalid_statement"
    STATEMENT_TOO_LARGE = "orders.statement_too_large"
    IMPORT_CONFLICT = "orders.import_conflict"


def invalid(field: str, message: str) -> DomainError:
    """A refused value of a payment, order or claim, named by its field for the form."""
    return DomainError(CoreError.VALIDATION, message, details={"field": field})


# Refusals by a record's current state: 409 Conflict (see `core.errors.conflict_codes`).
STATE_CONFLICTS = conflict_codes(OrdersError.NOT_PAYABLE)
