"""The worker's memory during an import (issue #23, point 4): a step reads the job without
the uploaded file and then the file alone, once (on PostgreSQL in the binary format, not as
hex text of twice its size); the dry run's packed rows go to the database as a binary
parameter, not inside the statement's text; the CSV is decoded as it is read, never whole.
What the rows read as is unchanged (`test_import_export`, `test_import_limits`)."""

from __future__ import annotations

import codecs

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from greenwave.core import bulkcopy
from greenwave.crm import tabular
from greenwave.crm.models import ImportJob

from .test_import_export import check as dry_run
from .test_import_export import csv_bytes, upload

HEADER = ["ФИО", "Телефон", "Email"]


def _rows(count: int) -> list[list[str]]:
    return [
        [f"Контакт Номер{n}", f"+7 916 {n // 10000:03d}-{n // 100 % 100:02d}-{n % 100:02d}", ""]
        for n in range(count)
    ]


@pytest.mark.django_db
def test_the_steps_read_the_file_alone_and_send_the_packed_rows_as_a_parameter(
    two_teams,
) -> None:
    head = two_teams["head_a"]
    content = csv_bytes(_rows(3000), header=HEADER, encoding="utf-8")
    job = upload(head, content, kind="contacts")
    assert job.total_rows == 3000
    with CaptureQueriesContext(connection) as queries:
        job = dry_run(head, job, job.mapping)
    assert (job.status, job.valid_rows, job.error_rows) == ("checked", 3000, 0)
    stored = ImportJob.objects.get(pk=job.pk)
    assert bytes(stored.checked_rows) == bytes(job.checked_rows) != b""
    texts = [q["sql"] for q in queries.captured_queries]
    # the job itself is read without its file (`defer`): the file is read on its own
    assert not [t for t in texts if '"crm_importjob"."content"' in t]
    if bulkcopy.supported():
        # not by Django's cursor, which puts the packed rows' hex into the statement's text
        assert not [t for t in texts if '"checked_rows" = ' in t and len(t) > 5000]


@pytest.mark.django_db
def test_bulkcopy_bytes_round_trip(two_teams) -> None:
    head = two_teams["head_a"]
    job = ImportJob.objects.create(
        created_by=head,
        responsible=head,
        kind="contacts",
        file_name="a.csv",
        content=b"\x00\xff" * 10,
    )
    assert bulkcopy.read_bytes("SELECT content FROM crm_importjob WHERE id = %s", [job.pk]) == (
        b"\x00\xff" * 10
    )
    bulkcopy.write_bytes(ImportJob, "checked_rows", job.pk, b"\x01\x00\\x" * 3)
    assert bytes(ImportJob.objects.get(pk=job.pk).checked_rows) == b"\x01\x00\\x" * 3
    assert bulkcopy.read_bytes("SELECT content FROM crm_importjob WHERE id = %s", [0]) is None


def test_the_text_is_decoded_piece_by_piece_never_whole(monkeypatch) -> None:
    """No decoder is ever given more than `_PIECE` bytes (nor the whole file) and the rows
    are those of the whole text, line ends split across the pieces included."""
    monkeypatch.setattr(tabular, "_PIECE", 1000)
    given: list[int] = []
    real = codecs.getincrementaldecoder

    def watched(codec):
        made = real(codec)

        class Watched(made):  # type: ignore[misc, valid-type]
            def decode(self, data, final=False):
                given.append(len(data))
                return super().decode(data, final)

        return Watched

    monkeypatch.setattr(tabular.codecs, "getincrementaldecoder", watched)
    rows = [["Имя" + "я" * (n % 4000), str(n)] for n in range(400)]
    text = "А;Б\r\n" + "".join(f"{a};{b}\r\n" for a, b in rows)
    for encoding in ("utf-8-sig", "cp1251"):
        content = text.encode(encoding)
        given.clear()
        table, read = tabular.iter_table(content, "a.csv")
        assert list(read()) == rows
        assert table.headers == ["А", "Б"]
        assert given
        assert max(given) <= 1000 < len(content)
        assert tabular.read_table(content, "a.csv").rows == rows


def test_a_file_cut_inside_the_utf8_bom_reads_as_before() -> None:
    """`\\xef` alone is no UTF-8 (its incremental decoder would take it as empty text)."""
    table = tabular.read_table(b"\xef", "a.csv")
    assert (table.headers, table.encoding) == (["п"], "cp1251")


def test_an_import_step_runs_with_the_cyclic_collector_paused() -> None:
    """The worker's steps pause Python's cyclic garbage collector (a full collection a step
    walked every object of the worker) and leave it as they found it, failed or not."""
    import gc

    from greenwave.crm import tasks

    assert gc.isenabled()
    seen = []
    with tasks._memory_given_back():
        seen.append(gc.isenabled())
    assert seen == [False]
    assert gc.isenabled()
    with pytest.raises(RuntimeError), tasks._memory_given_back():
        raise RuntimeError
    assert gc.isenabled()
    gc.disable()
    try:
        with tasks._memory_given_back():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
