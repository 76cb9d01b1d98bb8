"""Document templates: upload and activation by their keepers."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from greenwave.accounts.models import RoleCode, User
from greenwave.core.errors import CoreError, DomainError, permission_denied
from greenwave.core.record_change import record_insert

from .. import events, rendering
from ..models import (
    DocumentTemplate,
    LegalEntity,
    NumberedKind,
)

# --- templates ----------------------------------------------------------------------------

TEMPLATE_ADMIN_ROLES = (RoleCode.ADMIN, RoleCode.LAWYER, RoleCode.FINANCE, RoleCode.ACCOUNTANT)


def can_manage_templates(actor: User | None) -> bool:
    return actor is None or actor.is_greenwave_admin or actor.has_role(*TEMPLATE_ADMIN_ROLES)


@transaction.atomic
def document_template_upload(
    *,
    actor: User | None,
    legal_entity: LegalEntity,
    kind: str,
    name: str,
    file_name: str,
    data: bytes,
) -> DocumentTemplate:
    """Store a legal entity's own template of a kind after checking it (not a DOCX, a zip
    bomb, macros, a broken or unknown tag → refused, nothing stored). The newest active
    template of a kind is the one documents are made from."""
    if not can_manage_templates(actor):
        raise permission_denied(_("Only an administrator, a lawyer or finance uploads templates."))
    if kind not in NumberedKind.values:
        raise DomainError(
            CoreError.VALIDATION, _("Unknown kind of document."), details={"field": "kind"}
        )
    name = str(name or "").strip()[:200] or str(NumberedKind(kind).label)
    check = rendering.check_template(data)
    template = DocumentTemplate(
        kind=kind,
        name=name,
        legal_entity=legal_entity,
        original_name=str(file_name or "")[:255],
        variables=check.variables,
        uploaded_by=actor,
    )
    template.file.save(f"{kind}.docx", ContentFile(data), save=False)
    return record_insert(
        template,
        activity=events.TEMPLATE_UPLOADED,
        actor=actor,
        payload={"kind": kind, "name": name, "legal_entity_id": legal_entity.pk},
    )


@transaction.atomic
def document_template_set_active(
    *, actor: User | None, template: DocumentTemplate, active: bool
) -> DocumentTemplate:
    if not can_manage_templates(actor):
        raise permission_denied(_("Only an administrator, a lawyer or finance manages templates."))
    template.is_active = active
    template.save(update_fields=["is_active", "updated_at"])
    return template
