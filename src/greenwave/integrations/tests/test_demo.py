"""The demo seeder of the integrations: real rows, built once."""

from __future__ import annotations

import pytest
from django.test import override_settings

from greenwave.crm.models import Price, Product
from greenwave.integrations.demo import DEMO_WEBHOOK_URL, seed_integrations
from greenwave.integrations.models import WebhookAttempt, WebhookDelivery, WebhookSubscription

pytestmark = pytest.mark.django_db


@override_settings(WEBHOOK_ALLOWED_HOSTS=["127.0.0.1"])
def test_the_demo_has_a_webhook_with_failed_deliveries_and_the_sample_catalogue() -> None:
    seed_integrations({})
    sub = WebhookSubscription.objects.get(url=DEMO_WEBHOOK_URL)
    deliveries = WebhookDelivery.objects.filter(subscription=sub)
    assert deliveries.count() == 3
    assert all(d.attempts == 1 and d.status == "pending" for d in deliveries)
    attempts = WebhookAttempt.objects.filter(delivery__subscription=sub)
    assert attempts.count() == 3
    assert all(a.status_code is None and a.error for a in attempts)  # nothing listens there
    assert Product.objects.filter(sku="1C-UPS-25-40").exists()
    counts = (Product.objects.count(), Price.objects.count(), WebhookDelivery.objects.count())
    seed_integrations({})
    assert (Product.objects.count(), Price.objects.count(), WebhookDelivery.objects.count()) == (
        counts
    )


def test_without_the_loopback_allowed_the_demo_makes_no_webhook() -> None:
    seed_integrations({})
    assert not WebhookSubscription.objects.exists()
    assert Product.objects.filter(sku="1C-UPS-25-40").exists()
