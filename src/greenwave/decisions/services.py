"""Writers of the decisions app: save a DMN model as a new version, deploy a version,
evaluate a decision (optionally logged for audit), and load the built-in seed decisions.

Every FEEL text of a model is parsed on save; a model with any error is refused whole,
with each error located at its cell, and nothing is stored.
"""

from __future__ import annotations

import json
import re
from collections import OrderedDict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from threading import Lock
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from feeldmn import DmnError, DmnErrorCode, DmnModel, to_feel, to_json
from greenwave.accounts.models import RoleCode, User
from greenwave.core.errors import CoreError, DomainError, permission_denied
from greenwave.core.reasons import translated_reason
from greenwave.core.services import ObjectRef, event_append

from . import events, selectors
from .errors import DecisionsError
from .modeling import MAX_MODEL_BYTES, ModelInfo, coerce_inputs, read_model
from .models import DecisionDefinition, DecisionEvaluation, DecisionStatus

EDITOR_ROLES = (RoleCode.ADMIN, RoleCode.HEAD_OF_SALES)
KEY_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,99}$")
LIBRARY_DIR = Path(__file__).parent / "library"


def can_edit_decisions(user: Any) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and (user.is_superuser or user.has_role(*EDITOR_ROLES))
    )


def _check_editor(actor: User | None) -> None:
    # actor None is the system (seeders, migrations).
    if actor is not None and not can_edit_decisions(actor):
        raise permission_denied(_("Only an administrator or a head of sales may change decisions."))


def _model_errors() -> list[tuple[re.Pattern[str], str]]:
    """What feeldmn (Django-free, so in English) says of a model it cannot read, translated."""
    return [
        (
            re.compile(r"^DMN XML is not well-formed: (?P<error>.+)$", re.S),
            _("the XML is not well-formed: %(error)s"),
        ),
        (
            re.compile(r"^DMN models may not declare a DOCTYPE or entities$"),
            _("a DOCTYPE or entities are not allowed"),
        ),
        (
            re.compile(r"^the root element is not a DMN <definitions>$"),
            _("the root element is not a DMN <definitions>"),
        ),
        (
            re.compile(r"^DMN model has more than (?P<n>\d+) elements$"),
            _("the model has more than %(n)s elements"),
        ),
        (
            re.compile(r"^DMN model is larger than (?P<n>\d+) bytes$"),
            _("the model is larger than %(n)s bytes"),
        ),
    ]


def _model_error(exc: Exception) -> str:
    """The reason in the reader's language, without a closing full stop (the sentence adds it)."""
    text = str(getattr(exc, "message", exc)).strip().rstrip(".").strip()
    translated = translated_reason(text, _model_errors())
    return text if translated is None else translated


