"""Process pages speak the user's language (issue 14, item 3): the record a process is about is
a link with its title (not `deal:12`), variables and task results are labelled tables with
localized values (not JSON, not codes)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from greenwave.bpm import services as bpm
from greenwave.bpm.models import HumanTask, TaskStatus
from greenwave.core.case_access import case_link
from greenwave.crm import services as crm
from greenwave.sales import services
from greenwave.sales.models import Deal
from greenwave.sales.tests.papers import attach_paper

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(db: Any) -> dict[str, Any]:
    return {d.key: d for d in bpm.library_install(actor=None)}


def _login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _deal(people: dict[str, Any], b2b: Any, stages: Any) -> Deal:
    client = crm.company_create(actor=people["hunter_a"], name="ООО «Насосы»")
    deal = services.deal_create(
        actor=people["hunter_a"],
        title="Поставка насосов",
        pipeline=b2b,
        stage=stages["contract"],
        amount=Decimal("150000"),
        expected_close_date=date(2030, 1, 31),
        company=client,
    )
    # A contract approval starts on the contract: the deal has its file.
    attach_paper(people["hunter_a"], deal, "contract", "Договор №7")
    return deal


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_a_run_names_its_deal_by_title_and_its_data_in_words(
    library, two_teams, b2b, stages
) -> None:
    deal = _deal(two_teams, b2b, stages)
    pk = services.deal_process_start(
        actor=two_teams["hunter_a"], deal=deal, process_key="contract_approval"
    )
    task = HumanTask.objects.get(instance_id=pk, status=TaskStatus.OPEN)
    bpm.task_complete(
        actor=two_teams["head_a"], task=task, data={"decision": "approve", "comment": "Ок"}
    )
    head = _login(two_teams["head_a"])
    listing = head.get("/processes/instances/").content.decode()
    assert f"deal:{deal.pk}" not in listing
    assert f'<a href="/sales/deals/{deal.pk}/" data-testid="business-object">' in listing
    detail = head.get(f"/processes/instances/{pk}/").content.decode()
    variables = detail.split('data-testid="variables"')[1].split("</table>")[0]
    # Labels from the task form, choice codes as their labels, people by name; no JSON.
    assert "Решение" in variables
    assert "Согласовать" in variables
    assert "approve" not in variables
    assert "decision" not in variables
    assert "Комментарий" in variables
    assert "deal_url" not in detail
    assert "{&#x27;" not in detail
    assert "{'" not in detail
    done = head.get(f"/processes/tasks/{task.pk}/").content.decode()
    result = _text(done.split('data-testid="task-result"')[1].split("</table>")[0])
    assert "Решение Согласовать" in result
    assert "Комментарий Ок" in result


def test_variables_read_as_localized_values_with_record_links(
    library, two_teams, b2b, stages
) -> None:
    deal = _deal(two_teams, b2b, stages)
    instance = bpm.instance_start(
        actor=two_teams["hunter_a"],
        definition=library["document_approval"],
        variables={
            "approver1": "head_a",
            "approver2": "director",
            "deal_id": deal.pk,
            "deal_title": "copy of the title",
            "amount": "150000.00",
            "currency": "RUB",
            "signed": True,
            "due": "2030-01-31",
            "tags": ["a", "b"],
        },
        business_key=f"deal:{deal.pk}",
    )
    page = _login(two_teams["hunter_a"]).get(f"/processes/instances/{instance.pk}/")
    html = page.content.decode()
    table = _text(html.split('data-testid="variables"')[1].split("</table>")[0])
    assert "Сделка Поставка насосов" in table  # the record's title, not the copied one
    assert "copy of the title" not in table
    assert "Сумма 150\xa0000,00 RUB" in table or "Сумма 150 000,00 RUB" in table
    assert "да" in table
    assert "True" not in table
    assert "31.01.2030" in table
    assert "2030-01-31" not in table
    assert "a, b" in table
    assert "['a'" not in table
    assert f'href="/sales/deals/{deal.pk}/" data-testid="business-object"' in html
    assert f"deal:{deal.pk}" not in _text(html)


def test_a_record_the_reader_may_not_see_keeps_only_its_type_and_number(
    two_teams, b2b, stages
) -> None:
    deal = _deal(two_teams, b2b, stages)
    mine = case_link("deal", deal.pk, actor=two_teams["hunter_a"])
    theirs = case_link("deal", deal.pk, actor=two_teams["hunter_b"])
    assert mine is not None
    assert theirs is not None
    assert (mine.title, mine.url) == ("Поставка насосов", f"/sales/deals/{deal.pk}/")
    assert (theirs.title, theirs.url) == (f"#{deal.pk}", "")
    assert case_link("nothing", 1) is None


def _approval_task(people: dict[str, Any], b2b: Any, stages: Any) -> tuple[Deal, HumanTask]:
    deal = _deal(people, b2b, stages)
    pk = services.deal_process_start(
        actor=people["hunter_a"], deal=deal, process_key="contract_approval"
    )
    return deal, HumanTask.objects.get(instance_id=pk, status=TaskStatus.OPEN)


def _task_table(html: str) -> str:
    return html.split('data-testid="task-table"')[1].split("</table>")[0]


def test_the_inbox_names_the_deal_of_each_task_in_one_query_per_record_type(
    library, two_teams, b2b, stages, django_assert_num_queries
) -> None:
    deal, task = _approval_task(two_teams, b2b, stages)
    HumanTask.objects.filter(pk=task.pk).update(assignee=two_teams["head_a"])
    head = _login(two_teams["head_a"])
    table = _task_table(head.get("/processes/inbox/").content.decode())
    assert f'<a href="/sales/deals/{deal.pk}/" data-testid="business-object">' in table
    # The title once, as the link; the task line keeps the client and the amount.
    assert table.count("Поставка насосов") == 1
    assert "ООО «Насосы» · 150" in table
    for _ in range(3):
        _other, more = _approval_task(two_teams, b2b, stages)
        HumanTask.objects.filter(pk=more.pk).update(assignee=two_teams["head_a"])
    with django_assert_num_queries(QUERIES_INBOX):
        table = _task_table(head.get("/processes/inbox/").content.decode())
    assert table.count('data-testid="business-object"') == 4


# The inbox with four tasks on four deals: the page as before (session, user, navigation,
# the count and the page of tasks), then the deals' titles and which of them the reader
# sees — two queries, however many tasks.
QUERIES_INBOX = 13


def test_a_task_on_a_deal_the_reader_may_not_see_shows_no_title_number_or_link(
    library, two_teams, b2b, stages
) -> None:
    deal, task = _approval_task(two_teams, b2b, stages)
    HumanTask.objects.filter(pk=task.pk).update(assignee=two_teams["hunter_b"])
    outsider = _login(two_teams["hunter_b"])
    html = outsider.get("/processes/inbox/").content.decode()
    subject = html.split('data-testid="task-process-subject">')[1].split("</div>")[0]
    assert "/sales/" not in subject
    assert "Поставка насосов" not in subject
    # Neither the record's type nor its number: a neutral line, as for nothing to open.
    assert f"#{deal.pk}" not in subject
    assert "Сделка" not in subject
    assert _text(subject).strip() == "Нет доступа к записи"
