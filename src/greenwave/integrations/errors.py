"""Error codes of the integrations app (webhooks and the 1C exchange)."""

from greenwave.core.errors import ErrorCode


class IntegrationsError(ErrorCode):
    NOT_AN_ADMIN = "integrations.not_an_admin"
    INVALID = "integrations.invalid"
    UNKNOWN_EVENT = "integrations.unknown_event"
    ADDRESS_REFUSED = "integrations.address_refused"
    COMMERCEML_INVALID = "integrations.commerceml_invalid"
    EXCHANGE_NOT_CONFIGURED = "integrations.exchange_not_configured"
