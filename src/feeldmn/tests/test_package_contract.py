"""The package's promises to its callers: no Django, parsed once, readable results."""

from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

from feeldmn import DmnModel, evaluate
from feeldmn.feel.parser import compile_expression


def test_package_imports_neither_django_nor_greenwave() -> None:
    code = (
        "import sys, feeldmn, feeldmn.tck; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'django', 'greenwave'}))"
    )
    src = Path(__file__).resolve().parents[2]  # this copy of the package, not an installed one
    completed = subprocess.run(
        [sys.executable, "-c", code],
        check=True,
        timeout=60,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(src)},
    )
    assert completed.stdout.strip() == "[]"


def test_same_text_is_parsed_once() -> None:
    text = "Monthly Salary * 12 + 1 / 7"
    before = compile_expression.cache_info()
    for salary in (1, 2, 3):
        evaluate(text, {"Monthly Salary": salary})
    after = compile_expression.cache_info()
    assert after.misses - before.misses == 1
    assert after.hits - before.hits == 2


def test_catastrophic_regex_is_refused_instead_of_hanging() -> None:
    assert evaluate('matches("' + "a" * 40 + '!", "(a+)+$")').value is None
    assert evaluate('matches("abab", "(ab)+")').value is True


def test_decision_service_evaluates_its_output_decisions() -> None:
    ns = "https://www.omg.org/spec/DMN/20230324/MODEL/"
    xml = f"""<definitions xmlns="{ns}" name="t" namespace="urn:t">
      <inputData id="i1" name="Amount"><variable name="Amount" typeRef="number"/></inputData>
      <decision id="d1" name="Fee">
        <variable name="Fee" typeRef="number"/>
        <informationRequirement><requiredInput href="#i1"/></informationRequirement>
        <literalExpression><text>Amount * 0.01</text></literalExpression>
      </decision>
      <decisionService id="s1" name="Fee Service">
        <outputDecision href="#d1"/>
        <inputData href="#i1"/>
      </decisionService>
      <decision id="d2" name="Fee Via Service">
        <literalExpression><text>Fee Service(250)</text></literalExpression>
      </decision>
    </definitions>"""
    model = DmnModel.from_bytes(xml.encode())
    assert model.evaluate("Fee Service", {"Amount": 100}).value == Decimal(1)
    assert model.evaluate("Fee Via Service", {}).value == Decimal("2.5")


def test_context_boxed_expression_with_a_result_entry() -> None:
    ns = "https://www.omg.org/spec/DMN/20230324/MODEL/"
    xml = f"""<definitions xmlns="{ns}" name="t" namespace="urn:t">
      <decision id="d1" name="Total">
        <context>
          <contextEntry><variable name="Unit Price"/>
            <literalExpression><text>10</text></literalExpression></contextEntry>
          <contextEntry><variable name="Quantity"/>
            <literalExpression><text>3</text></literalExpression></contextEntry>
          <contextEntry>
            <literalExpression><text>Unit Price * Quantity</text></literalExpression>
          </contextEntry>
        </context>
      </decision>
    </definitions>"""
    assert DmnModel.from_bytes(xml.encode()).evaluate("Total").value == Decimal(30)


def test_results_convert_to_json_ready_data() -> None:
    from feeldmn import to_json

    value = evaluate('{d: date("2024-05-01"), p: duration("P1D"), n: 1.5, l: [true, null]}').value
    assert to_json(value) == {"d": "2024-05-01", "p": "P1D", "n": Decimal("1.5"), "l": [True, None]}


def test_models_importing_each_other_load_together() -> None:
    ns = "https://www.omg.org/spec/DMN/20230324/MODEL/"
    library = f"""<definitions xmlns="{ns}" name="lib" namespace="urn:lib">
      <businessKnowledgeModel id="b1" name="Greet">
        <encapsulatedLogic><formalParameter name="who"/>
          <literalExpression><text>"Hello " + who</text></literalExpression>
        </encapsulatedLogic>
      </businessKnowledgeModel>
    </definitions>"""
    main = f"""<definitions xmlns="{ns}" name="main" namespace="urn:main">
      <import namespace="urn:lib" name="lib" importType="{ns}"/>
      <decision id="d1" name="Greeting">
        <knowledgeRequirement><requiredKnowledge href="urn:lib#b1"/></knowledgeRequirement>
        <literalExpression><text>lib.Greet("Ann")</text></literalExpression>
      </decision>
    </definitions>"""
    model = DmnModel.from_bytes(main.encode(), library.encode())
    assert model.evaluate("Greeting").value == "Hello Ann"
