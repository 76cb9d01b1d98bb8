"""CommerceML 2 — the XML of the 1C:Управление торговлей ↔ site exchange: reading the
catalogue (`import.xml`: Классификатор + Каталог) and the offers with prices (`offers.xml`:
ПакетПредложений), and writing orders (Документ «Заказ товара»).

Reading is strict: lxml with entities, DTDs and the network off and a size limit; a DOCTYPE, an
element outside the format, a broken tree or bytes that are not in the declared encoding
(UTF-8 or windows-1251) is an error naming the line. This module only parses and builds XML;
`services` writes what it reads through the crm services.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from lxml import etree

from greenwave.core.errors import DomainError
from greenwave.core.safe_xml import safe_xml_parser

from .errors import IntegrationsError
from .notes import Note, note

MAX_FILE_BYTES = 50 * 1024 * 1024
NAMESPACE = "urn:1C.ru:commerceml_2"
SCHEMA_VERSION = "2.05"

# Every element of the catalogue, offers and orders documents of CommerceML 2.03–2.10 that a
# 1C:УТ export carries. What Greenwave does not keep (properties, stock, owners…) is read
# past; anything else is refused so that a wrong file is never half-understood.
_KNOWN_NAMES = """
    КоммерческаяИнформация Классификатор Каталог ПакетПредложений ИзмененияПакетаПредложений Ид
    ИдРодителя Наименование Описание Владелец ИдКлассификатора ИдКаталога ИдТипаЦены Группы
    Группа Свойства Свойство ТипЗначений ВариантыЗначений Справочник ИдЗначения Значение
    ДляТоваров ДляПредложений Обязательное Множественное ИспользованиеСвойства Товары Товар
    Артикул Штрихкод ШтрихКод БазоваяЕдиница Пересчет Единица Коэффициент Картинка Изготовитель
    Страна ТорговаяМарка ЗначенияСвойств ЗначенияСвойства СтавкиНалогов СтавкаНалога Ставка
    ЗначенияРеквизитов ЗначениеРеквизита ХарактеристикиТовара ХарактеристикаТовара Статус Вес
    Код ПолноеНаименование ТипыЦен ТипЦены Валюта Налог УчтеноВСумме Акциз Предложения
    Предложение Цены Цена Представление ЦенаЗаЕдиницу Количество Склады Склад ОстаткиПоСкладам
    Остаток ОфициальноеНаименование ИНН КПП ОКПО ЮридическийАдрес Адрес АдресноеПоле Тип
    РасчетныеСчета РасчетныйСчет НомерСчета Банк СчетКорреспондентский БИК Контакты Контакт
    Представители Представитель Отношение Контрагент Роль Комментарий ЕдиницыИзмерения
    ЕдиницаИзмерения НаименованиеКраткое НаименованиеПолное МеждународноеСокращение
