from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from greenwave.documents.models import Invoice
from greenwave.orders import fulfilment
from greenwave.orders.models import Claim, Order, Payment
from greenwave.sales.models import Deal, DealStatus

DATA = Path(__file__).parent / "data"


def _login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _reading(user, language: str) -> Client:
    """A client signed in as `user`, who reads the pages in `language`."""
    user.language = language
    user.save(update_fields=["language"])
    return _login(user)


def _rows(client: Client, url: str) -> str:
    """The body of the list page's table."""
    return client.get(url).content.decode().split("<tbody>", 1)[1]


@pytest.fixture
def order(deal) -> Order:
    """The order of the deal, won through the ORM (its gates are the sales tests' business)."""
    Deal.objects.filter(pk=deal.pk).update(status=DealStatus.WON, closed_at=timezone.now())
    return fulfilment.order_create_from_deal(actor=None, deal=Deal.objects.get(pk=deal.pk))


def _claim(order: Order, **fields) -> Claim:
    deadline = timezone.localdate() + timedelta(days=10)
    return fulfilment.claim_create(actor=None, order=order, deadline=deadline, **fields)


def test_finance_imports_a_statement_through_the_page(make_invoice, finance) -> None:
    for total in ("12000.00", "7500.00", "3000.00", "3000.00"):
        make_invoice(total)
    client = _login(finance)
    raw = (DATA / "statement_cp1251.txt").read_bytes()
    page = client.post("/money/payments/import/", {"file": SimpleUploadedFile("s.txt", raw)})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="dry-run"' in html
    assert "ООО «Ромашка»" in html
    assert not Payment.objects.exists()
    content = page.context["content"]
    done = client.post("/money/payments/import/", {"content": content, "confirm": "1"})
    assert done.status_code == 302
    assert Payment.objects.count() == 2
    assert Invoice.objects.filter(status="paid").count() == 1
    listed = client.get("/money/payments/")
    assert listed.status_code == 200
    assert listed.context["page"].paginator.count == 2


def test_broken_statement_shows_the_line(make_invoice, finance) -> None:
    client = _login(finance)
    page = client.post(
        "/money/payments/import/",
        {"file": SimpleUploadedFile("s.txt", b"1CClientBankExchange\nbroken\n")},
        follow=True,
    )
    shown = [str(m) for m in page.context["messages"]]
    assert len(shown) == 1
    assert "2" in shown[0]
    assert not Payment.objects.exists()


def test_entry_form_and_refund(make_invoice, finance) -> None:
    invoice = make_invoice("1000.00")
    client = _login(finance)
    assert client.get(f"/money/payments/new/?invoice={invoice.pk}").status_code == 200
    over = client.post(
        "/money/payments/new/",
        {"invoice": invoice.pk, "amount": "1000.01", "payment_date": "2026-12-02"},
    )
    assert over.status_code == 200
    assert "Переплата не принимается" in over.content.decode()
    done = client.post(
        "/money/payments/new/",
        {"invoice": invoice.pk, "amount": "1000.00", "payment_date": "2026-12-02"},
    )
    assert done.status_code == 302
    payment = Payment.objects.get()
    refund = client.post(
        f"/money/payments/{payment.pk}/refund/",
        {"amount": "100", "refund_date": "2026-12-03"},
    )
    assert refund.status_code == 302
    invoice.refresh_from_db()
    assert invoice.status == "partially_paid"


def test_receivables_page_and_scoping(make_invoice, two_teams, finance) -> None:
    make_invoice("500.00")
    page = _login(two_teams["head_a"]).get("/money/receivables/?group_by=manager")
    assert page.context["total"].total == Decimal("500.00")
    assert "500,00\u00a0₽</a>" in page.content.decode()  # amounts read as money
    cell = _login(two_teams["head_a"]).get(
        f"/money/receivables/invoices/?group_by=manager&key={two_teams['hunter_a'].pk}"
    )
    assert len(cell.context["invoices"]) == 1
    assert "500,00\u00a0₽</td>" in cell.content.decode()
    other = _login(two_teams["hunter_b"])
    assert other.get("/money/receivables/").context["rows"] == []
    assert len(other.get("/money/receivables/invoices/").context["invoices"]) == 0
    # A manager neither enters payments nor refunds; another team's payment is a 404.
    assert _login(two_teams["hunter_a"]).get("/money/payments/new/").status_code == 403


