"""Every case type the event log writes has a name in words: a team, the demo company and a
generated dataset were shown as `team`, `demo` and `dataset` in the record-type lists."""

from __future__ import annotations

import pytest
from django.utils import translation

from greenwave.accounts.models import Team
from greenwave.accounts.services import DEMO_CASE
from greenwave.core.case_access import case_type_label
from greenwave.core.services import case_type_of
from greenwave.datagen.generator.base import DATASET_CASE_TYPE


@pytest.mark.parametrize(
    ("language", "labels"),
    [
        ("ru", ["Команда", "Демо-компания", "Сгенерированный набор данных"]),
        ("en", ["Team", "Demo company", "Generated dataset"]),
    ],
)
def test_a_team_the_demo_and_a_dataset_are_named_in_words(language: str, labels: list[str]) -> None:
    case_types = ["team", DEMO_CASE[0], DATASET_CASE_TYPE]
    with translation.override(language):
        assert [case_type_label(t) for t in case_types] == labels


def test_a_teams_events_keep_their_case_type() -> None:
    assert case_type_of(Team(name="Юг")) == "team"


def test_an_unnamed_case_type_is_shown_as_its_code() -> None:
    assert case_type_label("no_such_type") == "no_such_type"
