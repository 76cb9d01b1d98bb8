"""How the documents app plugs into the kernel's registries (called once from `apps.ready`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from greenwave.accounts.models import RoleCode
from greenwave.bpm.papers import register_run_paper
from greenwave.core.case_access import register_case_access, register_case_link
from greenwave.core.demo import register_demo_seeder
from greenwave.core.event_labels import register_activity_labels
from greenwave.core.jobs import register_periodic
from greenwave.core.navigation import NavItem, register_nav
from greenwave.crm.merging import register_company_merge_handler
from greenwave.sales.contracts import register_contract_approval
from greenwave.sales.gates import register_document_source

from . import events, hr_applications, selectors, services
from .demo import seed_documents

PAPER_ROLES = (
    RoleCode.FINANCE,
    RoleCode.ACCOUNTANT,
    RoleCode.LAWYER,
    RoleCode.HEAD_OF_SALES,
    RoleCode.CLOSER,
)


def register() -> None:
    """Every registration of the app, in one call."""
    _seams()
    _navigation()
    _event_labels()


def _seams() -> None:
    """Periodic jobs, search, quick add, case access and links, demo seeders, hooks."""
    hr_applications.register()
    register_demo_seeder("documents", seed_documents, order=60)
    register_periodic(
        "documents_record_approvals", services.documents_record_approvals, every_seconds=60
    )
    register_periodic("documents_pdf_requeue", services.documents_pdf_requeue, every_seconds=60)
    register_company_merge_handler("documents", services.client_bank_account_merge)
    register_case_access("invoice", selectors.invoice_visible, rows=selectors.invoice_list)
    register_case_access("document", selectors.document_visible)
    register_case_link("document", _("Document"), selectors.document_links)
    register_run_paper(selectors.approval_paper)
    register_document_source(selectors.deal_gate_documents)
    register_contract_approval(services.CONTRACT_PROCESS, services.deal_contract_approval_start)


def _navigation() -> None:
    """The menu entries."""
    register_nav(
        NavItem(
            "invoices",
            _("Invoices"),
            "documents:invoice_list",
            "receipt",
            order=35,
            roles=PAPER_ROLES,
        )
    )
    register_nav(
        NavItem(
            "document_templates",
            _("Document templates"),
            "documents:template_list",
            "file-earmark-word",
            section="sales",
            order=45,
            roles=(
                RoleCode.LAWYER,
                RoleCode.FINANCE,
                RoleCode.ACCOUNTANT,
                RoleCode.HEAD_OF_SALES,
            ),
        )
    )
    register_nav(
        NavItem(
            "legal_entities",
            _("Legal entities"),
            "documents:legal_entity_list",
            "building",
            section="sales",
            order=46,
            roles=(
                RoleCode.FINANCE,
                RoleCode.ACCOUNTANT,
                RoleCode.LAWYER,
                RoleCode.HEAD_OF_SALES,
            ),
        )
    )


def _event_labels() -> None:
    """How the event log names this app's activities."""
    register_activity_labels(
        {
            events.LEGAL_ENTITY_CREATED: _("Legal entity added"),
            events.LEGAL_ENTITY_CHANGED: _("Legal entity changed"),
            events.INVOICE_CREATED: _("Invoice drafted"),
            events.INVOICE_CHANGED: _("Invoice changed"),
            events.INVOICE_ISSUED: _("Invoice issued"),
            events.INVOICE_CANCELLED: _("Invoice cancelled"),
            events.PAYMENT_RECEIVED: _("Payment received"),
            events.PAYMENT_REFUNDED: _("Payment refunded"),
            events.INVOICE_PAID: _("Invoice paid"),
            events.TEMPLATE_UPLOADED: _("Document template uploaded"),
            events.DOCUMENT_GENERATED: _("Document generated"),
            events.DOCUMENT_SENT_FOR_APPROVAL: _("Document sent for approval"),
            events.DOCUMENT_SENT: _("Document sent to the client"),
            events.DOCUMENT_APPROVED: _("Document approved"),
            events.DOCUMENT_REJECTED: _("Document rejected"),
            events.DOCUMENT_APPROVAL_CANCELLED: _("Document approval cancelled"),
            events.DOCUMENT_PDF_READY: _("PDF of the document made"),
            events.DOCUMENT_PDF_FAILED: _("PDF of the document failed"),
            events.CLIENT_BANK_ACCOUNT_SET: _("Client's bank details saved"),
        }
    )
