"""The built-in seed decisions answer representative cases of the seeds (000, 001)."""

from __future__ import annotations

import pytest

from greenwave.decisions.services import decision_evaluate

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("context", "level", "rule"),
    [
        ({"segment": "ключевой", "payment_history": "хорошая", "order_volume": 1500000}, "5", 3),
        (
            {"segment": "ключевой", "payment_history": "с задержками", "order_volume": 300000},
            "4",
            4,
        ),
        ({"segment": "крупный опт", "payment_history": "хорошая", "order_volume": 2000000}, "4", 5),
        ({"segment": "крупный опт", "payment_history": "хорошая", "order_volume": 100000}, "3", 6),
        (
            {"segment": "крупный опт", "payment_history": "с задержками", "order_volume": 900000},
            "2",
            7,
        ),
        ({"segment": "новый", "payment_history": "хорошая", "order_volume": 600000}, "3", 8),
        ({"segment": "мелкий опт", "payment_history": "хорошая", "order_volume": 200000}, "2", 9),
        (
            {"segment": "ключевой", "payment_history": "с просрочками", "order_volume": 5000000},
            "1",
            1,
        ),
        ({"segment": "новый", "payment_history": "хорошая", "order_volume": 5000}, "1", 2),
    ],
)
def test_discount_price_list_is_chosen_by_segment_volume_and_payments(
    seeded, context, level, rule
) -> None:
    answer = decision_evaluate(actor=None, key="discount_price_list", context=context, log=False)
    assert answer.result["price_list_level"] == level
    assert [m["index"] for m in answer.matched_rules] == [rule]
    assert answer.errors == []


@pytest.mark.parametrize(
    ("context", "verdict", "prepayment", "first_rule"),
    [
        (
            {"blacklisted": True, "overdue_count": 0, "max_overdue_days": 0, "overdue_debt": 0},
            "отказ",
            "100",
            1,
        ),
        (
            {
                "blacklisted": False,
                "overdue_count": 1,
                "max_overdue_days": 120,
                "overdue_debt": 50000,
            },
            "отказ",
            "100",
            2,
        ),
        (
            {"blacklisted": False, "overdue_count": 4, "max_overdue_days": 10, "overdue_debt": 0},
            "предоплата",
            "100",
            3,
        ),
        (
            {"blacklisted": False, "overdue_count": 1, "max_overdue_days": 45, "overdue_debt": 0},
            "предоплата",
            "100",
            4,
        ),
        (
            {"blacklisted": False, "overdue_count": 1, "max_overdue_days": 5, "overdue_debt": 1000},
            "предоплата",
            "50",
            5,
        ),
        (
            {"blacklisted": False, "overdue_count": 2, "max_overdue_days": 5, "overdue_debt": 0},
            "надёжный",
            "0",
            6,
        ),
        (
            {"blacklisted": False, "overdue_count": 0, "max_overdue_days": 0, "overdue_debt": 0},
            "надёжный",
            "0",
            7,
        ),
    ],
)
def test_client_reliability_follows_the_unscrupulous_client_rules(
    seeded, context, verdict, prepayment, first_rule
) -> None:
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
