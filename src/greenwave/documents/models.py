"""Our legal entities, invoices with their lines, document numbering, templates and the
generated documents of a deal with their versions.

Invoices are records, not only files (issue 16): the «Счёт» gate reads them and the money
issue applies payments to them. Numbers are gap-free per kind, legal entity and year
(`DocumentNumberSequence`, advanced under a row lock in the same transaction as the record
that takes the number, so a rolled-back record gives its number back).
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from greenwave.accounts.models import CreatedOwnedRecord, OwnedRecord, User, owner_index
from greenwave.core import model_fields
from greenwave.core.model_fields import choice_field, kept_link, optional_link, optional_moment
from greenwave.core.models import TimeStampedModel, newest_first_index
from greenwave.core.money import currency_field, money_amount_field
from greenwave.crm.models import Product, VatRate
from greenwave.sales.models import Deal


class BankDetails(models.Model):
    """The bank account money is paid to or from: ours on every document we issue, the
    client's on the contract and the invoice."""

    bank_name = models.CharField(_("bank"), max_length=255)
    bik = models.CharField(_("BIK"), max_length=9)
    account = models.CharField(_("settlement account"), max_length=20)
    corr_account = models.CharField(_("correspondent account"), max_length=20)

    class Meta:
        abstract = True


class LegalEntity(BankDetails, TimeStampedModel):
    """One of our own companies that sells: requisites, bank account and the signatory."""

    EVENT_CASE_TYPE = "legal_entity"

    name = models.CharField(_("short name"), max_length=255)
    full_name = models.CharField(
        pgettext_lazy("legal entity", "full name"), max_length=500, blank=True
    )
    inn = models.CharField(_("INN"), max_length=12)
    kpp = models.CharField(_("KPP"), max_length=9, blank=True)
    ogrn = models.CharField(_("OGRN/OGRNIP"), max_length=15, blank=True)
    address = models.CharField(_("legal address"), max_length=500)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    signatory_name = models.CharField(_("signatory"), max_length=255)
    signatory_position = models.CharField(_("signatory's position"), max_length=255)
    signatory_name_genitive = models.CharField(
        _("signatory in the genitive"), max_length=255, blank=True
    )
    signatory_position_genitive = models.CharField(
        _("position in the genitive"), max_length=255, blank=True
    )
    signatory_basis = models.CharField(
        _("acting on the basis of"), max_length=255, default="Устава", blank=True
    )
    chief_accountant = models.CharField(_("chief accountant"), max_length=255, blank=True)
    vat_payer = models.BooleanField(_("VAT payer"), default=True)
    is_default = models.BooleanField(_("default seller"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("legal entity")
        verbose_name_plural = _("legal entities")
        ordering = ["-is_default", "name", "pk"]

    def __str__(self) -> str:
        return self.name


class NumberedKind(models.TextChoices):
    """What is numbered: each kind has its own gap-free sequence per legal entity and year."""

    QUOTE = "quote", _("Commercial proposal")
    TECH_QUOTE = "tech_quote", _("Technical and commercial proposal")
    CONTRACT = "contract", _("Supply contract")
    INVOICE = "invoice", _("Invoice for payment")
    ACT = "act", _("Act")
    UPD = "upd", _("Universal transfer document (UPD)")


class DocumentNumberSequence(models.Model):
    """The last number given for a kind of document of a legal entity in a year."""

    legal_entity = models.ForeignKey(
        LegalEntity, on_delete=models.CASCADE, related_name="number_sequences"
    )
    kind = choice_field(_("kind"), NumberedKind, max_length=16)
    year = models.PositiveSmallIntegerField(_("year"))
    last_number = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("number sequence")
        verbose_name_plural = _("number sequences")
        constraints = [
            models.UniqueConstraint(
                fields=["legal_entity", "kind", "year"], name="documents_sequence_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.legal_entity_id}:{self.kind}:{self.year}={self.last_number}"


class InvoiceStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ISSUED = "issued", _("Issued")
    PARTIALLY_PAID = "partially_paid", _("Partially paid")
    PAID = "paid", _("Paid")
    CANCELLED = "cancelled", pgettext_lazy("invoice status", "Cancelled")


# Statuses in which the invoice waits for money (the overdue filter, the receivables).
AWAITING_PAYMENT = (InvoiceStatus.ISSUED, InvoiceStatus.PARTIALLY_PAID)


class Invoice(CreatedOwnedRecord):
    """An invoice for payment (счёт на оплату): a record with lines, VAT and a status.

    Prices are VAT-inclusive, as Russian B2B invoices are written («в т.ч. НДС»): `total` is
    what the buyer pays, `vat_amount` the VAT inside it. Owned like a deal (responsible and
    team copied from the deal or the client at creation), so it is scoped like a deal.
    """

    EVENT_CASE_TYPE = "invoice"

    number = models.CharField(_("number"), max_length=40, blank=True)
    # The place in the seller's invoice sequence of the year; set when issued.
    sequence = models.PositiveIntegerField(_("sequence number"), null=True, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    status = choice_field(_("status"), InvoiceStatus, max_length=16, default=InvoiceStatus.DRAFT)
    issue_date = models.DateField(_("issue date"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    seller = models.ForeignKey(
        LegalEntity, verbose_name=_("seller"), on_delete=models.PROTECT, related_name="invoices"
    )
    buyer = models.ForeignKey(
        "crm.Company", verbose_name=_("buyer"), on_delete=models.PROTECT, related_name="invoices"
    )
    deal = optional_link(Deal, _("deal"), on_delete=models.PROTECT, related_name="invoices")
    currency = currency_field()
    subtotal = money_amount_field(_("amount without VAT"))
    vat_amount = money_amount_field(_("VAT"))
    total = money_amount_field(_("total"))
    # Kept by the payments (money issue): what has been received so far.
    paid_amount = money_amount_field(_("paid"))
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    issued_at = optional_moment(_("issued"))
    paid_at = optional_moment(_("paid"))
    cancelled_at = optional_moment(_("cancelled"))
    cancel_reason = models.CharField(_("reason of cancellation"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-created_at", "-pk"]
        indexes = [
            owner_index("invoice_owner_idx"),
            models.Index(fields=["status", "due_date"], name="invoice_status_due_idx"),
            newest_first_index("invoice_recent_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["seller", "year", "sequence"], name="invoice_number_unique"
            ),
            models.CheckConstraint(condition=models.Q(total__gte=0), name="invoice_total"),
        ]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"

    @property
    def label(self) -> str:
        """What the pages call it: «№ 12», or a draft (no number yet) by the day it was made —
        «черновик от 07.12.2026» rather than its row id."""
        if self.number:
            return f"№ {self.number}"
        made = date_format(timezone.localtime(self.created_at), "SHORT_DATE_FORMAT")
        return str(_("draft of %(date)s") % {"date": made})

    @property
    def outstanding(self) -> Decimal:
        return self.total - self.paid_amount


class InvoiceLine(models.Model):
    """One line: a product (or a free-text service), quantity, VAT-inclusive unit price,
    a discount in percent and the VAT rate; `amount` and `vat_amount` are computed by the
    service that writes the line."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(pgettext_lazy("line number", "position"))
    product = optional_link(Product, _("product"), on_delete=models.PROTECT)
    name = models.CharField(_("name"), max_length=500)
    unit = models.CharField(_("unit"), max_length=20, default="шт")
    quantity = model_fields.quantity_field(
        _("quantity"), validators=[MinValueValidator(Decimal(0))]
    )
    price = money_amount_field(_("price"))
    discount_percent = model_fields.percent_field(
        _("discount, %"),
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    vat_rate = choice_field(_("VAT rate"), VatRate, max_length=4, default=VatRate.TWENTY)
    amount = money_amount_field(_("amount"))
    vat_amount = money_amount_field(_("VAT"))

    class Meta:
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        ordering = ["invoice", "position"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="invoice_line_qty"),
            models.CheckConstraint(condition=models.Q(price__gte=0), name="invoice_line_price"),
        ]

    def __str__(self) -> str:
        return self.name


class DocumentTemplate(TimeStampedModel):
    """A DOCX template a legal entity uploaded for a kind of document (the built-in ones live
    in the package and are not rows). Accepted only after validation: see `templates_docx`."""

    EVENT_CASE_TYPE = "document_template"

    kind = choice_field(_("kind"), NumberedKind, max_length=16)
    name = models.CharField(_("name"), max_length=200)
    legal_entity = models.ForeignKey(
        LegalEntity,
        verbose_name=_("legal entity"),
        on_delete=models.CASCADE,
        related_name="templates",
    )
    file = models.FileField(_("file"), upload_to="document_templates/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    variables = models.JSONField(_("variables"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    uploaded_by = kept_link(User, blank=False)

    class Meta:
        verbose_name = _("document template")
        verbose_name_plural = _("document templates")
        ordering = ["kind", "-created_at", "-pk"]

    def __str__(self) -> str:
        return self.name


class DocumentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ON_APPROVAL = "on_approval", _("On approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    SENT = "sent", _("Sent")


class Document(OwnedRecord):
    """A document of a deal (КП, contract, invoice …): one number, many versions.

    Owned like its deal (responsible and team copied from the deal) so it is scoped like one.
    """

    EVENT_CASE_TYPE = "document"

    deal = models.ForeignKey(
        "sales.Deal", verbose_name=_("deal"), on_delete=models.CASCADE, related_name="papers"
    )
    kind = choice_field(_("kind"), NumberedKind, max_length=16)
    number = models.CharField(_("number"), max_length=40)
    sequence = models.PositiveIntegerField(_("sequence number"))
    year = models.PositiveSmallIntegerField(_("year"))
    legal_entity = models.ForeignKey(
        LegalEntity, verbose_name=_("legal entity"), on_delete=models.PROTECT, related_name="+"
    )
    template = kept_link(DocumentTemplate, _("template"), related_name="documents")
    invoice = kept_link(Invoice, _("invoice"), related_name="documents")
    status = choice_field(_("status"), DocumentStatus, max_length=16, default=DocumentStatus.DRAFT)
    current_version = models.PositiveIntegerField(_("version"), default=1)
    # The approval process run (bpm instance id) that carries this document, if any.
    approval_instance_id = models.BigIntegerField(null=True, blank=True)
    approval_process = models.CharField(max_length=100, blank=True)
    sent_at = optional_moment(_("sent"))

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-created_at", "-pk"]
        indexes = [owner_index("document_owner_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["legal_entity", "kind", "year", "sequence"],
                name="document_number_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} № {self.number}"


class PdfStatus(models.TextChoices):
    """Where the PDF of a version is: the worker converts it after the DOCX is stored."""

    NONE = "none", _("No PDF")
    QUEUED = "queued", _("PDF queued")
    CONVERTING = "converting", _("PDF being made")
    READY = "ready", _("PDF ready")
    FAILED = "failed", _("PDF failed")


# The states in which the page keeps asking for news.
PDF_PENDING = (PdfStatus.QUEUED, PdfStatus.CONVERTING)


class DocumentVersion(TimeStampedModel):
    """One rendering of a document; older versions stay downloadable."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField(_("version"))
    docx = models.FileField(_("DOCX"), upload_to="documents/%Y/%m/")
    pdf = models.FileField(_("PDF"), upload_to="documents/%Y/%m/", blank=True)
    pdf_status = choice_field(_("PDF status"), PdfStatus, max_length=12, default=PdfStatus.NONE)
    # Why there is no PDF (LibreOffice missing, conversion failed or timed out).
    pdf_error = models.CharField(_("why no PDF"), max_length=500, blank=True)
    text = models.TextField(_("text"), blank=True)
    context = models.JSONField(_("data"), default=dict, blank=True)
    created_by = kept_link(User, blank=False)

    class Meta:
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        ordering = ["document", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["document", "version"], name="document_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.document_id} v{self.version}"


class ClientBankAccount(BankDetails, TimeStampedModel):
    """The bank details of a client (a crm company keeps none): the buyer's bank on the
    contract and the invoice. One per client; kept here so that crm needs no new columns."""

    company = models.OneToOneField(
        "crm.Company",
        verbose_name=_("client"),
        on_delete=models.CASCADE,
        related_name="bank_account",
    )
    updated_by = kept_link(User, blank=False)

    class Meta:
        verbose_name = _("client's bank account")
        verbose_name_plural = _("clients' bank accounts")

    def __str__(self) -> str:
        return f"{self.bank_name} {self.account}"
