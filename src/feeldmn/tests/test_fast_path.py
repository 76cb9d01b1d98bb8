"""The shortcut for simple decision tables gives exactly what the general evaluation gives.

``DmnModel.evaluate`` plans a decision that is one table over input data with constant
cells and outputs, and evaluates it without scopes (see ``evaluator._Plan``). A mapping
that is not a dict (here a ``MappingProxyType``) takes the general way, so each random
table and input is evaluated both ways and the results — value, warnings, errors and
matched rules — must be equal.
"""

from __future__ import annotations

import random
from decimal import Decimal
from types import MappingProxyType
from typing import Any
from xml.sax.saxutils import escape

import pytest

from feeldmn.evaluator import DmnModel

NS = "https://www.omg.org/spec/DMN/20191111/MODEL/"

CELLS = {
    "Segment": ["-", '"a"', '"b"', '"a","b"', 'not("a")', 'not("a","c")', '"z"', '"c"'],
    "Volume": ["-", "< 10", ">= 10", "[5..20)", "(1..3]", "10", "not(< 5)", "> 2.5", "<= 10000"],
    "Flag": ["-", "true", "false", "not(true)"],
}
TYPES = {"Segment": "string", "Volume": "number", "Flag": "boolean", "Unused": "number"}
OUTPUTS = ["1", "2", "3", '"x"', "null", "Volume * 2", '@"2020-01-01"', "[1, 2]"]
POLICIES = ["UNIQUE", "ANY", "FIRST", "PRIORITY", "COLLECT", "RULE ORDER", "OUTPUT ORDER"]
# Values each column's index has a key for (the common case) ...
USUAL: dict[str, list[Any]] = {
    "Segment": ["a", "b", "c", "z"],
    "Volume": [0, 1, 3, 5, 10, 15, 10000, -4, Decimal("2.5"), Decimal("10.0"), Decimal(7)],
    "Flag": [True, False],
    "Unused": [1, Decimal(2), None],
}
# ... and values that need the careful way: conversions, type mismatches, nulls.
ODD: dict[str, list[Any]] = {
    "Segment": ["other", "", None, 3, True],
    "Volume": [7.5, 0.1, None, "10", False, Decimal("Infinity")],
    "Flag": [None, "true", 1],
    "Unused": ["no", True],
}


def random_model(rng: random.Random) -> DmnModel:
    columns = rng.sample(list(CELLS), rng.randint(1, 3))
    policy = rng.choice([*POLICIES, "UNIQUE", "FIRST"])
    aggregation = rng.choice(["", "", "SUM", "COUNT", "MIN"]) if policy == "COLLECT" else ""
    outputs = rng.randint(1, 2)
    typed = rng.random() < 0.8
    inputs_xml = "".join(
        f'<inputData id="i_{name}" name="{name}">'
        f'<variable name="{name}" typeRef="{TYPES[name] if typed else "Any"}"/></inputData>'
        for name in [*CELLS, "Unused"]
    )
    requirements = "".join(
        f'<informationRequirement><requiredInput href="#i_{name}"/></informationRequirement>'
        for name in [*CELLS, "Unused"]
    )
    allowed = {"Segment": '"a","b","c"', "Volume": "[0..10000]"}
    table_inputs = "".join(
        f"<input><inputExpression><text>{name}</text></inputExpression>"
        + (
            f"<inputValues><text>{escape(allowed[name])}</text></inputValues>"
            if name in allowed and rng.random() < 0.4
            else ""
        )
        + "</input>"
        for name in columns
    )
    table_outputs = "".join(
        f'<output name="o{k}" typeRef="{rng.choice(["number", "string", ""])}">'
        + ("<outputValues><text>3,2,1</text></outputValues>" if rng.random() < 0.5 else "")
        + (
            f"<defaultOutputEntry><text>{rng.choice(OUTPUTS[:4])}</text></defaultOutputEntry>"
            if rng.random() < 0.3
            else ""
        )
        + "</output>"
        for k in range(outputs)
    )
    constant_outputs = rng.random() < 0.7
    rules = "".join(
        f'<rule id="r{r}">'
        + "".join(
            f"<inputEntry><text>{escape(rng.choice(CELLS[name]))}</text></inputEntry>"
            for name in columns
        )
        + "".join(
            "<outputEntry><text>"
            + escape(rng.choice(OUTPUTS[:3] if constant_outputs else OUTPUTS))
            + "</text></outputEntry>"
            for _ in range(outputs)
        )
        + "</rule>"
        for r in range(rng.randint(1, 5))
    )
    agg = f' aggregation="{aggregation}"' if aggregation else ""
    xml = f"""<definitions xmlns="{NS}" name="t" namespace="urn:t">{inputs_xml}
      <decision id="d" name="Result">{requirements}
        <decisionTable id="t" hitPolicy="{policy}"{agg}>{table_inputs}{table_outputs}{rules}
        </decisionTable>
      </decision>
    </definitions>"""
    return DmnModel.from_bytes(xml.encode())


def random_inputs(rng: random.Random) -> dict[str, Any]:
    return {
        name: rng.choice(USUAL[name] if rng.random() < 0.85 else ODD[name])
        for name in USUAL
        if rng.random() < 0.97  # sometimes an input is missing
    }


