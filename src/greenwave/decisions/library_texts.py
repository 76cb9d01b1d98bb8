"""The built-in decisions (library/*.dmn) in the reader's language, at display time.

The library's DMN is written in Russian and stored as deployed; an English reader sees the
English below instead. Only a text the library file itself holds, shown under that file's key,
is translated: a decision a user uploaded, or a text they changed, is shown as written.

The editor gets a display copy of the model (`library_display_xml`): the texts people read —
the model's name, every `label`, the rules' annotations (`description`) and text annotations —
in the reader's language; never a `name` the FEEL refers to (decisions, input data, outputs),
nor an expression. What the editor saves comes back through `library_stored_xml`: each text
still as the display copy showed it is put back as the version it was made from stores it, so
an English editor's save keeps the Russian library texts (and the next reader's translation).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from typing import Any

from django.conf import settings
from django.utils.translation import get_language
from lxml import etree

from greenwave.core.safe_xml import safe_xml_parser

from .services import LIBRARY_DIR

ENGLISH = {
    "Надёжность клиента": "Client reliability",
    "Наибольшая просрочка, дн.": "Longest delay, days",
    "Наибольшая просрочка, дней": "Longest payment delay, days",
    "Недобросовестный": "Unreliable",
    "Предоплата, %": "Prepayment, %",
    "Признан недобросовестным": "Declared unreliable",
    "Причина": "Reason",
    "Просрочек за 12 мес.": "Late payments, 12 months",
    "Просрочек оплаты за 12 месяцев": "Late payments in 12 months",
    "Просроченный долг, ₽": "Overdue debt, ₽",
    "Решение": "Verdict",
    "Отступления от типового договора": "Deviations from the standard contract",
    "Отступления от шаблона": "Deviations from the template",
    "Правила согласования": "Approval rules",
    "Риск клиента": "Client risk",
    "Согласующая роль": "Approving role",
    "Согласующие договора": "Contract approvers",
    "Сумма договора, ₽": "Contract amount, ₽",
    "Маршрут согласования договора": "Contract approval route",
    "Объём заказа, ₽": "Order volume, ₽",
    "Платёжная история": "Payment history",
    "Пояснение": "Explanation",
    "Сегмент клиента": "Client segment",
    "Скидочный прайс-лист (1–5)": "Discount price list (1–5)",
    "Скидочный прайс-лист": "Discount price list",
    "Выбор скидочного прайс-листа": "Choice of the discount price list",
    # The rules' annotations.
    "Руководитель отдела продаж согласует каждый договор": "Head of sales approves every contract",
    "Любые отступления от шаблона — к юристу": "Any deviation from the template: to the lawyer",
    "Рискованный клиент — к юристу": "A risky client: to the lawyer",
    "Крупный договор — к финансисту": "A large contract: to finance",
    "Существенные изменения условий — к финансисту": "Substantial changes of terms: to finance",
    "Средний и высокий риск — к финансисту": "Medium or high risk: to finance",
    "Просрочки оплаты": "Late payments",
    "Заказ меньше 100 000 ₽": "Order under 100 000 ₽",
}
_NAME = re.compile(r'\bname="([^"]*)"')

# Where a model keeps a text a person reads and no expression refers to: the id of the element
# it describes, and what it is ("name" of the model, "label", "description", "text").
Place = tuple[str, str]


def _element_texts(root: Any) -> Iterator[tuple[Place, Any, str | None]]:
    """Each readable text of a model: its place (the id of the element it describes, and
    what it is), the element that holds it and the attribute (None: the element's text).
    A text whose element and parent have no id has no place and is left out."""
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        tag = etree.QName(element).localname
        parent = element.getparent()
        parent_tag = etree.QName(parent).localname if parent is not None else ""
        if tag == "definitions" and element.get("name") is not None:
            yield (element.get("id") or "", "name"), element, "name"
        if element.get("label") is not None:
            yield (element.get("id") or "", "label"), element, "label"
        if tag == "description" or (tag == "text" and parent_tag == "textAnnotation"):
            owner = parent.get("id") if parent is not None else ""
            yield (owner or "", tag), element, None


def _read(element: Any, attribute: str | None) -> str:
    return str(element.get(attribute) if attribute else element.text or "")


def _write(element: Any, attribute: str | None, text: str) -> None:
    if attribute:
        element.set(attribute, text)
    else:
        element.text = text


def _root(xml: bytes) -> Any:
    """The model's tree, or None when it cannot be read (the service says why on save)."""
    try:
        return etree.fromstring(xml, parser=safe_xml_parser())
    except (etree.XMLSyntaxError, ValueError):
        return None


def readable_texts(xml: bytes) -> list[str]:
    """The texts of a model a person reads and no expression refers to, in document order."""
    root = _root(xml)
    if root is None:
        return []
    return [text for _place, el, attr in _element_texts(root) if (text := _read(el, attr))]


@cache
def _texts_by_key() -> dict[str, frozenset[str]]:
    # Names too: the pages pass a model's name (its `definitions` name) and the decision's.
    return {
        path.stem: frozenset(
            readable_texts(path.read_bytes()) + _NAME.findall(path.read_text(encoding="utf-8"))
        )
        for path in LIBRARY_DIR.glob("*.dmn")
    }


def _english(language: str | None) -> bool:
    return (language or get_language() or settings.LANGUAGE_CODE).lower().startswith("en")


def library_text(key: str, text: str, language: str | None = None) -> str:
    """`text` of the decision `key` in `language` (default: the active one)."""
    if not text or not _english(language) or text not in _texts_by_key().get(key, ()):
        return text
    return ENGLISH.get(text, text)


def _shown(key: str, root: Any, language: str) -> dict[Place, tuple[str, str]]:
    """What the display copy of a model changes: per place, (stored text, shown text)."""
    shown = {}
    for place, element, attribute in _element_texts(root):
        stored = _read(element, attribute)
        text = library_text(key, stored, language)
        if text != stored and place[0]:
            shown[place] = (stored, text)
    return shown


def _serialized(root: Any) -> bytes:
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def library_display_xml(key: str, xml: bytes, language: str | None = None) -> bytes:
    """A copy of a stored model for the editor with a built-in decision's readable texts in
    `language`; any other model, or a Russian reader, gets the stored bytes."""
    code = language or get_language() or settings.LANGUAGE_CODE
    root = _root(xml) if _english(code) and key in _texts_by_key() else None
    if root is None:
        return xml
    shown = _shown(key, root, code)
    for place, element, attribute in _element_texts(root):
        if place in shown:
            _write(element, attribute, shown[place][1])
    return _serialized(root) if shown else xml


def library_stored_xml(key: str, xml: bytes, base: bytes, language: str) -> bytes:
    """The editor's model of `key` shown in `language` from the stored version `base`, with
    every text the display copy translated and the editor left as shown put back as `base`
    stores it. A text the user changed, or wrote anew, stays as written."""
    if not language.lower().startswith("en") or key not in _texts_by_key():
        return xml
    base_root, root = _root(base), _root(xml)
    if base_root is None or root is None:
        return xml
    shown = _shown(key, base_root, language)
    changed = False
    for place, element, attribute in _element_texts(root):
        stored, text = shown.get(place, ("", None))
        if text is not None and _read(element, attribute) == text:
            _write(element, attribute, stored)
            changed = True
    return _serialized(root) if changed else xml
