"""The built-in Russian DOCX templates (КП, ТКП, supply contract with specification, счёт на
оплату, акт, УПД), written with python-docx as Word documents with docxtpl (Jinja) tags.

The generated files are committed in `builtin/` (so an admin can download one, edit it in
Word and upload it back as their own version); `manage.py documents_build_templates` writes
them again after this module changes, and `builtin_path` builds a missing one at first use.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from docx import Document as DocxDocument
from docx.document import Document as DocxFile
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import Table, _Cell

BUILTIN_DIR = Path(__file__).resolve().parent / "builtin"
FONT = "Times New Roman"

# The line table used by every kind: (header, cell tag, width cm, right-aligned).
LINE_COLUMNS: list[tuple[str, str, float, bool]] = [
    ("№", "{{ line.n }}", 0.8, False),
    ("Товары (работы, услуги)", "{{ line.name }}", 6.9, False),
    ("Кол-во", "{{ line.quantity }}", 1.6, True),
    ("Ед.", "{{ line.unit }}", 1.2, False),
    ("Цена", "{{ line.price }}", 2.4, True),
    ("Скидка", "{{ line.discount }}", 1.7, True),
    ("Сумма", "{{ line.amount }}", 2.6, True),
]


def _new() -> DocxFile:
    doc = DocxDocument()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.left_margin = Cm(2.0)
    section.right_margin = Cm(1.2)
    section.top_margin = section.bottom_margin = Cm(1.5)
    style = doc.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(10.5)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    style.paragraph_format.space_after = Pt(2)
    return doc


def _p(
    doc: DocxFile | _Cell,
    text: str = "",
    *,
    bold: bool = False,
    size: float | None = None,
    align: str = "",
    italic: bool = False,
    space_after: float | None = None,
) -> None:
    paragraph = doc.add_paragraph()
    if align:
        paragraph.alignment = {
            "center": WD_ALIGN_PARAGRAPH.CENTER,
            "right": WD_ALIGN_PARAGRAPH.RIGHT,
            "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
        }[align]
    if space_after is not None:
        paragraph.paragraph_format.space_after = Pt(space_after)
    run = paragraph.add_run(text)
    run.bold = bold
    run.italic = italic
    if size:
        run.font.size = Pt(size)


def _cell_text(cell: _Cell, text: str, *, bold: bool = False, right: bool = False) -> None:
    cell.text = ""
    paragraph = cell.paragraphs[0]
    paragraph.paragraph_format.space_after = Pt(0)
    if right:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    run = paragraph.add_run(text)
    run.bold = bold
    run.font.size = Pt(9.5)


def _titled_lines(cell: _Cell, title: str, *lines: str, size: float) -> None:
    """A bold title, then one tight paragraph a line (a party's requisites, a form's head)."""
    _cell_text(cell, title, bold=True)
    for text in lines:
        _p(cell, text, size=size, space_after=0)


def _grid(table: Table) -> None:
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER


def _widths(table: Table, widths: list[float]) -> None:
    """Widths on the grid (what LibreOffice reads) and on every cell (what Word reads)."""
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=False):
        column.width = Cm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=False):
            cell.width = Cm(width)


def _party(role: str) -> str:
    """The tags of a party's name, tax numbers and address (`role`: seller or buyer)."""
    return (
        "{{ R.full_name }}, ИНН {{ R.inn }}{% if R.kpp %}, КПП {{ R.kpp }}{% endif %}, "
        "{{ R.address }}"
    ).replace("R.", f"{role}.")


def _parties(
    doc: DocxFile, *, seller: tuple[str, str], buyer: tuple[str, str], widths: list[float]
) -> None:
    """The two-row table of the parties: a label and the party's details in bold."""
    parties = doc.add_table(rows=2, cols=2)
    for row, (label, text) in enumerate((seller, buyer)):
        _cell_text(parties.cell(row, 0), label)
        _cell_text(parties.cell(row, 1), text, bold=True)
    _widths(parties, widths)


