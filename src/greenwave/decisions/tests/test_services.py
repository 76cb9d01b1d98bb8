"""Saving, deploying and evaluating decisions through the services."""

from __future__ import annotations

import pytest
from django.utils import translation

from greenwave.core.errors import CoreError, DomainError
from greenwave.core.models import Event
from greenwave.decisions import events, services
from greenwave.decisions.errors import DecisionsError
from greenwave.decisions.models import DecisionDefinition, DecisionEvaluation, DecisionStatus

from .conftest import broken_xml, library_xml, overlapping_xml

pytestmark = pytest.mark.django_db


def _stored() -> tuple[int, int]:
    return DecisionDefinition.objects.count(), Event.objects.filter(case_type="decision").count()


def test_seeding_loads_the_three_built_in_decisions_once(db) -> None:
    created = services.decisions_seed(actor=None)
    assert sorted(d.key for d in created) == [
        "client_reliability",
        "contract_approval",
        "discount_price_list",
    ]
    assert all(d.status == DecisionStatus.DEPLOYED for d in created)
    assert services.decisions_seed(actor=None) == []
    assert DecisionDefinition.objects.count() == 3


def test_every_save_adds_a_version_and_keeps_the_older_ones(two_teams) -> None:
    head = two_teams["head_a"]
    first = services.decision_save(actor=head, xml=library_xml("discount_price_list"))
    second = services.decision_save(
        actor=head, xml=library_xml("discount_price_list"), key=first.key, deploy=True
    )
    assert (first.key, first.version, second.version) == ("discount_price_list", 1, 2)
    first.refresh_from_db()
    assert not first.is_latest
    assert second.is_latest
    assert first.status == DecisionStatus.DRAFT
    assert second.status == DecisionStatus.DEPLOYED
    assert second.created_by == head
    assert second.inputs[0]["label"] == "Сегмент клиента"
    activities = list(
        Event.objects.filter(case_type="decision", case_id=first.key)
        .order_by("id")
        .values_list("activity", flat=True)
    )
    assert activities == [events.DECISION_SAVED, events.DECISION_SAVED, events.DECISION_DEPLOYED]


def test_a_feel_syntax_error_is_located_at_its_cell_and_nothing_is_stored(two_teams) -> None:
    services.decision_save(actor=two_teams["admin"], xml=library_xml("discount_price_list"))
    before = _stored()
    with pytest.raises(DomainError) as caught:
        services.decision_save(
            actor=two_teams["admin"], xml=broken_xml(), key="discount_price_list"
        )
    error = caught.value
    assert error.code == DecisionsError.FEEL_INVALID
    assert error.status == 400
    [cell] = error.details["errors"]
    assert cell["element_id"] == "discount_table_r2_i3"
    assert (cell["rule"], cell["column_index"], cell["kind"]) == (2, 3, "input_entry")
    assert cell["column_label"] == "Объём заказа, ₽"
    assert (cell["line"], cell["column"]) == (1, 11)
    assert "unexpected end of expression" in cell["message"]
    assert _stored() == before


def test_an_output_and_a_literal_expression_are_checked_too(two_teams) -> None:
    xml = library_xml("contract_approval")
    xml = xml.replace(b"distinct values(approval_rules)", b"distinct values(approval_rules", 1)
    xml = xml.replace(b'<text>"lawyer"</text>', b'<text>"lawyer</text>', 1)
    with pytest.raises(DomainError) as caught:
        services.decision_save(actor=two_teams["admin"], xml=xml)
    kinds = {(e["kind"], e["decision"]) for e in caught.value.details["errors"]}
    assert kinds == {
        ("literal_expression", "contract_approvers"),
        ("output_entry", "approval_rules"),
    }
    assert DecisionDefinition.objects.count() == 0


def test_a_ten_megabyte_model_is_refused_with_a_clear_error(two_teams) -> None:
    xml = library_xml("client_reliability")
    huge = xml.replace(
        b"</definitions>", b"<!--" + b"x" * (10 * 1024 * 1024) + b"--></definitions>"
    )
    with pytest.raises(DomainError) as caught:
        services.decision_save(actor=two_teams["admin"], xml=huge)
    assert caught.value.code == DecisionsError.MODEL_TOO_LARGE
    assert caught.value.details["limit"] == 10 * 1024 * 1024
    assert caught.value.status == 413
    assert DecisionDefinition.objects.count() == 0


@pytest.mark.parametrize("xml", [b"<definitions", b"<html/>", b""])
def test_unreadable_xml_is_refused(two_teams, xml) -> None:
    with pytest.raises(DomainError) as caught:
        services.decision_save(actor=two_teams["admin"], xml=xml)
    assert caught.value.code == DecisionsError.MODEL_INVALID
    assert DecisionDefinition.objects.count() == 0


