"""1C exchange: CommerceML import (idempotent, all or nothing), the HTTP protocol walk,
orders export, and the management command."""

from __future__ import annotations

import base64
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.utils import translation
from lxml import etree

from greenwave.accounts.models import User
from greenwave.core.errors import DomainError
from greenwave.core.models import Event
from greenwave.crm.models import Price, PriceList, Product, ProductGroup
from greenwave.integrations import services
from greenwave.integrations.models import ExchangeSource, ExchangeStatus, OneCExchange, OneCLink
from greenwave.integrations.notes import note_text

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent.parent / "testdata"
EXCHANGE = "/integrations/1c/exchange"
ONEC = override_settings(ONEC_EXCHANGE_USERNAME="1c-exchange", ONEC_EXCHANGE_PASSWORD="s3cret-1c")


def _files(*names: str) -> list[tuple[str, bytes]]:
    return [(name, (DATA / name).read_bytes()) for name in names]


def _state() -> tuple[Any, ...]:
    return (
        sorted(Product.objects.values_list("sku", "name", "unit", "vat_rate", "is_active")),
        sorted(ProductGroup.objects.values_list("name", flat=True)),
        sorted(Price.objects.values_list("price_list__name", "product__sku", "amount")),
        OneCLink.objects.count(),
    )


@pytest.mark.parametrize("suffix", ["", "_cp1251"])
def test_the_sample_imports_products_and_prices_and_is_idempotent(admin: User, suffix: str) -> None:
    files = _files(f"offers{suffix}.xml", f"import{suffix}.xml")  # order does not matter
    exchange = services.onec_import_files(actor=admin, files=files, source=ExchangeSource.UPLOAD)
    assert exchange.status == ExchangeStatus.SUCCEEDED
    pump = Product.objects.get(sku="1C-UPS-25-40")
    assert pump.name == "Насос циркуляционный UPS 25-40 180"
    assert pump.group is not None
    assert pump.group.name == "Циркуляционные насосы (1С)"
    assert pump.group.parent is not None
    assert pump.group.parent.name == "Насосное оборудование (1С)"
    service = Product.objects.get(name="Монтаж насосной группы")
    assert (service.sku, service.unit, service.vat_rate) == (
        "6f1d6bb5-5c8f-11e5-80c5-005056c00008",
        "hour",
        "none",
    )
    retail = PriceList.objects.get(name="Розничная (1С)")
    wholesale = PriceList.objects.get(name="Оптовая (1С)")
    assert Price.objects.get(price_list=retail, product=pump).amount == Decimal("12490.00")
    assert Price.objects.get(price_list=wholesale, product=pump).amount == Decimal("10990.00")
    valve = Product.objects.get(sku="1C-BV-15")
    assert Price.objects.get(price_list=retail, product=valve).amount == Decimal("415.50")
    assert Product.objects.count() == 4
    assert Price.objects.count() == 6
    offers = next(r for r in exchange.results if "prices_changed" in r)
    with translation.override("en"):
        shown = [note_text(w) for w in offers["warnings"]]
    assert any("characteristics" in w for w in shown)
    # Stored as a message and its parameters: each reader gets it in their own language.
    with translation.override("ru"):
        shown = [note_text(w) for w in offers["warnings"]]
    assert any(w.startswith("Строка ") and "характеристикам товара" in w for w in shown)
    assert Event.objects.filter(
        case_type="onec_exchange", activity="onec_catalog_imported"
    ).exists()

    before, events_before = _state(), Event.objects.filter(case_type="product").count()
    again = services.onec_import_files(actor=admin, files=files, source=ExchangeSource.UPLOAD)
    assert again.status == ExchangeStatus.SUCCEEDED
    assert _state() == before
    assert Event.objects.filter(case_type="product").count() == events_before  # nothing changed
    results = {r["file"]: r for r in again.results}
    assert results[f"import{suffix}.xml"]["products_created"] == 0
    assert results[f"import{suffix}.xml"]["products_updated"] == 0
    assert results[f"offers{suffix}.xml"]["prices_changed"] == 0


def test_a_changed_price_and_name_update_the_same_records(admin: User) -> None:
    services.onec_import_files(
        actor=admin, files=_files("import.xml", "offers.xml"), source=ExchangeSource.UPLOAD
    )
    catalog = (
        (DATA / "import.xml")
        .read_text("utf-8")
        .replace("Насос циркуляционный UPS 25-40 180", "Насос UPS 25-40 (новое имя)")
    )
    offers = (DATA / "offers.xml").read_text("utf-8").replace("12490.00", "12990.00")
    services.onec_import_files(
        actor=admin,
        files=[("import.xml", catalog.encode()), ("offers.xml", offers.encode())],
        source=ExchangeSource.UPLOAD,
    )
    pump = Product.objects.get(sku="1C-UPS-25-40")
    assert pump.name == "Насос UPS 25-40 (новое имя)"
    assert Product.objects.count() == 4
    assert Price.objects.get(product=pump, price_list__name="Розничная (1С)").amount == Decimal(
        "12990.00"
    )


