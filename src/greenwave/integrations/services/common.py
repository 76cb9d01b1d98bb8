"""What the webhook and 1C writers share."""

from __future__ import annotations

from django.utils.translation import gettext as _

from greenwave.accounts.models import User
from greenwave.core.errors import DomainError

from ..errors import IntegrationsError


def _invalid(field: str, message: str) -> DomainError:
    return DomainError(IntegrationsError.INVALID, message, details={"field": field})


def require_admin(actor: User | None) -> None:
    """Integrations are settings of the whole installation: administrators only (None is the
    system itself — the worker, the demo, the 1C exchange user)."""
    if actor is not None and not actor.is_greenwave_admin:
        raise DomainError(
            IntegrationsError.NOT_AN_ADMIN,
            _("Only an administrator manages integrations."),
            status=403,
        )