def test_a_bad_key_is_refused(two_teams) -> None:
    with pytest.raises(DomainError) as caught:
        services.decision_save(
            actor=two_teams["admin"], xml=library_xml("client_reliability"), key="../etc"
        )
    assert caught.value.code == DecisionsError.INVALID_KEY


def test_only_admins_and_heads_of_sales_change_decisions(two_teams) -> None:
    with pytest.raises(DomainError) as caught:
        services.decision_save(actor=two_teams["hunter_a"], xml=library_xml("client_reliability"))
    assert caught.value.code == CoreError.PERMISSION_DENIED
    saved = services.decision_save(actor=two_teams["head_b"], xml=library_xml("client_reliability"))
    with pytest.raises(DomainError):
        services.decision_deploy(actor=two_teams["hunter_b"], key=saved.key)
    saved.refresh_from_db()
    assert saved.status == DecisionStatus.DRAFT
    assert Event.objects.filter(case_type="decision").count() == 1


def test_evaluation_uses_the_deployed_version_and_is_logged(two_teams) -> None:
    head = two_teams["head_a"]
    services.decision_save(actor=head, xml=library_xml("discount_price_list"), deploy=True)
    services.decision_save(actor=head, xml=library_xml("discount_price_list"))  # v2, draft
    context = {"segment": "ключевой", "payment_history": "хорошая", "order_volume": "1500000"}
    answer = services.decision_evaluate(
        actor=two_teams["hunter_a"], key="discount_price_list", context=context
    )
    assert answer.definition.version == 1
    assert answer.result == {"price_list_level": "5", "comment": "Ключевой клиент, крупный заказ"}
    log = DecisionEvaluation.objects.get()
    assert log.actor == two_teams["hunter_a"]
    assert log.definition.version == 1
    assert log.input["order_volume"] == "1500000"
    assert log.matched_rules[0]["rule_id"] == "discount_table_r3"
    draft = services.decision_evaluate(
        actor=None, key="discount_price_list", context=context, version=2, log=False
    )
    assert draft.definition.version == 2
    assert DecisionEvaluation.objects.count() == 1


def test_a_decision_without_a_deployed_version_refuses_to_answer(two_teams) -> None:
    services.decision_save(actor=two_teams["admin"], xml=library_xml("client_reliability"))
    with pytest.raises(DomainError) as caught:
        services.decision_evaluate(actor=None, key="client_reliability", context={})
    assert caught.value.code == DecisionsError.NOT_DEPLOYED


def test_overlapping_rules_under_unique_give_the_spec_error_result(two_teams) -> None:
    services.decision_save(actor=two_teams["admin"], xml=overlapping_xml(), deploy=True)
    answer = services.decision_evaluate(actor=None, key="overlap", context={"amount": 500})
    assert answer.result is None
    assert [m["index"] for m in answer.matched_rules] == [1, 2]
    assert any("UNIQUE" in e for e in answer.errors)
    only_one = services.decision_evaluate(actor=None, key="overlap", context={"amount": 50})
    assert only_one.result == "small"
    assert only_one.errors == []


def test_values_of_the_wrong_type_are_refused_before_evaluation(seeded) -> None:
    with pytest.raises(DomainError) as caught:
        services.decision_evaluate(
            actor=None, key="discount_price_list", context={"order_volume": "много"}
        )
    assert caught.value.code == DecisionsError.INVALID_INPUT
    assert caught.value.details == {"fields": {"order_volume": "много"}}
    assert DecisionEvaluation.objects.count() == 0


def test_a_type_mismatch_inside_feel_gives_null_with_a_warning_not_a_crash(seeded) -> None:
    answer = services.decision_evaluate(
        actor=None,
        key="contract_approval",
        context={"amount": 10, "template_deviation": 5, "client_risk": None},
        decision="approval_rules",
    )
    assert answer.result == ["head_of_sales"]


def test_an_unknown_decision_name_is_refused(seeded) -> None:
    with pytest.raises(DomainError) as caught:
        services.decision_evaluate(actor=None, key="contract_approval", context={}, decision="x")
    assert caught.value.code == DecisionsError.UNKNOWN_DECISION


@pytest.mark.parametrize(
    ("xml", "ru"),
    [
        (b"<definitions", "Не удалось прочитать модель DMN: XML составлен с ошибкой: "),
        (b"<root/>", "Не удалось прочитать модель DMN: корневой элемент — не <definitions>"),
    ],
)
def test_an_unreadable_model_is_refused_in_the_readers_language_once_punctuated(
    two_teams, xml, ru
) -> None:
    with translation.override("ru"), pytest.raises(DomainError) as refused:
        services.decision_save(actor=two_teams["admin"], xml=xml)
    message = str(refused.value.message)
    assert message.startswith(ru)
    assert message.endswith(".")
    assert ".." not in message
    assert ". ." not in message
    assert "DMN XML" not in message
