"""The client base: companies (legal entities with Russian requisites), their contacts and the
decision makers among those contacts (seed 003 «Информация о клиенте»)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from greenwave.accounts.models import AssignedRecord, owner_index
from greenwave.core.model_fields import choice_field, kept_link, optional_link, optional_moment
from greenwave.core.models import TimeStampedModel
from greenwave.core.money import currency_field, money_amount_field


class CompanySize(models.TextChoices):
    MICRO = "micro", _("Micro (up to 15 people)")
    SMALL = "small", _("Small (16–100 people)")
    MEDIUM = "medium", _("Medium (101–250 people)")
    LARGE = "large", _("Large (over 250 people)")


class Segment(models.TextChoices):
    NEW = "new", _("New client")
    CURRENT = "current", _("Current client")


class Source(models.TextChoices):
    WEBSITE = "website", _("Website")
    COLD_CALL = "cold_call", _("Cold call")
    REFERRAL = "referral", _("Referral")
    EXHIBITION = "exhibition", _("Exhibition")
    ADVERTISING = "advertising", _("Advertising")
    SOCIAL = "social", _("Social networks")
    PARTNER = "partner", _("Partner")
    TENDER = "tender", _("Tender")
    OTHER = "other", _("Other")


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")


class Attitude(models.TextChoices):
    """How a decision maker relates to us (seed 003: «отношение к нам»)."""

    SUPPORTER = "supporter", _("Supporter")
    POSITIVE = "positive", _("Positive")
    NEUTRAL = "neutral", _("Neutral")
    NEGATIVE = "negative", _("Negative")
    OPPONENT = "opponent", _("Opponent")


class SoftDeleted(models.Model):
    """A record whose deletion is soft: the card, its links and history stay and can be
    restored (a client, a contact)."""

    is_deleted = models.BooleanField(_("deleted"), default=False, db_index=True)
    deleted_at = optional_moment(_("deleted at"))

    class Meta:
        abstract = True


class Searchable(models.Model):
    """A record the list search finds (a client, a contact, a competitor, a product) by
    `search_text`: its name and the like, lower-cased (`services.search_text_of`). SQLite's
    LIKE folds only ASCII, so «ромашк» must meet an already lower-cased «ооо ромашка» to be
    found. The services that save the record keep it in sync; the API pages leave it out."""

    search_text = models.TextField(editable=False, blank=True)

    class Meta:
        abstract = True


# A company the lists show: not merged into another, not deleted.
_LIVE = models.Q(merged_into__isnull=True, is_deleted=False)


class Company(SoftDeleted, Searchable, AssignedRecord):
    """A client or prospect: a legal entity or an individual entrepreneur."""

    EVENT_CASE_TYPE = "company"

    name = models.CharField(_("name"), max_length=255)
    inn = models.CharField(_("INN"), max_length=12, blank=True, db_index=True)
    kpp = models.CharField(_("KPP"), max_length=9, blank=True)
    ogrn = models.CharField(_("OGRN/OGRNIP"), max_length=15, blank=True)
    legal_address = models.CharField(_("legal address"), max_length=500, blank=True)
    actual_address = models.CharField(_("actual address"), max_length=500, blank=True)
    region = models.CharField(_("region"), max_length=120, blank=True, db_index=True)
    industry = models.CharField(_("industry"), max_length=120, blank=True, db_index=True)
    size = choice_field(_("size"), CompanySize, max_length=10, blank=True)
    source = choice_field(_("source"), Source, max_length=20, blank=True)
    segment = choice_field(_("segment"), Segment, max_length=10, default=Segment.NEW)
    phone = models.CharField(_("phone"), max_length=20, blank=True, db_index=True)
    email = models.EmailField(_("e-mail"), blank=True, db_index=True)
    website = models.CharField(_("website"), max_length=255, blank=True)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    custom_fields = models.JSONField(_("custom fields"), default=dict, blank=True)
    # A company merged into another stays as a tombstone so old links and ids still resolve.
    merged_into = optional_link(
        "self", _("merged into"), on_delete=models.PROTECT, related_name="merged_companies"
    )
    # The responsible's surname, the list's "responsible" sort key (issue #23, 3b): a copy
    # kept by database triggers (crm migration 0014) on every write of the row and of the
    # user's surname, so that sort reads an index instead of joining and sorting every row.
    # Never written by Greenwave's code, forms or API; whatever is written is overwritten.
    # NULL only until the triggers set it (a raw INSERT or COPY may leave the column out).
    responsible_last_name = models.CharField(max_length=150, null=True, editable=False)  # noqa: DJ001

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["name", "pk"]
        indexes = [
            owner_index("crm_company_owner_idx"),
            models.Index(fields=["segment", "name"], name="crm_company_segment_idx"),
            # One per sort of the list on a column of its own (with the id that breaks ties),
            # over the live clients only: a page is read from the index, not sorted from all.
            models.Index(fields=["name", "id"], name="crm_company_name_idx", condition=_LIVE),
            models.Index(
                fields=["created_at", "id"], name="crm_company_created_idx", condition=_LIVE
            ),
            models.Index(
                fields=["updated_at", "id"], name="crm_company_updated_idx", condition=_LIVE
            ),
            models.Index(
                fields=["region", "name", "id"], name="crm_company_region_idx", condition=_LIVE
            ),
            models.Index(
                fields=["responsible_last_name", "name", "id"],
                name="crm_company_resp_sort_idx",
                condition=_LIVE,
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Contact(SoftDeleted, Searchable, AssignedRecord):
    """A person at a client. Phones are E.164 strings, e-mails lower-cased."""

    EVENT_CASE_TYPE = "contact"

    company = kept_link(Company, _("company"), related_name="contacts")
    full_name = models.CharField(_("full name"), max_length=255)
    position = models.CharField(_("position"), max_length=255, blank=True)
    phones = models.JSONField(_("phones"), default=list, blank=True)
    emails = models.JSONField(_("e-mails"), default=list, blank=True)
    messengers = models.JSONField(_("messengers"), default=dict, blank=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    gender = choice_field(_("gender"), Gender, max_length=10, blank=True)
    mailing_consent = models.BooleanField(_("consent to mailings"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    # The client's name (empty without a client), the list's "company" sort key: a copy kept
    # by database triggers like `Company.responsible_last_name` (on the contact's writes, the
    # company's renames); never written by Greenwave's code, forms or API.
    # NULL, not "", without a client: NULLs sort as the LEFT JOIN's did (last, first if -).
    company_name = models.CharField(max_length=255, null=True, editable=False)  # noqa: DJ001

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["full_name", "pk"]
        indexes = [
            owner_index("crm_contact_owner_idx"),
            # The list's own-column sorts over the live contacts (see Company).
            models.Index(
                fields=["full_name", "id"],
                name="crm_contact_name_idx",
                condition=models.Q(is_deleted=False),
            ),
            models.Index(
                fields=["created_at", "id"],
                name="crm_contact_created_idx",
                condition=models.Q(is_deleted=False),
            ),
            models.Index(
                fields=["company_name", "full_name", "id"],
                name="crm_contact_company_sort_idx",
                condition=models.Q(is_deleted=False),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name


class DecisionMaker(TimeStampedModel):
    """The role a contact plays in a company's decision (seed 003, «ЛПР»)."""

    EVENT_CASE_TYPE = "decision_maker"

    company = models.ForeignKey(
        Company,
        verbose_name=_("company"),
        on_delete=models.CASCADE,
        related_name="decision_makers",
    )
    contact = models.ForeignKey(
        Contact,
        verbose_name=_("contact"),
        on_delete=models.CASCADE,
        related_name="decision_roles",
    )
    role = models.CharField(_("role in the decision"), max_length=255, blank=True)
    personal_benefits = models.TextField(_("personal benefits"), blank=True)
    influence_level = models.PositiveSmallIntegerField(_("influence level (1–5)"), default=3)
    age = models.PositiveSmallIntegerField(_("age"), null=True, blank=True)
    character = models.TextField(_("character"), blank=True)
    hobbies = models.TextField(_("hobbies"), blank=True)
    attitude = choice_field(_("attitude to us"), Attitude, max_length=10, default=Attitude.NEUTRAL)

    class Meta:
        verbose_name = _("decision maker")
        verbose_name_plural = _("decision makers")
        ordering = ["-influence_level", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["company", "contact"], name="crm_dm_unique"),
            models.CheckConstraint(
                condition=models.Q(influence_level__gte=1, influence_level__lte=5),
                name="crm_dm_influence_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contact} @ {self.company}"


class ClientGoal(models.TextChoices):
    """Goals and tasks of the client's company (seed 003 «Цели и задачи компании заказчика»)."""

    MARKET_SHARE = "market_share", _("Grow market share")
    NEW_CLIENTS = "new_clients", _("Attract new clients")
    ASSORTMENT = "assortment", _("Widen the assortment")
    COST_REDUCTION = "cost_reduction", _("Cut costs")
    NEW_PRODUCTS = "new_products", _("Launch new products")
    NEW_BRANCHES = "new_branches", _("Open new branches")


class ClientProfile(TimeStampedModel):
    """What a good account manager knows about the client's business (seed 003).

    One per company; every change is an event on the company's case, so the card's history
    shows how the understanding of the client grew.
    """

    EVENT_CASE_TYPE = "client_profile"

    company = models.OneToOneField(
        Company, verbose_name=_("company"), on_delete=models.CASCADE, related_name="profile"
    )
    industry_trends = models.TextField(_("industry trends"), blank=True)
    key_success_factors = models.TextField(_("key success factors"), blank=True)
    market_share = models.DecimalField(
        _("market share, %"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    client_competitors = models.TextField(_("competitors of the client"), blank=True)
    benefits_sought = models.TextField(_("benefits the client's customers seek"), blank=True)
    goals = models.JSONField(_("goals"), default=list, blank=True)
    goals_note = models.TextField(_("goals in detail"), blank=True)
    consumption_benefits = models.TextField(_("main benefits of consumption"), blank=True)
    further_needs = models.TextField(_("what else they may need from us"), blank=True)

    class Meta:
        verbose_name = _("client profile")
        verbose_name_plural = _("client profiles")

    def __str__(self) -> str:
        return str(self.company)


class PriceLevel(models.TextChoices):
    MUCH_LOWER = "much_lower", _("Much lower than ours")
    LOWER = "lower", _("Lower than ours")
    SIMILAR = "similar", _("About ours")
    HIGHER = "higher", _("Higher than ours")
    MUCH_HIGHER = "much_higher", _("Much higher than ours")


class Competitor(Searchable, TimeStampedModel):
    """A competitor of ours (seed 003 «Портфолио конкурента»); shared by the whole department."""

    EVENT_CASE_TYPE = "competitor"

    name = models.CharField(_("name"), max_length=255, unique=True)
    website = models.CharField(_("website"), max_length=255, blank=True)
    price_level = choice_field(
        _("price level"), PriceLevel, max_length=12, default=PriceLevel.SIMILAR
    )
    assortment = models.TextField(_("assortment"), blank=True)
    special_conditions = models.TextField(_("special conditions"), blank=True)
    marketing_activity = models.TextField(_("marketing activity"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    companies: models.ManyToManyField[Company, CompetitorPresence] = models.ManyToManyField(
        Company,
        verbose_name=_("clients where they compete"),
        through="CompetitorPresence",
        related_name="competitors",
        blank=True,
    )

    class Meta:
        verbose_name = _("competitor")
        verbose_name_plural = _("competitors")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CompetitorPresence(TimeStampedModel):
    """A competitor works with (or fights for) one of our clients."""

    competitor = models.ForeignKey(
        Competitor, verbose_name=_("competitor"), on_delete=models.CASCADE, related_name="presence"
    )
    company = models.ForeignKey(
        Company,
        verbose_name=_("company"),
        on_delete=models.CASCADE,
        related_name="competitor_presence",
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("competitor at a client")
        verbose_name_plural = _("competitors at clients")
        constraints = [
            models.UniqueConstraint(fields=["competitor", "company"], name="crm_presence_unique")
        ]

    def __str__(self) -> str:
        return f"{self.competitor} @ {self.company}"


class Unit(models.TextChoices):
    PIECE = "pcs", _("pcs")
    KILOGRAM = "kg", _("kg")
    TONNE = "t", _("t")
    LITRE = "l", _("l")
    METRE = "m", _("m")
    SQUARE_METRE = "m2", _("m²")
    PACK = "pack", _("pack")
    SET = "set", _("set")
    HOUR = "hour", _("hour")
    SERVICE = "service", _("service")
    MONTH = "month", pgettext_lazy("unit of measure", "month")


class VatRate(models.TextChoices):
    """Russian VAT rates; `none` is «без НДС» (simplified taxation)."""

    NONE = "none", _("No VAT")
    ZERO = "0", _("0%")
    TEN = "10", _("10%")
    TWENTY = "20", _("20%")


class ProductGroup(TimeStampedModel):
    EVENT_CASE_TYPE = "product_group"

    name = models.CharField(_("name"), max_length=255, unique=True)
    parent = optional_link(
        "self", _("parent group"), on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        verbose_name = _("product group")
        verbose_name_plural = _("product groups")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Product(Searchable, TimeStampedModel):
    EVENT_CASE_TYPE = "product"

    name = models.CharField(_("name"), max_length=255)
    sku = models.CharField(_("article"), max_length=64, unique=True)
    group = optional_link(
        ProductGroup, _("group"), on_delete=models.PROTECT, related_name="products"
    )
    unit = choice_field(_("unit"), Unit, max_length=10, default=Unit.PIECE)
    vat_rate = choice_field(_("VAT rate"), VatRate, max_length=4, default=VatRate.TWENTY)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("on sale"), default=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class PriceListKind(models.TextChoices):
    # Adjectives of a price list («Скидочный»): their own context, or the catalogue would
    # lend «Скидочный» to every «Discount» column (the invoice's).
    BASE = "base", pgettext_lazy("price list kind", "Base")
    DISCOUNT = "discount", pgettext_lazy("price list kind", "Discount")
    SPECIAL = "special", pgettext_lazy("price list kind", "Special")


class PriceList(TimeStampedModel):
    """A list of prices. The five discount lists are what a head of sales picks from when a
    client objects to the price (seed 001)."""

    EVENT_CASE_TYPE = "price_list"

    name = models.CharField(_("name"), max_length=255, unique=True)
    kind = choice_field(_("kind"), PriceListKind, max_length=10, default=PriceListKind.BASE)
    level = models.PositiveSmallIntegerField(
        _("discount level"), null=True, blank=True, help_text=_("1–5 for discount price lists.")
    )
    currency = currency_field()
    is_active = models.BooleanField(_("active"), default=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("price list")
        verbose_name_plural = _("price lists")
        ordering = ["kind", "level", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "level"],
                condition=models.Q(kind="discount"),
                name="crm_pricelist_discount_level_unique",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Price(TimeStampedModel):
    price_list = models.ForeignKey(
        PriceList, verbose_name=_("price list"), on_delete=models.CASCADE, related_name="prices"
    )
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="prices"
    )
    amount = money_amount_field(_("price"))

    class Meta:
        verbose_name = _("price")
        verbose_name_plural = _("prices")
        constraints = [
            models.UniqueConstraint(fields=["price_list", "product"], name="crm_price_unique"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="crm_price_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.product} — {self.amount}"


class ImportKind(models.TextChoices):
    COMPANIES = "companies", _("Companies (with a contact person)")
    CONTACTS = "contacts", _("Contacts")


class ImportStatus(models.TextChoices):
    READING = "reading", _("Reading the file")
    UPLOADED = "uploaded", _("Uploaded: map the columns")
    CHECKING = "checking", _("Checking the rows (dry run)")
    CHECKED = "checked", _("Checked: confirm the import")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed: nothing was imported")


class ImportJob(TimeStampedModel):
    """One file being imported: its bytes, the column mapping, the dry-run report and the
    progress of the background job that writes it (all rows or none). The web request only
    keeps the bytes: the worker reads the file (`reading` → `uploaded`), checks its rows
    (`checking` → `checked`) and writes them (`queued` → `running` → `done`), so that a large
    or hostile file never holds a web worker.

    `total_rows` = `valid_rows` (new, to be written) + `duplicate_rows` (contacts whose phone
    or e-mail is already in the base or on an earlier row: listed and skipped) + `error_rows`."""

    EVENT_CASE_TYPE = "import_job"

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        on_delete=models.CASCADE,
        related_name="crm_imports",
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible for the imported clients"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = choice_field(_("what"), ImportKind, max_length=10)
    file_name = models.CharField(_("file"), max_length=255)
    content = models.BinaryField(_("content"))
    encoding = models.CharField(_("encoding"), max_length=20, blank=True)
    delimiter = models.CharField(_("delimiter"), max_length=1, blank=True)
    headers = models.JSONField(_("columns"), default=list)
    mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    status = choice_field(_("status"), ImportStatus, max_length=10, default=ImportStatus.UPLOADED)
    skip_invalid = models.BooleanField(_("import only the good rows"), default=False)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    valid_rows = models.PositiveIntegerField(_("good rows"), default=0)
    error_rows = models.PositiveIntegerField(_("bad rows"), default=0)
    duplicate_rows = models.PositiveIntegerField(_("duplicate rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("processed rows"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    errors = models.JSONField(_("row errors"), default=list, blank=True)
    duplicates = models.JSONField(_("duplicates skipped"), default=list, blank=True)
    # The dry run's good rows of a contacts file, cleaned (zlib-compressed JSON lines): the job
    # writes these instead of reading and validating the file again.
    checked_rows = models.BinaryField(_("checked rows"), blank=True, default=b"")
    # PostgreSQL: the oldest transaction still running when the dry run began to look for
    # duplicates (64-bit id): a job whose base holds no contact row written by it or a later
    # transaction need not look again (`imports._contacts_unchanged_since_check`).
    checked_stamp = models.BigIntegerField(_("checked stamp"), null=True, blank=True)
    message = models.TextField(_("message"), blank=True)
    finished_at = optional_moment(_("finished"))

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.file_name

    @property
    def progress_percent(self) -> int:
        if self.status == ImportStatus.DONE:
            return 100
        if not self.total_rows:
            return 0
        if self.status == ImportStatus.CHECKING:  # the dry run reads every row once
            return min(99, int(100 * self.processed_rows / self.total_rows))
        return min(99, int(100 * self.processed_rows / (2 * self.total_rows)))

    @property
    def in_progress(self) -> bool:
        """The worker has the job: the page polls its progress."""
        return self.status in (
            ImportStatus.READING,
            ImportStatus.CHECKING,
            ImportStatus.QUEUED,
            ImportStatus.RUNNING,
        )


class CustomFieldKind(models.TextChoices):
    TEXT = "text", _("Text")
    NUMBER = "number", pgettext_lazy("field type", "Number")
    DATE = "date", _("Date")
    YES_NO = "yes_no", _("Yes / no")
    CHOICE = "choice", _("Choice from a list")


class CustomField(TimeStampedModel):
    """A field the company card shows beyond the built-in ones (set up by an administrator).

    Values live in `Company.custom_fields` under the field's name, as JSON: text, a number,
    an ISO date string, true/false or one of the choices.
    """

    EVENT_CASE_TYPE = "custom_field"

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = choice_field(_("type"), CustomFieldKind, max_length=10, default=CustomFieldKind.TEXT)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("custom field")
        verbose_name_plural = _("custom fields")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.name