"""
KNOWN_ELEMENTS = frozenset(_KNOWN_NAMES.split())

OKEI_UNITS = {
    "796": "pcs",
    "166": "kg",
    "168": "t",
    "112": "l",
    "006": "m",
    "055": "m2",
    "778": "pack",
    "839": "set",
    "356": "hour",
    "362": "month",
}
UNIT_NAMES = {
    "шт": "pcs",
    "штука": "pcs",
    "кг": "kg",
    "килограмм": "kg",
    "т": "t",
    "тонна": "t",
    "л": "l",
    "литр": "l",
    "м": "m",
    "метр": "m",
    "м2": "m2",
    "м²": "m2",
    "упак": "pack",
    "упаковка": "pack",
    "компл": "set",
    "комплект": "set",
    "ч": "hour",
    "час": "hour",
    "мес": "month",
    "месяц": "month",
    "усл": "service",
    "услуга": "service",
}
VAT_RATES = {"20": "20", "10": "10", "0": "0", "без ндс": "none", "без налога": "none"}
CURRENCIES = {
    "руб": "RUB",
    "руб.": "RUB",
    "rub": "RUB",
    "643": "RUB",
    "usd": "USD",
    "840": "USD",
    "eur": "EUR",
    "978": "EUR",
    "cny": "CNY",
    "156": "CNY",
    "kzt": "KZT",
    "398": "KZT",
    "byn": "BYN",
    "933": "BYN",
}


class CommerceMLError(DomainError):
    def __init__(self, message: str, line: int | None = None) -> None:
        text = (
            _("Line %(line)s: %(message)s") % {"line": line, "message": message}
            if line
            else message
        )
        super().__init__(IntegrationsError.COMMERCEML_INVALID, text, details={"line": line})


@dataclass
class Group:
    guid: str
    name: str
    parent_guid: str | None
    line: int


@dataclass
class Item:
    guid: str
    name: str
    sku: str
    group_guid: str | None
    unit: str
    vat_rate: str | None
    description: str
    is_active: bool
    line: int
    # Paths of the pictures 1C sends beside the file (`import_files/6f/….jpg`), in order.
    pictures: list[str] = field(default_factory=list)


@dataclass
class PriceType:
    guid: str
    name: str
    currency: str
    line: int


@dataclass
class Offer:
    product_guid: str
    prices: dict[str, Decimal]  # price type guid → price per unit
    line: int


@dataclass
class Document:
    """What one CommerceML file holds (a file may carry a catalogue, offers, or both)."""

    groups: list[Group] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    price_types: list[PriceType] = field(default_factory=list)
    offers: list[Offer] = field(default_factory=list)
    has_catalog: bool = False
    has_offers: bool = False
    warnings: list[Note] = field(default_factory=list)


def _name(el: Any) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _child(el: Any, name: str) -> Any | None:
    for child in el:
        if _name(child) == name:
            return child
    return None


def _children(el: Any, name: str) -> list[Any]:
    return [c for c in el if _name(c) == name]


def _text(el: Any, name: str) -> str:
    child = _child(el, name)
    return (child.text or "").strip() if child is not None else ""


def _required(el: Any, name: str) -> str:
    value = _text(el, name)
    if not value:
        raise CommerceMLError(
            _("<%(parent)s> has no <%(name)s>.") % {"parent": _name(el), "name": name},
            el.sourceline,
        )
    return value


def _commerceml_root(data: bytes) -> Any:
    """The root element of a safely parsed file of a sane size holding CommerceML 2 elements
    only (no entities, DTD, network or unknown elements)."""
    if len(data) > MAX_FILE_BYTES:
        raise CommerceMLError(
            _("The file is larger than %(mb)d MB.") % {"mb": MAX_FILE_BYTES // (1024 * 1024)}
        )
    if not data.strip():
        raise CommerceMLError(_("The file is empty."))
    parser = safe_xml_parser(remove_comments=True, remove_pis=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        message = str(exc.msg or exc).split(", line")[0]
        if "encoding" in message.lower() or "utf-8" in message.lower() or "Bytes:" in message:
            message = _(
                "the bytes are not in the encoding the file declares (UTF-8 unless its XML "
                "declaration says windows-1251): %(detail)s"
            ) % {"detail": message.strip()}
        else:
            message = _("the file is not well-formed XML: %(detail)s") % {"detail": message}
        raise CommerceMLError(message, exc.lineno) from None
    tree = root.getroottree()
    if tree.docinfo.doctype:
        raise CommerceMLError(_("A DOCTYPE is not allowed in CommerceML."), 1)
    if _name(root) != "КоммерческаяИнформация":
        raise CommerceMLError(
            _("The root element is <%(name)s>, not <КоммерческаяИнформация>.")
            % {"name": _name(root)},
            root.sourceline,
        )
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        namespace = etree.QName(el).namespace
        if namespace not in (None, NAMESPACE) or _name(el) not in KNOWN_ELEMENTS:
            raise CommerceMLError(
                _("unknown element <%(name)s> in <%(parent)s>.")
                % {
                    "name": _name(el),
                    "parent": _name(el.getparent()) if el.getparent() is not None else "",
                },
                el.sourceline,
            )
    return root


def parse(data: bytes) -> Document:
    """Read one CommerceML file; `CommerceMLError` (with the line) for anything off-format."""
    root = _commerceml_root(data)
    doc = Document()
    classifier = _child(root, "Классификатор")
    if classifier is not None:
        groups = _child(classifier, "Группы")
        if groups is not None:
            _read_groups(groups, None, doc)
    catalog = _child(root, "Каталог")
    if catalog is not None:
        doc.has_catalog = True
        goods = _child(catalog, "Товары")
        for el in _children(goods, "Товар") if goods is not None else []:
            doc.items.append(_read_item(el, doc))
    package = _child(root, "ПакетПредложений")
    if package is None:
        package = _child(root, "ИзмененияПакетаПредложений")
    if package is not None:
        doc.has_offers = True
        kinds = _child(package, "ТипыЦен")
        for el in _children(kinds, "ТипЦены") if kinds is not None else []:
            doc.price_types.append(_read_price_type(el))
        offers = _child(package, "Предложения")
        known = {p.guid for p in doc.price_types}
        for el in _children(offers, "Предложение") if offers is not None else []:
            offer = _read_offer(el, known, doc)
            if offer is not None:
                doc.offers.append(offer)
    if not (doc.has_catalog or doc.has_offers or doc.groups):
        raise CommerceMLError(
            _("The file has neither a catalogue (<Каталог>) nor offers (<ПакетПредложений>)."),
            root.sourceline,
        )
    return doc


def _read_groups(parent: Any, parent_guid: str | None, doc: Document) -> None:
    for el in _children(parent, "Группа"):
        group = Group(
            _required(el, "Ид"), _required(el, "Наименование")[:255], parent_guid, el.sourceline
        )
        doc.groups.append(group)
        nested = _child(el, "Группы")
        if nested is not None:
            _read_groups(nested, group.guid, doc)


def _unit(el: Any | None, doc: Document, line: int) -> str:
    if el is None:
        return "pcs"
    code = (el.get("Код") or "").strip()
    if code in OKEI_UNITS:
        return OKEI_UNITS[code]
    text = (el.get("НаименованиеКраткое") or el.text or "").strip().lower().rstrip(".")
    if text in UNIT_NAMES:
        return UNIT_NAMES[text]
    doc.warnings.append(
        note(
            gettext_noop(
                "Line %(line)s: unit «%(unit)s» is not one Greenwave knows; pieces are assumed."
            ),
            {"line": line, "unit": text or code},
        )
    )
    return "pcs"


def _vat(el: Any, doc: Document) -> str | None:
    rates = _child(el, "СтавкиНалогов")
    if rates is None:
        return None
    for rate in _children(rates, "СтавкаНалога"):
        if _text(rate, "Наименование").upper() in ("НДС", "VAT"):
            value = _text(rate, "Ставка").lower().rstrip("%").strip()
            if value in VAT_RATES:
                return VAT_RATES[value]
            raise CommerceMLError(
                _("VAT rate «%(rate)s» is not one of 20, 10, 0 or «Без налога».") % {"rate": value},
                rate.sourceline,
            )
    return None


def _read_item(el: Any, doc: Document) -> Item:
    guid = _required(el, "Ид")
    groups = _child(el, "Группы")
    group_guid = _text(groups, "Ид") if groups is not None else ""
    status = (el.get("Статус") or _text(el, "Статус")).lower()
    return Item(
        guid=guid,
        name=_required(el, "Наименование")[:255],
        sku=_text(el, "Артикул")[:64],
        group_guid=group_guid or None,
        unit=_unit(_child(el, "БазоваяЕдиница"), doc, el.sourceline),
        vat_rate=_vat(el, doc),
        description=_text(el, "Описание")[:5000],
        is_active=status not in ("удален", "удалён"),
        line=el.sourceline,
        pictures=[
            (p.text or "").strip() for p in _children(el, "Картинка") if (p.text or "").strip()
        ],
    )


def _currency(value: str, line: int) -> str:
    code = CURRENCIES.get(value.strip().lower())
    if code is None:
        raise CommerceMLError(_("unknown currency «%(c)s».") % {"c": value}, line)
    return code


def _read_price_type(el: Any) -> PriceType:
    return PriceType(
        guid=_required(el, "Ид"),
        name=_required(el, "Наименование")[:255],
        currency=_currency(_text(el, "Валюта") or "RUB", el.sourceline),
        line=el.sourceline,
    )


def _amount(el: Any) -> Decimal:
    raw = _required(el, "ЦенаЗаЕдиницу").replace("\xa0", "").replace(" ", "").replace(",", ".")
    try:
        amount = Decimal(raw)
    except InvalidOperation:
        raise CommerceMLError(_("«%(v)s» is not a price.") % {"v": raw}, el.sourceline) from None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e15"):
        raise CommerceMLError(_("«%(v)s» is not a price.") % {"v": raw}, el.sourceline)
    return amount.quantize(Decimal("0.01"))


def _read_offer(el: Any, known_types: set[str], doc: Document) -> Offer | None:
    guid = _required(el, "Ид")
    if "#" in guid:
        doc.warnings.append(
            note(
                gettext_noop(
                    "Line %(line)s: offers of product characteristics (%(id)s) are not imported."
                ),
                {"line": el.sourceline, "id": guid},
            )
        )
        return None
    prices: dict[str, Decimal] = {}
    block = _child(el, "Цены")
    for price in _children(block, "Цена") if block is not None else []:
        kind = _required(price, "ИдТипаЦены")
        if known_types and kind not in known_types:
            raise CommerceMLError(
                _("price type %(id)s is not among <ТипыЦен> of the file.") % {"id": kind},
                price.sourceline,
            )
        prices[kind] = _amount(price)
    return Offer(guid, prices, el.sourceline)


# --- Orders (the `sale` exchange) ----------------------------------------------------------


@dataclass
class OrderLine:
    guid: str
    sku: str
    name: str
    unit: str
    quantity: Decimal
    price: Decimal
    total: Decimal


@dataclass
class Order:
    number: str
    guid: str
    when: datetime
    currency: str
    amount: Decimal
    comment: str
    client_guid: str
    client_name: str
    client_inn: str
    client_kpp: str
    lines: list[OrderLine]


UNIT_CODES = {v: k for k, v in OKEI_UNITS.items()}
UNIT_SHORT = {
    "pcs": "шт",
    "kg": "кг",
    "t": "т",
    "l": "л",
    "m": "м",
    "m2": "м2",
    "pack": "упак",
    "set": "компл",
    "hour": "ч",
    "month": "мес",
    "service": "усл",
}


def _sub(parent: Any, name: str, text: str | None = None, **attrs: str) -> Any:
    el = etree.SubElement(parent, name, **attrs)
    if text is not None:
        el.text = text
    return el


def orders_document(orders: list[Order], *, generated_at: datetime) -> bytes:
    """The orders as CommerceML documents «Заказ товара», the answer to `mode=query`."""
    root = etree.Element(
        "КоммерческаяИнформация",
        nsmap={None: NAMESPACE},
        ВерсияСхемы=SCHEMA_VERSION,
        ДатаФормирования=generated_at.strftime("%Y-%m-%dT%H:%M:%S"),
    )
    for order in orders:
        doc = _sub(root, "Документ")
        _sub(doc, "Ид", order.guid)
        _sub(doc, "Номер", order.number)
        _sub(doc, "Дата", order.when.strftime("%Y-%m-%d"))
        _sub(doc, "ХозОперация", "Заказ товара")
        _sub(doc, "Роль", "Продавец")
        _sub(doc, "Валюта", "руб" if order.currency == "RUB" else order.currency)
        _sub(doc, "Курс", "1")
        _sub(doc, "Сумма", f"{order.amount:.2f}")
        parties = _sub(doc, "Контрагенты")
        party = _sub(parties, "Контрагент")
        _sub(party, "Ид", order.client_guid)
        _sub(party, "Наименование", order.client_name)
        _sub(party, "ОфициальноеНаименование", order.client_name)
        if order.client_inn:
            _sub(party, "ИНН", order.client_inn)
        if order.client_kpp:
            _sub(party, "КПП", order.client_kpp)
        _sub(party, "Роль", "Покупатель")
        _sub(doc, "Время", order.when.strftime("%H:%M:%S"))
        _sub(doc, "Комментарий", order.comment)
        goods = _sub(doc, "Товары")
        for line in order.lines:
            item = _sub(goods, "Товар")
            _sub(item, "Ид", line.guid)
            if line.sku:
                _sub(item, "Артикул", line.sku)
            _sub(item, "Наименование", line.name)
            unit_attrs = {"НаименованиеПолное": UNIT_SHORT.get(line.unit, line.unit)}
            if line.unit in UNIT_CODES:
                unit_attrs["Код"] = UNIT_CODES[line.unit]
            _sub(item, "БазоваяЕдиница", UNIT_SHORT.get(line.unit, line.unit), **unit_attrs)
            _sub(item, "ЦенаЗаЕдиницу", f"{line.price:.2f}")
            _sub(item, "Количество", f"{line.quantity.normalize():f}")
            _sub(item, "Сумма", f"{line.total:.2f}")
            props = _sub(item, "ЗначенияРеквизитов")
            for key, value in (("ВидНоменклатуры", "Товар"), ("ТипНоменклатуры", "Товар")):
                prop = _sub(props, "ЗначениеРеквизита")
                _sub(prop, "Наименование", key)
                _sub(prop, "Значение", value)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
