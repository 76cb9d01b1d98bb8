"""A process task's form, built from its schema after the form's `__init__`, renders every
field with the same Bootstrap class as the app's own forms."""

from __future__ import annotations

from typing import Any

import pytest

from greenwave.bpm.formschema import build_form

pytestmark = pytest.mark.django_db

SCHEMA: list[dict[str, Any]] = [
    {"name": "title", "type": "string"},
    {"name": "notes", "type": "text"},
    {"name": "days", "type": "integer", "min": 1, "max": 30},
    {"name": "amount", "type": "decimal"},
    {"name": "agreed", "type": "boolean"},
    {"name": "start", "type": "date"},
    {"name": "kind", "type": "choice", "choices": [["a", "A"], ["b", "B"]]},
    {"name": "approver", "type": "user"},
    {"name": "scan", "type": "file"},
]


def test_every_schema_field_takes_its_bootstrap_class() -> None:
    form = build_form(SCHEMA)
    classes = {name: field.widget.attrs.get("class") for name, field in form.fields.items()}
    assert classes == {
        "title": "form-control",
        "notes": "form-control",
        "days": "form-control",
        "amount": "form-control",
        "agreed": "form-check-input",
        "start": "form-control",
        "kind": "form-select",
        "approver": "form-select",
        "scan": "form-control",
    }
    assert 'class="form-check-input"' in str(form["agreed"])
    assert 'class="form-select"' in str(form["kind"])
