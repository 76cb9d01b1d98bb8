"""The built-in seed decisions answer representative cases of the seeds (000, 001)."""

from __future__ import annotations

import pytest

from greenwave.decisions.services import decision_evaluate

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("segment", "payment_history", "order_volume", "level", "rule"),
    [
        ("ключевой", "хорошая", 1500000, "5", 3),
        ("ключевой", "с задержками", 300000, "4", 4),
        ("крупный опт", "хорошая", 2000000, "4", 5),
        ("крупный опт", "хорошая", 100000, "3", 6),
        ("крупный опт", "с задержками", 900000, "2", 7),
        ("новый", "хорошая", 600000, "3", 8),
        ("мелкий опт", "хорошая", 200000, "2", 9),
        ("ключевой", "с просрочками", 5000000, "1", 1),
        ("новый", "хорошая", 5000, "1", 2),
    ],
)
def test_discount_price_list_is_chosen_by_segment_volume_and_payments(
    seeded, segment, payment_history, order_volume, level, rule
) -> None:
    context = {
        "segment": segment,
        "payment_history": payment_history,
        "order_volume": order_volume,
    }
    answer = decision_evaluate(actor=None, key="discount_price_list", context=context, log=False)
    assert answer.result["price_list_level"] == level
    assert [m["index"] for m in answer.matched_rules] == [rule]
    assert answer.errors == []


# What client_reliability is asked, in the order of the facts in its cases below.
RELIABILITY_INPUTS = ("blacklisted", "overdue_count", "max_overdue_days", "overdue_debt")


@pytest.mark.parametrize(
    ("facts", "verdict", "prepayment", "first_rule"),
    [
        ((True, 0, 0, 0), "отказ", "100", 1),
        ((False, 1, 120, 50000), "отказ", "100", 2),
        ((False, 4, 10, 0), "предоплата", "100", 3),
        ((False, 1, 45, 0), "предоплата", "100", 4),
        ((False, 1, 5, 1000), "предоплата", "50", 5),
        ((False, 2, 5, 0), "надёжный", "0", 6),
        ((False, 0, 0, 0), "надёжный", "0", 7),
    ],
)
def test_client_reliability_follows_the_unscrupulous_client_rules(
    seeded, facts, verdict, prepayment, first_rule
) -> None:
    context = dict(zip(RELIABILITY_INPUTS, facts, strict=True))
    answer = decision_evaluate(actor=None, key="client_reliability", context=context, log=False)
    assert answer.result["verdict"] == verdict
    assert answer.result["prepayment_percent"] == prepayment
    # Hit policy FIRST: the first matching rule in table order gives the answer.
    assert answer.matched_rules[0]["index"] == first_rule


@pytest.mark.parametrize(
    ("context", "approvers"),
    [
        (
            {"amount": 50000, "template_deviation": "нет", "client_risk": "низкий"},
            ["head_of_sales"],
        ),
        (
            {"amount": 300000, "template_deviation": "незначительные", "client_risk": "низкий"},
            ["head_of_sales", "lawyer"],
        ),
        (
            {"amount": 2500000, "template_deviation": "нет", "client_risk": "низкий"},
            ["head_of_sales", "finance"],
        ),
        (
            {"amount": 100000, "template_deviation": "существенные", "client_risk": "высокий"},
            ["head_of_sales", "lawyer", "finance"],
        ),
        (
            {"amount": 100000, "template_deviation": "нет", "client_risk": "средний"},
            ["head_of_sales", "finance"],
        ),
    ],
)
def test_contract_approval_routes_to_distinct_roles(seeded, context, approvers) -> None:
    answer = decision_evaluate(actor=None, key="contract_approval", context=context, log=False)
    assert answer.decision == "contract_approvers"
    assert answer.result == approvers
    assert all(m["decision"] == "approval_rules" for m in answer.matched_rules)
