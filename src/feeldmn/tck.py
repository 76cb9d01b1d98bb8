"""DMN TCK runner: runs the OMG conformance test cases against our evaluator.

A test folder holds one or more ``.dmn`` models and ``*-test-*.xml`` files (schema
http://www.omg.org/spec/DMN/20160719/testcase). A test case passes when every expected
result node matches by FEEL equality. Usage::

    python -m feeldmn.tck [-v] PATH...
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from lxml import etree

from feeldmn.errors import DmnError
from feeldmn.evaluator import DmnModel
from feeldmn.feel import operators as ops
from feeldmn.feel.types import (
    YMDuration,
    parse_date,
    parse_date_time,
    parse_duration,
    parse_time,
    to_text,
)
from feeldmn.model import MAX_MODEL_BYTES, child_elements, local_name

_XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
_XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"


@dataclass
class TckFailure:
    folder: str
    case_id: str
    reason: str


@dataclass
class TckReport:
    passed: int = 0
    failed: int = 0
    failures: list[TckFailure] = field(default_factory=list)
    per_folder: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return self.passed + self.failed

    @property
    def pass_rate(self) -> float:
        return self.passed / self.total if self.total else 0.0


@dataclass
class _Case:
    id: str
    kind: str
    invocable: str | None
    inputs: dict[str, Any]
    results: list[tuple[str, Any]]


def _scalar(el: Any) -> Any:
    if el.get(_XSI_NIL) == "true":
        return None
    text = el.text or ""
    kind = (el.get(_XSI_TYPE) or "").split(":")[-1]
    if kind in ("decimal", "double", "integer", "int", "long", "float", "short"):
        try:
            value = Decimal(text.strip())
        except InvalidOperation:
            return None
        return value if value.is_finite() else None
    if kind == "boolean":
        return text.strip() == "true"
    if kind == "date":
        return parse_date(text.strip())
    if kind == "dateTime":
        return parse_date_time(text.strip())
    if kind == "time":
        return parse_time(text.strip())
    if kind == "duration":
        return parse_duration(text.strip())
    if kind == "" and el.get(_XSI_TYPE) is None and len(child_elements(el)) > 0:
        return _value(el)
    return text


def _value(el: Any) -> Any:
    """A test-case value node (inputNode, component, item, expected) as a FEEL value."""
    if el.get(_XSI_NIL) == "true":
        return None
    children = child_elements(el)
    for child in children:
        kind = local_name(child)
        if kind == "value":
            return _scalar(child)
        if kind == "list":
            if child.get(_XSI_NIL) == "true":
                return None
            return [_value(item) for item in child_elements(child, "item")]
    components = [c for c in children if local_name(c) == "component"]
    if components:
        return {c.get("name") or "": _value(c) for c in components}
    return None


def _parse_cases(path: Path) -> tuple[str | None, list[_Case]]:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    data = path.read_bytes()
    if len(data) > MAX_MODEL_BYTES * 5:
        raise DmnError(f"test file {path.name} is too large")
    root = etree.fromstring(data, parser=parser)
    model_name = None
    for el in child_elements(root, "modelName"):
        model_name = (el.text or "").strip()
    cases = []
    for tc in child_elements(root, "testCase"):
        inputs = {n.get("name") or "": _value(n) for n in child_elements(tc, "inputNode")}
        results = []
        for node in child_elements(tc, "resultNode"):
            expected = next(iter(child_elements(node, "expected")), None)
            results.append(
                (node.get("name") or "", _value(expected) if expected is not None else None)
            )
        cases.append(
            _Case(
                tc.get("id") or "?",
                tc.get("type") or "decision",
                tc.get("invocableName"),
                inputs,
                results,
            )
        )
    return model_name, cases


def values_match(actual: Any, expected: Any) -> bool:
    """FEEL equality for test results; numbers compare numerically, structures deeply."""
    if expected is None:
        return actual is None
    if isinstance(expected, bool) or isinstance(actual, bool):
        return actual is expected
    if isinstance(expected, Decimal):
        return _numbers_match(actual, expected)
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(actual) == len(expected)
            and all(values_match(a, e) for a, e in zip(actual, expected, strict=True))
        )
    if isinstance(expected, dict):
        return (
            isinstance(actual, dict)
            and set(actual) == set(expected)
            and all(values_match(actual[k], v) for k, v in expected.items())
        )
    if isinstance(expected, datetime | time):
        if type(actual) is not type(expected):
            return False
        return ops.equal(actual, expected) is True and to_text(actual) == to_text(expected)
    if isinstance(expected, date | timedelta | YMDuration | str):
        return type(actual) is type(expected) and ops.equal(actual, expected) is True
    return ops.equal(actual, expected) is True


def _numbers_match(actual: Any, expected: Decimal) -> bool:
    if not isinstance(actual, Decimal):
        return False
    if actual == expected:
        return True
    # Expected values with many digits were computed by other engines in double
    # precision (or another evaluation order): accept a relative error of 1e-10.
    # Values written with 8 or more digits may also be rounded to those digits.
    digits = len(expected.as_tuple().digits)
    exponent = expected.as_tuple().exponent
    if digits >= 8 and isinstance(exponent, int):
        tolerance = max(abs(expected) * Decimal("1e-10"), Decimal(1).scaleb(exponent))
        return abs(actual - expected) <= tolerance
    return False


def _describe(value: Any) -> str:
    text = to_text(value)
    if isinstance(value, str):
        return repr(value)
    return "null" if text is None else text


def _run_folder(folder: Path, report: TckReport, root: Path) -> None:
    label = str(folder.relative_to(root)) if folder != root else folder.name
    models = sorted(folder.glob("*.dmn"))
    tests = sorted(folder.glob("*-test-*.xml"))
    passed_before, failed_before = report.passed, report.failed
    for test_file in tests:
        try:
            main_name, cases = _parse_cases(test_file)
        except (DmnError, etree.XMLSyntaxError, OSError) as exc:
            report.failed += 1
            report.failures.append(TckFailure(label, test_file.name, f"cannot read tests: {exc}"))
            continue
        try:
            main = folder / main_name if main_name else (models[0] if models else None)
            model = DmnModel.from_files(models, main)
        except (DmnError, OSError) as exc:
            for case in cases:
                report.failed += 1
                report.failures.append(TckFailure(label, case.id, f"cannot load model: {exc}"))
            continue
        for case in cases:
            reason = _run_case(model, case)
            if reason is None:
                report.passed += 1
            else:
                report.failed += 1
                report.failures.append(TckFailure(label, case.id, reason))
    report.per_folder[label] = (
        report.passed - passed_before,
        report.failed - failed_before,
    )


def _run_case(model: DmnModel, case: _Case) -> str | None:
    try:
        if case.kind == "decisionService" and case.invocable:
            result = model.evaluate(case.invocable, case.inputs)
            for name, expected in case.results:
                actual = result.value
                if isinstance(actual, dict) and name in actual and len(case.results) > 1:
                    actual = actual[name]
                if not values_match(actual, expected):
                    return f"{name}: expected {_describe(expected)}, got {_describe(actual)}"
            return None
        for name, expected in case.results:
            result = model.evaluate(name, case.inputs)
            if not values_match(result.value, expected):
                detail = f"; {result.warnings[0]}" if result.warnings else ""
                return (
                    f"{name}: expected {_describe(expected)}, got {_describe(result.value)}{detail}"
                )
    except DmnError as exc:
        return f"{type(exc).__name__}: {exc}"
    except RecursionError:
        return "recursion too deep"
    return None


def _folders(paths: Iterable[Path]) -> list[tuple[Path, Path]]:
    found: list[tuple[Path, Path]] = []
    for path in paths:
        if any(path.glob("*-test-*.xml")):
            found.append((path, path.parent))
            continue
        for test in sorted(path.rglob("*-test-*.xml")):
            pair = (test.parent, path)
            if pair not in found:
                found.append(pair)
    return found


def run_tck(paths: list[Path]) -> TckReport:
    """Run every test folder under ``paths``; counts test cases, not folders."""
    report = TckReport()
    for folder, root in _folders(paths):
        _run_folder(folder, report, root)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run DMN TCK test cases.")
    parser.add_argument("paths", nargs="+", type=Path)
    parser.add_argument("-v", "--verbose", action="store_true", help="print counts per folder")
    args = parser.parse_args(argv)
    report = run_tck(args.paths)
    out = sys.stdout
    for failure in report.failures:
        out.write(f"FAIL {failure.folder}/{failure.case_id}: {failure.reason}\n")
    if args.verbose:
        for folder, (passed, failed) in report.per_folder.items():
            out.write(f"{folder}: {passed} passed, {failed} failed\n")
    out.write(f"{report.passed} passed, {report.failed} failed\n")
    return 0 if report.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
