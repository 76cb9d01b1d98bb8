"""The demo's money and fulfilment: a head of sales finds a claim run by its process waiting
for their decision, and supplier orders (one waiting, one received)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from greenwave.accounts.models import User
from greenwave.bpm import services as bpm
from greenwave.bpm.models import HumanTask, InstanceStatus, ProcessInstance, TaskStatus
from greenwave.orders import selectors
from greenwave.orders.models import Claim, SupplierOrder

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_claim_process_and_supplier_orders_for_the_head(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DEMO_PASSWORD", "demo-test-pass")
    call_command("seed_demo", "--deals", "150", stdout=StringIO())
    claim = Claim.objects.get(kind="claim")
    assert claim.status == "decision"
    instance = ProcessInstance.objects.get(object_type="claim", object_id=str(claim.pk))
    assert instance.status == InstanceStatus.RUNNING
    decide = HumanTask.objects.get(instance=instance, element_id="decide", status=TaskStatus.OPEN)
    head = claim.team.head
    assert head is not None
    assert bpm.is_candidate(head, decide)
    returned = Claim.objects.get(kind="return")
    assert returned.status == "registered"
    assert returned.amount > 0  # the value of the goods sent back, not 0,00 in the list
    assert ProcessInstance.objects.filter(object_id=str(returned.pk), object_type="claim").exists()
    director = User.objects.get(username="director")
    purchases = selectors.supplier_order_list(actor=director)
    assert purchases.filter(received_on__isnull=True).exists()
    assert purchases.filter(received_on__isnull=False).exists()
    assert SupplierOrder.objects.count() == purchases.count()
