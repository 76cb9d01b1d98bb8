"""Error codes of the orders app (payments, receivables, orders)."""

from greenwave.core.errors import ErrorCode


class OrdersError(ErrorCode):
    OVERPAYMENT = "orders.overpayment"
    NOT_PAYABLE = "orders.not_payable"
    REFUND_TOO_LARGE = "orders.refund_too_large"
    INVALID_STATEMENT = "orders.invalid_statement"
    STATEMENT_TOO_LARGE = "orders.statement_too_large"
    IMPORT_CONFLICT = "orders.import_conflict"
