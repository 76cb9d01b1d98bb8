"""Demo data of the integrations: the sample 1C catalogue imported through the real importer,
and a webhook to a local port where nothing listens, so its delivery log shows real, failed
attempts (with their retry times) rather than invented ones."""

from __future__ import annotations

from pathlib import Path
from typing import Any

TESTDATA = Path(__file__).resolve().parent / "testdata"
DEMO_WEBHOOK_URL = "http://127.0.0.1:9/greenwave-demo-receiver"


def seed_integrations(context: dict[str, Any]) -> None:
    from . import services
    from .addresses import allowed_hosts
    from .models import ExchangeSource, OneCLink, WebhookSubscription

    if not OneCLink.objects.exists():
        files = [(name, (TESTDATA / name).read_bytes()) for name in ("import.xml", "offers.xml")]
        services.onec_import_files(actor=None, files=files, source=ExchangeSource.COMMAND)
    # The loopback host must be allowed (config/settings/dev.py does so for `make demo`).
    if "127.0.0.1" not in allowed_hosts():
        return
    if WebhookSubscription.objects.filter(url=DEMO_WEBHOOK_URL).exists():
        return
    sub = services.webhook_create(
        actor=None,
        url=DEMO_WEBHOOK_URL,
        events=["deal.created", "deal.won", "lead.created"],
        description="Demo: a local receiver that is not running",
    )
    for _ in range(3):
        services.webhook_test(actor=None, subscription=sub)
    services.webhook_deliveries_send_due()
