"""Soft delete and restore of companies and contacts, through services, API and pages."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from greenwave.core.errors import DomainError
from greenwave.core.models import Event
from greenwave.crm import selectors, services

from .conftest import VALID_INN

pytestmark = pytest.mark.django_db


def test_deleted_company_leaves_lists_and_comes_back_with_its_history(two_teams, company_a) -> None:
    actor = two_teams["hunter_a"]
    services.company_delete(actor=actor, company=company_a)
    assert not selectors.company_list(actor=actor).exists()
    assert [c.pk for c in selectors.company_list(actor=actor, deleted=True)] == [company_a.pk]
    with pytest.raises(DomainError):
        selectors.company_get(actor=actor, pk=company_a.pk)

    services.company_restore(actor=actor, company=company_a)
    restored = selectors.company_get(actor=actor, pk=company_a.pk)
    activities = [e.activity for e in selectors.company_history(actor=actor, company=restored)]
    assert activities[:3] == ["company_restored", "company_deleted", "company_created"]


def test_deleted_inn_can_be_reused_but_then_restore_is_refused(two_teams, company_a) -> None:
    actor = two_teams["hunter_a"]
    services.company_delete(actor=actor, company=company_a)
    services.company_create(actor=actor, name="Новая Ромашка", inn=VALID_INN)
    with pytest.raises(DomainError) as exc:
        services.company_restore(actor=actor, company=company_a)
    assert exc.value.code == "crm.duplicate"
    company_a.refresh_from_db()
    assert company_a.is_deleted


def test_only_owner_or_head_deletes_and_other_teams_get_404(
    two_teams, company_a, make_user
) -> None:
    colleague = make_user("colleague", roles=["hunter"], team=two_teams["team_a"])
    with pytest.raises(DomainError) as exc:
        services.company_delete(actor=colleague, company=company_a)
    assert exc.value.status == 403
    with pytest.raises(DomainError) as exc:
        services.company_delete(actor=two_teams["hunter_b"], company=company_a)
    assert exc.value.status == 404
    company_a.refresh_from_db()
    assert not company_a.is_deleted
    assert not Event.objects.filter(activity="company_deleted").exists()
    services.company_delete(actor=two_teams["head_a"], company=company_a)


def test_soft_delete_and_restore_through_the_api(two_teams, bearer, company_a) -> None:
    contact = services.contact_create(
        actor=two_teams["hunter_a"], company=company_a, full_name="Иванов"
    )
    client = bearer(two_teams["hunter_a"])
    assert (
        bearer(two_teams["hunter_b"]).delete(f"/api/v1/companies/{company_a.pk}").status_code == 404
    )
    assert client.delete(f"/api/v1/companies/{company_a.pk}").status_code == 204
    assert client.get(f"/api/v1/companies/{company_a.pk}").status_code == 404
    assert client.get("/api/v1/companies?deleted=true").json()["count"] == 1
    restored = client.post(f"/api/v1/companies/{company_a.pk}/restore")
    assert restored.status_code == 200
    assert restored.json()["name"] == "ООО «Ромашка»"

    assert client.delete(f"/api/v1/contacts/{contact.pk}").status_code == 204
    assert client.get("/api/v1/contacts").json()["count"] == 0
    assert client.post(f"/api/v1/contacts/{contact.pk}/restore").status_code == 200
    assert client.get("/api/v1/contacts").json()["count"] == 1


def test_soft_delete_and_restore_through_the_pages(two_teams, company_a) -> None:
    client = Client()
    client.force_login(two_teams["hunter_a"])
    response = client.post(reverse("crm:company_delete", args=[company_a.pk]))
    assert response.url == reverse("crm:company_list")
    deleted = client.get(reverse("crm:company_deleted")).content.decode()
    assert "ООО «Ромашка»" in deleted
    client.post(reverse("crm:company_restore", args=[company_a.pk]))
    assert client.get(reverse("crm:company_detail", args=[company_a.pk])).status_code == 200
