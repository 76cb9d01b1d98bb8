"""The built-in processes in both languages: every text a person reads has its English, an
English user sees the inbox, the task form, the process pages, the API and the notifications in
English while the stored BPMN stays the library's Russian bytes; a user's own process is shown
as written."""

from __future__ import annotations

import re
from typing import Any

import pytest
from lxml import etree

from greenwave.bpm import services
from greenwave.bpm.library import LIBRARY, library_xml
from greenwave.bpm.library.english import ENGLISH
from greenwave.bpm.library.layout import LABEL_CHAR
from greenwave.bpm.library.texts import (
    BPMN_NS,
    BPMNDI_NS,
    DC_NS,
    library_catalogue,
    library_display_xml,
    library_text,
    process_texts,
)
from greenwave.bpm.models import HumanTask, Notification, ProcessDefinition, TaskStatus
from greenwave.bpm.tests.steps import signed_in

CYRILLIC = re.compile("[а-яёА-ЯЁ]")


def test_every_library_text_has_its_english() -> None:
    missing = [
        f"{p.key}: {text!r}"
        for p in LIBRARY
        for text in process_texts(p)
        if text and not (ENGLISH.get(text) or "").strip()
    ]
    assert not missing, "library texts without English:\n" + "\n".join(missing)
    russian = [f"{ru!r} → {en!r}" for ru, en in ENGLISH.items() if CYRILLIC.search(en)]
    assert not russian, "English texts with Russian letters:\n" + "\n".join(russian)


def test_the_english_table_holds_only_library_texts() -> None:
    used = {t for p in LIBRARY for t in process_texts(p)}
    assert sorted(set(ENGLISH) - used) == []


def test_library_text_translates_only_the_librarys_own_text_at_its_key() -> None:
    assert library_text("vacation", "Согласовать отпуск", "en") == "Approve the vacation"
    assert library_text("vacation", "Согласовать отпуск", "ru") == "Согласовать отпуск"
    assert library_text("vacation", "Согласовать отпуск", "en-us") == "Approve the vacation"
    # the same words in another process (a user's own) or a text changed by the user
    assert library_text("my_vacation", "Согласовать отпуск", "en") == "Согласовать отпуск"
    assert library_text("vacation", "Согласовать отпуск срочно", "en") == (
        "Согласовать отпуск срочно"
    )
    # a text of the library, but not of this process
    assert library_text("vacation", "Проверка юристом", "en") == "Проверка юристом"
    # the holdups page names weak competences by the checklist's labels
    label = "Звонки: работа с возражениями (1–5)"
    assert library_text("competence_assessment", label, "en") == "Calls: handling objections (1–5)"
    names = [p["name"] for p in library_catalogue("en")]
    assert "Vacation" in names
    assert "Contract approval" in names
    assert not [n for n in names if CYRILLIC.search(n)]
    assert "Оформление отпуска" in [p["name"] for p in library_catalogue("ru")]


pytestmark = pytest.mark.django_db


@pytest.fixture
def vacation(db: Any, make_user: Any, two_teams: dict[str, Any]) -> dict[str, Any]:
    installed = {d.key: d for d in services.library_install(actor=None)}
    employee = make_user("employee", roles=["hunter"], team=two_teams["team_a"], language="en")
    instance = services.instance_start(actor=employee, definition=installed["vacation"])
    services.task_complete(
        actor=employee,
        task=HumanTask.objects.get(instance=instance, element_id="fill"),
        data={"vacation_kind": "annual", "date_from": "2030-07-01", "date_to": "2030-07-14"},
    )
    approve = HumanTask.objects.get(instance=instance, element_id="approve")
    return {**two_teams, "employee": employee, "instance": instance, "approve": approve}


def test_the_stored_bpmn_stays_the_librarys_russian_bytes(vacation: dict[str, Any]) -> None:
    built = library_xml()
    for definition in ProcessDefinition.objects.all():
        assert services.definition_export(definition=definition) == built[definition.key]
    assert "Согласовать отпуск".encode() in built["vacation"]


