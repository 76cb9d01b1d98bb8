"""Decision tables: hit policies, matched rules, defaults, and the DRG around them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

import pytest

from feeldmn.errors import DmnEvaluationError
from feeldmn.evaluator import DmnModel

NS = "https://www.omg.org/spec/DMN/20230324/MODEL/"


def table_model(
    hit_policy: str,
    rules: list[tuple[str, str]],
    *,
    aggregation: str | None = None,
    output_values: str | None = None,
    default: str | None = None,
) -> DmnModel:
    """A model with input ``Score`` and a one-column table ``Result``."""
    agg = f' aggregation="{aggregation}"' if aggregation else ""
    values = f"<outputValues><text>{output_values}</text></outputValues>" if output_values else ""
    dflt = f"<defaultOutputEntry><text>{default}</text></defaultOutputEntry>" if default else ""
    body = "".join(
        f'<rule id="r{i}"><inputEntry><text>{escape(test)}</text></inputEntry>'
        f"<outputEntry><text>{escape(out)}</text></outputEntry></rule>"
        for i, (test, out) in enumerate(rules, start=1)
    )
    xml = f"""<definitions xmlns="{NS}" name="t" namespace="urn:t">
      <inputData id="i1" name="Score"><variable name="Score" typeRef="number"/></inputData>
      <decision id="d1" name="Result">
        <variable name="Result"/>
        <informationRequirement><requiredInput href="#i1"/></informationRequirement>
        <decisionTable id="t1" hitPolicy="{hit_policy}"{agg}>
          <input><inputExpression typeRef="number"><text>Score</text></inputExpression></input>
          <output name="out">{values}{dflt}</output>
          {body}
        </decisionTable>
      </decision>
    </definitions>"""
    return DmnModel.from_bytes(xml.encode())


def result(model: DmnModel, score: Any) -> Any:
    return model.evaluate("Result", {"Score": score}).value


OVERLAPPING = [("< 10", '"low"'), ("< 20", '"mid"'), ("-", '"any"')]


def test_unique_single_match_returns_its_output_and_rule() -> None:
    model = table_model("UNIQUE", [("< 10", '"low"'), (">= 10", '"high"')])
    outcome = model.evaluate("Result", {"Score": 12})
    assert outcome.value == "high"
    assert [(m.rule_id, m.index) for m in outcome.matched_rules["Result"]] == [("r2", 2)]


def test_unique_with_overlapping_rules_is_an_error_result() -> None:
    model = table_model("UNIQUE", OVERLAPPING)
    outcome = model.evaluate("Result", {"Score": 5})
    assert outcome.value is None
    assert outcome.errors
    assert "UNIQUE" in outcome.errors[0]
    assert [m.index for m in outcome.matched_rules["Result"]] == [1, 2, 3]


def test_no_match_without_default_gives_null() -> None:
    model = table_model("UNIQUE", [("< 10", '"low"')])
    assert result(model, 50) is None


def test_no_match_gives_the_default_output() -> None:
    model = table_model("UNIQUE", [("< 10", '"low"')], default='"none"')
    assert result(model, 50) == "none"


def test_first_returns_first_matching_rule() -> None:
    assert result(table_model("FIRST", OVERLAPPING), 5) == "low"


def test_any_accepts_equal_outputs_and_rejects_different_ones() -> None:
    same = table_model("ANY", [("< 10", '"x"'), ("< 20", '"x"')])
    assert result(same, 5) == "x"
    different = table_model("ANY", OVERLAPPING)
    outcome = different.evaluate("Result", {"Score": 5})
    assert outcome.value is None
    assert outcome.errors


def test_priority_picks_the_output_listed_first_in_output_values() -> None:
    model = table_model("PRIORITY", OVERLAPPING, output_values='"any","mid","low"')
    assert result(model, 5) == "any"


def test_output_order_sorts_by_output_values() -> None:
    model = table_model("OUTPUT ORDER", OVERLAPPING, output_values='"mid","any","low"')
    assert result(model, 5) == ["mid", "any", "low"]


def test_rule_order_lists_outputs_in_rule_order() -> None:
    assert result(table_model("RULE ORDER", OVERLAPPING), 15) == ["mid", "any"]


@pytest.mark.parametrize(
    ("aggregation", "expected"),
    [
        (None, [Decimal(1), Decimal(2), Decimal(3)]),
        ("SUM", 6),
        ("MIN", 1),
        ("MAX", 3),
        ("COUNT", 3),
    ],
)
def test_collect_aggregations(aggregation: str | None, expected: Any) -> None:
    rules = [("< 10", "1"), ("< 20", "2"), ("-", "3")]
    model = table_model("COLLECT", rules, aggregation=aggregation)
    assert result(model, 5) == expected


def test_collect_count_without_matches_is_zero() -> None:
    model = table_model("COLLECT", [("< 10", "1")], aggregation="COUNT")
    assert result(model, 50) == 0


def test_input_that_does_not_conform_to_its_type_becomes_null() -> None:
    model = table_model("FIRST", [("null", '"missing"'), ("-", '"some"')])
    outcome = model.evaluate("Result", {"Score": "not a number"})
    assert outcome.value == "missing"
    assert any("does not conform to number" in w for w in outcome.warnings)


def test_unknown_decision_is_an_evaluation_error() -> None:
    model = table_model("UNIQUE", OVERLAPPING)
    with pytest.raises(DmnEvaluationError):
        model.evaluate("Nope", {})


def test_bkm_invoked_from_a_decision_with_named_bindings() -> None:
    xml = f"""<definitions xmlns="{NS}" name="t" namespace="urn:t">
      <inputData id="i1" name="Monthly Salary"><variable name="Monthly Salary"/></inputData>
      <businessKnowledgeModel id="b1" name="Yearly">
        <encapsulatedLogic>
          <formalParameter name="monthly" typeRef="number"/>
          <literalExpression><text>monthly * 12</text></literalExpression>
        </encapsulatedLogic>
      </businessKnowledgeModel>
      <decision id="d1" name="Income">
        <informationRequirement><requiredInput href="#i1"/></informationRequirement>
        <knowledgeRequirement><requiredKnowledge href="#b1"/></knowledgeRequirement>
        <invocation>
          <literalExpression><text>Yearly</text></literalExpression>
          <binding><parameter name="monthly"/>
            <literalExpression><text>Monthly Salary</text></literalExpression></binding>
        </invocation>
      </decision>
    </definitions>"""
    model = DmnModel.from_bytes(xml.encode())
    assert model.evaluate("Income", {"Monthly Salary": 1000}).value == Decimal(12000)