def _broken(find: str, replace: str, encoding: str = "utf-8") -> bytes:
    text = (DATA / "import.xml").read_text("utf-8").replace(find, replace, 1)
    return text.encode(encoding)


@pytest.mark.parametrize(
    ("data", "line", "words"),
    [
        (_broken("<Штрихкод>", "<Скидка>1</Скидка><Штрихкод>"), 48, "Скидка"),
        (_broken("</Описание>", "</Описаниe>"), 55, "well-formed"),
        (
            # windows-1251 bytes in a file that declares UTF-8
            (DATA / "import.xml").read_text("utf-8").replace("½", "1/2").encode("cp1251"),
            2,
            "encoding",
        ),
        (_broken("<Ставка>20</Ставка>", "<Ставка>18</Ставка>"), 64, "18"),
        (
            _broken(
                '<?xml version="1.0" encoding="UTF-8"?>',
                '<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE x [<!ENTITY e "boom">]>',
            ),
            1,
            "DOCTYPE",
        ),
        (
            _broken(
                "<Артикул>1C-UPS-32-60</Артикул>\n\t\t\t\t"
                "<Наименование>Насос циркуляционный UPS 32-60 180</Наименование>",
                "<Артикул>1C-UPS-32-60</Артикул>",
            ),
            None,
            "Наименование",
        ),
    ],
    ids=["unknown-element", "broken-xml", "wrong-encoding", "bad-vat", "doctype", "no-name"],
)
def test_a_bad_file_is_refused_naming_the_line_and_nothing_is_written(
    admin: User, data: bytes, line: int | None, words: str
) -> None:
    before, events_before = _state(), Event.objects.exclude(case_type="onec_exchange").count()
    with pytest.raises(DomainError) as refused:
        services.onec_import_files(
            actor=admin, files=[("import.xml", data)], source=ExchangeSource.UPLOAD
        )
    assert words in refused.value.message
    if line is not None:
        assert refused.value.details["line"] == line
        assert f"{line}" in refused.value.message
    else:
        assert refused.value.details["line"]
    assert _state() == before
    assert Event.objects.exclude(case_type="onec_exchange").count() == events_before
    exchange = OneCExchange.objects.get()
    assert exchange.status == ExchangeStatus.FAILED
    assert exchange.error
    assert Event.objects.filter(activity="onec_import_failed").count() == 1


def test_a_bad_price_in_offers_keeps_every_price_as_it_was(admin: User) -> None:
    services.onec_import_files(
        actor=admin, files=_files("import.xml", "offers.xml"), source=ExchangeSource.UPLOAD
    )
    before = _state()
    offers = (DATA / "offers.xml").read_text("utf-8")
    offers = offers.replace("12490.00", "12990.00").replace(
        "<ЦенаЗаЕдиницу>2500", "<ЦенаЗаЕдиницу>-5"
    )
    with pytest.raises(DomainError):
        services.onec_import_files(
            actor=admin, files=[("offers.xml", offers.encode())], source=ExchangeSource.UPLOAD
        )
    assert _state() == before