def assert_as_the_general_way(model: Any, decision: str, inputs: dict[str, Any]) -> None:
    """`decision` on `inputs` answers as on a mapping the planned path does not take."""
    fast = model.evaluate(decision, inputs)
    general = model.evaluate(decision, MappingProxyType(inputs))
    assert (fast.value, fast.warnings, fast.errors, fast.matched_rules) == (
        general.value,
        general.warnings,
        general.errors,
        general.matched_rules,
    ), inputs


@pytest.mark.parametrize("seed", range(200))
def test_planned_tables_evaluate_as_the_general_way(seed: int) -> None:
    rng = random.Random(seed)
    model = random_model(rng)
    for _ in range(60):
        inputs = random_inputs(rng)
        assert_as_the_general_way(model, "Result", inputs)


def test_a_table_whose_cells_read_other_inputs_is_not_planned() -> None:
    xml = f"""<definitions xmlns="{NS}" name="t" namespace="urn:t">
      <inputData id="a" name="A"><variable name="A" typeRef="number"/></inputData>
      <inputData id="b" name="B"><variable name="B" typeRef="number"/></inputData>
      <decision id="d" name="Result">
        <informationRequirement><requiredInput href="#a"/></informationRequirement>
        <informationRequirement><requiredInput href="#b"/></informationRequirement>
        <decisionTable id="t">
          <input><inputExpression><text>A</text></inputExpression></input>
          <output name="o"/>
          <rule id="r1"><inputEntry><text>&lt; B</text></inputEntry>
            <outputEntry><text>"below"</text></outputEntry></rule>
        </decisionTable>
      </decision>
    </definitions>"""
    model = DmnModel.from_bytes(xml.encode())
    assert model.evaluate("Result", {"A": 1, "B": 2}).value == "below"
    assert model._plans["Result"] is None


def shortcut_model(policy: str) -> DmnModel:
    """Two string columns and a number column, two outputs, all constant: the shortcut's
    case (as the seed's discount table)."""
    xml = f"""<definitions xmlns="{NS}" name="t" namespace="urn:t">
      <inputData id="s" name="Segment"><variable name="Segment" typeRef="string"/></inputData>
      <inputData id="v" name="Volume"><variable name="Volume" typeRef="number"/></inputData>
      <decision id="d" name="Result">
        <informationRequirement><requiredInput href="#s"/></informationRequirement>
        <informationRequirement><requiredInput href="#v"/></informationRequirement>
        <decisionTable id="t" hitPolicy="{policy}">
          <input><inputExpression><text>Segment</text></inputExpression></input>
          <input><inputExpression><text>Volume</text></inputExpression></input>
          <output name="level" typeRef="number"/><output name="note" typeRef="string"/>
          <rule id="r1"><inputEntry><text>"a"</text></inputEntry>
            <inputEntry><text>&gt;= 10</text></inputEntry>
            <outputEntry><text>2</text></outputEntry>
            <outputEntry><text>"big a"</text></outputEntry></rule>
          <rule id="r2"><inputEntry><text>-</text></inputEntry>
            <inputEntry><text>&lt; 10</text></inputEntry>
            <outputEntry><text>1</text></outputEntry>
            <outputEntry><text>"small"</text></outputEntry></rule>
          <rule id="r3"><inputEntry><text>"a"</text></inputEntry>
            <inputEntry><text>-</text></inputEntry>
            <outputEntry><text>3</text></outputEntry>
            <outputEntry><text>"any a"</text></outputEntry></rule>
        </decisionTable>
      </decision>
    </definitions>"""
    return DmnModel.from_bytes(xml.encode())


@pytest.mark.parametrize(
    ("policy", "inputs"),
    [
        ("UNIQUE", {"Segment": "b", "Volume": 5}),
        ("FIRST", {"Segment": "a", "Volume": 20}),  # two rules match
        ("COLLECT", {"Segment": "a", "Volume": 5}),
    ],
)
def test_shortcut_results_share_nothing_a_caller_could_alter(
    policy: str, inputs: dict[str, Any]
) -> None:
    model = shortcut_model(policy)
    expected = model.evaluate("Result", MappingProxyType(inputs))
    model.evaluate("Result", inputs)  # plans the decision
    assert model._quick["Result"](inputs) is not None  # the shortcut answers these inputs
    first = model.evaluate("Result", inputs)
    second = model.evaluate("Result", inputs)
    assert first == second == expected
    assert first is not second
    for field in ("value", "warnings", "errors", "matched_rules"):
        assert getattr(first, field) is not getattr(second, field), field
    assert first.matched_rules["Result"] is not second.matched_rules["Result"]
    # Whatever a caller does to one answer, the next answers are as before.
    values = first.value if isinstance(first.value, list) else [first.value]
    for value in values:
        value["level"] = Decimal(99)
        value["extra"] = "x"
    if isinstance(first.value, list):
        first.value.append("x")
    first.warnings.append("w")
    first.errors.append("e")
    first.matched_rules["Result"].clear()
    first.matched_rules["other"] = []
    assert second == expected
    assert model.evaluate("Result", inputs) == expected
    assert model.evaluate("Result", MappingProxyType(inputs)) == expected
