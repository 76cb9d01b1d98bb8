"""Uploaded templates: a good one is stored with its variables; not a DOCX, a zip bomb,
macros, a broken or unknown tag are refused with a clear message and nothing is stored."""

from __future__ import annotations

import io
import zipfile

import pytest
from docx import Document as DocxDocument

from greenwave.core.errors import DomainError
from greenwave.documents import services
from greenwave.documents.builtin import builtin_path
from greenwave.documents.errors import DocumentsError
from greenwave.documents.models import DocumentTemplate

pytestmark = pytest.mark.django_db


def _docx(*paragraphs: str) -> bytes:
    doc = DocxDocument()
    for text in paragraphs:
        doc.add_paragraph(text)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _upload(seller, data: bytes, kind: str = "quote"):
    return services.document_template_upload(
        actor=None, legal_entity=seller, kind=kind, name="Наш КП", file_name="kp.docx", data=data
    )


def _refused(seller, data: bytes) -> DomainError:
    with pytest.raises(DomainError) as caught:
        _upload(seller, data)
    assert caught.value.code == DocumentsError.INVALID_TEMPLATE
    assert not DocumentTemplate.objects.exists()
    return caught.value


def test_a_good_template_is_stored_with_the_variables_it_uses(seller) -> None:
    template = _upload(seller, _docx("КП № {{ document.number }} для {{ buyer.name }}"))
    assert template.variables == ["buyer.name", "document.number"]
    assert template.file.name.endswith(".docx")


def test_every_built_in_template_passes_its_own_check(seller) -> None:
    for kind in ("quote", "tech_quote", "contract", "invoice", "act", "upd"):
        _upload(seller, builtin_path(kind).read_bytes(), kind=kind)
    assert DocumentTemplate.objects.count() == 6


def test_not_a_docx_is_refused(seller) -> None:
    error = _refused(seller, b"%PDF-1.4 this is a pdf")
    assert error.details["reason"] == "not_docx"
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert _refused(seller, zipped.getvalue()).details["reason"] == "not_docx"


def test_a_zip_bomb_is_refused(seller) -> None:
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"0" * (70 * 1024 * 1024))
    assert len(bomb.getvalue()) < 1024 * 1024
    assert _refused(seller, bomb.getvalue()).details["reason"] == "zip_bomb"


def test_macros_are_refused(seller) -> None:
    source = io.BytesIO(_docx("{{ document.number }}"))
    infected = io.BytesIO()
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(infected, "w") as out:
        for item in src.infolist():
            out.writestr(item, src.read(item.filename))
        out.writestr("word/vbaProject.bin", b"\x00macro")
    assert _refused(seller, infected.getvalue()).details["reason"] == "macros"


def test_a_broken_tag_is_named_with_its_paragraph(seller) -> None:
    error = _refused(seller, _docx("Шапка", "Итого: {{ total }", "Подпись"))
    assert error.details["reason"] == "broken_tag"
    assert error.details["paragraph"] == 2
    assert "{{ total }" in error.message
    assert "paragraph 2" in error.message


def test_an_unclosed_loop_is_refused(seller) -> None:
    error = _refused(seller, _docx("{% for line in lines %}", "{{ line.name }}"))
    assert error.details["reason"] == "broken_tag"


def test_an_unknown_variable_is_refused(seller) -> None:
    error = _refused(seller, _docx("{{ client.secret }}"))
    assert error.details["reason"] == "unknown_variable"
    assert error.details["variables"] == ["client"]


def test_a_sandbox_escape_is_refused(seller) -> None:
    _refused(seller, _docx("{{ lines.__class__.__mro__ }}"))