def test_the_overdue_column_sums_the_four_overdue_buckets_and_lists_their_invoices(
    make_invoice, finance
) -> None:
    today = timezone.localdate()
    make_invoice("100.00", due_date=today + timedelta(days=3))  # not due yet
    make_invoice("20.00", issue_date=today - timedelta(days=40), due_date=today - timedelta(days=2))
    make_invoice(
        "3.00", issue_date=today - timedelta(days=200), due_date=today - timedelta(days=99)
    )
    page = _login(finance).get("/money/receivables/")
    assert page.context["rows"][0].overdue == Decimal("23.00")
    assert "&bucket=overdue" in page.content.decode()
    cell = _reading(finance, "ru").get("/money/receivables/invoices/?bucket=overdue")
    assert sorted(i.total for i in cell.context["invoices"]) == [Decimal("3.00"), Decimal("20.00")]
    assert "Просрочено" in cell.content.decode()


def test_the_breadcrumb_is_named_in_the_readers_language(finance) -> None:
    page = _reading(finance, "ru").get("/money/receivables/invoices/")
    assert '<nav aria-label="Навигационная цепочка">' in page.content.decode()


def test_the_shipment_form_offers_the_remaining_quantity_without_trailing_zeros(
    order, two_teams
) -> None:
    line = order.lines.get()
    line.quantity = Decimal("24")
    line.save(update_fields=["quantity"])
    page = _login(two_teams["hunter_a"]).get(f"/money/orders/{order.pk}/")
    assert f'name="line_{line.pk}" value="24"' in page.content.decode()


def test_a_refused_shipment_is_shown_on_its_form_and_nothing_is_shipped(order, two_teams) -> None:
    """The order page binds only the form its POST names; the service's refusal (a date in
    the future) stands on top of that form, the claim form stays empty, and no row is written."""
    line = order.lines.get()
    tomorrow = timezone.localdate() + timedelta(days=1)
    page = _login(two_teams["hunter_a"]).post(
        f"/money/orders/{order.pk}/",
        {
            "action": "ship",
            "document_number": "ТН-9",
            "shipped_on": tomorrow.isoformat(),
            f"line_{line.pk}": "3",
        },
    )
    assert page.status_code == 200
    shipment_form = page.context["shipment_form"]
    # hunter_a reads Russian: «The shipping date cannot be in the future.»
    assert shipment_form.non_field_errors() == ["Дата отгрузки не может быть в будущем."]
    assert not page.context["claim_form"].is_bound
    assert not order.shipments.exists()
    line.refresh_from_db()
    assert line.shipped_quantity == 0


def test_order_and_claim_pages(order, two_teams) -> None:
    line = order.lines.get()
    client = _login(two_teams["hunter_a"])
    assert client.get("/money/orders/").context["page"].paginator.count == 1
    shipped = client.post(
        f"/money/orders/{order.pk}/",
        {
            "action": "ship",
            "document_number": "ТН-9",
            "shipped_on": timezone.localdate().isoformat(),
            f"line_{line.pk}": "3",
        },
    )
    assert shipped.status_code == 302
    line.refresh_from_db()
    assert line.shipped_quantity == Decimal("3")
    claimed = client.post(
        f"/money/orders/{order.pk}/",
        {
            "action": "claim",
            "kind": "claim",
            "subject": "Брак",
            "deadline": timezone.localdate().isoformat(),
        },
    )
    assert claimed.status_code == 302
    claim = order.claims.get()
    # The claim runs as its process: its page lists the open step, done on the task page.
    page = client.get(f"/money/claims/{claim.pk}/")
    assert page.context["next_steps"] == ()
    [task] = page.context["tasks"]
    assert task.element_id == "register"
    assert f'href="/processes/tasks/{task.pk}/"' in page.content.decode()
    refused = client.post(f"/money/claims/{claim.pk}/", {"status": "investigation"})
    assert refused.status_code == 302
    claim.refresh_from_db()
    assert claim.status == "registered"
    done = client.post(f"/processes/tasks/{task.pk}/", {"documents_received": "on"})
    assert done.status_code == 302
    claim.refresh_from_db()
    assert claim.status == "investigation"
    assert client.get("/money/claims/").context["page"].paginator.count == 1
    assert _login(two_teams["hunter_b"]).get(f"/money/orders/{order.pk}/").status_code == 404


