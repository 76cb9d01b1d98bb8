"""The built-in decisions (library/*.dmn) in the reader's language, at display time.

The library's DMN is written in Russian and stored as deployed; an English reader sees the
English below instead. Only a text the library file itself holds, shown under that file's key,
is translated: a decision a user uploaded, or a text they changed, is shown as written."""

from __future__ import annotations

import re
from functools import cache

from django.conf import settings
from django.utils.translation import get_language

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
}
_TEXT = re.compile(r'\b(?:name|label)="([^"]*)"')


@cache
def _texts_by_key() -> dict[str, frozenset[str]]:
    return {
        path.stem: frozenset(_TEXT.findall(path.read_text(encoding="utf-8")))
        for path in LIBRARY_DIR.glob("*.dmn")
    }


def library_text(key: str, text: str, language: str | None = None) -> str:
    """`text` of the decision `key` in `language` (default: the active one)."""
    code = (language or get_language() or settings.LANGUAGE_CODE).lower()
    if not text or not code.startswith("en") or text not in _texts_by_key().get(key, ()):
        return text
    return ENGLISH.get(text, text)
