"""The built-in pipelines' stage texts in the reader's language, at display time.

Migration 0002 stores the input and output of the default pipelines' stages in Russian (seeds
001 and 004); an English reader sees the English below instead. Only the text that migration
wrote, under its stage code, is translated: a stage an admin created, or a text they changed,
is shown as typed (as `decisions.library_texts` does for the built-in decision tables)."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import get_language

# stage code → {Russian text the migration stored: its English}
ENGLISH: dict[str, dict[str, str]] = {
    "qualification": {
        "Лид SQL: потребность подтверждена, есть контакт": (
            "SQL lead: the need is confirmed, there is a contact"
        ),
        "Клиент квалифицирован, ЛПР известен": "Client qualified, the decision maker is known",
    },
    "needs": {
        "Квалифицированный клиент и ЛПР": "A qualified client and the decision maker",
        "Заполненная анкета клиента": "The client questionnaire filled in",
    },
    "presentation": {
        "Анкета клиента с потребностями": "The client questionnaire with the needs",
        "Проведённая презентация (встреча)": "The presentation held (a meeting)",
    },
    "cp_preparation": {
        "Итоги презентации": "The outcome of the presentation",
        "Коммерческое предложение с суммой": "A commercial proposal with the amount",
    },
    "cp_approval": {
        "Отправленное КП": "The proposal sent",
        "КП согласовано, известна дата закрытия": "Proposal approved, the closing date is known",
    },
    "contract": {
        "Согласованное КП": "The approved proposal",
        "Подписанный и согласованный договор": "A signed and approved contract",
    },
    "invoice": {
        "Подписанный договор": "The signed contract",
        "Выставленный счёт": "An invoice issued",
    },
    "payment": {
        "Выставленный счёт": "The invoice issued",
        "Оплата поступила": "Payment received",
    },
    "incoming": {
        "Звонок, заявка с сайта или письмо": "A call, a web form request or an e-mail",
        "Обращение обработано: звонок совершён": "Request handled: the call made",
    },
    "qualified": {
        "Контакт с клиентом": "A contact with the client",
        "Клиент соответствует портрету, описана потребность": (
            "The client fits the profile, the need is described"
        ),
    },
    "meeting_booked": {
        "Описанная потребность": "The need described",
        "Встреча с охотником назначена на дату": "A meeting with a hunter booked for a date",
    },
    "handed_over": {
        "Назначенная встреча": "The meeting booked",
        "Охотник принял клиента": "The hunter took the client on",
    },
}


def stage_text(stage_code: str, text: str, language: str | None = None) -> str:
    """`text` of the stage `stage_code` in `language` (default: the active one)."""
    code = (language or get_language() or settings.LANGUAGE_CODE).lower()
    if not text or not code.startswith("en"):
        return text
    return ENGLISH.get(stage_code, {}).get(text, text)
