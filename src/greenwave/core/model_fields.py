"""Model fields the apps declare alike: an optional link, the one a row keeps when what it
points to goes, the moment something happened to a row (if it has), a column holding one of
a set of choices, and the one column shape of a quantity and of a percent.

`to` is a model or its "app.Model" label (where importing the model would loop); a label
types the field loosely (`Any`), as Django's own string references do without the plugin.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar, overload

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models.expressions import Combinable

_M = TypeVar("_M", bound=models.Model)

# What a decimal column accepts (as Django's own field types say).
_DecimalSet = str | float | Decimal | Combinable

# What Django does to the row when the target of its link is deleted (models.CASCADE…).
OnDelete = Callable[..., Any]


@overload
def optional_link(
    to: type[_M], verbose_name: Any = None, *, on_delete: OnDelete, **options: Any
) -> models.ForeignKey[_M | None, _M | None]: ...
@overload
def optional_link(
    to: str, verbose_name: Any = None, *, on_delete: OnDelete, **options: Any
) -> models.ForeignKey[Any, Any]: ...
def optional_link(
    to: type[models.Model] | str,
    verbose_name: Any = None,
    *,
    on_delete: OnDelete,
    blank: bool = True,
    related_name: str | None = "+",
    **options: Any,
) -> models.ForeignKey[Any, Any]:
    """A link a row may lack (`null`, and `blank` unless told): the client an activity is
    about, the deal a document belongs to. No reverse accessor unless `related_name` names
    one (`None` keeps Django's `<model>_set`)."""
    return models.ForeignKey(
        to,
        verbose_name=verbose_name,
        null=True,
        blank=blank,
        on_delete=on_delete,
        related_name=related_name,
        **options,
    )


@overload
def kept_link(
    to: type[_M], verbose_name: Any = None, **options: Any
) -> models.ForeignKey[_M | None, _M | None]: ...
@overload
def kept_link(to: str, verbose_name: Any = None, **options: Any) -> models.ForeignKey[Any, Any]: ...
def kept_link(to: type[models.Model] | str, verbose_name: Any = None, **options: Any) -> Any:
    """An optional link that turns empty when its target is deleted (who started, uploaded
    or saved a row, the team that sees it, the deal an answer was about); the row itself
    stays. Options as `optional_link`'s (`blank`, `related_name`…)."""
    return optional_link(to, verbose_name, on_delete=models.SET_NULL, **options)


def optional_moment(
    verbose_name: Any = None,
) -> models.DateTimeField[str | datetime | date | Combinable | None, datetime | None]:
    """When something happened to the row (sent, closed, revoked) or will (expires); empty
    until it has. No `verbose_name` for a column no page shows."""
    return models.DateTimeField(verbose_name, null=True, blank=True)


def choice_field(
    verbose_name: Any, choices: type[models.TextChoices], *, max_length: int, **options: Any
) -> models.CharField[str | int | Combinable, str]:
    """A column holding one of `choices`' values (`default=`, `blank=` … as for a CharField).

    The longest value must fit `max_length`; a longer one stops the model from loading —
    PostgreSQL would refuse such a row only when it is saved, and SQLite would keep it."""
    longest = max(choices.values, key=len)
    if len(longest) > max_length:
        raise ImproperlyConfigured(
            f"{choices.__name__}: the value {longest!r} is longer than max_length={max_length}"
        )
    return models.CharField(verbose_name, max_length=max_length, choices=choices.choices, **options)


def quantity_field(verbose_name: Any, **options: Any) -> models.DecimalField[_DecimalSet, Decimal]:
    """The one column shape for a quantity of goods: 14 digits, 3 decimals (kilograms,
    metres), as the forms and API schemas accept it."""
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=3, **options)


def percent_field(verbose_name: Any, **options: Any) -> models.DecimalField[_DecimalSet, Decimal]:
    """The one column shape for a percent (a share, a discount): 5 digits, 2 decimals."""
    return models.DecimalField(verbose_name, max_digits=5, decimal_places=2, **options)
