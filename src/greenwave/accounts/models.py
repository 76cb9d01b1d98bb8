"""Users, roles (as data), teams with a reporting line, and API tokens."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from greenwave.core.model_fields import choice_field, kept_link, optional_link, optional_moment
from greenwave.core.models import TimeStampedModel

from .scope_cache import detach, new_stamp, remember


class RoleCode(models.TextChoices):
    """The roles of DESIGN.md §1. Stored as rows of `Role`; the codes are stable names."""

    CALL_CENTER = "call_center", _("Call centre")
    HUNTER = "hunter", _("Hunter")
    CLOSER = "closer", _("Closer")
    FARMER = "farmer", _("Farmer")
    KAM = "kam", _("Key account manager")
    HEAD_OF_SALES = "head_of_sales", _("Head of sales")
    LAWYER = "lawyer", _("Lawyer")
    FINANCE = "finance", _("Finance")
    ACCOUNTANT = "accountant", _("Accountant")
    HR = "hr", _("HR")
    ADMIN = "admin", _("Administrator")


# The role groups a menu item or a rule speaks of.
SALES_ROLES = (
    RoleCode.CALL_CENTER,
    RoleCode.HUNTER,
    RoleCode.CLOSER,
    RoleCode.FARMER,
    RoleCode.KAM,
    RoleCode.HEAD_OF_SALES,
)
# Approvers and executors in processes: they read deals and clients, they do not sell.
BACK_OFFICE_ROLES = (RoleCode.LAWYER, RoleCode.FINANCE, RoleCode.ACCOUNTANT)
HEAD_ROLES = (RoleCode.HEAD_OF_SALES, RoleCode.ADMIN)


class AccessLevel(models.TextChoices):
    """How far a role sees records: ordered from narrowest to widest."""

    OWN = "own", _("Own records")
    TEAM = "team", _("Team records")
    HEADED = "headed", _("Records of the teams I head")
    ALL = "all", _("All records")


# The sellers read and change their team's records; the head of sales those of the teams
# they head.
SELLER_ACCESS: dict[str, AccessLevel] = {
    **dict.fromkeys(SALES_ROLES, AccessLevel.TEAM),
    RoleCode.HEAD_OF_SALES: AccessLevel.HEADED,
}

# The record access a role gets when its row is created (an admin may change it later).
DEFAULT_ACCESS_LEVELS: dict[str, str] = {
    **SELLER_ACCESS,
    RoleCode.LAWYER: AccessLevel.ALL,
    RoleCode.FINANCE: AccessLevel.ALL,
    RoleCode.ACCOUNTANT: AccessLevel.ALL,
    RoleCode.HR: AccessLevel.OWN,
    RoleCode.ADMIN: AccessLevel.ALL,
}

ACCESS_RANK = {AccessLevel.OWN: 0, AccessLevel.TEAM: 1, AccessLevel.HEADED: 2, AccessLevel.ALL: 3}

# How far a role may *change* records, whatever it may read: a role writes at its record
# access capped by this ceiling (see `accounts.scoping.write_level_of`). Lawyers, finance and
# accountants read every record to check deals, but change only their own; on the others'
# records they act through what their job is — approvals, documents, their process tasks.
WRITE_CEILINGS: dict[str, AccessLevel] = {
    **SELLER_ACCESS,
    RoleCode.LAWYER: AccessLevel.OWN,
    RoleCode.FINANCE: AccessLevel.OWN,
    RoleCode.ACCOUNTANT: AccessLevel.OWN,
    RoleCode.HR: AccessLevel.OWN,
    RoleCode.ADMIN: AccessLevel.ALL,
}


class Role(models.Model):
    code = choice_field(_("code"), RoleCode, max_length=32, unique=True)
    access_level = choice_field(
        _("record access"), AccessLevel, max_length=10, default=AccessLevel.TEAM
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["code"]

    def __str__(self) -> str:
        return str(self.label)

    @property
    def label(self) -> str:
        return str(RoleCode(self.code).label) if self.code in RoleCode.values else self.code


class Team(TimeStampedModel):
    """A sales team. `parent` is the reporting line: the head of a parent team sees below it."""

    EVENT_CASE_TYPE = "team"

    name = models.CharField(_("name"), max_length=120, unique=True)
    head = kept_link("User", _("head"), related_name="headed_teams")
    parent = optional_link(
        "self", _("reports to"), on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person who works in Greenwave. Roles are rows, so a user may hold several."""

    EVENT_CASE_TYPE = "user"

    email = models.EmailField(_("e-mail"), blank=True)
    middle_name = models.CharField(_("middle name"), max_length=150, blank=True)
    position = models.CharField(_("position"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    roles = models.ManyToManyField(Role, verbose_name=_("roles"), blank=True, related_name="users")
    team = kept_link(Team, _("team"), related_name="members")
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Moscow")
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=[("ru", _("Russian")), ("en", _("English"))],
        default="ru",
    )
    # Changes whenever what the user's record scope depends on changes (`scope_cache`).
    scope_stamp = models.BigIntegerField(default=new_stamp, db_default=0, editable=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["last_name", "first_name", "username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def role_rows(self) -> list[tuple[str, str]]:
        """(code, access level) of the user's roles, read once per instance: the role checks
        of a page and its record scope (`accounts.scoping`) share the one statement."""
        cached: list[tuple[str, str]] | None = getattr(self, "_role_rows", None)
        if cached is None:
            cached = list(self.roles.values_list("code", "access_level")) if self.pk else []
            self._role_rows = cached
            remember(self, "_role_rows", cached)
        return cached

    def role_codes(self) -> frozenset[str]:
        """The user's role codes, loaded once per instance (templates ask many times)."""
        cached: frozenset[str] | None = getattr(self, "_role_codes", None)
        if cached is None:
            cached = frozenset(code for code, _level in self.role_rows())
            self._role_codes = cached
        return cached

    def forget_roles(self) -> None:
        """Drop what this instance keeps of its roles (after they changed)."""
        for name in ("_role_rows", "_role_codes", "_access_level", "_write_level"):
            self.__dict__.pop(name, None)
        detach(self)

    def has_role(self, *codes: str) -> bool:
        return bool(self.role_codes() & set(codes))

    @property
    def is_greenwave_admin(self) -> bool:
        return self.is_superuser or self.has_role(RoleCode.ADMIN)


class ApiToken(TimeStampedModel):
    """A bearer token. Only its SHA-256 is stored; the token itself is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    expires_at = optional_moment(_("expires"))
    revoked_at = optional_moment(_("revoked"))
    last_used_at = optional_moment(_("last used"))

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class OwnedRecord(TimeStampedModel):
    """A record a manager answers for and a team sees: the two fields `accounts.scoping`
    reads (`scope_records`, `require_write` default to them). Nobody's or no team's record is
    allowed; a removed user or team leaves it unowned. The reverse names are the model's plural
    (`user.deals`, `team.invoices`)."""

    responsible = kept_link(User, _("responsible"), related_name="%(class)ss")
    team = kept_link(Team, _("team"), related_name="%(class)ss")

    class Meta:
        abstract = True


def owner_index(name: str) -> models.Index:
    """The index the record scope (`accounts.scoping`) filters an owned or assigned record
    by: a team's records, then one manager's."""
    return models.Index(fields=["team", "responsible"], name=name)


class AssignedRecord(TimeStampedModel):
    """A record that always has a manager answering for it: a client, a contact, a call, a
    mailing and its segment.
    Unlike an `OwnedRecord`, nobody may be removed while answering for one (PROTECT), nor a
    team while it holds one; the team is optional. `accounts.scoping` reads the same two
    fields. The reverse names are Django's defaults (`user.company_set`, query `company`)."""

    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("responsible"), on_delete=models.PROTECT
    )
    team = optional_link(Team, _("team"), on_delete=models.PROTECT, related_name=None)

    class Meta:
        abstract = True


class CreatedOwnedRecord(OwnedRecord):
    """An owned record that also keeps who entered it (a payment, an order, an invoice)."""

    created_by = kept_link(User, blank=False)

    class Meta:
        abstract = True
