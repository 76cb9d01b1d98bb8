"""Reading and writing tables: CSV (UTF-8 or cp1251, `;` or `,`) and XLSX.

Pure functions over bytes: no database here. Import services read rows with `read_table`;
export views write with `write_csv` / `write_xlsx`.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from greenwave.core.errors import DomainError

from .errors import CrmError

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000
MAX_COLUMNS = 256
MAX_CELL_CHARS = 32_767  # Excel's own limit for one cell
# An XLSX is a zip of XML: a 58 KB file can hold 30 MB of blank rows and a 101 KB one a 100 MB
# shared string. These bound what a workbook may unpack to before a byte of it is parsed.
MAX_XLSX_UNPACKED = 200 * 1024 * 1024
MAX_XLSX_SHARED_STRINGS = 32 * 1024 * 1024
MAX_XLSX_RATIO = 100  # real workbooks compress 5-20 times; blank-row bombs 500 times
MAX_XLSX_MEMBERS = 1_000
MAX_SCANNED_ROWS = 2 * MAX_ROWS  # blank rows count here: they cost parsing time too
XLSX_MAGIC = b"PK\x03\x04"


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]  # every row as long as the headers, values stripped
    encoding: str = ""
    delimiter: str = ""


def _bad_file(message: str) -> DomainError:
    return DomainError(CrmError.BAD_FILE, message, details={"field": "file"})


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # an INN typed as a number in Excel
    if isinstance(value, datetime):
        return value.date().isoformat() if not value.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


# Text starting with one of these is run as a formula by Excel / LibreOffice (`=cmd|' /C calc'!A0`,
# `=HYPERLINK(…)`, `@SUM(…)`): exports prefix it with `'` (OWASP "CSV injection"), imports drop
# that prefix again so an exported file reads back unchanged.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _export_text(value: Any) -> Any:
    """A cell as written to a spreadsheet: numbers and dates as they are, text made inert."""
    if isinstance(value, int | float | Decimal):
        return value
    text = _cell(value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def _import_text(value: Any) -> str:
    text = _cell(value)
    if text.startswith("'") and text[1:].startswith(FORMULA_TRIGGERS):
        return text[1:]
    return text


def _csv_import_text(value: str) -> str:
    """`_import_text` of a CSV cell (always text: no number or date to convert)."""
    text = value.strip()
    if text[:1] == "'" and text[1:].startswith(FORMULA_TRIGGERS):
        return text[1:]
    return text


# The decoded text is never held whole (a 15 MB Russian file is 21 MB of text, 4 bytes a
# character once a rarer character is in it): it is checked and read `_PIECE` bytes at a time.
_PIECE = 1 << 20


def _encoding(content: bytes) -> tuple[str, str]:
    """UTF-8 (with or without BOM) if it decodes, otherwise cp1251 (Russian Excel's CSV);
    UTF-16 with its BOM (Excel's "Unicode text"): the codec of `_text_stream` and the
    encoding reported. Text with a NUL character is refused: it is binary data or UTF-16
    without a BOM, and no field could store it. The content is decoded `_PIECE` bytes at a
    time, nothing of it kept."""
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        if not _decodes(content, "utf-16"):
            raise _bad_file(_("The file is not valid UTF-16 text."))
        found = ("utf-16", "utf-16")
        nul = _decodes(content, "utf-16", nul=True)
    else:
        # UTF-8 checked without the BOM codec: its incremental decoder takes a file cut
        # inside the BOM (`\xef`) as empty text
        if _decodes(content, "utf-8"):
            found = ("utf-8-sig", "utf-8")
        elif _decodes(content, "cp1251"):
            found = ("cp1251", "cp1251")
        else:
            raise _bad_file(_("The file is neither UTF-8 nor Windows-1251 text."))
        nul = b"\x00" in content  # in both, only the byte 0 decodes to NUL
    if nul:
        raise _bad_file(
            _(
                "The file contains NUL characters: it is not CSV text "
                "(save it from Excel as CSV UTF-8)."
            )
        )
    return found


def _decodes(content: bytes, codec: str, *, nul: bool = False) -> bool:
    """Whether `content` decodes with `codec` (with `nul`: whether its text holds a NUL)."""
    decoder = codecs.getincrementaldecoder(codec)()
    view = memoryview(content)
    try:
        for start in range(0, len(view), _PIECE):
            piece = decoder.decode(view[start : start + _PIECE])
            if nul and "\x00" in piece:
                return True
        piece = decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return "\x00" in piece if nul else True


def _text_stream(content: bytes, codec: str) -> io.TextIOWrapper:
    """The text of `content` as a stream of lines as `io.StringIO(text, newline="")` yields
    them (`\r\n`, `\r` or `\n` ends a line, kept), decoded as it is read: `io.BytesIO`
    shares the bytes, so neither they nor the text are copied whole."""
    return io.TextIOWrapper(io.BytesIO(content), encoding=codec, newline="")


def _delimiter_of(content: bytes, codec: str) -> str:
    """`_delimiter` of the text's first line (up to the first `\n`), read alone."""
    counts = dict.fromkeys((";", ",", "\t"), 0)
    stream = _text_stream(content, codec)
    while piece := stream.read(1 << 16):
        first = piece.split("\n", 1)[0]
        for d in counts:
            counts[d] += first.count(d)
        if len(first) < len(piece):
            break
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ";"


def _normalise(
    headers: Sequence[str],
    raw_rows: Iterable[Sequence[Any]],
    text: Callable[[Any], str] = _import_text,
) -> list[list[str]]:
    return list(_normalised(headers, raw_rows, text))


def _normalised(
    headers: Sequence[str],
    raw_rows: Iterable[Sequence[Any]],
    text: Callable[[Any], str] = _import_text,
) -> Iterator[list[str]]:
    """The data rows one at a time, as long as the headers, within the limits (`text`: a
    cell as imported)."""
    width = len(headers)
    count = 0
    for number, raw in enumerate(raw_rows, start=2):
        if number > MAX_SCANNED_ROWS:
            raise _bad_file(
                _("The file has more than %(n)d lines, blank ones included.")
                % {"n": MAX_SCANNED_ROWS}
            )
        if text is _csv_import_text:  # inlined: a call per cell was a fifth of the parse
            values = list(map(str.strip, raw[:width]))
            # The cells joined once, for C-speed tests instead of a generator a row: a CSV
            # text holds no NUL (`_decode`), so "\0'" marks a cell that starts with a quote,
            # and no cell is longer than all of them together.
            joined = "\0".join(values)
            if joined[:1] == "'" or "\0'" in joined:
                values = [_csv_import_text(v) for v in values]
            long = len(joined) > MAX_CELL_CHARS
        else:
            values = [text(v) for v in raw[:width]]
            long = True
        if not any(values):
            continue  # blank lines are not rows
        if long and any(len(v) > MAX_CELL_CHARS for v in values):
            raise _bad_file(
                _("Row %(row)d has a cell longer than %(n)d characters.")
                % {"row": number, "n": MAX_CELL_CHARS}
            )
        count += 1
        if count > MAX_ROWS:
            raise _bad_file(_("At most %(n)d rows per file.") % {"n": MAX_ROWS})
        yield values + [""] * (width - len(values))


def _headers(raw: Sequence[Any]) -> list[str]:
    headers = [_import_text(h) for h in raw]
    while headers and not headers[-1]:
        headers.pop()
    if not headers:
        raise _bad_file(_("The first row must hold the column names."))
    if len(headers) > MAX_COLUMNS:
        raise _bad_file(_("At most %(n)d columns per file.") % {"n": MAX_COLUMNS})
    if any(len(h) > 200 for h in headers):
        raise _bad_file(_("A column name is longer than 200 characters."))
    seen: dict[str, int] = {}
    unique = []
    for index, header in enumerate(headers, start=1):
        name = header or _("Column %(n)d") % {"n": index}
        seen[name] = seen.get(name, 0) + 1
        unique.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return unique


def _csv_records(lines: Iterable[str], delimiter: str) -> Iterator[list[str]]:
    """The records of a CSV text given as its lines (`_text_stream`'s); a quote left open is
    refused, not read to the end of the file.

    Python's lenient reader takes an unclosed quote as a value running to the end of the file,
    silently merging every following line into one cell. Such a value can only be the last
    record, so only the record that reaches the end of the text is checked.
    """
    source = iter(lines)
    taken: list[str] = []  # the lines of the record being read: the reader pulls them
    ahead: list[str] = []  # the line after a record, read to tell whether the text ends

    def pull() -> Iterator[str]:
        while True:
            line = ahead.pop() if ahead else next(source, None)
            if line is None:
                return
            taken.append(line)
            yield line

    reader = csv.reader(pull(), delimiter=delimiter)
    while True:
        taken.clear()
        line_number = reader.line_num + 1
        record = next(reader, None)
        if record is None:
            return
        following = next(source, None)
        if following is not None:
            ahead.append(following)
        elif _ends_inside_quotes("".join(taken), delimiter):
            raise DomainError(
                CrmError.BAD_FILE,
                _(
                    "Line %(line)d: a quoted value starts here and is never closed; the lines "
                    "after it would be merged into one cell. Close the quote (a quote inside "
                    "a quoted value is written twice) and upload the file again."
                )
                % {"line": line_number},
                details={"field": "file", "line": line_number},
            )
        yield record


def _ends_inside_quotes(record: str, delimiter: str) -> bool:
    """Whether `record` ends within a quoted value, read as the csv module reads it (a quote
    opens a value only at its start, a doubled quote inside is a quote character)."""
    ends = (delimiter, "\r", "\n")
    state = "start"  # start of a value | plain value | quoted value | quote inside a quoted one
    for char in record:
        if state == "quoted":
            if char == '"':
                state = "quote"
        elif state == "quote":
            state = "quoted" if char == '"' else "start" if char in ends else "plain"
        elif char in ends:
            state = "start"
        elif state == "start" and char == '"':
            state = "quoted"
        else:
            state = "plain"
    return state == "quoted"


def read_table(content: bytes, file_name: str) -> Table:
    """The header row and the data rows of a CSV or XLSX file."""
    if not content:
        raise _bad_file(_("The file is empty."))
    if len(content) > MAX_FILE_BYTES:
        raise _bad_file(_("The file is larger than 20 MB."))
    if content.startswith(XLSX_MAGIC) or file_name.lower().endswith(".xlsx"):
        return _read_xlsx(content)
    codec, encoding = _encoding(content)
    delimiter = _delimiter_of(content, codec)
    try:
        records = _csv_records(_text_stream(content, codec), delimiter)
        headers = _headers(next(records, []))
        rows = _normalise(headers, records, _csv_import_text)
    except csv.Error as exc:
        raise _bad_file(_("The CSV file is broken: %(error)s.") % {"error": exc}) from exc
    return Table(headers, rows, encoding, delimiter)


def iter_table(content: bytes, file_name: str) -> tuple[Table, Callable[[], Iterator[list[str]]]]:
    """`read_table` for a reader that goes through the rows and need not hold them: the table
    without its rows (headers, encoding, delimiter), and a function giving the data rows one
    at a time (each call reads them again from the start; a refusal of the file —
    `DomainError` — may come while iterating). A CSV is parsed as it is read; an XLSX is read
    whole (`read_table`). Neither copies the content nor holds its text whole."""
    if (
        not content
        or len(content) > MAX_FILE_BYTES
        or content.startswith(XLSX_MAGIC)
        or file_name.lower().endswith(".xlsx")
    ):
        table = read_table(content, file_name)
        rows = table.rows
        return Table(table.headers, [], table.encoding, table.delimiter), lambda: iter(rows)
    codec, encoding = _encoding(content)
    delimiter = _delimiter_of(content, codec)

    def records() -> Iterator[list[str]]:
        try:
            yield from _csv_records(_text_stream(content, codec), delimiter)
        except csv.Error as exc:
            raise _bad_file(_("The CSV file is broken: %(error)s.") % {"error": exc}) from exc

    headers = _headers(next(records(), []))

    def data_rows() -> Iterator[list[str]]:
        raw = records()
        next(raw, None)  # the header row
        yield from _normalised(headers, raw, _csv_import_text)

    return Table(headers, [], encoding, delimiter), data_rows


class ZipLimitError(Exception):
    """A zip archive outside the limits: `reason` is "unreadable", "members", "unpacked" or
    "ratio"; `member` the name of the member at fault and `size` the figure that broke it."""

    def __init__(self, reason: str, *, member: str = "", size: int = 0) -> None:
        super().__init__(reason)
        self.reason, self.member, self.size = reason, member, size


def zip_members(
    content: bytes, *, each: Callable[[zipfile.ZipInfo], None] | None = None
) -> list[zipfile.ZipInfo]:
    """The members of a zip archive within the zip-bomb limits, before anything is unpacked:
    at most MAX_XLSX_MEMBERS members, MAX_XLSX_UNPACKED bytes unpacked in all, and no member
    above 1 MB unpacking to more than MAX_XLSX_RATIO times its packed size. `each` sees every
    member before its ratio is checked (a caller's own limits). Raises `ZipLimitError`.

    The sizes are those the zip declares; reading a member never yields more than its declared
    size (zipfile stops there and checks the CRC), so the declared sizes bound the work.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ZipLimitError("unreadable") from exc
    if len(members) > MAX_XLSX_MEMBERS:
        raise ZipLimitError("members", size=len(members))
    unpacked = sum(m.file_size for m in members)
    if unpacked > MAX_XLSX_UNPACKED:
        raise ZipLimitError("unpacked", size=unpacked)
    for member in members:
        if each is not None:
            each(member)
        if member.file_size > 2**20 and member.file_size > MAX_XLSX_RATIO * max(
            member.compress_size, 1
        ):
            raise ZipLimitError("ratio", member=member.filename, size=member.file_size)
    return members


def _shared_strings_limit(member: zipfile.ZipInfo) -> None:
    if member.filename.lower().endswith("sharedstrings.xml") and (
        member.file_size > MAX_XLSX_SHARED_STRINGS
    ):
        raise _bad_file(
            _("The workbook's text table is larger than %(max)d MB.")
            % {"max": MAX_XLSX_SHARED_STRINGS // 2**20}
        )


def _check_xlsx_archive(content: bytes) -> None:
    """Refuse a workbook that would unpack to too much before openpyxl reads any of it."""
    try:
        zip_members(content, each=_shared_strings_limit)
    except ZipLimitError as exc:
        if exc.reason == "members":
            message = _("The workbook has too many parts to be a spreadsheet of data.")
        elif exc.reason == "unpacked":
            message = _(
                "The workbook unpacks to %(mb)d MB; at most %(max)d MB can be imported."
            ) % {
                "mb": exc.size // 2**20,
                "max": MAX_XLSX_UNPACKED // 2**20,
            }
        elif exc.reason == "ratio":
            message = _(
                "The workbook unpacks to more than %(ratio)d times its size (blank rows or "
                "a zip bomb); save the data alone into a new workbook."
            ) % {"ratio": MAX_XLSX_RATIO}
        else:
            message = _("The file is not a readable XLSX workbook.")
        raise _bad_file(message) from exc


def _read_xlsx(content: bytes) -> Table:
    from openpyxl import load_workbook

    _check_xlsx_archive(content)
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # zipfile, XML and openpyxl errors alike
        raise _bad_file(_("The file is not a readable XLSX workbook.")) from exc
    try:
        sheet = book.worksheets[0]
        # The declared dimension (`A1:XFD1048576` in a hostile file) would pad every row to it.
        sheet.reset_dimensions()
        rows = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1)
        headers = _headers(next(rows, ()))
        return Table(headers, _normalise(headers, rows), "xlsx", "")
    except DomainError:
        raise
    except Exception as exc:  # a sheet whose XML breaks half-way
        raise _bad_file(_("The file is not a readable XLSX workbook.")) from exc
    finally:
        book.close()


def write_csv(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
    """`;`-separated UTF-8 with a BOM: what Russian Excel opens without asking."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow([_export_text(h) for h in headers])
    yield ("\ufeff" + buffer.getvalue()).encode()
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([_cell(_export_text(v)) for v in row])
        yield buffer.getvalue().encode()


def write_xlsx(title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """One sheet; text cells are typed as strings (openpyxl would store `=…` as a formula)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])

    def cells(values: Iterable[Any]) -> list[Any]:
        out: list[Any] = []
        for value in values:
            value = _export_text(value)
            if isinstance(value, str):
                cell = WriteOnlyCell(sheet, value=value)
                cell.data_type = "s"
                value = cell
            out.append(value)
        return out

    sheet.append(cells(headers))
    for row in rows:
        sheet.append(cells(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
