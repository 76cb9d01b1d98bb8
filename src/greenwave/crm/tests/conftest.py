"""Fixtures of the client-base tests: a company in each team and valid requisites."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from greenwave.accounts.demo import seed_people
from greenwave.crm import services
from greenwave.crm.demo import seed_clients
from greenwave.crm.models import Company, ImportJob
from greenwave.crm.requisites import inn_with_checksum, ogrn_with_checksum

VALID_INN = inn_with_checksum("770145123")
VALID_OGRN = ogrn_with_checksum("102770014512")
VALID_INN_IP = inn_with_checksum("7701451234")
VALID_OGRNIP = ogrn_with_checksum("30477000000012")


def bad_checksum(number: str) -> str:
    return number[:-1] + str((int(number[-1]) + 1) % 10)


@pytest.fixture
def company_a(two_teams: dict[str, Any]) -> Company:
    return services.company_create(
        actor=two_teams["hunter_a"],
        name="ООО «Ромашка»",
        inn=VALID_INN,
        ogrn=VALID_OGRN,
        region="Москва",
        phone="8 (495) 123-45-67",
        tags=["опт"],
    )


@pytest.fixture
def company_b(two_teams: dict[str, Any]) -> Company:
    return services.company_create(
        actor=two_teams["hunter_b"], name="АО «Южный ветер»", region="Краснодарский край"
    )


@pytest.fixture
def browser_of(db: Any) -> Any:
    """A test client signed in as the user given."""

    def make(user: Any) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def demo_clients(db: Any) -> dict[str, Any]:
    """The demo's people and client base, seeded as `seed_demo` does; returns the seed context
    for the seeds that follow."""
    context: dict[str, Any] = {"password": "demo-password-123"}
    seed_people(context)
    seed_clients(context)
    return context


@pytest.fixture
def run_jobs(django_capture_on_commit_callbacks):
    """Run the import job queued on commit (the test settings run tasks immediately)."""

    def confirm(actor, job, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            services.import_confirm(actor=actor, job=job, **kwargs)
        return ImportJob.objects.get(pk=job.pk)

    return confirm
