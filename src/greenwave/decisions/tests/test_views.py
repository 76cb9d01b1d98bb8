"""HTML pages of decisions: list, detail, editor and its save endpoint, upload, test page."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from greenwave.decisions import services
from greenwave.decisions.models import DecisionDefinition, DecisionEvaluation

from .conftest import broken_xml, library_xml, overlapping_xml

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _page(user, url: str) -> str:
    """The HTML of `url` as `user` sees it, asserted to answer 200."""
    response = _client(user).get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_the_list_shows_decisions_in_constant_queries(two_teams) -> None:
    client = _client(two_teams["head_a"])
    services.decision_save(actor=None, xml=overlapping_xml(), deploy=True)
    client.get("/decisions/")
    with CaptureQueriesContext(connection) as few:
        client.get("/decisions/")
    services.decisions_seed(actor=None)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/decisions/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Выбор скидочного прайс-листа" in page
    # what each table decides from, in words (the decision's code is already the key)
    assert "Сегмент клиента, Платёжная история, Объём заказа, ₽" in page
    assert len(many) == len(few)


def test_the_nav_item_is_for_admins_and_heads_of_sales(two_teams) -> None:
    assert 'href="/decisions/"' in _client(two_teams["head_a"]).get("/").content.decode()
    assert 'href="/decisions/"' in _client(two_teams["admin"]).get("/").content.decode()
    assert 'href="/decisions/"' not in _client(two_teams["hunter_a"]).get("/").content.decode()


def test_detail_shows_versions_and_history(seeded, two_teams) -> None:
    page = _page(two_teams["head_a"], "/decisions/contract_approval/")
    assert "Маршрут согласования договора" in page
    assert 'data-testid="versions"' in page
    assert _client(two_teams["head_a"]).get("/decisions/nope/").status_code == 404


@pytest.mark.parametrize(
    ("language", "number", "text"), [("ru", "число", "текст"), ("en", "number", "text")]
)
def test_the_inputs_types_read_as_words_not_feel_codes(
    seeded, two_teams, language, number, text
) -> None:
    head = two_teams["head_a"]
    head.language = language
    head.save(update_fields=["language"])
    page = _page(head, "/decisions/contract_approval/")
    assert f'<span class="text-body-secondary" data-testid="input-type">{number}</span>' in page
    assert f'data-testid="input-type">{text}</span>' in page
    assert 'data-testid="input-type">string<' not in page


def test_the_editor_loads_dmn_js_without_inline_scripts(seeded, two_teams) -> None:
    page = _page(two_teams["head_a"], "/decisions/discount_price_list/edit/")
    assert "vendor/dmn-js/dmn-modeler.production.min.js" in page
    assert "decisions/editor.js" in page
    assert "<script>" not in page
    assert _client(two_teams["head_a"]).get("/decisions/new/blank.dmn").status_code == 200


def test_hunters_may_not_open_the_editor_or_save(seeded, two_teams) -> None:
    client = _client(two_teams["hunter_a"])
    assert client.get("/decisions/discount_price_list/edit/").status_code == 403
    xml = library_xml("discount_price_list").decode()
    assert client.post("/decisions/save/", {"xml": xml, "key": "x"}).status_code == 403
    assert client.post("/decisions/discount_price_list/versions/1/deploy/").status_code == 403
    assert DecisionDefinition.objects.count() == 3


def test_the_editor_save_answers_cell_errors_and_stores_nothing(seeded, two_teams) -> None:
    client = _client(two_teams["head_a"])
    refused = client.post(
        "/decisions/save/", {"xml": broken_xml().decode(), "key": "discount_price_list"}
    )
    assert refused.status_code == 400
    [cell] = refused.json()["details"]["errors"]
    assert cell["element_id"] == "discount_table_r2_i3"
    assert DecisionDefinition.objects.filter(key="discount_price_list").count() == 1
    saved = client.post(
        "/decisions/save/",
        {
            "xml": library_xml("discount_price_list").decode(),
            "key": "discount_price_list",
            "deploy": "on",
        },
    )
    assert saved.status_code == 200
    assert (saved.json()["version"], saved.json()["status"]) == (2, "deployed")


def test_a_head_of_sales_edits_the_discount_table_and_the_next_evaluation_uses_it(
    seeded, two_teams
) -> None:
    xml = library_xml("discount_price_list").replace(
        b'<outputEntry id="discount_table_r3_o1"><text>5</text>',
        b'<outputEntry id="discount_table_r3_o1"><text>4</text>',
    )
    client = _client(two_teams["head_a"])
    client.post(
        "/decisions/save/", {"xml": xml.decode(), "key": "discount_price_list", "deploy": "on"}
    )
    answer = services.decision_evaluate(
        actor=None,
        key="discount_price_list",
        context={"segment": "ключевой", "payment_history": "хорошая", "order_volume": 2000000},
    )
    assert (answer.definition.version, answer.result["price_list_level"]) == (2, "4")


def test_upload_page_saves_a_file_and_lists_cell_errors(two_teams) -> None:
    client = _client(two_teams["admin"])
    bad = SimpleUploadedFile("d.dmn", broken_xml(), content_type="application/xml")
    response = client.post("/decisions/upload/", {"file": bad, "key": "discount_price_list"})
    assert response.status_code == 200
    assert 'data-testid="cell-errors"' in response.content.decode()
    assert DecisionDefinition.objects.count() == 0
    good = SimpleUploadedFile("d.dmn", library_xml("client_reliability"))
    response = client.post("/decisions/upload/", {"file": good, "deploy": "on"})
    assert response.status_code == 302
    assert DecisionDefinition.objects.get().status == "deployed"


def test_the_test_page_shows_the_output_and_highlights_matched_rules(seeded, two_teams) -> None:
    client = _client(two_teams["hunter_a"])
    page = client.get("/decisions/discount_price_list/test/")
    assert page.status_code == 200
    assert "Объём заказа, ₽" in page.content.decode()
    response = client.post(
        "/decisions/discount_price_list/test/",
        {"segment": "крупный опт", "payment_history": "хорошая", "order_volume": "150 000"},
    )
    html = response.content.decode()
    assert html.count('data-testid="matched-rule"') == 1
    assert "Крупный опт, платит вовремя" in html
    assert DecisionEvaluation.objects.get().output["price_list_level"] == "3"


def test_the_test_page_shows_the_unique_violation(two_teams) -> None:
    services.decision_save(actor=None, xml=overlapping_xml())
    response = _client(two_teams["admin"]).post(
        "/decisions/overlap/test/?version=1", {"amount": "500"}
    )
    html = response.content.decode()
    assert 'data-testid="evaluation-error"' in html
    assert html.count('data-testid="matched-rule"') == 2


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_dmn_answers_and_their_history_are_labelled_not_json(seeded, two_teams) -> None:
    client = _client(two_teams["head_a"])
    response = client.post(
        "/decisions/discount_price_list/test/",
        {"segment": "крупный опт", "payment_history": "хорошая", "order_volume": "150 000"},
    )
    html = response.content.decode()
    result = html.split('data-testid="result"')[1].split("</div>")[0]
    assert "<table" in result
    policy = html.split("Политика срабатывания: ")[1].split("<")[0]
    assert policy in ("Единственное", "Первое", "По приоритету", "Любое")
    assert "{" not in result
    assert "&quot;" not in result
    history = client.get("/decisions/discount_price_list/").content.decode()
    row = _text(history.split('data-testid="evaluation-row"')[1].split("</tr>")[0])
    assert "Объём заказа, ₽: 150\xa0000" in row or "Объём заказа, ₽: 150 000" in row
    assert "{" not in row
    assert "order_volume" not in row


def test_a_collect_answer_is_a_table_of_its_results() -> None:
    from greenwave.decisions.views import result_view

    view = result_view(
        [{"level": "2", "note": True}, {"level": "3.5", "note": False}], decision="d"
    )
    assert view["records"] == [["2", "да"], ["3,5", "нет"]]


def test_the_built_in_decisions_read_in_english_on_english_pages(two_teams) -> None:
    """The library's DMN is Russian; an English reader gets its names and input labels in
    English, a decision a user stored under another key stays as written."""
    services.decisions_seed()
    client = Client()
    admin = two_teams["admin"]
    admin.language = "en"
    admin.save(update_fields=["language"])
    client.force_login(admin)
    listing = client.get("/decisions/").content.decode()
    assert "Contract approval route" in listing
    assert "Маршрут согласования договора" not in listing
    detail = client.get("/decisions/contract_approval/").content.decode()
    assert "Contract amount, ₽" in detail
    admin.language = "ru"
    admin.save(update_fields=["language"])
    assert "Маршрут согласования договора" in client.get("/decisions/").content.decode()


def test_the_editor_and_the_test_page_follow_the_readers_language(two_teams) -> None:
    """dmn-js gets its Russian texts only on a Russian page; the built-in decision's name, the
    test form's labels and the table's output columns read in English on an English page."""
    services.decisions_seed()
    admin = two_teams["admin"]
    admin.language = "en"
    admin.save(update_fields=["language"])
    editor = _page(admin, "/decisions/client_reliability/edit/")
    assert "decisions/dmn-ru.js" not in editor
    assert "Client reliability" in editor
    assert "Надёжность клиента" not in editor
    test = _page(admin, "/decisions/client_reliability/test/")
    for english in ("Client reliability", "Declared unreliable", "Verdict", "Reason"):
        assert english in test, english
    for russian in ("Надёжность клиента", "Признан недобросовестным", "Причина"):
        assert russian not in test, russian
    admin.language = "ru"
    admin.save(update_fields=["language"])
    editor = _page(admin, "/decisions/client_reliability/edit/")
    assert "decisions/dmn-ru.js" in editor
    assert "Надёжность клиента" in editor
    test = _page(admin, "/decisions/client_reliability/test/")
    assert "Признан недобросовестным" in test
    assert "Declared unreliable" not in test
