"""DOCX templates: checking an uploaded one, rendering one with docxtpl in a Jinja sandbox,
reading the text back (the preview) and converting to PDF with LibreOffice headless.

An uploaded template is refused, before anything is stored, when it is not a DOCX, is a zip
bomb (uncompressed size or ratio), carries macros (vbaProject, macro-enabled content types)
or has a broken or unknown Jinja tag — the message names the tag and the paragraph.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from docx import Document as DocxDocument
from docxtpl import DocxTemplate
from jinja2 import TemplateSyntaxError, meta, nodes
from jinja2.sandbox import SandboxedEnvironment

from greenwave.core.errors import DomainError

from .errors import DocumentsError

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 60 * 1024 * 1024
MAX_MEMBERS = 2000
MAX_RATIO = 150  # a DOCX part compresses ~10×; a bomb ~1000×
PDF_TIMEOUT_SECONDS = 90

# The variables a template can use (the template pages list them), top level → description in
# the reader's language (the Russian wording is the documents catalog's).
VARIABLES: dict[str, StrOrPromise] = {
    "document.number": pgettext_lazy("template variable", "Document number"),
    "document.date": pgettext_lazy("template variable", "Document date («4 December 2026»)"),
    "document.title": pgettext_lazy("template variable", "Name of the kind of document"),
    "document.valid_until": pgettext_lazy("template variable", "Offer valid until"),
    "seller.name": pgettext_lazy("template variable", "Short name of our organisation"),
    "seller.full_name": pgettext_lazy("template variable", "Full name"),
    "seller.inn": pgettext_lazy("template variable", "INN"),
    "seller.kpp": pgettext_lazy("template variable", "KPP"),
    "seller.ogrn": pgettext_lazy("template variable", "OGRN"),
    "seller.address": pgettext_lazy("template variable", "Legal address"),
    "seller.phone": pgettext_lazy("template variable", "Phone"),
    "seller.email": pgettext_lazy("template variable", "E-mail"),
    "seller.bank_name": pgettext_lazy("template variable", "Bank"),
    "seller.bik": pgettext_lazy("template variable", "BIK"),
    "seller.account": pgettext_lazy("template variable", "Settlement account"),
    "seller.corr_account": pgettext_lazy("template variable", "Correspondent account"),
    "seller.signatory_name": pgettext_lazy("template variable", "Signatory (full name)"),
    "seller.signatory_short": pgettext_lazy("template variable", "Signatory: surname and initials"),
    "seller.signatory_position": pgettext_lazy("template variable", "Signatory's position"),
    "seller.signatory_name_genitive": pgettext_lazy(
        "template variable", "Signatory's full name in the genitive («в лице …»)"
    ),
    "seller.signatory_position_genitive": pgettext_lazy(
        "template variable", "Position in the genitive"
    ),
    "seller.signatory_basis": pgettext_lazy("template variable", "Acts on the basis of («Устава»)"),
    "seller.chief_accountant": pgettext_lazy("template variable", "Chief accountant"),
    "seller.chief_accountant_short": pgettext_lazy(
        "template variable", "Chief accountant: surname and initials"
    ),
    "buyer.name": pgettext_lazy("template variable", "Client: name"),
    "buyer.full_name": pgettext_lazy("template variable", "Client: full name"),
    "buyer.inn": pgettext_lazy("template variable", "Client: INN"),
    "buyer.kpp": pgettext_lazy("template variable", "Client: KPP"),
    "buyer.ogrn": pgettext_lazy("template variable", "Client: OGRN"),
    "buyer.address": pgettext_lazy("template variable", "Client: address"),
    "buyer.phone": pgettext_lazy("template variable", "Client: phone"),
    "buyer.email": pgettext_lazy("template variable", "Client: e-mail"),
    "buyer.contact_name": pgettext_lazy("template variable", "Contact person / decision maker"),
    "buyer.bank_name": pgettext_lazy("template variable", "Client's bank"),
    "buyer.bik": pgettext_lazy("template variable", "BIK of the client's bank"),
    "buyer.account": pgettext_lazy("template variable", "Client's settlement account"),
    "buyer.corr_account": pgettext_lazy(
        "template variable", "Correspondent account of the client's bank"
    ),
    "buyer.signatory_name": pgettext_lazy(
        "template variable", "Client's signatory (decision maker)"
    ),
    "buyer.signatory_short": pgettext_lazy(
        "template variable", "Client's signatory: surname and initials"
    ),
    "buyer.signatory_position": pgettext_lazy(
        "template variable", "Position of the client's signatory"
    ),
    "buyer.signatory_name_genitive": pgettext_lazy(
        "template variable", "Client's signatory in the genitive"
    ),
    "buyer.signatory_position_genitive": pgettext_lazy(
        "template variable", "Position of the client's signatory in the genitive"
    ),
    "buyer.signatory_basis": pgettext_lazy(
        "template variable", "The client's signatory acts on the basis of"
    ),
    "deal.title": pgettext_lazy("template variable", "Deal: title"),
    "deal.id": pgettext_lazy("template variable", "Deal: number"),
    "deal.price_list": pgettext_lazy("template variable", "Deal's price list"),
    "manager.name": pgettext_lazy("template variable", "Responsible manager"),
    "manager.email": pgettext_lazy("template variable", "Manager's e-mail"),
    "lines": pgettext_lazy(
        "template variable",
        "Lines: for each line — n, name, description, quantity, unit, price, "
        "discount, amount, vat_label, vat_amount, price_net, amount_net",
    ),
    "total": pgettext_lazy("template variable", "Total with VAT"),
    "subtotal": pgettext_lazy("template variable", "Total without VAT"),
    "vat": pgettext_lazy("template variable", "VAT amount"),
    "vat_label": pgettext_lazy("template variable", "«В том числе НДС» / «Без налога (НДС)»"),
    "vat_included": pgettext_lazy("template variable", "Whether VAT is charged (yes/no)"),
    "total_words": pgettext_lazy("template variable", "Amount in words («Сто рублей 00 копеек»)"),
    "invoice.number": pgettext_lazy("template variable", "Invoice: number"),
    "invoice.issue_date": pgettext_lazy("template variable", "Invoice: date"),
    "invoice.due_date": pgettext_lazy("template variable", "Invoice: pay by"),
    "basis": pgettext_lazy("template variable", "Basis (contract / deal)"),
    "city": pgettext_lazy("template variable", "City where the contract is made"),
    "payment_days": pgettext_lazy("template variable", "Payment term, banking days"),
    "contract_valid_until": pgettext_lazy("template variable", "Contract valid until"),
}
TOP_LEVEL = {name.split(".")[0] for name in VARIABLES} | {"loop", "range"}

_DOCXTPL_PREFIX = re.compile(r"\{%-?\s*(?:tr|tc|p|r)\s")
_DOCXTPL_VAR_PREFIX = re.compile(r"\{\{-?\s*(?:r|p)\s")


def _refuse(message: str, **details: Any) -> DomainError:
    return DomainError(DocumentsError.INVALID_TEMPLATE, message, details=details)


def _environment() -> SandboxedEnvironment:
    return SandboxedEnvironment(autoescape=True)


# --- checking an upload -------------------------------------------------------------------


def _check_archive(data: bytes) -> None:
    if len(data) > MAX_UPLOAD_BYTES:
        raise _refuse(_("The file is larger than 10 MB."), reason="too_large")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as exc:
        raise _refuse(
            _("This is not a DOCX file: save the template in Word as «Документ Word (*.docx)»."),
            reason="not_docx",
        ) from exc
    with archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise _refuse(_("The archive has too many parts."), reason="zip_bomb")
        total = sum(m.file_size for m in members)
        if total > MAX_UNCOMPRESSED_BYTES:
            raise _refuse(
                _("The file unpacks to more than 60 MB: refused as a possible zip bomb."),
                reason="zip_bomb",
            )
        for member in members:
            if member.file_size > 1_000_000 and member.file_size > MAX_RATIO * max(
                member.compress_size, 1
            ):
                raise _refuse(
                    _(
                        "A part of the file is compressed suspiciously well: refused as a "
                        "possible zip bomb."
                    ),
                    reason="zip_bomb",
                )
        names = {m.filename for m in members}
        if "word/document.xml" not in names or "[Content_Types].xml" not in names:
            raise _refuse(
                _("This is not a DOCX file: it has no Word document inside."), reason="not_docx"
            )
        content_types = archive.read("[Content_Types].xml").decode("utf-8", "replace")
        if any("vbaproject" in n.lower() for n in names) or "macroEnabled" in content_types:
            raise _refuse(
                _("The template contains macros: save it as a plain .docx without macros."),
                reason="macros",
            )


def _paragraph_texts(data: bytes) -> list[str]:
    """Every paragraph's text: the body in reading order (tables inside), then the headers
    and footers."""
    document = DocxDocument(io.BytesIO(data))
    texts: list[str] = []

    def walk(container: Any) -> None:
        for block in container.iter_inner_content():
            if hasattr(block, "rows"):
                for row in block.rows:
                    seen: set[int] = set()
                    for cell in row.cells:
                        if id(cell._tc) in seen:
                            continue
                        seen.add(id(cell._tc))
                        walk(cell)
            else:
                texts.append(block.text)

    walk(document)
    # Headers and footers after the body, so that paragraph numbers count the body's.
    for section in document.sections:
        texts.extend(p.text for p in section.header.paragraphs)
        texts.extend(p.text for p in section.footer.paragraphs)
    return texts


def _as_jinja(text: str) -> str:
    return _DOCXTPL_VAR_PREFIX.sub("{{ ", _DOCXTPL_PREFIX.sub("{% ", text))


def _used_names(ast: nodes.Template) -> list[str]:
    """`seller.inn`-style names the template reads (attributes of the top-level variables)."""
    found: set[str] = set()
    for node in ast.find_all(nodes.Getattr):
        if isinstance(node.node, nodes.Name):
            found.add(f"{node.node.name}.{node.attr}")
    for name in meta.find_undeclared_variables(ast):
        if not any(f.startswith(name + ".") for f in found):
            found.add(name)
    return sorted(found)


def _alone_fails(text: str) -> bool:
    """Does the paragraph's own expressions fail to parse (block tags left out)?"""
    try:
        _environment().parse(re.sub(r"\{%.*?%\}", "", _as_jinja(text)))
    except TemplateSyntaxError:
        return True
    return False


