"""Filters by variant and by attribute (deal amount, lead source, product group, responsible)
on built logs with known answers: selectors, API (one `LogFilter` schema) and pages."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from greenwave.core.errors import DomainError
from greenwave.mining.log import END, START, case_log, variant_id
from greenwave.mining.selectors import conformance, dfg, variants

pytestmark = pytest.mark.django_db

N, P, CP, A, C = "needs", "presentation", "cp_preparation", "cp_approval", "contract"
STRAIGHT = [N, P, CP, A, C, "won"]
LOOP = [N, P, CP, A, C, A, C, "won"]
SHORT = [N, "lost"]


@pytest.fixture
def built(deal_log, stages):
    """Three straight deals (amounts 100, 500, 1000), two looping (500), one lost (2000)."""
    from greenwave.sales.models import Deal

    made = {
        "straight": [deal_log(STRAIGHT) for _ in range(3)],
        "loop": [deal_log(LOOP, hours=2) for _ in range(2)],
        "short": [deal_log(SHORT, owner="hunter_b")],
    }
    for deal, amount in zip(made["straight"], (100, 500, 1000), strict=True):
        Deal.objects.filter(pk=deal.pk).update(amount=Decimal(amount))
    for deal in made["loop"]:
        Deal.objects.filter(pk=deal.pk).update(amount=Decimal(500))
    Deal.objects.filter(pk=made["short"][0].pk).update(amount=Decimal(2000))
    return made


def _path_id(stages, codes):
    ends = {"won": "deal_won", "lost": "deal_lost"}
    labels = [ends.get(code) or f"stage:{stages[code].pk}" for code in ["qualification", *codes]]
    return variant_id(labels)


def test_variant_ids_name_the_paths_and_filter_every_reader(two_teams, built, stages, b2b):
    admin = two_teams["admin"]
    listed = variants(actor=admin, log=case_log(pipeline_id=b2b.pk))["variants"]
    ids = {v["id"]: v["count"] for v in listed}
    loop, short = _path_id(stages, LOOP), _path_id(stages, SHORT)
    assert ids == {_path_id(stages, STRAIGHT): 3, loop: 2, short: 1}

    only_loop = case_log(pipeline_id=b2b.pk, variants=[loop])
    data = dfg(actor=admin, log=only_loop)
    edges = {(e["source"], e["target"]): e for e in data["edges"]}
    s = {code: f"stage:{stage.pk}" for code, stage in stages.items()}
    assert data["cases"] == 2
    assert edges[(s[C], s[A])]["count"] == 2
    assert edges[(s[A], s[C])]["count"] == 4
    assert edges[(START, s["qualification"])]["count"] == 2
    assert edges[("deal_won", END)]["count"] == 2
    assert ("deal_lost", END) not in edges
    # The same cases by the SQL path give the same map: the trace path is only a filter.
    everything = dfg(actor=admin, log=case_log(pipeline_id=b2b.pk), use_rollup=False)
    full = {(e["source"], e["target"]): e for e in everything["edges"]}
    assert full[(s[C], s[A])] == edges[(s[C], s[A])]

    two = case_log(pipeline_id=b2b.pk, variants=[loop, short])
    assert [v["count"] for v in variants(actor=admin, log=two)["variants"]] == [2, 1]
    assert conformance(actor=admin, log=two)["cases"] == 3
    # A hunter of team A does not see the lost deal of team B, chosen or not.
    assert variants(actor=two_teams["hunter_a"], log=two)["cases"] == 2


def test_attribute_filters_amount_range_responsible_source_group(two_teams, built, b2b):
    from greenwave.crm.models import Product, ProductGroup
    from greenwave.sales.models import DealItem, Lead, LeadSource

    admin = two_teams["admin"]

    def cases(**filters):
        return dfg(actor=admin, log=case_log(pipeline_id=b2b.pk, **filters))["cases"]

    assert cases() == 6
    assert cases(amount_min=Decimal(200)) == 5  # 500, 1000, 500, 500, 2000
    assert cases(amount_max=Decimal(600)) == 4  # 100, 500, 500, 500
    assert cases(amount_min=Decimal(200), amount_max=Decimal(600)) == 3  # the three 500s
    assert cases(amount_min=Decimal(500), amount_max=Decimal(500)) == 3
    assert cases(user_id=two_teams["hunter_b"].pk) == 1

    Lead.objects.create(
        title="From a call",
        source=LeadSource.CALL,
        deal=built["loop"][0],
        responsible=two_teams["hunter_a"],
        team=two_teams["team_a"],
    )
    assert cases(source=LeadSource.CALL) == 1
    assert cases(source=LeadSource.EMAIL) == 0

    group = ProductGroup.objects.create(name="Насосы")
    pump = Product.objects.create(name="Насос", sku="P-1", group=group)
    for deal in (built["straight"][0], built["loop"][1]):
        DealItem.objects.create(deal=deal, product=pump, quantity=1, price=Decimal(10))
    assert cases(product_group_id=group.pk) == 2
    assert cases(product_group_id=group.pk, amount_min=Decimal(200)) == 1
    loop_only = variants(actor=admin, log=case_log(pipeline_id=b2b.pk, product_group_id=group.pk))
    assert sorted(v["count"] for v in loop_only["variants"]) == [1, 1]


def test_bad_attribute_filters_are_refused(two_teams, b2b, contract_process):
    with pytest.raises(DomainError):
        case_log(pipeline_id=b2b.pk, amount_min=Decimal(10), amount_max=Decimal(5))
    with pytest.raises(DomainError):
        case_log(pipeline_id=b2b.pk, source="carrier_pigeon")
    with pytest.raises(DomainError):
        case_log(process="contract_approval", amount_min=Decimal(1))
    with pytest.raises(DomainError):
        case_log(pipeline_id=b2b.pk, variants=["not-an-id"])


SEVEN = {"case_type", "pipeline", "process", "from", "to", "team", "user"}


def test_every_log_endpoint_takes_the_same_filter_parameters() -> None:
    from greenwave.config.api import api

    spec = api.get_openapi_schema()
    paths = ["dfg", "variants", "rework", "bottlenecks", "edge-cases", "conformance", "export"]
    shapes = []
    for name in paths:
        params = spec["paths"][f"/api/v1/mining/{name}"]["get"]["parameters"]
        by_name = {p["name"]: p for p in params}
        assert all(p["in"] == "query" for p in params)
        assert SEVEN | {"variant", "amount_min", "amount_max", "lead_source", "product_group"} <= (
            set(by_name)
        )
        assert by_name["from"]["schema"]["anyOf"][0] == {"format": "date", "type": "string"}
        assert by_name["pipeline"]["schema"]["anyOf"][0] == {"type": "integer"}
        assert by_name["case_type"]["schema"]["default"] == "deal"
        assert by_name["variant"]["schema"]["type"] == "array"
        shapes.append({k: v for k, v in by_name.items() if k not in ("source", "target", "format")})
    assert all(shape == shapes[0] for shape in shapes)


def test_api_filters_by_variant_and_attribute(two_teams, built, stages, b2b, bearer):
    client = bearer(two_teams["admin"])
    loop, short = _path_id(stages, LOOP), _path_id(stages, SHORT)
    url = f"/api/v1/mining/dfg?pipeline={b2b.pk}&variant={loop}&variant={short}"
    assert client.get(url).json()["cases"] == 3
    listed = client.get("/api/v1/mining/variants", {"pipeline": b2b.pk, "amount_min": "600"})
    assert sorted(v["count"] for v in listed.json()) == [1, 1]  # the 1000 and the 2000 deal
    export = client.get(
        "/api/v1/mining/export", {"pipeline": b2b.pk, "format": "xes", "variant": short}
    )
    body = b"".join(export.streaming_content).decode()
    assert body.count("<trace>") == 1
    bad = client.get(
        "/api/v1/mining/dfg", {"pipeline": b2b.pk, "amount_min": "5", "amount_max": "1"}
    )
    assert bad.status_code == 400
    assert client.get("/api/v1/mining/dfg", {"variant": "x"}).status_code == 400
    assert client.get("/api/v1/mining/dfg", {"lead_source": "nope"}).status_code == 400
    assert client.get("/api/v1/mining/dfg", {"product_group": 0}).status_code == 400


def test_pages_show_and_keep_the_filters(two_teams, built, stages, b2b):
    client = Client()
    client.force_login(two_teams["admin"])
    loop = _path_id(stages, LOOP)
    query = {"source": f"pipeline:{b2b.pk}", "variant": loop, "amount_min": "100"}
    page = client.get("/mining/", query)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="chosen-variants"' in html
    assert f'name="variant" value="{loop}"' in html
    assert page.context["dfg"]["cases"] == 2
    listed = client.get("/mining/variants/", {"source": f"pipeline:{b2b.pk}"})
    assert f'data-variant="{loop}"' in listed.content.decode()
    conf = client.get("/mining/conformance/", query)
    assert conf.context["data"]["cases"] == 2
    assert client.get("/mining/", {"amount_min": "abc"}).status_code == 400


def test_the_log_reads_the_pipeline_asked_for_or_the_default_active_one_with_its_stage_names(
    b2b,
) -> None:
    from django.utils import translation

    from greenwave.sales.models import Pipeline

    stages = list(b2b.stages.all())
    log = case_log(pipeline_id=b2b.pk)
    assert log.pipeline == b2b
    assert log.stage_names == {f"stage:{s.pk}": s.name for s in stages}
    with translation.override("en"):
        english = case_log(pipeline_id=b2b.pk).stage_names
    assert english == {f"stage:{s.pk}": s.name_en or s.name for s in stages}
    assert case_log().pipeline == b2b  # the default one
    bare = Pipeline.objects.create(name="Без этапов", code="bare", order=0)
    assert case_log(pipeline_id=bare.pk).pipeline == bare
    assert case_log(pipeline_id=bare.pk).stage_names == {}
    Pipeline.objects.update(is_default=False)
    assert case_log().pipeline == bare  # no default: the first by order
    Pipeline.objects.filter(pk=b2b.pk).update(is_default=True)
    assert case_log().pipeline == b2b
    Pipeline.objects.filter(pk=b2b.pk).update(is_active=False)
    assert case_log().pipeline == bare  # an inactive default is passed over
    assert case_log(pipeline_id=b2b.pk).pipeline == b2b  # asked for by id: found all the same
    with pytest.raises(DomainError):
        case_log(pipeline_id=bare.pk + 1000)


def test_the_show_button_follows_every_filter_of_the_form(two_teams, b2b):
    """«Show» stood between the first row of filters and the deal's own ones (amount, product
    group, lead source), so those read as coming after the form's action."""
    client = Client()
    client.force_login(two_teams["admin"])
    html = client.get("/mining/", {"source": f"pipeline:{b2b.pk}"}).content.decode()
    start = html.index('data-testid="mining-filters"')
    form = html[start : html.index("</form>", start)]
    assert 'name="lead_source"' in form
    assert form.index("<button") > form.rindex("<select")
    assert form.index("<button") > form.rindex("<input")
