"""The PostgreSQL path of an import's writes: a chunk of cleaned contact rows, their
`contact_created` events and the events' company links, each by one `COPY` (ids reserved
from the sequences first, so that the rows refer to each other without reading them back)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from greenwave.accounts.models import User
from greenwave.core import bulkcopy
from greenwave.core.models import Event, EventObject

from .. import events
from ..models import Company, Contact

_Owner = tuple[int, int | None]
# The companies a chunk of contacts joins, by id: (name, responsible id, team id).
_Companies = Mapping[int, tuple[str, int, int | None]]

CONTACT_COPY_COLUMNS = (
    "id",
    "created_at",
    "updated_at",
    "full_name",
    "position",
    "phones",
    "emails",
    "messengers",
    "birthday",
    "gender",
    "mailing_consent",
    "notes",
    "search_text",
    "company_id",
    "responsible_id",
    "team_id",
    "is_deleted",
)
# A string as JSON text, non-ASCII as it is (the server parses fewer characters).
_json_str = json.encoder.encode_basestring


def copy_contacts(
    actor: User, batch: list[list[Any]], companies: _Companies, default: _Owner, stamp: datetime
) -> int:
    """A chunk of packed rows (`imports._packed`'s) by `COPY`: the contacts, then their
    `contact_created` events — `_CONTACT_HISTORY.snapshot`'s payload, a new case's first event (no
    previous activity) — then each event's company link. Events and links by `COPY` rather
    than one `INSERT … SELECT` reading the contacts just written: the server inserts a
    `COPY`'s rows in batches (the contacts' table cannot: its sort-key trigger), ~100 against
    ~150–230 ms for 5 000 events and links at load 4–6. The rows are written as `COPY` text
    (`bulkcopy.copy_text`). Returns how many contacts."""
    ids = bulkcopy.reserve_ids(Contact, len(batch))
    payloads: list[str] = []
    when = stamp.isoformat()
    bulkcopy.copy_text(
        Contact,
        CONTACT_COPY_COLUMNS,
        (
            _contact_line(pk, row, companies, default, when, payloads)
            for pk, row in zip(ids, batch, strict=True)
        ),
    )
    _copy_created_events(actor, ids, [row[9] for row in batch], payloads, when)
    return len(batch)


def _copy_created_events(
    actor: User, ids: list[int], company_ids: list[int | None], payloads: list[str], when: str
) -> None:
    """The `contact_created` events of the contacts just copied (`ids`, with their
    `company_ids` and the events' `payloads`, `COPY` fields), then each event's company link
    (`when`: the events' timestamp as text)."""
    event_ids = bulkcopy.reserve_ids(Event, len(ids))
    head = f"\t{Contact.EVENT_CASE_TYPE}\t"
    middle = f"\t{events.CONTACT_CREATED}\t{when}\t{actor.pk}\t"
    bulkcopy.copy_text(
        Event,
        bulkcopy.EVENT_COLUMNS,
        (
            f"{event_id}{head}{pk}{middle}{payload}\t\t\\N\n"
            for event_id, pk, payload in zip(event_ids, ids, payloads, strict=True)
        ),
    )
    link = f"\t{Company.EVENT_CASE_TYPE}\t"
    bulkcopy.copy_text(
        EventObject,
        bulkcopy.EVENT_OBJECT_COLUMNS,
        (
            f"{event_id}{link}{company_id}\tcompany\n"
            for event_id, company_id in zip(event_ids, company_ids, strict=True)
            if company_id is not None
        ),
    )


def _contact_line(
    pk: int,
    row: list[Any],
    companies: _Companies,
    default: _Owner,
    when: str,
    payloads: list[str],
) -> str:
    """A packed row as a `COPY` text line of `CONTACT_COPY_COLUMNS`; its event's payload (a
    `COPY` field of JSON text) appended to `payloads` (`test_import_checked_rows` compares it
    with `_CONTACT_HISTORY.snapshot`)."""
    _n, name, position, phones, emails, birthday, gender, consent, notes, cid, _inn = row
    company = companies[cid] if cid is not None else None
    owner, team = (company[1], company[2]) if company else default
    company_name = company[0] if company else None
    search = search_text(name, position, phones, emails, company_name)
    phones_json, emails_json = json_list(phones), json_list(emails)
    # `_CONTACT_HISTORY.snapshot`'s payload as JSON text, from the parts at hand (the lists' JSON is
    # the columns'): ~1.5 against ~4 µs a row for the encoder with the dict
    payloads.append(
        field(
            f'{{"after": {{"full_name": {_json_str(name)}, "position": {_json_str(position)}, '
            f'"phones": {phones_json}, "emails": {emails_json}, "messengers": {{}}, '
            f'"birthday": {"null" if birthday is None else _json_str(birthday)}, '
            f'"gender": {_json_str(gender)}, "mailing_consent": {"true" if consent else "false"}, '
            f'"notes": {_json_str(notes)}, '
            f'"company": {"null" if company_name is None else _json_str(company_name)}}}}}'
        )
    )
    return "\t".join(
        (
            str(pk),
            when,
            when,
            field(name),
            field(position),
            field(phones_json),
            field(emails_json),
            "{}",
            birthday or "\\N",
            field(gender),
            "t" if consent else "f",
            field(notes),
            field(search),
            "\\N" if cid is None else str(cid),
            str(owner),
            "\\N" if team is None else str(team),
            "f\n",
        )
    )


field = bulkcopy.copy_field


def search_text(
    name: str, position: str, phones: list[str], emails: list[str], company: str | None
) -> str:
    """`search_text_of`'s words of a cleaned import row (no messengers) — the name, position
    and company when not empty, every phone and e-mail — without its per-part type checks
    (`test_clean_fast_paths` compares both)."""
    words = [name] if name else []
    if position:
        words.append(position)
    words += phones
    words += emails
    if company:
        words.append(company)
    return " ".join(words).lower().replace("ё", "е")


# Printable ASCII but the quote and the backslash: a string of these is its own JSON text
# between quotes (phones, plain e-mails), so a list of them needs no encoder.
_JSON_PLAIN_RE = re.compile(r"[ !#-\[\]-~]*")


def json_list(items: list[str]) -> str:
    """`json.dumps(items)` of a list of strings, without the encoder in the usual case (the
    strings are all plain when their concatenation is: one match for the whole list)."""
    try:
        plain = bool(items) and _JSON_PLAIN_RE.fullmatch("".join(items)) is not None
    except TypeError:  # not strings only
        plain = False
    if plain:
        return '["' + '", "'.join(items) + '"]'
    return json.dumps(items)