def _broken_paragraph(texts: list[str], lineno: int) -> int:
    """The paragraph to name: the first one up to where Jinja stopped whose own tags are
    broken (Jinja often stops a line later), else the line it stopped at."""
    for index in range(min(lineno, len(texts))):
        if _alone_fails(texts[index]):
            return index
    return min(max(lineno - 1, 0), max(len(texts) - 1, 0))


@dataclass(frozen=True)
class TemplateCheck:
    variables: list[str]


def check_template(data: bytes) -> TemplateCheck:
    """Refuse a file that is not a safe DOCX with sound tags; the variables it uses."""
    _check_archive(data)
    try:
        texts = _paragraph_texts(data)
    except Exception as exc:  # python-docx raises many types on a damaged package
        raise _refuse(_("The DOCX file is damaged and cannot be read."), reason="not_docx") from exc
    source = "\n".join(_as_jinja(t.replace("\n", " ")) for t in texts)
    env = _environment()
    try:
        ast = env.parse(source)
    except TemplateSyntaxError as exc:
        index = _broken_paragraph(texts, exc.lineno or 1)
        place = texts[index] if index < len(texts) else ""
        tags = re.findall(r"\{[{%].*?(?:[}%]\}|$)", place) or [place]
        raise _refuse(
            _("Broken tag %(tag)s in paragraph %(n)s («%(text)s»): %(error)s")
            % {
                "tag": tags[-1][:80],
                "n": index + 1,
                "text": place[:120],
                "error": exc.message or "",
            },
            reason="broken_tag",
            paragraph=index + 1,
            tag=tags[-1][:80],
        ) from exc
    unknown = sorted(set(meta.find_undeclared_variables(ast)) - TOP_LEVEL)
    if unknown:
        raise _refuse(
            _("Unknown variable %(name)s: use the variables listed on the template page.")
            % {"name": ", ".join(unknown)},
            reason="unknown_variable",
            variables=unknown,
        )
    try:
        render_docx(data, sample_context())
    except DomainError as exc:
        raise _refuse(exc.message, reason="render_failed") from exc
    return TemplateCheck(variables=_used_names(ast))


