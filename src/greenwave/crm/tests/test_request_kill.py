"""The web process killed with SIGKILL in the middle of a request leaves no half-written
record: a real subprocess serves `POST /api/v1/companies` through the whole Django stack and
is killed after the company row is written, before its event (PostgreSQL)."""

from __future__ import annotations

import pytest
from django.db import connection

from greenwave.accounts import services as account_services
from greenwave.core.models import Event
from greenwave.core.tests.doomed import doomed
from greenwave.crm.models import Company

from .conftest import VALID_INN

DOOMED_REQUEST = """
import json, sys, time
import django
django.setup()
from django.test import Client
from django.test.utils import setup_test_environment
from greenwave.crm.services import clients as services

setup_test_environment()

def hang(obj, **kwargs):
    print("STEP", flush=True)  # the company row is written, its event not yet
    time.sleep(600)

services.event_append_for = hang
Client(headers={"Authorization": "Bearer " + sys.argv[1]}).post(
    "/api/v1/companies", data=sys.argv[2], content_type="application/json"
)
"""


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a real second connection")
@pytest.mark.django_db(transaction=True)
def test_a_request_killed_mid_service_leaves_nothing_and_can_be_sent_again(
    two_teams, bearer
) -> None:
    user = two_teams["hunter_a"]
    _token, raw = account_services.token_issue(actor=None, user=user, name="doomed")
    body = f'{{"name": "ООО «Недописанная»", "inn": "{VALID_INN}"}}'

    with doomed(DOOMED_REQUEST, raw, body):
        assert not Company.objects.exists()
    assert not Company.objects.exists()
    assert not Event.objects.filter(activity="company_created").exists()

    # Nothing half-written stands in the way (no duplicate INN): the same request succeeds.
    response = bearer(user).post("/api/v1/companies", data=body, content_type="application/json")
    assert response.status_code == 201, response.content
    assert Company.objects.get().inn == VALID_INN
    assert Event.objects.filter(activity="company_created").count() == 1
