"""The built-in pipelines' stage texts in the reader's language, at display time.

Migration 0002 stores the input and output of the default pipelines' stages in Russian (seeds
001 and 004); an English reader sees the English below instead. Only the text that migration
wrote, under its stage code, is translated: a stage an admin created, or a text they changed,
is shown as typed (as `decisions.library_texts` does for the built-in decision tables).
The same holds for the built-in stages' tasks, actions and key success factor (GUIDE below,
stored by migration 0013)."""

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
    # A textarea saved unchanged in the browser comes back with CRLF line ends.
    return ENGLISH.get(stage_code, {}).get(text.replace("\r\n", "\n"), text)


# The stage table of seed 001 («Задачи», «Действия», «КФУ») for each built-in stage, drawn from
# the seed's stage descriptions (hunter qualifies and warms the lead, closer agrees the order
# and negotiates the price, the contract goes through the legal service) and seed 004's list of
# the sales department's steps. Migration 0013 stores the Russian in the empty fields of the
# built-in stages; `stage_text` reads the English for an English reader.
# stage code → {field: (Russian, English)}
GUIDE: dict[str, dict[str, tuple[str, str]]] = {
    "qualification": {
        "tasks": (
            "Проверить, что клиент соответствует портрету целевого клиента\n"
            "Найти ЛПР и контактное лицо\n"
            "Подтвердить потребность и бюджет",
            "Check that the client fits the target client profile\n"
            "Find the decision maker and the contact person\n"
            "Confirm the need and the budget",
        ),
        "actions": (
            "Первичный звонок клиенту, выяснение контактного лица\n"
            "Вопросы квалификации по портрету клиента\n"
            "ЛПР и итоги звонка — в сделку",
            "A first call to the client, finding the contact person\n"
            "The qualification questions of the client profile\n"
            "The decision maker and the call's outcome written into the deal",
        ),
        "key_success_factor": (
            "Разговор с ЛПР, а не с секретарём: без ЛПР клиент не квалифицирован",
            "Talking to the decision maker, not a secretary: without them the client is not "
            "qualified",
        ),
    },
    "needs": {
        "tasks": (
            "Выявить потребность: номенклатуру, объёмы, сроки, текущих поставщиков\n"
            "Сформировать у клиента потребность в продукте",
            "Find out the need: the products, volumes, dates and current suppliers\n"
            "Build the client's need for the product",
        ),
        "actions": (
            "Звонок или встреча по анкете клиента\n"
            "Уточнение объёмов и производителей\n"
            "Заполненная анкета — к сделке",
            "A call or a meeting along the client questionnaire\n"
            "Clarifying the volumes and the manufacturers\n"
            "The filled questionnaire attached to the deal",
        ),
        "key_success_factor": (
            "Анкета заполнена со слов клиента: потребность, объём и сроки подтвердил он сам",
            "The questionnaire is filled in from the client's words: they confirmed the need, "
            "the volume and the dates themselves",
        ),
    },
    "presentation": {
        "tasks": (
            "Показать, как продукт решает выявленную потребность\nСнять первые возражения",
            "Show how the product meets the need found\nHandle the first objections",
        ),
        "actions": (
            "Встреча или онлайн-переговоры с ЛПР\n"
            "Презентация под анкету клиента\n"
            "Итоги и следующий шаг — в сделку",
            "A meeting or an online talk with the decision maker\n"
            "A presentation built on the client questionnaire\n"
            "The outcome and the next step written into the deal",
        ),
        "key_success_factor": (
            "Презентация строится на потребностях из анкеты, а не на каталоге; в конце "
            "согласован следующий шаг",
            "The presentation is built on the needs of the questionnaire, not on the catalogue; "
            "it ends with the next step agreed",
        ),
    },
    "cp_preparation": {
        "tasks": (
            "Подготовить коммерческое предложение под потребность клиента\n"
            "Рассчитать цену и условия",
            "Prepare a commercial proposal for the client's need\nWork out the price and terms",
        ),
        "actions": (
            "Расчёт цен и комплектации\n"
            "КП по шаблону, с суммой\n"
            "Отправка КП и звонок: получено ли оно",
            "Pricing and the product set\n"
            "A proposal from the template, with the amount\n"
            "Sending the proposal and a call: has it arrived",
        ),
        "key_success_factor": (
            "КП отвечает на потребность из анкеты и отправлено в срок этапа; получение "
            "подтверждено звонком",
            "The proposal answers the need of the questionnaire and goes out within the stage's "
            "time; a call confirms it arrived",
        ),
    },
    "cp_approval": {
        "tasks": (
            "Согласовать КП с клиентом и внутри компании\n"
            "Провести ценовые переговоры\n"
            "Договориться о дате закрытия",
            "Agree the proposal with the client and inside the company\n"
            "Negotiate the price\n"
            "Agree the closing date",
        ),
        "actions": (
            "Обсуждение и корректировка КП\n"
            "Скидка — по правилам скидок или через руководителя\n"
            "Дата закрытия — в сделку",
            "Discussing and correcting the proposal\n"
            "A discount by the discount rules or through the head\n"
            "The closing date written into the deal",
        ),
        "key_success_factor": (
            "Работа по циклу покупки клиента: известны все, кто согласует у клиента, и дата "
            "решения",
            "Working along the client's buying cycle: everyone who approves on the client's "
            "side and the date of the decision are known",
        ),
    },
    "contract": {
        "tasks": (
            "Подписать договор на согласованных условиях",
            "Sign the contract on the agreed terms",
        ),
        "actions": (
            "Договор по шаблону\n"
            "Согласование договора с юридической службой\n"
            "Подписание договора клиентом",
            "The contract from the template\n"
            "The contract approved by the legal service\n"
            "The client signs the contract",
        ),
        "key_success_factor": (
            "Договор согласован юристом до отправки клиенту; разногласия снимаются сразу",
            "The lawyer approves the contract before it goes to the client; disagreements are "
            "settled at once",
        ),
    },
    "invoice": {
        "tasks": ("Выставить счёт по подписанному договору", "Invoice the signed contract"),
        "actions": (
            "Подготовка счёта\n"
            "Отправка счёта клиенту и подтверждение получения\n"
            "Напоминание о сроке оплаты",
            "Preparing the invoice\n"
            "Sending it to the client and confirming it arrived\n"
            "A reminder of the payment date",
        ),
        "key_success_factor": (
            "Счёт выставлен в день подписания договора, клиент подтвердил получение",
            "The invoice goes out the day the contract is signed, and the client confirms it "
            "arrived",
        ),
    },
    "payment": {
        "tasks": ("Получить оплату в срок", "Get the payment on time"),
        "actions": (
            "Контроль прихода средств по выписке\n"
            "Звонок клиенту при задержке оплаты\n"
            "Передача клиента на исполнение договора",
            "Checking the bank statement for the payment\n"
            "A call to the client when the payment is late\n"
            "Handing the client over to the contract's fulfilment",
        ),
        "key_success_factor": (
            "Просрочка оплаты видна в первый же день и отрабатывается звонком",
            "A late payment is seen on its first day and followed up with a call",
        ),
    },
    "incoming": {
        "tasks": (
            "Обработать каждое обращение в день поступления",
            "Handle every request on the day it arrives",
        ),
        "actions": (
            "Ответ на звонок сразу, перезвон по заявке с сайта или письму\n"
            "Контакт и суть обращения — в карточку",
            "Answering the call at once, calling back on a web form request or an e-mail\n"
            "The contact and the gist of the request written on the card",
        ),
        "key_success_factor": (
            "Скорость: клиенту ответили или перезвонили в тот же рабочий день",
            "Speed: the client is answered or called back the same working day",
        ),
    },
    "qualified": {
        "tasks": (
            "Проверить клиента по портрету целевого клиента (MQL)\nОписать потребность",
            "Check the client against the target client profile (MQL)\nDescribe the need",
        ),
        "actions": (
            "Вопросы по сценарию квалификации\n"
            "Потребность — в описание сделки\n"
            "Отказ с причиной, если клиент не целевой",
            "The questions of the qualification script\n"
            "The need written into the deal's description\n"
            "A refusal with its reason when the client is not a target one",
        ),
        "key_success_factor": (
            "Дальше по конвейеру идут только клиенты, соответствующие портрету",
            "Only clients that fit the profile go further down the conveyor",
        ),
    },
    "meeting_booked": {
        "tasks": (
            "Назначить встречу клиента с продавцом-охотником",
            "Book a meeting of the client with a hunter",
        ),
        "actions": (
            "Дата и время — согласовать с клиентом и охотником\n"
            "Подтверждение встречи звонком или письмом накануне",
            "Agreeing the date and time with the client and the hunter\n"
            "Confirming the meeting by a call or an e-mail the day before",
        ),
        "key_success_factor": (
            "Встреча назначена на конкретную дату и подтверждена клиентом",
            "The meeting has a definite date and the client has confirmed it",
        ),
    },
    "handed_over": {
        "tasks": (
            "Передать клиента охотнику без потери информации",
            "Hand the client to the hunter without losing anything they said",
        ),
        "actions": (
            "Сделка с описанием потребности — охотнику\n"
            "Охотник проверяет данные и принимает клиента",
            "The deal with the need described goes to the hunter\n"
            "The hunter checks the data and takes the client on",
        ),
        "key_success_factor": (
            "Охотник получил всё, что клиент уже рассказал: ему не приходится спрашивать заново",
            "The hunter has everything the client already told: nothing needs asking again",
        ),
    },
}
GUIDE_FIELDS = ("tasks", "actions", "key_success_factor")
# The pipelines migration 0002 created; their stages are the built-in ones GUIDE describes.
BUILT_IN_PIPELINES = ("b2b", "call_centre")

for _code, _fields in GUIDE.items():
    ENGLISH.setdefault(_code, {}).update(dict(_fields.values()))

# Seed 001's «Участники» of each built-in stage: the roles that take part besides the
# responsible one, drawn from the seeds' flow — the call centre hands its lead to the hunter
# (004), the closer joins the presentation, the head of sales sets prices and discounts, the
# contract goes manager → head → lawyer → finance (000), the accountant issues the invoice and
# sees the payment. Migration 0017 stores them in the empty participants of the built-in stages.
# stage code → role codes, in RoleCode's order
PARTICIPANTS: dict[str, list[str]] = {
    "qualification": ["call_center"],
    "presentation": ["closer"],
    "cp_preparation": ["hunter", "head_of_sales"],
    "cp_approval": ["head_of_sales", "finance"],
    "contract": ["head_of_sales", "lawyer", "finance"],
    "invoice": ["accountant"],
    "payment": ["closer", "accountant"],
    "meeting_booked": ["hunter"],
    "handed_over": ["call_center"],
}
