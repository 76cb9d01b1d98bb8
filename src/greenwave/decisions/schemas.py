"""API shapes of the decisions app."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Schema

from greenwave.core.api import InSchema

from .library_texts import library_text

NUMBERS_NOTE = (
    "FEEL numbers are exact decimals: in results they are JSON strings with the exact "
    'value ("12.5", "3"); in the context send JSON numbers or numeric strings.'
)


def _author(obj: Any) -> str | None:
    return str(obj.created_by) if obj.created_by_id else None


def _name(obj: Any) -> str:
    """The model's name in the reader's language, as the pages show it (a built-in decision's
    through `library_text`; the FEEL names stay as stored)."""
    return library_text(str(obj.key), str(obj.name))


class DecisionOut(Schema):
    key: str
    name: str
    version: int = Field(description="The latest saved version.")
    status: str = Field(description="Status of the latest version: draft or deployed.")
    deployed_version: int | None = Field(
        None, description="The version evaluations use when none is asked for."
    )
    decision_name: str = Field(description="The decision evaluated by default (top of the DRD).")
    created_at: datetime
    created_by: str | None = None

    resolve_created_by = staticmethod(_author)
    resolve_name = staticmethod(_name)


class DecisionVersionOut(Schema):
    version: int
    name: str
    status: str
    decision_name: str
    created_at: datetime
    deployed_at: datetime | None = None
    created_by: str | None = None

    resolve_created_by = staticmethod(_author)
    resolve_name = staticmethod(_name)


class InputFieldOut(Schema):
    name: str
    label: str = ""
    type_ref: str = ""
    choices: list[str] = []


class DecisionDetailOut(Schema):
    key: str
    name: str
    decision_name: str
    latest_version: int
    deployed_version: int | None
    inputs: list[InputFieldOut]
    versions: list[DecisionVersionOut]


class DecisionUploadIn(InSchema):
    xml: str = Field(description="The DMN XML (DMN 1.1–1.5), at most 10 MB.")
    key: str = Field("", description="Stable key; default: the id of the top decision.")
    deploy: bool = Field(False, description="Deploy the new version at once.")


class MatchedRuleOut(Schema):
    decision: str = Field(description="Name of the decision whose table matched.")
    table_id: str
    rule_id: str
    index: int = Field(description="1-based position of the rule in its table.")


class EvaluationOut(Schema):
    result: Any = Field(description="The decision's value as JSON. " + NUMBERS_NOTE)
    matched_rules: list[MatchedRuleOut]
    version: int
    decision: str
    warnings: list[str] = Field(description="FEEL warnings (e.g. a type mismatch gave null).")
    errors: list[str] = Field(
        description="Decision errors that made a value null, e.g. several rules matched "
        "under hit policy UNIQUE (the DMN spec's error result)."
    )
