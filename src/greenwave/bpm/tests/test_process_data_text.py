"""The process data of a task and of its instance as people read it: names for the logins a
process holds, durations in words, a business key that names no record shown as a key."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from greenwave.bpm import selectors, services
from greenwave.bpm.models import HumanTask
from greenwave.core.durations import iso_duration_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def readers(make_user: Any, two_teams: dict[str, Any]) -> list[Any]:
    team = two_teams["team_a"]
    return [
        make_user("reader1", team=team, first_name="Анна", last_name="Кузнецова"),
        make_user("reader2", team=team, first_name="Павел", last_name="Попов"),
    ]


@pytest.fixture
def acknowledgement(library: dict[str, Any], readers: list[Any], two_teams: dict[str, Any]) -> Any:
    return services.instance_start(
        actor=two_teams["head_a"],
        definition=library["acknowledgement"],
        variables={"readers": [r.username for r in readers], "deadline": "P5D"},
        business_key="demo:acknowledgement:lead-rules",
    )


def _shown(actor: Any, instance: Any) -> dict[str, tuple[str, str]]:
    rows = selectors.variable_rows(actor=actor, instance=instance)
    return {row.key: (row.label, row.text) for row in rows}


@pytest.mark.parametrize(
    ("language", "readers_label", "deadline"),
    [("en", "Who reads the document", "5 days"), ("ru", "Кто знакомится с документом", "5 дней")],
)
def test_readers_are_named_and_the_deadline_is_in_words(
    acknowledgement: Any,
    two_teams: dict[str, Any],
    language: str,
    readers_label: str,
    deadline: str,
) -> None:
    with translation.override(language):
        shown = _shown(two_teams["head_a"], acknowledgement)
    assert shown["readers"] == (readers_label, "Анна Кузнецова, Павел Попов")
    assert shown["deadline"][1] == deadline


def test_a_list_of_texts_that_are_not_all_logins_stays_as_written(
    two_teams: dict[str, Any], readers: list[Any], deploy: Any, approval_xml: bytes
) -> None:
    instance = services.instance_start(
        actor=two_teams["hunter_a"],
        definition=deploy(approval_xml),
        variables={"tags": ["reader1", "опт"]},
    )
    assert _shown(two_teams["hunter_a"], instance)["tags"][1] == "reader1, опт"


@pytest.mark.parametrize(
    ("value", "en", "ru"),
    [
        ("P1D", "1 day", "1 день"),
        ("P3D", "3 days", "3 дня"),
        ("PT1H30M", "1 hour 30 minutes", "1 час 30 минут"),
        ("P1W", "1 week", "1 неделя"),
        ("P2M", "2 months", "2 месяца"),
    ],
)
def test_iso_durations_read_as_words(value: str, en: str, ru: str) -> None:
    with translation.override("en"):
        assert iso_duration_text(value) == en
    with translation.override("ru"):
        assert iso_duration_text(value) == ru


@pytest.mark.parametrize("value", ["P", "PT", "Pump", "P5", "5D", "P1DT"])
def test_texts_that_are_not_durations_are_left_alone(value: str) -> None:
    assert iso_duration_text(value) is None


def test_the_task_page_shows_names_words_and_the_key_as_a_reference(
    acknowledgement: Any, readers: list[Any]
) -> None:
    task = HumanTask.objects.get(instance=acknowledgement, assignee=readers[0])
    client = Client()
    client.force_login(readers[0])
    page = client.get(f"/processes/tasks/{task.pk}/").content.decode()  # in Russian
    assert "Анна Кузнецова, Павел Попов" in page
    assert "reader1, reader2" not in page
    assert "[&#x27;reader1" not in page
    assert "5 дней" in page
    assert ">P5D<" not in page
    assert "<dt>Ключ запуска</dt>" in page
    assert 'data-testid="business-key">demo:acknowledgement:lead-rules<' in page


@pytest.mark.parametrize(("language", "label"), [("ru", "Читатель"), ("en", "Reader")])
def test_each_reader_task_shows_its_own_reader_not_the_loops_last(
    acknowledgement: Any, readers: list[Any], language: str, label: str
) -> None:
    """A multi-instance step: the instance's data holds the item the loop handed out last;
    each task's page shows its own (the engine's data of that task)."""
    shown = {}
    for reader in readers:
        reader.language = language
        reader.save(update_fields=["language"])
        task = HumanTask.objects.get(instance=acknowledgement, assignee=reader)
        client = Client()
        client.force_login(reader)
        rows = client.get(f"/processes/tasks/{task.pk}/").context["variables"]
        shown[reader.username] = {row.label: row.text for row in rows}[label]
    assert shown == {"reader1": "Анна Кузнецова", "reader2": "Павел Попов"}


def test_the_application_mark_is_labelled_and_the_claims_status_copy_is_left_to_its_card(
    acknowledgement: Any, two_teams: dict[str, Any]
) -> None:
    """Both showed as raw keys on a Russian page: «Application made», «Claim status: decision»."""
    acknowledgement.object_type, acknowledgement.object_id = "claim", "1"
    data = {"application_made": True, "claim_status": "decision"}
    with translation.override("ru"):
        rows = selectors.variable_rows(
            actor=two_teams["head_a"], instance=acknowledgement, data=data
        )
    assert {row.key: row.label for row in rows} == {"application_made": "Заявление оформлено"}


def test_the_list_of_runs_keeps_a_key_naming_no_record_out_of_the_business_object_column(
    acknowledgement: Any, two_teams: dict[str, Any]
) -> None:
    client = Client()
    client.force_login(two_teams["head_a"])
    page = client.get("/processes/instances/").content.decode()
    assert 'data-testid="business-key">—<' in page
    assert ">demo:acknowledgement:lead-rules<" not in page


def test_a_task_offered_to_a_role_names_the_role_after_a_colon(
    acknowledgement: Any, readers: list[Any]
) -> None:
    task = HumanTask.objects.get(instance=acknowledgement, assignee=readers[0])
    HumanTask.objects.filter(pk=task.pk).update(assignee=None, candidate_role="lawyer")
    client = Client()
    client.force_login(readers[0])
    page = client.get(f"/processes/tasks/{task.pk}/").content.decode()
    assert '<dd data-testid="task-assignee">роль: Юрист</dd>' in page