def _read_or_refuse(xml: bytes) -> ModelInfo:
    if len(xml) > MAX_MODEL_BYTES:
        raise DomainError(
            DecisionsError.MODEL_TOO_LARGE,
            _("The DMN model is %(size).1f MB; the limit is %(limit)d MB.")
            % {"size": len(xml) / 1024 / 1024, "limit": MAX_MODEL_BYTES // 1024 // 1024},
            details={"size": len(xml), "limit": MAX_MODEL_BYTES},
            status=413,
        )
    try:
        info = read_model(xml)
    except DmnError as exc:
        code = (
            DecisionsError.MODEL_TOO_LARGE
            if exc.code == DmnErrorCode.MODEL_TOO_LARGE
            else DecisionsError.MODEL_INVALID
        )
        raise DomainError(
            code, _("The DMN model cannot be read: %(error)s.") % {"error": _model_error(exc)}
        ) from None
    except ValueError as exc:  # lxml refuses some inputs (e.g. str with an encoding header)
        raise DomainError(
            DecisionsError.MODEL_INVALID,
            _("The DMN model cannot be read: %(error)s.") % {"error": _model_error(exc)},
        ) from None
    if info.errors:
        raise DomainError(
            DecisionsError.FEEL_INVALID,
            _("%(count)d FEEL expression(s) in the model do not parse; nothing was saved.")
            % {"count": len(info.errors)},
            details={"errors": [e.as_dict() for e in info.errors]},
        )
    if not info.decision_name:
        raise DomainError(DecisionsError.MODEL_INVALID, _("The DMN model has no decision."))
    return info


def _top_decision_id(info: ModelInfo) -> str:
    for decision in info.model.main.decisions.values():
        if decision.name == info.decision_name:
            return decision.id
    return ""


@transaction.atomic
def decision_save(
    *, actor: User | None, xml: bytes, key: str = "", deploy: bool = False
) -> DecisionDefinition:
    """Store the model as the next version of ``key`` (default: the top decision's id)."""
    _check_editor(actor)
    info = _read_or_refuse(xml)
    key = (key or _top_decision_id(info)).strip()
    if not KEY_PATTERN.match(key):
        raise DomainError(
            DecisionsError.INVALID_KEY,
            _("A key is a Latin letter followed by letters, digits, “_”, “.” or “-”."),
            details={"key": key},
        )
    previous = (
        DecisionDefinition.objects.select_for_update().filter(key=key, is_latest=True).first()
    )
    if previous is not None:
        previous.is_latest = False
        previous.save(update_fields=["is_latest", "updated_at"])
    try:
        with transaction.atomic():
            definition = DecisionDefinition.objects.create(
                key=key,
                name=info.name or info.decision_name,
                version=previous.version + 1 if previous else 1,
                xml=xml,
                decision_name=info.decision_name,
                inputs=[vars(f) for f in info.inputs],
                created_by=actor,
            )
    except IntegrityError:
        raise DomainError(
            CoreError.CONFLICT, _("Someone saved this decision at the same moment; try again.")
        ) from None
    event_append(
        case_type="decision",
        case_id=key,
        activity=events.DECISION_SAVED,
        actor=actor,
        payload={
            "version": definition.version,
            "name": definition.name,
            "decision": definition.decision_name,
            "changes": {"version": [previous.version if previous else None, definition.version]},
        },
        objects=[ObjectRef("decision_version", str(definition.pk), "version")],
    )
    if deploy:
        definition = decision_deploy(actor=actor, key=key, version=definition.version)
    return definition


@transaction.atomic
def decision_deploy(
    *, actor: User | None, key: str, version: int | None = None
) -> DecisionDefinition:
    """Make a version (default: the latest) the one that answers evaluations."""
    _check_editor(actor)
    definition = selectors.decision_get(actor=actor, key=key, version=version)  # type: ignore[arg-type]
    if definition.status == DecisionStatus.DEPLOYED:
        return definition
    definition.status = DecisionStatus.DEPLOYED
    definition.deployed_at = timezone.now()
    definition.save(update_fields=["status", "deployed_at", "updated_at"])
    event_append(
        case_type="decision",
        case_id=key,
        activity=events.DECISION_DEPLOYED,
        actor=actor,
        payload={"version": definition.version, "changes": {"status": ["draft", "deployed"]}},
        objects=[ObjectRef("decision_version", str(definition.pk), "version")],
    )
    return definition


# ------------------------------------------------------------------------ evaluation


@dataclass
class Evaluation:
    """What an evaluation answered, JSON-ready (numbers as decimal strings)."""

    definition: DecisionDefinition
    decision: str
    result: Any
    matched_rules: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    log: DecisionEvaluation | None = None
    value: Any = None  # the FEEL value itself (numbers as Decimal), for process variables

    @property
    def result_text(self) -> str:
        return json.dumps(self.result, ensure_ascii=False, indent=2)


def _decimal_text(value: Decimal) -> str:
    if not value.is_finite():
        return str(value)
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def json_value(value: Any) -> Any:
    """A FEEL value as JSON: numbers become exact decimal strings ("12.5"), temporal
    values their ISO/FEEL text, contexts objects, lists arrays."""
    plain = to_json(value)
    return _decimals_to_text(plain)


def _decimals_to_text(value: Any) -> Any:
    if isinstance(value, Decimal):
        return _decimal_text(value)
    if isinstance(value, list):
        return [_decimals_to_text(v) for v in value]
    if isinstance(value, dict):
        return {k: _decimals_to_text(v) for k, v in value.items()}
    return value


class _ModelCache:
    """Parsed models by version id: versions never change, so a model is read once."""

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self.items: OrderedDict[tuple[int, str], DmnModel] = OrderedDict()
        self.lock = Lock()

    def get(self, definition: DecisionDefinition) -> DmnModel:
        # The creation time guards against a reused id (a rolled-back row on SQLite).
        key = (definition.pk, definition.created_at.isoformat())
        with self.lock:
            model = self.items.get(key)
            if model is not None:
                self.items.move_to_end(key)
                return model
        model = DmnModel.from_bytes(definition.xml_bytes)
        with self.lock:
            self.items[key] = model
            while len(self.items) > self.size:
                self.items.popitem(last=False)
        return model


_MODELS = _ModelCache()


def decision_model(definition: DecisionDefinition) -> DmnModel:
    """The parsed DmnModel of a stored version (cached), for other apps' engines."""
    return _MODELS.get(definition)


@transaction.atomic
def decision_evaluate(
    *,
    actor: User | None,
    key: str,
    context: dict[str, Any],
    version: int | None = None,
    decision: str = "",
    log: bool = True,
) -> Evaluation:
    """Evaluate the decision ``key`` (its top decision, or ``decision``) on ``context``.

    Any signed-in user may evaluate. A table whose rules conflict (e.g. two rules match
    under hit policy U) answers null with the error in ``errors``, as the DMN spec says.
    """
    definition = selectors.decision_for_evaluation(actor=actor, key=key, version=version)
    values, bad = coerce_inputs(context, definition.inputs)
    if bad:
        raise DomainError(
            DecisionsError.INVALID_INPUT,
            _("Some input values do not match their declared types."),
            details={"fields": bad},
        )
    model = decision_model(definition)
    name = decision or definition.decision_name
    if name not in model.decision_names():
        raise DomainError(
            DecisionsError.UNKNOWN_DECISION,
            _("The model has no decision named “%(name)s”.") % {"name": name},
            details={"decisions": model.decision_names()},
        )
    try:
        answer = model.evaluate(name, values)
    except DmnError as exc:
        raise DomainError(
            DecisionsError.EVALUATION_FAILED,
            _("The decision could not be evaluated: %(error)s") % {"error": exc.message},
            details={"reason": str(exc.code)},
        ) from None
    matched = [
        {"decision": decision_name, "table_id": m.table_id, "rule_id": m.rule_id, "index": m.index}
        for decision_name, matches in answer.matched_rules.items()
        for m in matches
    ]
    evaluation = Evaluation(
        definition=definition,
        decision=name,
        result=json_value(answer.value),
        matched_rules=matched,
        warnings=list(dict.fromkeys(answer.warnings)),
        errors=list(dict.fromkeys(answer.errors)),
        value=answer.value,
    )
    if log:
        evaluation.log = DecisionEvaluation.objects.create(
            definition=definition,
            decision_name=name,
            input=json_value(to_feel(values)),
            output=evaluation.result,
            matched_rules=matched,
            warnings=evaluation.warnings + evaluation.errors,
            actor=actor,
        )
    return evaluation


# ------------------------------------------------------------------------ seeds


def decisions_seed(*, actor: User | None = None) -> list[DecisionDefinition]:
    """Load the built-in decisions of library/ (key = file name) unless already there.
    Idempotent: a key that exists, even edited by a user, is left alone."""
    created = []
    for path in sorted(LIBRARY_DIR.glob("*.dmn")):
        if DecisionDefinition.objects.filter(key=path.stem).exists():
            continue
        created.append(
            decision_save(actor=actor, xml=path.read_bytes(), key=path.stem, deploy=True)
        )
    return created