def test_an_english_head_sees_the_inbox_and_the_task_form_in_english(
    vacation: dict[str, Any],
) -> None:
    head = vacation["head_a"]
    head.language = "en"
    head.save(update_fields=["language"])
    client = signed_in(head)
    inbox = client.get("/processes/inbox/").content.decode()
    assert "Approve the vacation" in inbox
    assert "Vacation #" in inbox
    assert "Согласовать отпуск" not in inbox
    page = client.get(f"/processes/tasks/{vacation['approve'].pk}/").content.decode()
    for english in ("Approve the vacation", "Decision", "Approve", "Reject", "Comment"):
        assert english in page, english
    assert "Kind of vacation" in page  # the data the head decides on, labelled
    assert "Annual paid" in page
    for russian in ("Согласовать отпуск", "Решение", "Отклонить", "Вид отпуска"):
        assert russian not in page, russian
    process = client.get(f"/processes/instances/{vacation['instance'].pk}/").content.decode()
    assert "Vacation #" in process
    assert "Vacation request" in process  # the completed step in the task list
    definitions = client.get("/processes/definitions/").content.decode()
    assert "Business trip" in definitions
    assert "Оформление командировки" not in definitions


def test_a_russian_head_sees_the_same_pages_in_russian(vacation: dict[str, Any]) -> None:
    client = signed_in(vacation["head_a"])  # language «ru» by default
    page = client.get(f"/processes/tasks/{vacation['approve'].pk}/").content.decode()
    assert "Согласовать отпуск" in page
    assert "Ежегодный оплачиваемый" in page
    assert "Approve the vacation" not in page


def test_the_process_data_names_its_initiator_by_name_in_the_readers_language(
    vacation: dict[str, Any],
) -> None:
    employee = vacation["employee"]
    employee.first_name, employee.last_name = "Пётр", "Сидоров"
    employee.save(update_fields=["first_name", "last_name"])
    page = signed_in(vacation["head_a"]).get(f"/processes/tasks/{vacation['approve'].pk}/")
    text = page.content.decode()
    assert ">Инициатор</th>" in text
    assert "Initiator" not in text
    assert "Сидоров" in str(employee)
    assert f">{employee}</td>" in text


def test_the_api_speaks_the_callers_language(bearer: Any, vacation: dict[str, Any]) -> None:
    client = bearer(vacation["head_a"])
    url = f"/api/v1/tasks/{vacation['approve'].pk}"
    english = client.get(url, headers={"Accept-Language": "en"}).json()
    assert (english["name"], english["process"]) == ("Approve the vacation", "Vacation")
    decision = next(f for f in english["form"] if f["name"] == "decision")
    assert decision["label"] == "Decision"
    assert decision["choices"] == [["approve", "Approve"], ["reject", "Reject"]]
    assert english["form_json_schema"]["properties"]["decision"]["title"] == "Decision"
    russian = client.get(url, headers={"Accept-Language": "ru"}).json()
    assert (russian["name"], russian["process"]) == ("Согласовать отпуск", "Оформление отпуска")
    definitions = client.get(
        "/api/v1/processes/definitions?page_size=100", headers={"Accept-Language": "en"}
    ).json()
    assert "Vacation" in [d["name"] for d in definitions["items"]]


def test_notifications_are_written_in_each_recipients_language(
    vacation: dict[str, Any],
) -> None:
    services.task_complete(
        actor=vacation["head_a"], task=vacation["approve"], data={"decision": "reject"}
    )
    (note,) = Notification.objects.filter(recipient=vacation["employee"])
    assert (note.title, note.body) == (
        f"Vacation #{vacation['instance'].pk}",
        "Vacation not approved",
    )


