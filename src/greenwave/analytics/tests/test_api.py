"""The analytics API: answers, bad input as 400, another team's client as 404."""

from __future__ import annotations

from typing import Any


def test_sales_endpoint(history: dict[str, Any], bearer: Any) -> None:
    client = bearer(history["hunter_a"])
    answer = client.get(
        "/api/v1/analytics/sales",
        {"from": "2026-03-01", "to": "2026-03-31", "compare": "previous", "group_by": "week"},
    )
    assert answer.status_code == 200, answer.content
    body = answer.json()
    figures = {f["key"]: f for f in body["figures"]}
    assert figures["sales_volume"]["values"] == {"current": "600.00", "previous": "500.00"}
    assert figures["orders"]["values"] == {"current": 3, "previous": 1}
    assert len(body["figures"]) == 11
    assert set(body["breakdowns"]) == {
        "groups",
        "channels",
        "utm",
        "products",
    }


def test_bad_input_is_a_400(history: dict[str, Any], bearer: Any) -> None:
    client = bearer(history["hunter_a"])
    for params in (
        {"from": "2026-03-31", "to": "2026-03-01"},
        {"compare": "tomorrow"},
        {"group_by": "hour"},
        {"lost_after_days": 0},
    ):
        answer = client.get("/api/v1/analytics/sales", params)
        assert answer.status_code == 400, params
        assert answer.json()["code"] == "validation_error"
    assert client.get("/api/v1/analytics/segments", {"kind": "pqr"}).status_code == 400
    assert client.get("/api/v1/analytics/portfolio", {"sort": "nope"}).status_code == 400


def test_portfolio_and_segments_are_scoped(history: dict[str, Any], bearer: Any) -> None:
    client = bearer(history["hunter_a"])
    other = client.get("/api/v1/analytics/portfolio", {"company_id": history["c4"].pk})
    assert other.status_code == 404
    own = client.get("/api/v1/analytics/portfolio", {"company_id": history["c1"].pk}).json()
    assert (own["count"], own["page"], own["next"]) == (1, 1, None)
    assert [c["name"] for c in own["items"]] == ["Alpha"]
    names = {c["name"] for c in client.get("/api/v1/analytics/portfolio").json()["items"]}
    assert "Delta" not in names
    assert "Alpha" in names
    seg = client.get("/api/v1/analytics/segments", {"kind": "rfm"}).json()
    assert "Delta" not in {c["name"] for c in seg["items"]}
    saved = client.post(
        "/api/v1/analytics/segments/saved",
        {"name": "Mine", "kind": "abc", "classes": ["A", "B", "C"], "months": 24},
        content_type="application/json",
    )
    assert saved.status_code == 201, saved.content
    segment_id = saved.json()["id"]
    assert (
        bearer(history["hunter_b"])
        .get(f"/api/v1/analytics/segments/saved/{segment_id}")
        .status_code
        == 404
    )
    assert client.get(f"/api/v1/analytics/segments/saved/{segment_id}").status_code == 200


def test_pages_render(history: dict[str, Any], client: Any) -> None:
    client.force_login(history["director"])
    for url in (
        "/analytics/sales/?date_from=2026-03-01&date_to=2026-03-31",
        "/analytics/sales/?date_from=2026-01-01&date_to=2026-03-31&group_by=week",
        "/analytics/sales/deals/?figure=repeat&from=2026-03-01&to=2026-03-31",
        "/analytics/portfolio/",
        "/analytics/segments/?kind=xyz",
        "/analytics/competitors/",
        "/analytics/costs/",
    ):
        answer = client.get(url)
        assert answer.status_code == 200, url
        export = client.get(url + ("&" if "?" in url else "?") + "export=xlsx")
        assert export.status_code == 200
    page = client.get("/analytics/sales/?date_from=2026-03-01&date_to=2026-03-31").content.decode()
    assert "figure=repeat&amp;from=2026-03-01&amp;to=2026-03-31" in page
    segments = client.get("/analytics/segments/?kind=xyz")
    # The empty bounds show their defaults; the variation is written to two places (the
    # director reads Russian: a decimal comma).
    for placeholder in ('placeholder="12"', 'placeholder="0.80"', 'placeholder="1.00"'):
        assert placeholder in segments.content.decode()
    variations = [
        row["variation"] if isinstance(row, dict) else row.variation
        for row in segments.context["page"].object_list
    ]
    assert any(v is not None for v in variations)
    shown = segments.content.decode()
    assert all(v is None or f">{v:.2f}<".replace(".", ",") in shown for v in variations)
    xlsx = client.get("/analytics/portfolio/?export=xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_home_card_for_heads_only(history: dict[str, Any]) -> None:
    from ..home import home_summary

    assert home_summary(history["hunter_a"]) is None
    card = home_summary(history["director"])
    assert card is not None
    assert [f["key"] for f in card["figures"]] == [
        "sales_volume",
        "orders",
        "average_check",
        "new_clients",
        "lost_clients",
    ]
    assert len(card["chart"]["xAxis"]["data"]) == len(card["chart"]["series"][0]["data"])


def test_a_preset_becomes_its_dates(history: dict[str, Any], client: Any) -> None:
    client.force_login(history["director"])
    answer = client.get("/analytics/sales/?preset=month&group_by=day")
    assert answer.status_code == 302
    assert "date_from=" in answer["Location"]
    assert "preset" not in answer["Location"]
    assert client.get("/analytics/sales/?date_from=x").status_code == 200  # the form says why


def test_a_saved_segment_is_deleted_by_its_owner_only(history: dict[str, Any], bearer: Any) -> None:
    client = bearer(history["hunter_a"])
    saved = client.post(
        "/api/v1/analytics/segments/saved",
        {"name": "Gone", "kind": "abc", "classes": ["A"], "months": 12},
        content_type="application/json",
    )
    url = f"/api/v1/analytics/segments/saved/{saved.json()['id']}"
    other = bearer(history["hunter_b"]).delete(url)
    assert (other.status_code, other.json()["code"]) == (404, "not_found")
    assert client.get(url).status_code == 200
    gone = client.delete(url)
    assert (gone.status_code, gone.content) == (204, b"")
    assert client.get(url).status_code == 404


def test_a_period_ending_before_it_starts_is_a_400_naming_to(
    history: dict[str, Any], bearer: Any
) -> None:
    client = bearer(history["hunter_a"])
    for url in (
        "/api/v1/analytics/sales",
        "/api/v1/analytics/nps",
        "/api/v1/analytics/overview",
        "/api/v1/analytics/funnel/overview",
        "/api/v1/analytics/period-over-period",
    ):
        answer = client.get(url, {"from": "2026-03-31", "to": "2026-03-01"})
        assert answer.status_code == 400, (url, answer.content)
        body = answer.json()
        assert body["code"] == "validation_error"
        assert body["details"] == {"fields": {"to": [body["message"]]}}