def test_a_return_shows_the_value_of_its_goods_and_a_claim_without_a_sum_no_zero(
    order, two_teams
) -> None:
    """The demo's return «Возврат лишних фитингов» read 0,00 in the claims list: a return
    carries the value of the goods sent back, named so on its page; a claim with no sum (a
    replacement asked for) shows a dash, not a zero."""
    returned = _claim(order, kind="return", subject="Возврат", amount=Decimal("12400.00"))
    replaced = _claim(order, kind="claim", subject="Замена")
    client = _login(two_teams["hunter_a"])
    [task] = client.get(f"/money/claims/{replaced.pk}/").context["tasks"]
    card = client.get(f"/processes/tasks/{task.pk}/").content.decode()
    assert 'data-testid="subject"' in card
    assert 'data-testid="subject-amount"' not in card  # not «Amount 0.00»
    rows = _rows(client, "/money/claims/")
    assert not re.search(r">\s*0[,.]00\s*<", rows), rows
    assert "—" in rows
    page = client.get(f"/money/claims/{returned.pk}/").content.decode()
    assert "Стоимость возвращаемого товара:</strong> 12\u00a0400,00\u00a0₽" in page
    heading = page.split("<h1", 1)[1].split("</h1>", 1)[0]
    assert "Возврат П-" in heading
    form = client.get(f"/money/orders/{order.pk}/").context["claim_form"]
    assert form.fields["amount"].help_text


def test_the_payment_form_names_each_invoice_s_sums_as_money(make_invoice, finance) -> None:
    """The accountant chose from «№ 7 · … · due 102060.00 of 102060.00»: the sums read as
    money everywhere else in the app (`102 060,00 ₽`)."""
    from greenwave.core.money import Money

    invoice = make_invoice("102060.00")
    form = _login(finance).get("/money/payments/new/").context["form"]
    label = form.fields["invoice"].label_from_instance(invoice)
    assert "102060.00" not in label
    assert label.count(Money.of("102060.00").format()) == 2, label


def _claim_of_12400(order: Order) -> Claim:
    return _claim(order, kind="claim", subject="Брак", amount=Decimal("12400.00"))


@pytest.mark.parametrize(
    ("path", "english", "russian", "record"),
    [
        pytest.param("orders", "ORD", "З", lambda order: order, id="order"),
        pytest.param("claims", "CL", "П", _claim_of_12400, id="claim"),
    ],
)
def test_a_number_follows_the_reader_s_language(
    order, two_teams, path, english, russian, record
) -> None:
    """English pages showed «З-12» and «П-12»: an order's number is «ORD-12» in English and
    «З-12» in Russian, a claim's «CL-12» and «П-12»; either prefix finds the record on the page
    and in the REST list, as texts written before (an escalation task's subject) keep the
    Russian one."""
    row = record(order)
    client = _reading(two_teams["hunter_a"], "en")
    rows = _rows(client, f"/money/{path}/")
    assert f">{english}-{row.pk}<" in rows
    assert f"{russian}-" not in rows
    for number in (f"{russian}-{row.pk}", f"{english.lower()}-{row.pk}", f"{english} - {row.pk}"):
        found = client.get(f"/money/{path}/", {"q": number}).context["page"].object_list
        assert [r.pk for r in found] == [row.pk], number
    missing = client.get(f"/money/{path}/", {"q": f"{russian}-{row.pk + 1}"})
    assert missing.context["page"].paginator.count == 0
    assert client.get(f"/api/v1/{path}", {"q": f"{russian}-{row.pk + 1}"}).json()["count"] == 0
    for number in (f"{russian}-{row.pk}", f"{russian.lower()}-{row.pk}"):
        assert client.get(f"/api/v1/{path}", {"q": number}).json()["count"] == 1, number
    rows = _rows(_reading(two_teams["hunter_a"], "ru"), f"/money/{path}/")
    assert f">{russian}-{row.pk}<" in rows


def test_a_claim_s_sum_reads_as_money_in_the_reader_s_language(order, two_teams) -> None:
    """English pages showed a bare «12400.00»: the sum reads as the reader's money, and the
    page's heading names the claim by the reader's number."""
    claim = _claim_of_12400(order)
    client = _reading(two_teams["hunter_a"], "en")
    assert "12,400.00\u00a0₽" in _rows(client, "/money/claims/")
    assert "Claim CL-" in client.get(f"/money/claims/{claim.pk}/").content.decode()
    rows = _rows(_reading(two_teams["hunter_a"], "ru"), "/money/claims/")
    assert "12\u00a0400,00\u00a0₽" in rows
