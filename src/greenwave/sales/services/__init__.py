"""Writers of the sales app, one module per part: `common` (roles, approvers, access checks,
the deal row lock), `pipelines` (pipelines, stages, loss reasons), `deals` (create, change,
move, win, lose, reopen, approvals, documents), `leads` (leads, web form, conversion),
`handoffs` (a deal handed to a closer, the client to a farmer), `items` (products and price
lists of a deal, discount rules, company merge), `processes` (bpm processes of a deal,
started here). The public names are re-exported here, so callers import
`greenwave.sales.services` as before.
"""

from __future__ import annotations

from .common import (
    APPROVERS,
    DEAL_FIELDS,
    DEAL_TITLE_MAX_LENGTH,
    DOCUMENT_KEEPERS,
    HEAD_ROLES,
    LEAD_FIELDS,
    DealChanges,
    LeadChanges,
    approval_kinds_for,
    sales_settings,
)
from .deals import (
    deal_approve,
    deal_attach_document,
    deal_create,
    deal_lose,
    deal_move,
    deal_reassign,
    deal_reopen,
    deal_update,
    deal_win,
)
from .handoffs import client_handoff, closer_handoff
from .items import (
    DISCOUNT_DECISION,
    deal_add_item,
    deal_apply_discount_rules,
    deal_remove_item,
    deal_set_price_list,
    sales_company_merged,
)
from .leads import (
    LEAD_TO_CLIENT_SOURCE,
    WEB_LEAD_MESSAGE,
    lead_convert,
    lead_create,
    lead_disqualify,
    lead_from_web_form,
    lead_qualify,
    lead_reassign,
    lead_update,
)
from .pipelines import (
    loss_reason_add,
    pipeline_create,
    stage_delete,
    stage_reorder,
    stage_save,
    stage_set_opening_process,
)
from .processes import DEAL_SUBJECT, deal_process_runs, deal_process_start, deal_processes

__all__ = [
    "APPROVERS",
    "DEAL_FIELDS",
    "DEAL_SUBJECT",
    "DEAL_TITLE_MAX_LENGTH",
    "DISCOUNT_DECISION",
    "DOCUMENT_KEEPERS",
    "HEAD_ROLES",
    "LEAD_FIELDS",
    "LEAD_TO_CLIENT_SOURCE",
    "WEB_LEAD_MESSAGE",
    "DealChanges",
    "LeadChanges",
    "approval_kinds_for",
    "client_handoff",
    "closer_handoff",
    "deal_add_item",
    "deal_apply_discount_rules",
    "deal_approve",
    "deal_attach_document",
    "deal_create",
    "deal_lose",
    "deal_move",
    "deal_process_runs",
    "deal_process_start",
    "deal_processes",
    "deal_reassign",
    "deal_remove_item",
    "deal_reopen",
    "deal_set_price_list",
    "deal_update",
    "deal_win",
    "lead_convert",
    "lead_create",
    "lead_disqualify",
    "lead_from_web_form",
    "lead_qualify",
    "lead_reassign",
    "lead_update",
    "loss_reason_add",
    "pipeline_create",
    "sales_company_merged",
    "sales_settings",
    "stage_delete",
    "stage_reorder",
    "stage_save",
    "stage_set_opening_process",
]
