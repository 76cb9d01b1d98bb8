"""Who in the client base already has a phone or an e-mail: the duplicate rule of contacts.

A contact repeats a person when a live contact of the base (any team's) holds one of its
phones or e-mails. The contacts import skips such rows (`import_rows._DuplicateFinder`);
a contact created or given a new phone or e-mail one at a time (the API, the forms) is
refused with 409 `crm.duplicate` naming the existing contact — unless the caller says to
save it anyway (`allow_duplicate`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

from django.db import connection, transaction
from django.utils.translation import gettext as _

from greenwave.accounts.models import User
from greenwave.accounts.scoping import scope_records
from greenwave.core import bulkcopy
from greenwave.core.errors import DomainError

from ..errors import CrmError
from ..models import Contact

_CONTACTS_WITH_SQL = {
    ("postgresql", "phones"): "SELECT 'phones', v.value, min(m.id) "
    "FROM unnest(%s::text[]) AS v(value) "
    "CROSS JOIN LATERAL (SELECT c.id FROM crm_contact c WHERE NOT c.is_deleted "
    "AND c.phones @> jsonb_build_array(v.value) OFFSET 0) m GROUP BY 2",
    ("postgresql", "emails"): "SELECT 'emails', v.value, min(m.id) "
    "FROM unnest(%s::text[]) AS v(value) "
    "CROSS JOIN LATERAL (SELECT c.id FROM crm_contact c WHERE NOT c.is_deleted "
    "AND lower(c.emails::text)::jsonb @> jsonb_build_array(v.value) OFFSET 0) m GROUP BY 2",
    ("sqlite", "phones"): "SELECT 'phones', v.value, min(c.id) "
    "FROM crm_contact c, json_each(c.phones) v "
    "WHERE NOT c.is_deleted AND v.value IN (SELECT value FROM json_each(%s)) GROUP BY 2",
    ("sqlite", "emails"): "SELECT 'emails', lower(v.value), min(c.id) FROM crm_contact c, "
    "json_each(c.emails) v WHERE NOT c.is_deleted "
    "AND lower(v.value) IN (SELECT value FROM json_each(%s)) GROUP BY 2",
}


def _live_contacts_with(wanted: Mapping[str, Iterable[str]]) -> dict[str, dict[str, int]]:
    """Of each value of each field ("phones", "emails": its values), the live contact
    (smallest id) whose list holds it, in the whole base whoever owns it: {field: {value:
    id}}. PostgreSQL: one statement for all the fields and values (e-mails compared
    lower-cased; the file's are lower-cased by the cleaning)."""
    found: dict[str, dict[str, int]] = {field: {} for field in wanted}
    asked = {field: sorted(set(values)) for field, values in wanted.items()}
    asked = {field: values for field, values in asked.items() if values}
    if not asked:
        return found
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            for field, values in asked.items():
                cursor.execute(_CONTACTS_WITH_SQL["sqlite", field], [json.dumps(values)])
                found[field].update((str(v), int(pk)) for _f, v, pk in cursor.fetchall())
        return found
    sql = " UNION ALL ".join(_CONTACTS_WITH_SQL["postgresql", field] for field in asked)
    # the arrays as literals (`bulkcopy.text_array`: ~8 → ~1 ms for 5 000)
    params = [bulkcopy.text_array(values) for values in asked.values()]
    # A caller's transaction is not ended here: `jit` is set back by hand for it (in a
    # transaction of this call's own, its end does that).
    nested = connection.in_atomic_block
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        # The planner's estimate (a default selectivity per value, times the values) is far
        # above `jit_above_cost`: compiling the statement took ~190 ms (more under load) of
        # one that runs in ~40 ms for 10 000 values. Off for this statement only.
        cursor.execute("SELECT current_setting('jit'), set_config('jit', 'off', true)")
        (jit, _off) = cursor.fetchone()
        cursor.execute(sql, params)
        for field, value, pk in cursor.fetchall():
            found[field][str(value)] = int(pk)
        if nested:
            cursor.execute("SELECT set_config('jit', %s, true)", [jit])
    return found


def contact_refuse_duplicate(
    *, actor: User | None, phones: Iterable[str], emails: Iterable[str]
) -> None:
    """Refuse (409 `crm.duplicate`) a contact's new phone or e-mail (as cleaned) that a live
    contact of the base holds; `details` name the field, the value and the contact — its id
    (and the message its name) only when the actor may see it, as the import's report does."""
    found = _live_contacts_with({"emails": list(emails), "phones": list(phones)})
    for field in ("emails", "phones"):
        for value, pk in sorted(found.get(field, {}).items()):
            rows = Contact.objects.filter(pk=pk)
            if actor is not None:
                rows = scope_records(rows, actor=actor)
            name = rows.values_list("full_name", flat=True).first()
            raise _duplicate(field, value, pk if name is not None else None, name)


def _duplicate(field: str, value: str, pk: int | None, name: str | None) -> DomainError:
    if pk is None:
        message = _(
            "%(value)s already belongs to a contact of another team: ask its owner, "
            "or save this one anyway."
        ) % {"value": value}
    else:
        message = _(
            "%(value)s already belongs to the contact %(name)s: open it, or save this one anyway."
        ) % {"value": value, "name": name}
    # The shape of a company's duplicate (`clients._refuse_duplicate_inn`), with the value.
    details = {
        "field": field,
        "value": value,
        "duplicates": [] if pk is None else [pk],
        "hidden": 1 if pk is None else 0,
    }
    return DomainError(CrmError.DUPLICATE, message, details=details, status=409)
