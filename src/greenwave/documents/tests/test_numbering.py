"""Numbering per kind, legal entity and year: no gaps, no duplicates, also under concurrency."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction

from greenwave.documents import services

from .conftest import SELLER


@pytest.mark.django_db
def test_numbers_are_per_kind_entity_and_year(seller) -> None:
    take = services.document_number_next
    assert [take(legal_entity=seller, kind="invoice", year=2026) for _ in range(3)] == [1, 2, 3]
    assert take(legal_entity=seller, kind="contract", year=2026) == 1
    assert take(legal_entity=seller, kind="invoice", year=2027) == 1


@pytest.mark.django_db
def test_a_rolled_back_record_gives_its_number_back(seller) -> None:
    def take_and_fail() -> None:
        with transaction.atomic():
            services.document_number_next(legal_entity=seller, kind="act", year=2026)
            raise RuntimeError

    with pytest.raises(RuntimeError):
        take_and_fail()
    assert services.document_number_next(legal_entity=seller, kind="act", year=2026) == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_numbering_has_no_gaps_and_no_duplicates() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks are exercised on PostgreSQL; SQLite serialises all writers")
    seller = services.legal_entity_create(actor=None, data=dict(SELLER))
    threads_count, per_thread = 8, 10
    numbers: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    barrier = threading.Barrier(threads_count)

    def work() -> None:
        try:
            barrier.wait()
            for _ in range(per_thread):
                with transaction.atomic():
                    n = services.document_number_next(
                        legal_entity=seller, kind="invoice", year=2031
                    )
                with lock:
                    numbers.append(n)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(threads_count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(numbers) == list(range(1, threads_count * per_thread + 1))
