"""DMN decision evaluation with an own FEEL interpreter (pure Python, no Django).

Rooms: ``feel/`` parses and runs FEEL expressions and unary tests, ``model.py`` reads DMN
XML, ``evaluator.py`` evaluates decisions (tables, BKMs, services, boxed expressions),
``tck.py`` runs the OMG conformance suite. Typical use::

    model = DmnModel.from_bytes(xml_bytes)
    result = model.evaluate("Discount", {"Customer": {"segment": "B2B"}})
    result.value, result.matched_rules, result.warnings
"""

from feeldmn.errors import (
    DmnError,
    DmnErrorCode,
    DmnEvaluationError,
    DmnModelError,
    FeelError,
    FeelSyntaxError,
)
from feeldmn.evaluator import DecisionResult, DmnModel, RuleMatch
from feeldmn.feel.api import FeelResult, evaluate, to_feel, to_json, unary_test

__all__ = [
    "DecisionResult",
    "DmnError",
    "DmnErrorCode",
    "DmnEvaluationError",
    "DmnModel",
    "DmnModelError",
    "FeelError",
    "FeelResult",
    "FeelSyntaxError",
    "RuleMatch",
    "evaluate",
    "to_feel",
    "to_json",
    "unary_test",
]