def test_a_users_own_process_with_the_same_words_is_shown_as_written(
    vacation: dict[str, Any], make_user: Any
) -> None:
    xml = library_xml()["vacation"].replace(b'id="vacation"', b'id="own_vacation"')
    xml = xml.replace(b'processRef="vacation"', b'processRef="own_vacation"')
    own = services.definition_upload_and_deploy(actor=None, xml=xml, key="own_vacation")
    person = make_user("own", roles=["hunter"], team=vacation["team_a"], language="en")
    instance = services.instance_start(actor=person, definition=own)
    fill = HumanTask.objects.get(instance=instance, element_id="fill", status=TaskStatus.OPEN)
    page = signed_in(person).get(f"/processes/tasks/{fill.pk}/").content.decode()
    assert "Заявление на отпуск" in page
    assert "Vacation request" not in page


def test_the_diagram_viewer_gets_an_english_copy_and_the_export_stays_as_stored(
    vacation: dict[str, Any],
) -> None:
    from lxml import etree

    definition = vacation["instance"].definition
    stored = library_xml()["vacation"]
    url = f"/processes/definitions/{definition.pk}/xml/"
    head = vacation["head_a"]
    head.language = "en"
    head.save(update_fields=["language"])
    english = signed_in(head)
    page = english.get(f"/processes/tasks/{vacation['approve'].pk}/").content.decode()
    assert f'data-xml-url="{url}?display=1"' in page
    shown = english.get(f"{url}?display=1").content
    for text in ('name="Approve the vacation"', 'name="HR"', 'name="Vacation"', 'label="Decision"'):
        assert text.encode() in shown, text
    assert not CYRILLIC.search(
        " ".join(el.get("name") or "" for el in etree.fromstring(shown).iter())
    )
    ids = [el.get("id") for el in etree.fromstring(stored).iter() if el.get("id")]
    assert [el.get("id") for el in etree.fromstring(shown).iter() if el.get("id")] == ids
    assert english.get(url).content == stored  # the export: the stored bytes
    assert english.get(f"{url}?download=1").content == stored
    russian = signed_in(vacation["hunter_a"])  # a Russian reader of the same definition
    assert russian.get(f"{url}?display=1").content == stored


def test_the_diagram_viewer_is_told_its_failure_texts_in_the_readers_language(
    vacation: dict[str, Any],
) -> None:
    """bpmn-js answers «no diagram to display» in English; the page hands viewer.js the text to
    show instead, in the reader's language."""
    url = f"/processes/tasks/{vacation['approve'].pk}/"
    russian = signed_in(vacation["head_a"]).get(url).content.decode()
    assert 'data-text-no-diagram="У этого процесса нет схемы' in russian
    head = vacation["head_a"]
    head.language = "en"
    head.save(update_fields=["language"])
    english = signed_in(head).get(url).content.decode()
    assert 'data-text-no-diagram="This process has no diagram' in english
    assert 'data-text-error="The diagram could not be drawn."' in english


@pytest.mark.parametrize("key", [p.key for p in LIBRARY])
def test_each_flow_label_box_holds_its_english_name_on_one_line(key: str) -> None:
    """«Опт» had a box for three letters: «Wholesale» split into «Whol|esale» (issue: the
    library's «Wholesale»/«Replacement» overran their boxes)."""
    root = etree.fromstring(library_display_xml(key, library_xml()[key], "en"))
    names = {f.get("id"): f.get("name") for f in root.iter(f"{{{BPMN_NS}}}sequenceFlow")}
    for edge in root.iter(f"{{{BPMNDI_NS}}}BPMNEdge"):
        bounds = edge.find(f"{{{BPMNDI_NS}}}BPMNLabel/{{{DC_NS}}}Bounds")
        name = names.get(edge.get("bpmnElement"))
        if name and bounds is not None:
            assert float(bounds.get("width")) >= LABEL_CHAR * len(name) + 10, (key, name)
