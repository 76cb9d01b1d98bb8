"""The built-in decisions in both languages: every text a person reads has its English; the
editor's display copy translates only labels, the model's name and annotations (never a FEEL
name or expression), and what the editor saves gets the library's Russian back."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from lxml import etree

from feeldmn import DmnModel
from greenwave.decisions import services
from greenwave.decisions.library_texts import (
    ENGLISH,
    library_display_xml,
    library_stored_xml,
    readable_texts,
)
from greenwave.decisions.models import DecisionDefinition

from .conftest import library_xml

CYRILLIC = re.compile("[а-яёА-ЯЁ]")
KEYS = ("client_reliability", "contract_approval", "discount_price_list")
DMN = "{https://www.omg.org/spec/DMN/20191111/MODEL/}"


def _feel(xml: bytes) -> list[tuple[str, str, str]]:
    """What the engine and the processes refer to: every name and every FEEL text, by place."""
    root = etree.fromstring(xml)
    names = [(el.get("id") or "", "name", el.get("name")) for el in root.iter() if el.get("name")]
    texts = [
        (el.getparent().get("id") or "", "text", el.text or "")
        for el in root.iter(f"{DMN}text")
        if etree.QName(el.getparent()).localname != "textAnnotation"
    ]
    return [n for n in names if n[0] != root.get("id")] + texts


def test_every_library_text_has_its_english() -> None:
    texts = {text for key in KEYS for text in readable_texts(library_xml(key))}
    missing = sorted(t for t in texts if not ENGLISH.get(t))
    assert not missing, missing
    russian = [en for en in ENGLISH.values() if CYRILLIC.search(en)]
    assert not russian, russian
    assert sorted(set(ENGLISH) - texts) == []


@pytest.mark.parametrize("key", KEYS)
def test_the_display_copy_translates_labels_and_annotations_but_no_feel(key: str) -> None:
    stored = library_xml(key)
    shown = library_display_xml(key, stored, "en")
    assert _feel(shown) == _feel(stored)
    assert [t for t in readable_texts(shown) if CYRILLIC.search(t)] == []
    assert readable_texts(shown) == [ENGLISH[t] for t in readable_texts(stored)]
    model, original = DmnModel.from_bytes(shown), DmnModel.from_bytes(stored)
    assert model.decision_names() == original.decision_names()


def test_a_russian_reader_and_a_users_own_model_get_the_stored_bytes() -> None:
    stored = library_xml("contract_approval")
    assert library_display_xml("contract_approval", stored, "ru") is stored
    assert library_display_xml("my_approval", stored, "en") is stored
    assert library_stored_xml("contract_approval", stored, stored, "ru") is stored


@pytest.mark.parametrize("key", KEYS)
def test_a_save_of_the_english_copy_gets_the_library_texts_back(key: str) -> None:
    stored = library_xml(key)
    shown = library_display_xml(key, stored, "en")
    saved = library_stored_xml(key, shown, stored, "en")
    assert readable_texts(saved) == readable_texts(stored)
    assert _feel(saved) == _feel(stored)


def test_a_text_the_user_changed_or_added_in_english_stays_as_written() -> None:
    stored = library_xml("contract_approval")
    shown = library_display_xml("contract_approval", stored, "en")
    # The input data's label changed; the table column of the same label left as shown.
    edited = shown.replace(b'label="Client risk"', b'label="Risk of the client"', 1).replace(
        b"<description>A risky client: to the lawyer</description>",
        b"<description>Risky: legal review</description>",
    )
    # A text copied to another place is the user's text there, not the library's.
    edited = edited.replace(
        b"<description>A large contract: to finance</description>",
        b"<description>Late payments</description>",
    )
    saved = readable_texts(library_stored_xml("contract_approval", edited, stored, "en"))
    assert "Risk of the client" in saved
    assert "Risky: legal review" in saved
    assert "Late payments" in saved
    assert "Риск клиента" in saved  # the column's label, untouched by the user
    assert "Рискованный клиент — к юристу" not in saved
    assert "Средний и высокий риск — к финансисту" in saved


def test_an_unreadable_save_is_left_to_the_service_to_refuse() -> None:
    stored = library_xml("client_reliability")
    assert library_stored_xml("client_reliability", b"<not xml", stored, "en") == b"<not xml"


def _signed_in(two_teams, language: str = "en") -> Client:
    """The administrator (an editor of decisions) reading `language`."""
    admin = two_teams["admin"]
    admin.language = language
    admin.save(update_fields=["language"])
    client = Client()
    client.force_login(admin)
    return client


@pytest.mark.django_db
def test_the_editor_gets_the_english_copy_and_its_save_stores_the_russian(two_teams) -> None:
    services.decisions_seed()
    client = _signed_in(two_teams)
    editor = client.get("/decisions/contract_approval/edit/").content.decode()
    assert "/decisions/contract_approval/xml/?display=1" in editor
    shown = client.get("/decisions/contract_approval/xml/?display=1").content
    assert b'label="Client risk"' in shown
    assert "Риск клиента".encode() not in shown
    download = client.get("/decisions/contract_approval/xml/?download=1").content
    assert download == library_xml("contract_approval")

    answer = client.post(
        "/decisions/save/",
        {"key": "contract_approval", "xml": shown.decode(), "base_version": "1", "shown_in": "en"},
    )
    assert answer.status_code == 200, answer.content
    saved = DecisionDefinition.objects.get(key="contract_approval", version=2)
    assert readable_texts(saved.xml_bytes) == readable_texts(library_xml("contract_approval"))
    assert _feel(saved.xml_bytes) == _feel(library_xml("contract_approval"))
    services.decision_deploy(actor=None, key="contract_approval", version=2)
    context = {"amount": 2500000, "template_deviation": "нет", "client_risk": "высокий"}
    answer_v2 = services.decision_evaluate(actor=None, key="contract_approval", context=context)
    answer_v1 = services.decision_evaluate(
        actor=None, key="contract_approval", context=context, version=1
    )
    assert answer_v2.result == answer_v1.result == ["head_of_sales", "lawyer", "finance"]
    # The saved version still reads in English, as the library's own texts do.
    detail = client.get("/decisions/contract_approval/").content.decode()
    assert "Client risk" in detail


@pytest.mark.django_db
def test_a_save_without_the_version_it_was_opened_from_is_stored_as_posted(two_teams) -> None:
    services.decisions_seed()
    client = _signed_in(two_teams)
    shown = library_display_xml("contract_approval", library_xml("contract_approval"), "en")
    client.post("/decisions/save/", {"key": "contract_approval", "xml": shown.decode()})
    saved = DecisionDefinition.objects.get(key="contract_approval", version=2)
    assert "Client risk" in readable_texts(saved.xml_bytes)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "present", "absent"),
    [
        ("en", ("Annotation", "A risky client: to the lawyer", "Client risk"), ("Риск клиента",)),
        ("ru", ("Примечание", "Рискованный клиент — к юристу", "Риск клиента"), ("Client risk",)),
    ],
)
def test_the_test_page_shows_labels_and_annotations_in_the_readers_language(
    two_teams, language: str, present: tuple[str, ...], absent: tuple[str, ...]
) -> None:
    services.decisions_seed()
    page = _signed_in(two_teams, language).get("/decisions/contract_approval/test/")
    page = page.content.decode()
    for text in present:
        assert text in page, text
    for text in absent:
        assert text not in page, text
    assert "<code>client_risk</code>" in page  # the FEEL the column tests, as stored


@pytest.mark.django_db
def test_an_english_readers_evaluation_and_its_log_read_in_english(two_teams) -> None:
    services.decisions_seed()
    client = _signed_in(two_teams)
    facts = {"blacklisted": "", "overdue_count": "4", "max_overdue_days": "10", "overdue_debt": "0"}
    result = client.post("/decisions/client_reliability/test/", facts).content.decode()
    assert 'data-testid="evaluation"' in result
    for english in ("Result — Client reliability", "Verdict", "Prepayment, %", "Reason"):
        assert english in result, english
    assert "Решение" not in result
    detail = client.get("/decisions/client_reliability/").content.decode()
    assert 'data-testid="evaluation-row"' in detail
    for english in ("Late payments in 12 months", "Verdict"):
        assert english in detail, english
    for russian in ("Просрочек оплаты за 12 месяцев", "Решение"):
        assert russian not in detail, russian


@pytest.mark.django_db
def test_a_refused_english_save_names_the_cells_column_as_the_editor_shows_it(two_teams) -> None:
    services.decisions_seed()
    shown = library_display_xml("discount_price_list", library_xml("discount_price_list"), "en")
    broken = shown.replace(b"<text>&lt; 100000</text>", b"<text>&lt; 100000 +</text>", 1)
    answer = _signed_in(two_teams).post(
        "/decisions/save/",
        {
            "key": "discount_price_list",
            "xml": broken.decode(),
            "base_version": "1",
            "shown_in": "en",
        },
    )
    assert answer.status_code == 400
    [cell] = answer.json()["details"]["errors"]
    assert (cell["rule"], cell["column_label"]) == (2, "Order volume, ₽")
    assert DecisionDefinition.objects.filter(key="discount_price_list").count() == 1