def _line_rows(
    doc: DocxFile, columns: Sequence[tuple[str, str, float, bool]], *, rows_below: int = 0
) -> Table:
    """Header, a `{%tr for %}` row, the line row, a `{%tr endfor %}` row (docxtpl drops the
    two control rows when it renders), then `rows_below` empty rows for the caller to fill.
    A column: its header, the tag of a line's value, its width and whether it aligns right."""
    table = doc.add_table(rows=4 + rows_below, cols=len(columns))
    _grid(table)
    for i, (header, tag, _w, right) in enumerate(columns):
        _cell_text(table.rows[0].cells[i], header, bold=True)
        _cell_text(table.rows[2].cells[i], tag, right=right)
    _cell_text(table.rows[1].cells[0], "{%tr for line in lines %}")
    _cell_text(table.rows[3].cells[0], "{%tr endfor %}")
    _widths(table, [c[2] for c in columns])
    return table


def _lines_table(doc: DocxFile, *, with_vat_column: bool = False) -> None:
    columns = list(LINE_COLUMNS)
    if with_vat_column:
        columns.insert(6, ("НДС", "{{ line.vat_label }}", 1.4, True))
    _line_rows(doc, columns)


def _totals(doc: DocxFile) -> None:
    table = doc.add_table(rows=3, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.RIGHT
    rows = (
        ("Итого:", "{{ total }}"),
        ("{{ vat_label }}:", "{{ vat }}"),
        ("Всего к оплате:", "{{ total }}"),
    )
    for row, (label, value) in zip(table.rows, rows, strict=True):
        _cell_text(row.cells[0], label, bold=True, right=True)
        _cell_text(row.cells[1], value, bold=True, right=True)
    _widths(table, [6.0, 3.5])


def _requisites_table(doc: DocxFile, left_title: str, right_title: str) -> None:
    table = doc.add_table(rows=1, cols=2)
    _grid(table)
    left, right = table.rows[0].cells
    _titled_lines(
        left,
        left_title,
        "{{ seller.full_name }}",
        "ИНН {{ seller.inn }}{% if seller.kpp %}, КПП {{ seller.kpp }}{% endif %}",
        "{% if seller.ogrn %}ОГРН {{ seller.ogrn }}{% endif %}",
        "Адрес: {{ seller.address }}",
        "Р/с {{ seller.account }} в {{ seller.bank_name }}",
        "К/с {{ seller.corr_account }}, БИК {{ seller.bik }}",
        "",
        "{{ seller.signatory_position }}",
        "_______________ / {{ seller.signatory_short }} /",
        "М. П.",
        size=9.5,
    )
    _titled_lines(
        right,
        right_title,
        "{{ buyer.full_name }}",
        "ИНН {{ buyer.inn }}{% if buyer.kpp %}, КПП {{ buyer.kpp }}{% endif %}",
        "{% if buyer.ogrn %}ОГРН {{ buyer.ogrn }}{% endif %}",
        "Адрес: {{ buyer.address }}",
        "{% if buyer.account %}Р/с {{ buyer.account }} в {{ buyer.bank_name }}{% endif %}",
        "{% if buyer.account %}К/с {{ buyer.corr_account }}, БИК {{ buyer.bik }}{% endif %}",
        "{% if buyer.phone %}Тел.: {{ buyer.phone }}{% endif %}",
        "{{ buyer.signatory_position }}",
        "_______________ / {{ buyer.signatory_short }} /",
        "М. П.",
        size=9.5,
    )
    _widths(table, [8.4, 8.4])


def _header_block(doc: DocxFile) -> None:
    _p(doc, "{{ seller.full_name }}", bold=True, size=12)
    _p(doc, "ИНН {{ seller.inn }}{% if seller.kpp %} / КПП {{ seller.kpp }}{% endif %}", size=9)
    _p(doc, "{{ seller.address }}", size=9)
    _p(
        doc,
        "{% if seller.phone %}Тел.: {{ seller.phone }}{% endif %}"
        "{% if seller.email %}  E-mail: {{ seller.email }}{% endif %}",
        size=9,
        space_after=10,
    )


def _signature(doc: DocxFile) -> None:
    _p(doc, "")
    _p(
        doc,
        "{{ seller.signatory_position }} _______________ {{ seller.signatory_short }}",
        space_after=0,
    )
    _p(doc, "М. П.", size=9)


def build_quote(doc: DocxFile, *, technical: bool = False) -> None:
    _header_block(doc)
    _p(doc, "Исх. № {{ document.number }} от {{ document.date }}", size=10)
    _p(doc, "{{ buyer.full_name }}", align="right")
    _p(doc, "{% if buyer.contact_name %}{{ buyer.contact_name }}{% endif %}", align="right")
    _p(doc, "")
    title = "ТЕХНИКО-КОММЕРЧЕСКОЕ ПРЕДЛОЖЕНИЕ" if technical else "КОММЕРЧЕСКОЕ ПРЕДЛОЖЕНИЕ"
    _p(doc, title, bold=True, size=14, align="center")
    _p(doc, "«{{ deal.title }}»", align="center", space_after=8)
    _p(
        doc,
        "{% if buyer.contact_name %}Уважаемый(ая) {{ buyer.contact_name }}!"
        "{% else %}Уважаемые коллеги!{% endif %}",
        bold=True,
    )
    _p(
        doc,
        "{{ seller.name }} благодарит Вас за интерес к нашей продукции и предлагает "
        "следующие условия поставки:",
        align="justify",
    )
    _lines_table(doc, with_vat_column=True)
    _totals(doc)
    _p(doc, "Сумма предложения: {{ total_words }}.", italic=True)
    if technical:
        _p(doc, "")
        _p(doc, "Технические характеристики и состав поставки", bold=True, size=12)
        _p(doc, "{% for line in lines %}", space_after=0)
        _p(
            doc,
            "{{ line.n }}. {{ line.name }}{% if line.description %} — "
            "{{ line.description }}{% endif %}",
        )
        _p(doc, "{% endfor %}", space_after=0)
        _p(
            doc,
            "Продукция соответствует требованиям ГОСТ и сопровождается паспортами качества и "
            "сертификатами соответствия.",
            align="justify",
        )
    _p(doc, "")
    _p(doc, "Условия", bold=True)
    _p(doc, "• Цены указаны в рублях{% if vat_included %}, включая НДС{% endif %}.")
    _p(doc, "• Оплата: 100 % предоплата по счёту в течение 5 банковских дней.")
    _p(doc, "• Срок поставки: по согласованию, после поступления оплаты.")
    _p(doc, "• Предложение действительно до {{ document.valid_until }}.")
    _p(doc, "")
    _p(doc, "Будем рады сотрудничеству!")
    _p(
        doc,
        "Ваш менеджер: {{ manager.name }}{% if manager.email %}, {{ manager.email }}{% endif %}",
    )
    _signature(doc)


# The sections of the built-in contract: a title and its paragraphs.
_CONTRACT_SECTIONS = [
    (
        "1. ПРЕДМЕТ ДОГОВОРА",
        [
            "1.1. Поставщик обязуется передать в собственность Покупателя товар, а "
            "Покупатель — принять и оплатить его на условиях настоящего договора.",
            "1.2. Наименование, количество, цена и сроки поставки товара указаны в "
            "Спецификации (Приложение № 1), являющейся неотъемлемой частью договора.",
        ],
    ),
    (
        "2. ЦЕНА И ПОРЯДОК РАСЧЁТОВ",
        [
            "2.1. Общая сумма договора составляет {{ total }} руб. ({{ total_words }}), "
            "{% if vat_included %}в том числе НДС {{ vat }} руб.{% else %}НДС не "
            "облагается.{% endif %}",
            "2.2. Покупатель оплачивает товар путём перечисления денежных средств на "
            "расчётный счёт Поставщика в течение {{ payment_days }} банковских дней с даты "
            "выставления счёта.",
            "2.3. Обязательство Покупателя по оплате считается исполненным с момента "
            "зачисления денежных средств на корреспондентский счёт банка Поставщика.",
        ],
    ),
    (
        "3. ПОРЯДОК ПОСТАВКИ",
        [
            "3.1. Поставка осуществляется в срок, указанный в Спецификации, по адресу "
            "Покупателя: {{ buyer.address }}.",
            "3.2. Право собственности и риск случайной гибели товара переходят к "
            "Покупателю в момент подписания товарной накладной (УПД).",
        ],
    ),
    (
        "4. ОТВЕТСТВЕННОСТЬ СТОРОН",
        [
            "4.1. За просрочку оплаты Поставщик вправе потребовать уплаты пени в размере "
            "0,1 % от неоплаченной суммы за каждый день просрочки, но не более 10 % от "
            "суммы договора.",
            "4.2. Споры разрешаются путём переговоров, а при недостижении согласия — в "
            "Арбитражном суде по месту нахождения истца.",
        ],
    ),
    (
        "5. СРОК ДЕЙСТВИЯ ДОГОВОРА",
        [
            "5.1. Договор вступает в силу с момента подписания и действует до "
            "{{ contract_valid_until }}, а в части расчётов — до полного исполнения "
            "обязательств.",
            "5.2. Договор составлен в двух экземплярах, имеющих одинаковую юридическую "
            "силу, по одному для каждой из сторон.",
        ],
    ),
]


def build_contract(doc: DocxFile) -> None:
    _p(doc, "ДОГОВОР ПОСТАВКИ № {{ document.number }}", bold=True, size=13, align="center")
    table = doc.add_table(rows=1, cols=2)
    _cell_text(table.rows[0].cells[0], "г. {{ city }}")
    _cell_text(table.rows[0].cells[1], "{{ document.date }}", right=True)
    _p(doc, "")
    _p(
        doc,
        "{{ seller.full_name }}, именуемое в дальнейшем «Поставщик», в лице "
        "{{ seller.signatory_position_genitive }} {{ seller.signatory_name_genitive }}, "
        "действующего на основании {{ seller.signatory_basis }}, с одной стороны, и "
        "{{ buyer.full_name }}, именуемое в дальнейшем «Покупатель», в лице "
        "{{ buyer.signatory_position_genitive }} {{ buyer.signatory_name_genitive }}, "
        "действующего на основании {{ buyer.signatory_basis }}, с другой стороны, "
        "заключили настоящий договор о нижеследующем:",
        align="justify",
    )
    for title, paragraphs in _CONTRACT_SECTIONS:
        _p(doc, title, bold=True, align="center")
        for text in paragraphs:
            _p(doc, text, align="justify")
    _p(doc, "6. АДРЕСА, РЕКВИЗИТЫ И ПОДПИСИ СТОРОН", bold=True, align="center")
    _requisites_table(doc, "Поставщик", "Покупатель")
    _contract_specification(doc)


def _contract_specification(doc: DocxFile) -> None:
    """Appendix 1 of the contract, on a page of its own: the goods, totals, terms."""
    doc.add_page_break()
    _p(doc, "Приложение № 1", align="right", space_after=0)
    _p(doc, "к договору поставки № {{ document.number }} от {{ document.date }}", align="right")
    _p(doc, "СПЕЦИФИКАЦИЯ № 1", bold=True, size=12, align="center")
    _lines_table(doc, with_vat_column=True)
    _totals(doc)
    _p(doc, "Итого по спецификации: {{ total_words }}.", italic=True)
    _p(doc, "Срок поставки: в течение 10 рабочих дней с даты оплаты.")
    _p(doc, "Условия оплаты: в соответствии с разделом 2 договора.")
    _p(doc, "")
    _requisites_table(doc, "Поставщик", "Покупатель")


def _invoice_bank_table(doc: DocxFile) -> None:
    """The payment order sample: our bank, BIK, accounts, INN and KPP."""
    bank = doc.add_table(rows=4, cols=4)
    _grid(bank)
    _cell_text(bank.cell(0, 0), "{{ seller.bank_name }}")
    _cell_text(bank.cell(0, 2), "БИК")
    _cell_text(bank.cell(0, 3), "{{ seller.bik }}")
    _cell_text(bank.cell(1, 0), "Банк получателя")
    _cell_text(bank.cell(1, 2), "Сч. №")
    _cell_text(bank.cell(1, 3), "{{ seller.corr_account }}")
    _cell_text(bank.cell(2, 0), "ИНН {{ seller.inn }}")
    _cell_text(bank.cell(2, 1), "КПП {{ seller.kpp }}")
    _cell_text(bank.cell(2, 2), "Сч. №")
    _cell_text(bank.cell(2, 3), "{{ seller.account }}")
    _cell_text(bank.cell(3, 0), "{{ seller.name }}")
    _cell_text(bank.cell(3, 2), "")
    _widths(bank, [5.6, 4.0, 1.6, 5.6])
    bank.cell(0, 0).merge(bank.cell(0, 1))
    bank.cell(1, 0).merge(bank.cell(1, 1))
    bank.cell(3, 0).merge(bank.cell(3, 1))
    bank.cell(2, 2).merge(bank.cell(3, 2))
    bank.cell(2, 3).merge(bank.cell(3, 3))


def _invoice_parties(doc: DocxFile) -> None:
    """The supplier and the buyer with their requisites."""
    _parties(
        doc,
        seller=("Поставщик (исполнитель):", _party("seller")),
        buyer=(
            "Покупатель (заказчик):",
            _party("buyer") + "{% if buyer.account %}, р/с {{ buyer.account }} в "
            "{{ buyer.bank_name }}, к/с {{ buyer.corr_account }}, БИК {{ buyer.bik }}{% endif %}",
        ),
        widths=[4.2, 12.6],
    )


def build_invoice(doc: DocxFile) -> None:
    _p(doc, "{{ seller.full_name }}", bold=True, size=11)
    _p(doc, "Адрес: {{ seller.address }}", size=9)
    _p(
        doc,
        "Образец заполнения платёжного поручения",
        bold=True,
        size=9,
        align="center",
        space_after=2,
    )
    _invoice_bank_table(doc)
    _p(doc, "Получатель", size=8)
    _p(doc, "")
    _p(
        doc,
        "Счёт на оплату № {{ document.number }} от {{ document.date }}",
        bold=True,
        size=14,
    )
    _p(doc, "_" * 86, space_after=4)
    _invoice_parties(doc)
    _p(doc, "Основание: {{ basis }}", space_after=6)
    _lines_table(doc)
    _totals(doc)
    _p(doc, "Всего наименований {{ lines|length }}, на сумму {{ total }} руб.", space_after=0)
    _p(doc, "{{ total_words }}", bold=True)
    _p(
        doc,
        "Оплатить не позднее {{ invoice.due_date }} Оплата данного счёта означает согласие с "
        "условиями поставки товара. Товар отпускается по факту прихода денег на р/с Поставщика.",
        size=9,
    )
    _p(doc, "_" * 86)
    sign = doc.add_table(rows=1, cols=2)
    _cell_text(
        sign.cell(0, 0),
        "Руководитель ________________ {{ seller.signatory_short }}",
        bold=True,
    )
    _cell_text(
        sign.cell(0, 1),
        "Бухгалтер ________________ {{ seller.chief_accountant_short }}",
        bold=True,
    )
    _p(doc, "М. П.", size=9)


def build_act(doc: DocxFile) -> None:
    _p(
        doc,
        "Акт № {{ document.number }} от {{ document.date }}",
        bold=True,
        size=14,
    )
    _p(doc, "_" * 86, space_after=4)
    _parties(
        doc,
        seller=(
            "Исполнитель:",
            _party("seller") + ", р/с {{ seller.account }} в {{ seller.bank_name }}",
        ),
        buyer=("Заказчик:", _party("buyer")),
        widths=[3.2, 13.6],
    )
    _p(doc, "Основание: {{ basis }}", space_after=6)
    _lines_table(doc, with_vat_column=True)
    _totals(doc)
    _p(
        doc,
        "Всего оказано услуг (поставлено товаров) {{ lines|length }}, на сумму {{ total }} руб.",
    )
    _p(doc, "{{ total_words }}", bold=True)
    _p(
        doc,
        "Вышеперечисленные работы (услуги) выполнены полностью и в срок. Заказчик претензий "
        "по объёму, качеству и срокам оказания услуг не имеет.",
        size=9,
    )
    _p(doc, "_" * 86)
    sign = doc.add_table(rows=3, cols=2)
    _cell_text(sign.cell(0, 0), "ИСПОЛНИТЕЛЬ", bold=True)
    _cell_text(sign.cell(0, 1), "ЗАКАЗЧИК", bold=True)
    _cell_text(sign.cell(1, 0), "{{ seller.signatory_position }} {{ seller.name }}")
    _cell_text(sign.cell(1, 1), "{{ buyer.signatory_position }} {{ buyer.name }}")
    _cell_text(sign.cell(2, 0), "_______________ / {{ seller.signatory_short }} /")
    _cell_text(sign.cell(2, 1), "_______________ / {{ buyer.signatory_short }} /")
    _p(doc, "М. П.                                                        М. П.", size=9)


def build_upd(doc: DocxFile) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    head = doc.add_table(rows=1, cols=2)
    _grid(head)
    _cell_text(
        head.cell(0, 0),
        "Универсальный передаточный документ\nСтатус: 1\n"
        "1 — счёт-фактура и передаточный документ (акт)",
        bold=True,
    )
    _titled_lines(
        head.cell(0, 1),
        "Счёт-фактура № {{ document.number }} от {{ document.date }}",
        "Исправление № — от —",
        "Продавец: {{ seller.full_name }}",
        "Адрес: {{ seller.address }}",
        "ИНН/КПП продавца: {{ seller.inn }}/{{ seller.kpp }}",
        "Грузоотправитель и его адрес: он же",
        "Грузополучатель и его адрес: {{ buyer.full_name }}, {{ buyer.address }}",
        "К платёжно-расчётному документу № {{ invoice.number }} от {{ invoice.issue_date }}",
        "Покупатель: {{ buyer.full_name }}",
        "Адрес: {{ buyer.address }}",
        "ИНН/КПП покупателя: {{ buyer.inn }}/{{ buyer.kpp }}",
        "Валюта: наименование, код Российский рубль, 643",
        size=8.5,
    )
    _widths(head, [5.5, 21.0])
    _p(doc, "")
    columns = [
        ("№", "{{ line.n }}", 0.8),
        (
            "Наименование товара (описание выполненных работ, оказанных услуг)",
            "{{ line.name }}",
            7.5,
        ),
        ("Ед. изм.", "{{ line.unit }}", 1.4),
        ("Количество", "{{ line.quantity }}", 1.8),
        ("Цена за единицу без НДС", "{{ line.price_net }}", 2.4),
        ("Стоимость без налога — всего", "{{ line.amount_net }}", 2.6),
        ("Налоговая ставка", "{{ line.vat_label }}", 1.6),
        ("Сумма налога", "{{ line.vat_amount }}", 2.2),
        ("Стоимость с налогом — всего", "{{ line.amount }}", 2.6),
        ("Страна происхождения", "Россия", 1.8),
    ]
    # From the quantity on, the columns hold numbers: aligned right.
    aligned = [(header, tag, width, i >= 3) for i, (header, tag, width) in enumerate(columns)]
    total_row = _line_rows(doc, aligned, rows_below=1).rows[4].cells
    _cell_text(total_row[1], "Всего к оплате", bold=True)
    _cell_text(total_row[5], "{{ subtotal }}", bold=True, right=True)
    _cell_text(total_row[7], "{{ vat }}", bold=True, right=True)
    _cell_text(total_row[8], "{{ total }}", bold=True, right=True)
    _p(doc, "Всего к оплате: {{ total_words }}", italic=True)
    _p(doc, "")
    sign = doc.add_table(rows=3, cols=2)
    _cell_text(
        sign.cell(0, 0),
        "Руководитель организации ________ {{ seller.signatory_short }}",
    )
    _cell_text(sign.cell(0, 1), "Главный бухгалтер ________ {{ seller.chief_accountant_short }}")
    _cell_text(sign.cell(1, 0), "Основание передачи (сдачи) / получения (приёмки): {{ basis }}")
    _cell_text(sign.cell(1, 1), "Дата отгрузки, передачи (сдачи): {{ document.date }}")
    _cell_text(
        sign.cell(2, 0),
        "Товар (груз) передал: {{ seller.signatory_position }} ________ "
        "{{ seller.signatory_short }}",
    )
    _cell_text(
        sign.cell(2, 1),
        "Товар (груз) получил: {{ buyer.signatory_position }} ________ {{ buyer.signatory_short }}",
    )


def build_hr_application(doc: DocxFile) -> None:
    """An employee's application (заявление) of an HR process of seed 001: vacation, time off,
    business trip, dismissal — one template, the body chosen by `application.kind`; filled by
    `documents.hr_applications` from the process's form."""
    for line in (
        "{{ addressee.position_dative }} {{ seller.name }}",
        "{{ addressee.name_dative }}",
        "от {{ employee.position_genitive }} {{ employee.name_genitive }}",
    ):
        _p(doc, line, align="right")
    _p(doc, "")
    _p(doc, "ЗАЯВЛЕНИЕ", bold=True, size=13, align="center", space_after=8)
    _p(
        doc,
        '{% if application.kind == "vacation" %}Прошу предоставить мне '
        '{% if application.vacation_kind == "unpaid" %}отпуск без сохранения заработной платы'
        "{% else %}ежегодный оплачиваемый отпуск{% endif %} с {{ application.date_from }} "
        "по {{ application.date_to }} ({{ application.days }})."
        '{% elif application.kind == "time_off" %}Прошу предоставить мне отгул '
        '{{ application.date_from }} {% if application.compensation == "worked" %}в счёт ранее '
        "отработанного времени{% else %}без сохранения заработной платы{% endif %}. "
        "Причина: {{ application.reason }}."
        '{% elif application.kind == "business_trip" %}Прошу направить меня в командировку: '
        "{{ application.destination }}, с {{ application.date_from }} по "
        "{{ application.date_to }} ({{ application.days }}). Цель: {{ application.purpose }}."
        "{% if application.advance %} Прошу выдать аванс {{ application.advance }} руб."
        "{% endif %}"
        '{% elif application.kind == "dismissal" %}Прошу уволить меня по собственному желанию '
        "{{ application.last_day }}.{% if application.reason %} Причина: "
        "{{ application.reason }}.{% endif %}{% endif %}",
        align="justify",
    )
    _p(doc, "{% if application.comment %}{{ application.comment }}{% endif %}", align="justify")
    _p(doc, "")
    _p(doc, "{{ document.date }}")
    _p(doc, "________________ {{ employee.short }}", align="right")


BUILDERS: dict[str, Callable[[DocxFile], None]] = {
    "quote": build_quote,
    "tech_quote": lambda doc: build_quote(doc, technical=True),
    "contract": build_contract,
    "invoice": build_invoice,
    "act": build_act,
    "upd": build_upd,
    "hr_application": build_hr_application,
}


def _keep_tags_whole(doc: DocxFile) -> None:
    """Mark the document as Greenwave's (core properties) so a re-upload is recognisable."""
    doc.core_properties.author = "Greenwave"
    doc.core_properties.title = ""
    # An empty settings tweak keeps Word from splitting runs by proofing marks on open.
    settings = doc.settings.element
    if settings.find(qn("w:proofState")) is None:
        proof = OxmlElement("w:proofState")
        proof.set(qn("w:spelling"), "clean")
        proof.set(qn("w:grammar"), "clean")
        settings.append(proof)


def build(kind: str, path: Path) -> Path:
    doc = _new()
    BUILDERS[kind](doc)
    _keep_tags_whole(doc)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path


def builtin_path(kind: str) -> Path:
    """The built-in template of a kind (built now if the file is missing)."""
    path = BUILTIN_DIR / f"{kind}.docx"
    if not path.exists():
        build(kind, path)
    return path


def build_all(directory: Path = BUILTIN_DIR) -> list[Path]:
    return [build(kind, directory / f"{kind}.docx") for kind in BUILDERS]
