"""Statements written once per process instead of composed by the ORM on every request:
model instances built from the columns of a hand-written SELECT as the ORM builds them (a
process step's lock, the bearer token's read), and a new row inserted as `save()` inserts it
(a deal created through the API)."""

from __future__ import annotations

from collections.abc import Sequence
from inspect import getattr_static
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.db.models import NOT_PROVIDED, signals
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query_utils import DeferredAttribute


class ModelColumns:
    """A model's columns in a hand-written SELECT (`sql`, the table named `alias`) and the
    model instance built from them as the ORM builds one: each field's converters applied
    (the backend's and the field's, as `SQLCompiler.get_converters`), the fields left out
    deferred (`Model.from_db`). Made once per process and connection vendor: a statement
    written once instead of composed by the ORM on every step."""

    def __init__(self, model: type[models.Model], alias: str, exclude: Sequence[str] = ()):
        quote = connection.ops.quote_name
        self.model = model
        fields = [f for f in model._meta.concrete_fields if f.attname not in exclude]
        self.sql = ", ".join(f"{quote(alias)}.{quote(f.column)}" for f in fields)
        self.attnames = [f.attname for f in fields]
        self.width = len(fields)
        self._converters = [
            (n, converters, col)
            for n, col, converters in (
                (n, col, column_converters(col))
                for n, col in enumerate(f.get_col(alias) for f in fields)
            )
            if converters
        ]
        self._plain = _plain(model, self.attnames)

    def convert(self, values: Sequence[Any]) -> list[Any]:
        # The default database's wrapper itself: `connection` is a proxy that looks the
        # wrapper up (a thread-local read) on every attribute, once a converted column here.
        db = connections[DEFAULT_DB_ALIAS]
        converted = list(values)
        for n, converters, col in self._converters:
            value = converted[n]
            for converter in converters:
                value = converter(value, col, db)
            converted[n] = value
        return converted

    def build(self, values: Sequence[Any]) -> Any:
        """`model.from_db(…)` of the converted values. A plain model (`_plain`) with no
        `pre_init`/`post_init` receivers is built as `Model.__init__` builds it from a row —
        its state, then each column's value set as an attribute, which for Django's own
        descriptors is its `__dict__` entry — without the call's generic work (the
        arguments' checks, the deferred placeholders of the columns left out, two signals
        sent to nobody): some 10–15 µs of a process step's lock."""
        model = self.model
        if self._plain and not (
            signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model)
        ):
            obj = model.__new__(model)
            state = obj._state = ModelState()
            state.adding = False
            state.db = DEFAULT_DB_ALIAS
            obj.__dict__.update(zip(self.attnames, self.convert(values), strict=True))
            return obj
        return model.from_db(DEFAULT_DB_ALIAS, self.attnames, self.convert(values))


def _plain(model: type[models.Model], attnames: Sequence[str]) -> bool:
    """Whether `Model.__init__` from a row of `model` only puts each column's value in the
    instance's `__dict__`: the model's own `__init__`, `from_db` and `__setattr__` are
    Django's, and each column's attribute is Django's descriptor for it (a plain field's
    `DeferredAttribute`, whose setting is the `__dict__` entry; a foreign key's, which also
    drops a cached related object — a new instance has none)."""
    base = models.Model
    return (
        model.__init__ is base.__init__
        and getattr_static(model, "from_db").__func__ is getattr_static(base, "from_db").__func__
        and model.__setattr__ is base.__setattr__
        and not model._meta.abstract
        and all(
            type(getattr_static(model, name, None))
            in (DeferredAttribute, ForeignKeyDeferredAttribute)
            for name in attnames
        )
    )


def column_converters(col: Any) -> list[Any]:
    """The converters the ORM applies to a selected column (backend's, then the field's)."""
    return [*connection.ops.get_db_converters(col), *col.get_db_converters(connection)]


# `insert_row`'s statements, written once per model and vendor.
_INSERTS: dict[tuple[type[models.Model], str], tuple[str, list[Any]]] = {}


def insert_row(obj: models.Model) -> None:
    """`obj.save()` of a new row whose key the database draws (what `Model.objects.create`
    writes), by a statement written once per model and vendor instead of composed by the ORM
    on every call: the fields' values converted as the ORM converts them (`pre_save`, so
    `auto_now` and the like apply, then `get_db_prep_save`). A model with `pre_save` or
    `post_save` receivers or a `save()` of its own, a field with a placeholder or a database
    default, a key already set, or a database that cannot return the key from the INSERT goes
    through `save()` itself."""
    model = type(obj)
    if (
        signals.pre_save.has_listeners(model)
        or signals.post_save.has_listeners(model)
        or not connection.features.can_return_columns_from_insert
        or obj.pk is not None
    ):
        obj.save(force_insert=True)
        return
    key = (model, connection.vendor)
    written = _INSERTS.get(key)
    if written is None:
        meta = model._meta
        fields = [f for f in meta.local_concrete_fields if not f.primary_key]
        special = any(
            hasattr(f, "get_placeholder") or f.db_default is not NOT_PROVIDED for f in fields
        )
        if special or meta.parents or model.save is not models.Model.save:
            obj.save(force_insert=True)
            return
        quote = connection.ops.quote_name
        written = _INSERTS[key] = (
            f"INSERT INTO {quote(meta.db_table)} ("  # noqa: S608 -- the model's identifiers
            + ", ".join(quote(f.column) for f in fields)
            + ") VALUES ("
            + ", ".join(["%s"] * len(fields))
            + f") RETURNING {quote(meta.pk.column)}",
            fields,
        )
    sql, fields = written
    obj._prepare_related_fields_for_save(operation_name="save")  # type: ignore[attr-defined]
    values = [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        (obj.pk,) = cursor.fetchone()
    obj._state.adding = False
    obj._state.db = connection.alias
