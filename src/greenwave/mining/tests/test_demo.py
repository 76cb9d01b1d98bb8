"""The demo company shows what the issue promises a head: the rework loop at «Договор» and the
slow lawyer on the B2B map, and the contract approval process with deviations on its diagram."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from greenwave.accounts.models import User
from greenwave.datagen import demo
from greenwave.mining import selectors
from greenwave.mining.log import case_log
from greenwave.sales.models import Pipeline, Stage

pytestmark = pytest.mark.django_db

LAWYER_REVIEW = "Проверка юристом"  # the lawyer's task in the contract approval process


def test_the_demo_has_rework_a_slow_lawyer_and_approvals_off_the_model(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DEMO_PASSWORD", "demo-test-pass")
    call_command("seed_demo", "--deals", "300", stdout=StringIO())
    head = User.objects.get(username="director")
    b2b = Pipeline.objects.get(code="b2b")
    deals = case_log(pipeline_id=b2b.pk)

    contract = f"stage:{Stage.objects.get(pipeline=b2b, code='contract').pk}"
    loops = {r["activity"]: r for r in selectors.rework(actor=head, log=deals)}
    assert loops[contract]["cases"] > 0
    reviews = [w for w in selectors.approver_waits(actor=head) if w["task"] == LAWYER_REVIEW]
    assert len(reviews) >= 2  # the slow lawyer beside the other one
    slowest = max(reviews, key=lambda w: w["median_seconds"])
    assert User.objects.get(pk=slowest["user_id"]).username == demo.DEMO_SLOW_APPROVER

    process = case_log(process="contract_approval")
    checked = selectors.conformance(actor=head, log=process)
    assert checked["fitness"] < 1
    kinds = {(d["kind"], d["activity"]) for d in checked["deviations"]}
    assert ("skipped", "el:review_finance") in kinds  # a finance review skipped
    assert ("inserted", "el:review_lawyer") in kinds  # the lawyer's review repeated
    assert any(k == "out_of_order" for k, _a in kinds)  # the lawyer before the head
    off_model = [c for c in checked["case_fitness"] if c["fitness"] < 1]
    assert 0 < len(off_model) < checked["cases"] / 4

    client = Client()
    client.force_login(head)
    loops_panel = client.get(reverse("mining:map_panel", args=["rework"]))
    assert "Договор" in loops_panel.content.decode()
    page = client.get(reverse("mining:conformance"), {"source": "process:contract_approval"})
    assert page.status_code == 200
    overlays = page.context["overlays"]
    assert overlays["review_finance"]["skipped"] > 0
    assert overlays["review_lawyer"]["inserted"] > 0