# --- rendering ----------------------------------------------------------------------------


def render_docx(template: bytes | Path, context: dict[str, Any]) -> bytes:
    source: Any = io.BytesIO(template) if isinstance(template, bytes) else str(template)
    try:
        document = DocxTemplate(source)
        document.render(context, jinja_env=_environment(), autoescape=True)
        out = io.BytesIO()
        document.save(out)
    except TemplateSyntaxError as exc:
        raise DomainError(
            DocumentsError.RENDER_FAILED,
            _("The template has a broken tag (line %(line)s): %(error)s")
            % {"line": exc.lineno, "error": exc.message},
        ) from exc
    except Exception as exc:  # a template is user data: any failure is the template's
        raise DomainError(
            DocumentsError.RENDER_FAILED,
            _("The template could not be filled in: %(error)s") % {"error": str(exc)[:200]},
        ) from exc
    return out.getvalue()


def docx_text(data: bytes) -> str:
    """The text of a rendered DOCX (the preview when there is no PDF)."""
    try:
        texts = _paragraph_texts(data)
    except Exception:  # a preview never breaks the page
        return ""
    lines: list[str] = []
    for text in texts:
        if text.strip() or (lines and lines[-1]):
            lines.append(text.strip())
    return "\n".join(lines).strip()


# --- PDF ----------------------------------------------------------------------------------