def test_offers_for_an_unknown_product_are_refused(admin: User) -> None:
    with pytest.raises(DomainError) as refused:
        services.onec_import_files(
            actor=admin, files=_files("offers.xml"), source=ExchangeSource.UPLOAD
        )
    assert "import.xml" in refused.value.message
    assert refused.value.details["line"]
    assert not PriceList.objects.filter(name__endswith="(1С)").exists()


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@ONEC
def test_the_http_exchange_walk_imports_the_catalogue_and_exports_orders(
    admin: User, make_user: Callable[..., User]
) -> None:
    client = Client()
    refused = client.get(
        EXCHANGE,
        {"type": "catalog", "mode": "checkauth"},
        HTTP_AUTHORIZATION=_basic("1c-exchange", "wrong"),
    )
    assert refused.status_code == 401
    assert refused.content.startswith(b"failure")
    no_cookie = client.get(EXCHANGE, {"type": "catalog", "mode": "init"})
    assert no_cookie.status_code == 401

    answer = client.get(
        EXCHANGE,
        {"type": "catalog", "mode": "checkauth"},
        HTTP_AUTHORIZATION=_basic("1c-exchange", "s3cret-1c"),
    )
    status, cookie_name, cookie_value = answer.content.decode().split("\n")[:3]
    assert (status, cookie_name) == ("success", services.ONEC_COOKIE)
    onec = Client()  # 1C sends the cookie it was told, nothing else
    onec.cookies[cookie_name] = cookie_value
    init = onec.get(EXCHANGE, {"type": "catalog", "mode": "init"}).content.decode()
    assert init.startswith("zip=yes\nfile_limit=")
    for name in ("import.xml", "offers.xml"):
        data = (DATA / name).read_bytes()
        half = len(data) // 2
        for part in (data[:half], data[half:]):  # sent in two parts, joined before import
            sent = onec.post(
                f"{EXCHANGE}?type=catalog&mode=file&filename={name}",
                data=part,
                content_type="application/octet-stream",
            )
            assert sent.content == b"success\n"
    picture = onec.post(
        f"{EXCHANGE}?type=catalog&mode=file&filename=import_files/6f/6f1d.jpg",
        data=b"\xff\xd8",
        content_type="application/octet-stream",
    )
    assert picture.content == b"success\n"
    for name in ("import.xml", "offers.xml"):
        done = onec.get(EXCHANGE, {"type": "catalog", "mode": "import", "filename": name})
        assert done.content == b"success\n", done.content.decode()
    assert Product.objects.filter(sku="1C-UPS-25-40").exists()
    assert Price.objects.count() == 6
    traversal = onec.post(
        f"{EXCHANGE}?type=catalog&mode=file&filename=../../etc/passwd",
        data=b"x",
        content_type="application/octet-stream",
    )
    assert traversal.content.startswith(b"failure")

    # Orders: a won deal with lines goes to 1C until 1C confirms it.
    deal = _won_deal(admin, make_user)
    sale = Client()
    answer = sale.get(
        EXCHANGE,
        {"type": "sale", "mode": "checkauth"},
        HTTP_AUTHORIZATION=_basic("1c-exchange", "s3cret-1c"),
    )
    sale.cookies[services.ONEC_COOKIE] = answer.content.decode().split("\n")[2]
    assert onec.get(EXCHANGE, {"type": "sale", "mode": "query"}).status_code == 401  # wrong kind
    xml = sale.get(EXCHANGE, {"type": "sale", "mode": "query"}).content
    root = etree.fromstring(xml)
    ns = {"c": "urn:1C.ru:commerceml_2"}
    assert root.xpath("//c:Документ/c:Номер/text()", namespaces=ns) == [str(deal.pk)]
    assert root.xpath("//c:Документ/c:ХозОперация/text()", namespaces=ns) == ["Заказ товара"]
    guids = root.xpath("//c:Документ/c:Товары/c:Товар/c:Ид/text()", namespaces=ns)
    assert guids == ["6f1d6bb2-5c8f-11e5-80c5-005056c00008"]  # the 1C id of the product
    assert root.xpath("//c:Документ/c:Сумма/text()", namespaces=ns) == ["24980.00"]
    assert sale.get(EXCHANGE, {"type": "sale", "mode": "success"}).content == b"success\n"
    again = etree.fromstring(sale.get(EXCHANGE, {"type": "sale", "mode": "query"}).content)
    assert again.xpath("//c:Документ", namespaces=ns) == []
    activities = set(
        Event.objects.filter(case_type="onec_exchange").values_list("activity", flat=True)
    )
    assert {
        "onec_exchange_started",
        "onec_catalog_imported",
        "onec_offers_imported",
        "onec_orders_exported",
        "onec_orders_confirmed",
    } <= activities


def _won_deal(admin: User, make_user: Callable[..., User]) -> Any:
    from greenwave.crm import services as crm_services
    from greenwave.sales import services as sales_services
    from greenwave.sales.models import Deal, Pipeline

    head = make_user("head1c", roles=["head_of_sales"])
    company = crm_services.company_create(actor=head, name="ООО Тепло", inn="7707083893")
    pipeline = Pipeline.objects.order_by("pk").first()
    deal = sales_services.deal_create(
        actor=head, title="Насосы для котельной", pipeline=pipeline, company=company
    )
    pump = Product.objects.get(sku="1C-UPS-25-40")
    sales_services.deal_add_item(
        actor=head, deal=deal, product=pump, quantity=Decimal(2), price=Decimal("12490.00")
    )
    Deal.objects.filter(pk=deal.pk).update(status="won")
    return deal


def test_the_exchange_is_off_without_credentials() -> None:
    answer = Client().get(
        EXCHANGE, {"type": "catalog", "mode": "checkauth"}, HTTP_AUTHORIZATION=_basic("x", "y")
    )
    assert answer.status_code == 403
    assert b"ONEC_EXCHANGE_USERNAME" in answer.content


def test_the_command_imports_files_and_fails_clearly(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    call_command("commerceml_import", str(DATA / "import.xml"), str(DATA / "offers.xml"))
    out = capsys.readouterr().out
    assert "import.xml: groups=3 products_created=4" in out
    bad = tmp_path / "import.xml"
    bad.write_bytes("<?xml version='1.0'?>\n<КоммерческаяИнформация><Каталог><Товар>".encode())
    with pytest.raises(CommandError, match="Line"):
        call_command("commerceml_import", str(bad))


@ONEC
def test_password_guessing_at_checkauth_is_stopped() -> None:
    client = Client()
    for _ in range(10):
        answer = client.get(
            EXCHANGE,
            {"type": "catalog", "mode": "checkauth"},
            HTTP_AUTHORIZATION=_basic("1c-exchange", "guess"),
        )
        assert answer.status_code == 401
    right = client.get(
        EXCHANGE,
        {"type": "catalog", "mode": "checkauth"},
        HTTP_AUTHORIZATION=_basic("1c-exchange", "s3cret-1c"),
    )
    assert right.status_code == 429
    assert not OneCExchange.objects.exists()
