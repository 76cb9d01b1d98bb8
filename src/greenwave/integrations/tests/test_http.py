"""The API and the pages of the integrations app, for an administrator and for others."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.utils import timezone

from greenwave.accounts.models import User
from greenwave.core.models import Event
from greenwave.crm.models import Product
from greenwave.integrations import services
from greenwave.integrations.models import (
    OneCExchange,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)

from .conftest import Receiver

pytestmark = pytest.mark.django_db
DATA = Path(__file__).resolve().parent.parent / "testdata"
LOCAL = override_settings(WEBHOOK_ALLOWED_HOSTS=["127.0.0.1"])


def _post(client: Client, url: str, body: Any) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


@LOCAL
def test_api_subscribe_list_test_and_read_the_delivery_log(
    admin: User, bearer: Callable[[User], Client], receiver: Receiver
) -> None:
    api = bearer(admin)
    created = _post(
        api,
        "/api/v1/webhooks",
        {"url": receiver.url, "events": ["deal.won", "deal.created"], "secret": "x" * 20},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["secret"] == "x" * 20
    assert body["events"] == ["deal.created", "deal.won"]
    listed = api.get("/api/v1/webhooks").json()
    assert listed["count"] == 1
    assert "secret" not in listed["items"][0]
    test = api.post(f"/api/v1/webhooks/{body['id']}/test")
    assert test.status_code == 202
    assert test.json()["status"] == "pending"
    services.webhook_deliveries_send_due(now=timezone.now())
    log = api.get(f"/api/v1/webhooks/{body['id']}/deliveries").json()
    assert log["count"] == 1
    assert log["items"][0]["status"] == "delivered"
    assert log["items"][0]["log"][0]["status_code"] == 200
    assert json.loads(receiver.received[0]["body"])["event"] == "ping"
    patched = api.patch(
        f"/api/v1/webhooks/{body['id']}",
        json.dumps({"is_active": False}),
        content_type="application/json",
    )
    assert patched.json()["is_active"] is False


def test_api_refuses_private_addresses_and_unknown_events(
    admin: User, bearer: Callable[[User], Client]
) -> None:
    api = bearer(admin)
    private = _post(api, "/api/v1/webhooks", {"url": "https://10.0.0.5/x", "events": ["deal.won"]})
    assert private.status_code == 400
    assert private.json()["code"] == "integrations.address_refused"
    unknown = _post(api, "/api/v1/webhooks", {"url": "https://1.1.1.1/x", "events": ["deal.gone"]})
    assert unknown.json()["code"] == "integrations.unknown_event"
    assert not WebhookSubscription.objects.exists()


def test_other_users_see_no_webhooks_and_get_404_by_id(
    admin: User, make_user: Callable[..., User], bearer: Callable[[User], Client]
) -> None:
    sub = services.webhook_create(actor=admin, url="https://1.1.1.1/hook", events=["deal.won"])
    head = bearer(make_user("head", roles=["head_of_sales"]))
    assert head.get("/api/v1/webhooks").json()["count"] == 0
    assert head.get(f"/api/v1/webhooks/{sub.pk}").status_code == 404
    assert head.get(f"/api/v1/webhooks/{sub.pk}/deliveries").status_code == 404
    assert head.post(f"/api/v1/webhooks/{sub.pk}/test").status_code == 404
    refused = _post(head, "/api/v1/webhooks", {"url": "https://1.1.1.1/x", "events": ["deal.won"]})
    assert refused.status_code == 403
    assert WebhookSubscription.objects.count() == 1
    assert not WebhookDelivery.objects.exists()
    page = Client()
    page.force_login(User.objects.get(username="head"))
    assert page.get("/integrations/webhooks/").status_code == 403
    assert page.get(f"/integrations/webhooks/{sub.pk}/").status_code == 404
    assert page.get("/integrations/1c/").status_code == 403


@LOCAL
def test_pages_create_a_webhook_test_it_and_show_the_log(admin: User, receiver: Receiver) -> None:
    client = Client()
    client.force_login(admin)
    assert client.get("/integrations/webhooks/").status_code == 200
    form = client.get("/integrations/webhooks/new/")
    assert "deal.moved" in form.content.decode()
    refused = client.post(
        "/integrations/webhooks/new/", {"url": "https://192.168.0.1/x", "events": ["deal.won"]}
    )
    assert refused.status_code == 200
    assert "WEBHOOK_ALLOWED_HOSTS" in refused.content.decode()
    made = client.post(
        "/integrations/webhooks/new/", {"url": receiver.url, "events": ["deal.won", "lead.created"]}
    )
    sub = WebhookSubscription.objects.get()
    assert made["Location"] == f"/integrations/webhooks/{sub.pk}/"
    receiver.answers[:] = [418]
    tested = client.post(f"/integrations/webhooks/{sub.pk}/test/", follow=True)
    page = tested.content.decode()
    assert "HTTP 418" in page
    assert "try again later" in page
    listed = client.get("/integrations/webhooks/").content.decode()
    assert receiver.url in listed
    edit = client.post(
        f"/integrations/webhooks/{sub.pk}/edit/",
        {"url": receiver.url, "events": ["deal.lost"], "is_active": ""},
    )
    assert edit.status_code == 302
    sub.refresh_from_db()
    assert sub.events == ["deal.lost"]
    assert not sub.is_active


@pytest.mark.parametrize(
    ("language", "label"),
    [("en", "Deal moved to another stage (deal.moved)"), ("ru", "Сделка переведена")],
)
def test_the_webhook_form_names_the_events_in_the_readers_language(
    make_user: Callable[..., User], language: str, label: str
) -> None:
    """The event choices were built once at import, in the language of that moment."""
    client = Client()
    client.force_login(make_user(f"root_{language}", roles=["admin"], language=language))
    page = client.get("/integrations/webhooks/new/").content.decode()
    assert label in page


@pytest.mark.parametrize(
    ("language", "shown", "not_shown"),
    [("en", "03/05/2026", "05.03.2026"), ("ru", "05.03.2026", "03/05/2026")],
)
def test_the_logs_show_dates_in_the_readers_format(
    make_user: Callable[..., User], language: str, shown: str, not_shown: str
) -> None:
    """The exchange and delivery logs wrote every date as d.m.Y, in English too."""
    admin = make_user(f"root_{language}", roles=["admin"], language=language)
    when = timezone.make_aware(timezone.datetime(2026, 3, 5, 10, 30))
    exchange = OneCExchange.objects.create(kind="catalog", source="upload", status="succeeded")
    OneCExchange.objects.filter(pk=exchange.pk).update(created_at=when)
    sub = WebhookSubscription.objects.create(url="https://example.com/h", events=["deal.won"])
    delivery = WebhookDelivery.objects.create(
        subscription=sub, event_type="deal.won", body="{}", next_attempt_at=when
    )
    WebhookDelivery.objects.filter(pk=delivery.pk).update(created_at=when)
    delivery.log.create(attempted_at=when, status_code=500)
    client = Client()
    client.force_login(admin)
    for url in ("/integrations/1c/", f"/integrations/webhooks/{sub.pk}/"):
        page = client.get(url).content.decode()
        assert shown in page, url
        assert not_shown not in page, url


def test_the_1c_page_imports_uploaded_files_and_lists_the_exchanges(admin: User) -> None:
    client = Client()
    client.force_login(admin)
    page = client.get("/integrations/1c/").content.decode()
    assert "/integrations/1c/exchange" in page
    files = [
        SimpleUploadedFile(name, (DATA / name).read_bytes(), "text/xml")
        for name in ("offers_cp1251.xml", "import_cp1251.xml")
    ]
    done = client.post("/integrations/1c/", {"documents": files}, follow=True)
    assert Product.objects.filter(sku="1C-UPS-25-40").exists()
    assert "import_cp1251.xml" in done.content.decode()
    bad = SimpleUploadedFile("import.xml", b"<not-xml", "text/xml")
    before = Product.objects.count()
    refused = client.post("/integrations/1c/", {"documents": [bad]}, follow=True)
    assert (
        "Nothing was imported" in refused.content.decode() or "Ничего" in refused.content.decode()
    )
    assert Product.objects.count() == before
    assert OneCExchange.objects.count() == 2


def test_list_queries_do_not_grow_with_rows(
    admin: User, bearer: Callable[[User], Client], django_assert_num_queries: Any
) -> None:
    subs = [
        services.webhook_create(actor=admin, url=f"https://1.1.1.{i}/hook", events=["deal.won"])
        for i in range(1, 4)
    ]
    for _ in range(3):
        services.webhook_test(actor=admin, subscription=subs[0])
    api = bearer(admin)
    api.get("/api/v1/webhooks")  # warm the token and role caches
    # the token (the caller's roles and teams kept since the first request), count, page
    with django_assert_num_queries(3):
        assert api.get("/api/v1/webhooks").json()["count"] == 3
    with django_assert_num_queries(5):  # token, webhook, count, page, attempts
        assert api.get(f"/api/v1/webhooks/{subs[0].pk}/deliveries").json()["count"] == 3


@LOCAL
def test_api_delete_removes_the_webhook_and_its_log_and_leaves_an_event(
    admin: User,
    make_user: Callable[..., User],
    bearer: Callable[[User], Client],
    receiver: Receiver,
) -> None:
    sub = services.webhook_create(actor=admin, url=receiver.url, events=["deal.won"])
    services.webhook_test_send_now(actor=admin, subscription=sub)  # one delivery, one attempt
    services.webhook_test(actor=admin, subscription=sub)  # one still pending
    head = bearer(make_user("head", roles=["head_of_sales"]))
    assert head.delete(f"/api/v1/webhooks/{sub.pk}").status_code == 404  # not theirs to see
    assert WebhookSubscription.objects.filter(pk=sub.pk).exists()
    api = bearer(admin)
    deleted = api.delete(f"/api/v1/webhooks/{sub.pk}")
    assert deleted.status_code == 204, deleted.content
    assert not WebhookSubscription.objects.exists()
    assert not WebhookDelivery.objects.exists()
    assert not WebhookAttempt.objects.exists()
    event = Event.objects.get(case_type="webhook", case_id=str(sub.pk), activity="webhook_deleted")
    assert event.actor == admin
    assert event.payload == {
        "url": receiver.url,
        "events": ["deal.won"],
        "deliveries": {"delivered": 1, "pending": 1},
    }
    assert api.get(f"/api/v1/webhooks/{sub.pk}").status_code == 404
    assert api.delete(f"/api/v1/webhooks/{sub.pk}").status_code == 404


@LOCAL
def test_a_delivery_whose_webhook_is_deleted_mid_send_is_dropped_quietly(
    admin: User, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    sub = services.webhook_create(actor=admin, url=receiver.url, events=["deal.won"])
    post = services.webhooks.addresses.post

    def post_then_delete(*args: Any, **kwargs: Any) -> Any:
        answer = post(*args, **kwargs)
        services.webhook_delete(actor=admin, subscription=sub)  # the admin deletes meanwhile
        return answer

    monkeypatch.setattr(services.webhooks.addresses, "post", post_then_delete)
    delivery = services.webhook_test_send_now(actor=admin, subscription=sub)
    assert len(receiver.received) == 1
    assert not WebhookDelivery.objects.filter(pk=delivery.pk).exists()
    assert not Event.objects.filter(activity="webhook_delivered").exists()


def test_the_webhook_page_deletes_it_after_confirming_and_only_for_an_admin(
    admin: User, make_user: Callable[..., User]
) -> None:
    sub = services.webhook_create(actor=admin, url="https://1.1.1.1/hook", events=["deal.won"])
    url = f"/integrations/webhooks/{sub.pk}/delete/"
    head = Client()
    head.force_login(make_user("head", roles=["head_of_sales"]))
    assert head.post(url).status_code == 404  # not theirs to see
    page = Client()
    page.force_login(admin)
    card = page.get(f"/integrations/webhooks/{sub.pk}/").content.decode()
    assert f'action="{url}"' in card
    assert "data-confirm=" in card
    assert page.get(url).status_code == 405  # a POST only, with the CSRF token
    assert WebhookSubscription.objects.filter(pk=sub.pk).exists()

    done = page.post(url, follow=True)
    assert done.redirect_chain == [("/integrations/webhooks/", 302)]
    assert "удалён" in done.content.decode()
    assert not WebhookSubscription.objects.filter(pk=sub.pk).exists()
    assert Event.objects.filter(
        case_type="webhook", case_id=str(sub.pk), activity="webhook_deleted", actor=admin
    ).exists()
