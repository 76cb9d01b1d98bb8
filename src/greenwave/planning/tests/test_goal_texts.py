"""A suggested goal, stored in its author's language, reads in the reader's; a typed goal is
shown as typed."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from greenwave.planning import selectors, services
from greenwave.planning.goal_texts import goal_label
from greenwave.planning.models import DayPlanItem
from greenwave.planning.tests.test_my_day import _today_call

pytestmark = pytest.mark.django_db


def test_a_suggested_goal_reads_in_the_readers_language(default_pipelines: Any) -> None:
    with translation.override("en"):
        assert goal_label("Звонок: Обсудить поставку") == "Call: Обсудить поставку"
        assert goal_label("Закрыть просроченную задачу: Выставить счёт") == (
            "Finish the overdue task: Выставить счёт"
        )
        assert goal_label("Восстановить контакт с клиентом") == "Get back in touch with the client"
        assert goal_label("Продвинуть сделку «Насосы» дальше стадии «Договор»") == (
            "Move the deal “Насосы” past the stage “Contract”"
        )
    with translation.override("ru"):
        assert goal_label("Call: Обсудить поставку") == "Звонок: Обсудить поставку"
        assert goal_label("Move the deal “Насосы” past the stage “Contract”") == (
            "Продвинуть сделку «Насосы» дальше стадии «Договор»"
        )


def test_a_typed_goal_is_shown_as_typed() -> None:
    with translation.override("en"):
        assert goal_label("Позвонить и договориться о встрече") == (
            "Позвонить и договориться о встрече"
        )
        assert goal_label("Звонок директору: Обсудить поставку") == (
            "Звонок директору: Обсудить поставку"
        )


def test_an_english_head_reads_a_russian_managers_suggested_goal_in_english(
    client: Any, two_teams: dict[str, Any], company_a: Any
) -> None:
    hunter, head = two_teams["hunter_a"], two_teams["head_a"]
    _today_call(hunter, company_a, subject="Обсудить поставку")
    day = services.today_for(hunter)
    with translation.override("ru"):
        (call,) = [s for s in selectors.suggestions(actor=hunter, day=day) if s.activity]
    plan = services.day_plan_open(actor=hunter, day=day)
    services.day_plan_add_item(actor=hunter, plan=plan, **vars(call))
    services.day_plan_add_item(actor=hunter, plan=plan, goal="Позвонить директору")
    assert DayPlanItem.objects.filter(goal="Звонок: Обсудить поставку").exists()
    head.language = "en"
    head.save(update_fields=["language"])
    client.force_login(head)
    board = client.get(f"/planning/team/?team={two_teams['team_a'].pk}").content.decode()
    assert "Call: Обсудить поставку" in board
    assert "Звонок: Обсудить поставку" not in board
    assert "Позвонить директору" in board  # typed: as typed
