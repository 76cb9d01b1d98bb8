"""Readers of decision definitions and evaluation logs.

Decision models are company-wide rules (no owner, no team): every signed-in user may read
and evaluate them; only editors change them (see services). Selectors still take the actor
so that the signature matches every other app and scoping can be added in one place.
"""

from __future__ import annotations

from django.db.models import Max, OuterRef, QuerySet, Subquery
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from greenwave.accounts.models import User
from greenwave.core.choice_filters import choice_filter
from greenwave.core.errors import DomainError, not_found
from greenwave.core.listing import ListQuery, ListSpec, SortSpec, apply_list_query

from .errors import DecisionsError
from .models import DecisionDefinition, DecisionEvaluation, DecisionStatus

DECISION_LIST_SPEC = ListSpec(
    search_fields=("key", "name", "decision_name"),
    sorts=(
        SortSpec("key", gettext_lazy("Key"), ("key",)),
        SortSpec("name", gettext_lazy("Name"), ("name",)),
        SortSpec("updated", gettext_lazy("Changed"), ("created_at",)),
    ),
    default_sort="key",
    filters=(choice_filter("status", gettext_lazy("Status"), DecisionStatus),),
)


def decision_list(*, actor: User, query: ListQuery | None = None) -> QuerySet[DecisionDefinition]:
    """The latest version of every decision, with the number of its deployed version."""
    deployed = (
        DecisionDefinition.objects.filter(key=OuterRef("key"), status=DecisionStatus.DEPLOYED)
        .values("key")
        .annotate(top=Max("version"))
        .values("top")
    )
    qs = (
        DecisionDefinition.objects.filter(is_latest=True)
        .select_related("created_by")
        .defer("xml")
        .annotate(deployed_version=Subquery(deployed))
        .order_by("key")
    )
    return apply_list_query(qs, DECISION_LIST_SPEC, query) if query is not None else qs


def decision_versions(*, actor: User, key: str) -> list[DecisionDefinition]:
    versions = list(
        DecisionDefinition.objects.filter(key=key)
        .select_related("created_by")
        .defer("xml")
        .order_by("-version")
    )
    if not versions:
        raise not_found(_("No decision with this key."))
    return versions


def decision_get(*, actor: User, key: str, version: int | None = None) -> DecisionDefinition:
    """A version of a decision; without a version, the latest saved one."""
    qs = DecisionDefinition.objects.select_related("created_by").filter(key=key)
    found = qs.filter(version=version).first() if version else qs.filter(is_latest=True).first()
    if found is None:
        raise not_found(_("No decision with this key and version."))
    return found


def decision_for_evaluation(
    *, actor: User | None, key: str, version: int | None = None
) -> DecisionDefinition:
    """The version that answers: the one asked for, else the latest deployed one."""
    qs = DecisionDefinition.objects.filter(key=key)
    if version:
        found = qs.filter(version=version).first()
    else:
        found = qs.filter(status=DecisionStatus.DEPLOYED).order_by("-version").first()
        if found is None and qs.exists():
            raise DomainError(
                DecisionsError.NOT_DEPLOYED,
                _("This decision has no deployed version yet; deploy one or ask for a version."),
                status=409,
            )
    if found is None:
        raise not_found(_("No decision with this key and version."))
    return found


def evaluation_list(*, actor: User, key: str, limit: int = 20) -> list[DecisionEvaluation]:
    return list(
        DecisionEvaluation.objects.filter(definition__key=key)
        .select_related("actor", "definition")
        .defer("definition__xml")
        .order_by("-created_at", "-id")[:limit]
    )