class PdfUnavailableError(Exception):
    """Why no PDF could be made (shown next to the PDF button)."""


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def pdf_unavailable_reason() -> str:
    """Empty when LibreOffice is there; else what the PDF button says."""
    if soffice_path() is None:
        return _(
            "PDF is unavailable: LibreOffice (soffice) is not installed on the server "
            "(Debian package libreoffice-writer-nogui). Download the DOCX instead."
        )
    return ""


def convert_to_pdf(data: bytes, *, timeout: int = PDF_TIMEOUT_SECONDS) -> bytes:
    """DOCX → PDF with `soffice --headless --convert-to pdf` in a temporary directory, with
    a profile of its own (two conversions at once must not share one) and a timeout."""
    binary = soffice_path()
    if binary is None:
        raise PdfUnavailableError(pdf_unavailable_reason())
    with tempfile.TemporaryDirectory(prefix="gw-pdf-") as tmp:
        folder = Path(tmp)
        source = folder / "document.docx"
        source.write_bytes(data)
        command = [
            binary,
            "--headless",
            "--norestore",
            "--nolockcheck",
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            str(source),
        ]
        try:
            subprocess.run(  # noqa: S603 - a fixed command on a file we wrote
                command, capture_output=True, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired as exc:
            raise PdfUnavailableError(
                _("PDF conversion took longer than %(n)s s and was stopped.") % {"n": timeout}
            ) from exc
        result = folder / "document.pdf"
        if not result.exists():
            raise PdfUnavailableError(_("LibreOffice could not convert this document to PDF."))
        return result.read_bytes()


# --- a sample to check templates with -----------------------------------------------------


def sample_context() -> dict[str, Any]:
    """A full context with made-up values: every variable exists (an upload is checked by
    rendering it with this, and the template page previews with it)."""
    party = {
        "name": "ООО «Пример»",
        "full_name": "Общество с ограниченной ответственностью «Пример»",
        "inn": "7701234560",
        "kpp": "770101001",
        "ogrn": "1027700123450",
        "address": "г. Москва, ул. Примерная, д. 1",
        "phone": "+7 495 123-45-67",
        "email": "info@example.ru",
        "bank_name": "ПАО Сбербанк",
        "bik": "044525225",
        "account": "40702810938000012345",
        "corr_account": "30101810400000000225",
        "signatory_name": "Иванов Иван Иванович",
        "signatory_short": "Иванов И. И.",
        "signatory_position": "Генеральный директор",
        "signatory_name_genitive": "Иванова Ивана Ивановича",
        "signatory_position_genitive": "Генерального директора",
        "signatory_basis": "Устава",
        "chief_accountant": "Петрова Мария Сергеевна",
        "chief_accountant_short": "Петрова М. С.",
        "contact_name": "Иванов Иван Иванович",
    }
    line = {
        "n": 1,
        "name": "Товар",
        "description": "",
        "quantity": "1",
        "unit": "шт",
        "price": "100,00",
        "discount": "",
        "amount": "100,00",
        "vat_label": "20%",
        "vat_amount": "16,67",
        "price_net": "83,33",
        "amount_net": "83,33",
    }
    return {
        "document": {
            "number": "1",
            "date": "1 декабря 2026 г.",
            "title": "Документ",
            "valid_until": "31 декабря 2026 г.",
        },
        "seller": party,
        "buyer": party,
        "deal": {"title": "Сделка", "id": 1, "price_list": ""},
        "manager": {"name": "Менеджер", "email": "manager@example.ru"},
        "lines": [line],
        "total": "100,00",
        "subtotal": "83,33",
        "vat": "16,67",
        "vat_label": "В том числе НДС",
        "vat_included": True,
        "total_words": "Сто рублей 00 копеек",
        "invoice": {"number": "1", "issue_date": "1 декабря 2026 г.", "due_date": "6 декабря"},
        "basis": "Договор № 1",
        "city": "Москва",
        "payment_days": 5,
        "contract_valid_until": "31 декабря 2027 г.",
    }
