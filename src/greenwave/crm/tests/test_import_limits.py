"""Hostile spreadsheets are refused early: zip bombs, blank-row floods, giant strings and cells.

Each file is built by hand as the zip of XML an XLSX is, so the test controls exactly what
the archive declares and holds.
"""

from __future__ import annotations

import io
import zipfile

import pytest
from django.utils import translation

from greenwave.core.errors import DomainError
from greenwave.crm import tabular
from greenwave.crm.tabular import read_table


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


PKG = "http://schemas.openxmlformats.org/package/2006"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
SML = "application/vnd.openxmlformats-officedocument.spreadsheetml"
XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>'
CONTENT_TYPES = (
    f'{XML_HEAD}<Types xmlns="{PKG}/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{SML}.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{SML}.worksheet+xml"/>'
    f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SML}.sharedStrings+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    f'{XML_HEAD}<Relationships xmlns="{PKG}/relationships">'
    f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK = (
    f'{XML_HEAD}<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    f'xmlns:r="{REL}"><sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    f'{XML_HEAD}<Relationships xmlns="{PKG}/relationships">'
    f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)


def _workbook(
    rows_xml: str,
    shared: list[str] = (),  # type: ignore[assignment]
    *,
    dimension: str = "A1:B3",
    compression: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="{dimension}"/><sheetData>{rows_xml}</sheetData></worksheet>'
    )
    strings = "".join(f"<si><t>{s}</t></si>" for s in shared)
    shared_xml = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'count="{len(shared)}" uniqueCount="{len(shared)}">{strings}</sst>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
        archive.writestr("xl/sharedStrings.xml", shared_xml)
    return buffer.getvalue()


def _text_row(number: int, *indexes: int) -> str:
    cells = "".join(
        f'<c r="{chr(65 + col)}{number}" t="s"><v>{index}</v></c>'
        for col, index in enumerate(indexes)
    )
    return f'<row r="{number}">{cells}</row>'


def _refusal(content: bytes) -> str:
    with pytest.raises(DomainError) as caught:
        read_table(content, "clients.xlsx")
    return caught.value.message


def test_a_plain_hand_built_workbook_reads():
    content = _workbook(
        _text_row(1, 0, 1) + _text_row(2, 2, 3), ["Название", "ИНН", "Ромашка", "7707083893"]
    )
    table = read_table(content, "clients.xlsx")
    assert table.headers == ["Название", "ИНН"]
    assert table.rows == [["Ромашка", "7707083893"]]


def test_a_flood_of_blank_rows_is_refused_before_parsing():
    # 3 000 000 blank rows: 18 MB of XML that deflates to a few KB (the 58 KB / 30 MB finding).
    blank = "<row/>" * 3_000_000
    content = _workbook(_text_row(1, 0) + blank, ["Название"])
    assert len(content) < 100_000
    assert "times its size" in _refusal(content)


@pytest.mark.parametrize("compression", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
def test_blank_rows_below_the_ratio_are_stopped_by_the_line_limit(monkeypatch, compression):
    # Stored, or numbered rows (which deflate only ~7 times), pass the ratio check; the scan
    # limit stops them.
    monkeypatch.setattr(tabular, "MAX_SCANNED_ROWS", 5_000)
    blank = "".join(f'<row r="{n}"/>' for n in range(2, 6_000))
    content = _workbook(_text_row(1, 0) + blank, ["Название"], compression=compression)
    assert "blank ones included" in _refusal(content)


def test_a_giant_shared_string_is_refused_before_it_is_loaded():
    content = _workbook(_text_row(1, 0) + _text_row(2, 1), ["Название", "a" * (40 * 2**20)])
    assert len(content) < 200_000  # the 101 KB file with a 100 MB string of the finding
    assert "text table" in _refusal(content)


def test_a_cell_longer_than_excel_allows_is_refused_with_its_row():
    long_text = "б" * (tabular.MAX_CELL_CHARS + 1)
    content = _workbook(
        _text_row(1, 0) + _text_row(2, 1) + _text_row(3, 2), ["Название", "Ромашка", long_text]
    )
    assert "Row 3" in _refusal(content)


def test_a_long_csv_cell_is_refused_too():
    content = ("Название;ИНН\nРомашка;" + "9" * (tabular.MAX_CELL_CHARS + 1) + "\n").encode()
    with pytest.raises(DomainError, match="Row 2"):
        read_table(content, "clients.csv")


def test_too_many_columns_are_refused():
    header = ";".join(f"c{n}" for n in range(tabular.MAX_COLUMNS + 1))
    with pytest.raises(DomainError, match="columns"):
        read_table((header + "\n" + "x\n").encode(), "clients.csv")


def test_a_hostile_dimension_does_not_pad_every_row():
    content = _workbook(
        _text_row(1, 0, 1) + _text_row(2, 2, 3),
        ["Название", "ИНН", "Ромашка", "7707083893"],
        dimension="A1:XFD1048576",
    )
    table = read_table(content, "clients.xlsx")
    assert table.rows == [["Ромашка", "7707083893"]]


def test_a_sheet_whose_xml_breaks_half_way_is_a_clear_refusal():
    content = _workbook(_text_row(1, 0) + "<row r='2'><c r='A2' t='s'><v>0</v>", ["Название"])
    assert "not a readable XLSX" in _refusal(content)


def test_a_zip_that_is_not_a_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for n in range(tabular.MAX_XLSX_MEMBERS + 1):
            archive.writestr(f"junk/{n}.txt", "")
    assert "too many parts" in _refusal(buffer.getvalue())
