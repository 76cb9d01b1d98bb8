"""The mining API and pages through HTTP: answers, scoping and bad input."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

SEQ = ["needs", "presentation", "cp_preparation", "cp_approval", "contract"]


def test_dfg_and_variants_api_answer_the_readers_cases(two_teams, deal_log, b2b, bearer) -> None:
    deal_log(SEQ, owner="hunter_a")
    deal_log(SEQ[:2], owner="hunter_b")
    answer = bearer(two_teams["hunter_a"]).get("/api/v1/mining/dfg", {"pipeline": b2b.pk})
    assert answer.status_code == 200
    assert answer.json()["cases"] == 1
    director = bearer(two_teams["director"])
    assert director.get("/api/v1/mining/dfg", {"pipeline": b2b.pk}).json()["cases"] == 2
    variants = director.get("/api/v1/mining/variants", {"pipeline": b2b.pk}).json()
    assert [v["count"] for v in variants] == [1, 1]
    assert {"activities", "count", "share", "median_seconds"} <= set(variants[0])
    rework = director.get("/api/v1/mining/rework", {"pipeline": b2b.pk})
    assert rework.status_code == 200
    assert rework.json() == []


def test_bad_filters_are_4xx_with_a_code(two_teams, b2b, bearer) -> None:
    client = bearer(two_teams["head_a"])
    assert client.get("/api/v1/mining/dfg", {"pipeline": 999999}).status_code == 404
    bad_period = client.get("/api/v1/mining/dfg", {"from": "2026-02-01", "to": "2026-01-01"})
    assert bad_period.status_code == 400
    unknown = client.get("/api/v1/mining/dfg", {"case_type": "nonsense"})
    assert unknown.status_code == 400
    assert unknown.json()["code"] == "mining.unknown_case_type"
    assert client.get("/api/v1/mining/conformance", {"process": "nope"}).status_code == 404


@pytest.mark.parametrize("path", ["/api/v1/mining/waits", "/api/v1/mining/dfg"])
@pytest.mark.parametrize("period", [{"from": "0001-01-01"}, {"to": "9999-12-31"}])
def test_a_period_at_the_calendars_edge_is_a_400_not_a_500(two_teams, bearer, path, period) -> None:
    # Found by the fuzzer: the first day's midnight in Moscow falls before year 1 in UTC.
    answer = bearer(two_teams["head_a"]).get(path, period)
    assert answer.status_code == 400, answer.content
    assert answer.json()["code"] == "validation_error"


def test_pages_render_for_a_head(two_teams, deal_log, b2b, contract_process, process_log) -> None:
    deal_log(SEQ)
    process_log(["review_head", "review_finance", "notify"])
    client = Client()
    client.force_login(two_teams["head_a"])
    page = client.get("/mining/")
    assert page.status_code == 200
    assert b"mining-dfg" in page.content
    for panel, table in (("rework", b'data-testid="rework"'), ("waits", b'data-testid="waits"')):
        assert f"/mining/panels/{panel}/".encode() in page.content
        part = client.get(f"/mining/panels/{panel}/", {"team": two_teams["team_a"].pk})
        assert part.status_code == 200
        assert table in part.content
        # Each table scrolls inside its card: at 1024 px they pushed the page sideways.
        assert (
            b'<div class="table-responsive"><table class="table table-sm mb-0" ' + table
            in part.content
        )
    assert client.get("/mining/panels/other/").status_code == 404
    assert client.get("/mining/variants/").status_code == 200
    conf = client.get("/mining/conformance/", {"source": "process:contract_approval"})
    assert conf.status_code == 200
    assert b"mining-overlays" in conf.content
    for table in (b'data-testid="deviations"', b'data-testid="cases"'):
        assert (
            b'<div class="table-responsive"><table class="table table-sm mb-0" ' + table
            in conf.content
        )
    assert client.get("/mining/", {"from": "not-a-date"}).status_code == 400


def test_the_pages_export_links_stream_with_the_browser_session(two_teams, deal_log, b2b) -> None:
    deal_log(SEQ)
    client = Client()
    client.force_login(two_teams["head_a"])
    answer = client.get("/api/v1/mining/export", {"format": "ocel2-json", "pipeline": b2b.pk})
    assert answer.status_code == 200
    assert answer.streaming
    assert answer["Content-Disposition"].endswith('.jsonocel"')
    body = b"".join(answer.streaming_content).decode()
    assert '"objectTypes"' in body
    assert body.count('"type": "deal_stage_changed"') == len(SEQ)


def test_the_menu_shows_the_map_to_heads_only(two_teams) -> None:
    head, hunter = Client(), Client()
    head.force_login(two_teams["head_a"])
    hunter.force_login(two_teams["hunter_a"])
    assert b'href="/mining/"' in head.get("/").content
    assert b'href="/mining/"' not in hunter.get("/").content


def _reader(user, language: str) -> Client:
    """A client signed in as `user`, who reads the pages in `language`."""
    user.language = language
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("language", "step", "process"),
    [
        ("en", "Review by the finance officer", "Process: Contract approval"),
        ("ru", "Проверка финансистом", "Процесс: Согласование договора"),
    ],
)
def test_a_built_in_process_is_mined_in_the_readers_language(
    two_teams, contract_process, process_log, language, step, process
) -> None:
    """The map, variants and conformance of a library process showed its Russian step names
    (and the case picker its Russian name) to an English reader."""
    process_log(["review_head", "review_finance", "notify"])
    client = _reader(two_teams["head_a"], language)
    source = {"source": "process:contract_approval"}
    variants = client.get("/mining/variants/", source).content.decode()
    assert step in variants
    assert process in variants
    conformance = client.get("/mining/conformance/", source).content.decode()
    assert process in conformance


@pytest.mark.parametrize(("language", "label"), [("en", "Activity"), ("ru", "Дело")])
def test_the_case_picker_names_other_case_types(two_teams, language, label) -> None:
    """The case picker listed the other case types by their codes (activity, day_plan…). An
    activity is the activities' «дело» (it read «действие», the event log's word, while both
    shared one msgid)."""
    from greenwave.core.services import event_append

    head = two_teams["head_a"]
    event_append(case_type="activity", case_id=1, activity="call_completed", actor=head)
    client = _reader(head, language)
    page = client.get("/mining/").content.decode()
    assert f'<option value="type:activity" >{label}</option>' in page


@pytest.mark.parametrize(
    ("language", "task"), [("en", "Review by the finance officer"), ("ru", "Проверка финансистом")]
)
def test_the_waits_panel_names_a_built_in_step_in_the_readers_language(
    two_teams, contract_process, process_log, language, task
) -> None:
    """«Who holds up whom» showed the library's Russian step names beside an English map."""
    from greenwave.core.models import Event

    instance = process_log(["review_finance"])
    Event.objects.filter(case_id=str(instance.pk)).update(
        payload={"element": "review_finance", "name": "Проверка финансистом", "waited_seconds": 60}
    )
    client = _reader(two_teams["head_a"], language)
    panel = client.get("/mining/panels/waits/").content.decode()
    assert f"<td>{task}</td>" in panel


def test_the_map_writes_its_times_in_the_readers_language(two_teams, deal_log, b2b) -> None:
    deal_log(SEQ)
    head = two_teams["head_a"]
    client = Client()
    client.force_login(head)
    for language, unit in (("ru", " ч"), ("en", " h")):
        head.language = language
        head.save(update_fields=["language"])
        page = client.get("/mining/")
        edges = page.context["map_data"]["edges"]
        assert edges
        assert all(unit in edge["median_text"] for edge in edges if edge["median_seconds"])
        assert all(edge["median_text"] == "—" for edge in edges if edge["median_seconds"] is None)
        assert b'data-testid="map-fit"' in page.content
