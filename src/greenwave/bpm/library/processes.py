"""The built-in processes of the seeds (Russian names), as data laid out into BPMN.

Lanes are roles: a lane named like a role (code or its Russian/English name) sends its
tasks to that role; «Инициатор» tasks go to the person who started the process.
"""

from __future__ import annotations

from .layout import Field, Flow, Node, Process

INITIATOR = "Инициатор"
HEAD = "Руководитель отдела продаж"
LAWYER = "Юрист"
FINANCE = "Финансист"
ACCOUNTANT = "Бухгалтер"
APPROVERS = "Согласующие"
READERS = "Сотрудники"

DECISION = Field(
    "decision",
    "Решение",
    "choice",
    required=True,
    choices=(("approve", "Согласовать"), ("rework", "Вернуть на доработку")),
)
COMMENT = Field("comment", "Комментарий", "text")
# The contract approval may also end rejected (the deal's gate stays unmet).
CONTRACT_DECISION = Field(
    "decision",
    "Решение",
    "choice",
    required=True,
    choices=(
        ("approve", "Согласовать"),
        ("rework", "Вернуть на доработку"),
        ("reject", "Отклонить"),
    ),
)
TO_INITIATOR = {"gw:assignee": "=initiator"}


def _review(node_id: str, name: str, lane: str, due: str = "P2D", **attrs: str) -> Node:
    return Node(node_id, "user", name, lane, {"gw:dueIn": due, **attrs}, form=(DECISION, COMMENT))


def _contract_review(node_id: str, name: str, lane: str) -> Node:
    return Node(node_id, "user", name, lane, {"gw:dueIn": "P2D"}, form=(CONTRACT_DECISION, COMMENT))


CONTRACT_APPROVAL = Process(
    key="contract_approval",
    name="Согласование договора",
    documentation="Менеджер → руководитель → юрист → финансист; каждый может вернуть договор "
    "на доработку (после доработки согласование идёт заново) или отклонить его (семя 000). "
    "Запускается из сделки; согласованный договор выполняет условие этапа «Договор согласован».",
    lanes=(INITIATOR, HEAD, LAWYER, FINANCE),
    subject="deal",
    nodes=(
        Node("start", "start", "Проект договора готов", INITIATOR),
        _contract_review("review_head", "Согласование руководителем", HEAD),
        Node("gw_head", "xor", "Руководитель согласовал?", HEAD, default="to_rework_head"),
        _contract_review("review_lawyer", "Проверка юристом", LAWYER),
        Node("gw_lawyer", "xor", "Юрист согласовал?", LAWYER, default="to_rework_lawyer"),
        _contract_review("review_finance", "Проверка финансистом", FINANCE),
        Node("gw_finance", "xor", "Финансист согласовал?", FINANCE, default="to_rework_finance"),
        Node(
            "rework",
            "user",
            "Доработать договор",
            INITIATOR,
            {**TO_INITIATOR, "gw:dueIn": "P1D"},
            form=(Field("changes", "Что исправлено", "text", required=True),),
        ),
        Node("notify", "service", "Уведомить об окончании", INITIATOR, {"gw:action": "notify"}),
        Node("end", "end", "Договор согласован", INITIATOR, {"gw:outcome": "approved"}),
        Node("end_rejected", "end", "Договор отклонён", INITIATOR, {"gw:outcome": "rejected"}),
    ),
    flows=(
        Flow("start", "review_head"),
        Flow("review_head", "gw_head"),
        Flow("gw_head", "review_lawyer", "decision == 'approve'", "Да"),
        Flow("review_lawyer", "gw_lawyer"),
        Flow("gw_lawyer", "review_finance", "decision == 'approve'", "Да"),
        Flow("review_finance", "gw_finance"),
        Flow("gw_finance", "notify", "decision == 'approve'", "Да"),
        Flow("gw_head", "rework", name="На доработку", id="to_rework_head"),
        Flow("gw_lawyer", "rework", name="На доработку", id="to_rework_lawyer"),
        Flow("gw_finance", "rework", name="На доработку", id="to_rework_finance"),
        Flow("gw_head", "end_rejected", "decision == 'reject'", "Отклонён", id="reject_head"),
        Flow("gw_lawyer", "end_rejected", "decision == 'reject'", "Отклонён", id="reject_lawyer"),
        Flow("gw_finance", "end_rejected", "decision == 'reject'", "Отклонён", id="reject_finance"),
        Flow("rework", "review_head"),
        Flow("notify", "end"),
    ),
)

DOCUMENT_APPROVAL = Process(
    key="document_approval",
    name="Утверждение документа",
    documentation="Два этапа согласования; на любом этапе документ можно вернуть на исправление; "
    "после утверждения документ публикуется (семя 001). Переменные при запуске: approver1, "
    "approver2 — логины согласующих.",
    lanes=(INITIATOR, APPROVERS),
    nodes=(
        Node("start", "start", "Документ подготовлен", INITIATOR),
        _review("stage1", "Согласование (1 этап)", APPROVERS, **{"gw:assignee": "=approver1"}),
        Node("gw1", "xor", "Согласовано на 1 этапе?", APPROVERS, default="rework1"),
        _review("stage2", "Утверждение (2 этап)", APPROVERS, **{"gw:assignee": "=approver2"}),
        Node("gw2", "xor", "Утверждено на 2 этапе?", APPROVERS, default="rework2"),
        Node(
            "fix",
            "user",
            "Исправить документ",
            INITIATOR,
            TO_INITIATOR,
            form=(Field("changes", "Что исправлено", "text", required=True),),
        ),
        Node("publish", "service", "Опубликовать и уведомить", INITIATOR, {"gw:action": "notify"}),
        Node("end", "end", "Документ утверждён", INITIATOR),
    ),
    flows=(
        Flow("start", "stage1"),
        Flow("stage1", "gw1"),
        Flow("gw1", "stage2", "decision == 'approve'", "Да"),
        Flow("stage2", "gw2"),
        Flow("gw2", "publish", "decision == 'approve'", "Да"),
        Flow("gw1", "fix", name="На исправление", id="rework1"),
        Flow("gw2", "fix", name="На исправление", id="rework2"),
        Flow("fix", "stage1"),
        Flow("publish", "end"),
    ),
)

ACKNOWLEDGEMENT = Process(
    key="acknowledgement",
    name="Ознакомление с документом",
    documentation="Каждый из выбранных сотрудников (переменная readers — список логинов) "
    "подтверждает ознакомление до срока (deadline, например P3D); по истечении срока "
    "инициатор видит, кто ознакомился (семя 001).",
    lanes=(INITIATOR, READERS),
    nodes=(
        Node("start", "start", "Документ разослан", INITIATOR),
        Node(
            "read",
            "user",
            "Ознакомиться с документом",
            READERS,
            {"gw:assignee": "=reader"},
            form=(
                Field("acknowledged", "Ознакомлен(а)", "boolean", required=True),
                Field("comment", "Комментарий", "text"),
            ),
            extra_xml='<bpmn:multiInstanceLoopCharacteristics id="read_mi">'
            "<bpmn:loopDataInputRef>readers</bpmn:loopDataInputRef>"
            '<bpmn:inputDataItem id="reader" name="reader"/>'
            "</bpmn:multiInstanceLoopCharacteristics>",
        ),
        Node(
            "deadline",
            "boundary",
            "Срок истёк",
            READERS,
            {"attachedToRef": "read", "cancelActivity": "true"},
            timer="deadline",
        ),
        Node("review", "user", "Посмотреть итоги ознакомления", INITIATOR, TO_INITIATOR),
        Node("end", "end", "Ознакомление завершено", INITIATOR),
    ),
    flows=(
        Flow("start", "read"),
        Flow("read", "end"),
        Flow("deadline", "review"),
        Flow("review", "end"),
    ),
)

INVOICE_PAYMENT = Process(
    key="invoice_payment",
    name="Счёт на оплату",
    documentation="Сотрудник вводит данные счёта, руководитель согласует, бухгалтерия "
    "оплачивает, инициатор получает уведомление (семя 001).",
    lanes=(INITIATOR, HEAD, ACCOUNTANT),
    nodes=(
        Node("start", "start", "Счёт получен", INITIATOR),
        Node(
            "enter",
            "user",
            "Внести данные счёта",
            INITIATOR,
            TO_INITIATOR,
            form=(
                Field("supplier", "Поставщик", required=True),
                Field("invoice_number", "Номер счёта", required=True),
                Field("amount", "Сумма, ₽", "decimal", required=True, min="0.01"),
                Field("pay_until", "Оплатить до", "date"),
            ),
        ),
        _review("approve", "Согласовать оплату", HEAD, due="P1D"),
        Node("gw", "xor", "Оплату согласовали?", HEAD, default="rejected"),
        Node(
            "pay",
            "user",
            "Оплатить счёт",
            ACCOUNTANT,
            {"gw:dueIn": "P2D"},
            form=(
                Field("paid_on", "Дата оплаты", "date", required=True),
                Field("payment_order", "Номер платёжного поручения", required=True),
            ),
        ),
        Node("notify_paid", "service", "Уведомить об оплате", INITIATOR, {"gw:action": "notify"}),
        Node("end_paid", "end", "Счёт оплачен", INITIATOR),
        Node(
            "notify_rejected", "service", "Уведомить об отказе", INITIATOR, {"gw:action": "notify"}
        ),
        Node("end_rejected", "end", "Оплата отклонена", INITIATOR),
    ),
    flows=(
        Flow("start", "enter"),
        Flow("enter", "approve"),
        Flow("approve", "gw"),
        Flow("gw", "pay", "decision == 'approve'", "Да"),
        Flow("pay", "notify_paid"),
        Flow("notify_paid", "end_paid"),
        Flow("gw", "notify_rejected", name="Нет", id="rejected"),
        Flow("notify_rejected", "end_rejected"),
    ),
)

LIBRARY: tuple[Process, ...] = (
    CONTRACT_APPROVAL,
    DOCUMENT_APPROVAL,
    ACKNOWLEDGEMENT,
    INVOICE_PAYMENT,
)

RESPONSIBLE = "Ответственный"
WHOLESALER = "Оптовик"
OUTCOME = Field(
    "outcome",
    "Итог звонка",
    "choice",
    required=True,
    choices=(
        ("ready", "Готов заключить сделку"),
        ("not_ready", "Не готов, нужен ещё звонок"),
        ("refused", "Отказ"),
    ),
)
REFUSAL = Field(
    "refusal_reason",
    "Причина отказа",
    "choice",
    choices=(
        ("impossible", "Сделка физически невозможна"),
        ("wholesale", "Хочет закупаться у оптовиков"),
        ("price", "Не устраивает цена"),
        ("no_contact", "Не идёт на контакт"),
        ("other", "Другое (в комментарии)"),
    ),
)
PRICE_LISTS = tuple((f"discount_{i}", f"Прайс-лист со скидкой №{i}") for i in range(1, 6))

WEB_LEAD = Process(
    key="web_lead",
    name="Обработка лида с сайта",
    documentation="Семя 001: новый лид → уведомление назначающему → назначение ответственного "
    "со сроком и комментарием → уточнение заявки с обязательной датой повторного звонка → "
    "готов (сделка из лида) / не готов (новый звонок) / отказ с причиной: невозможно (конец), "
    "опт (оптовик, ограниченный выбор), цена (РОП выбирает один из пяти прайс-листов, новый "
    "звонок; иначе оптовик), нет контакта (смена ответственного), другое (комментарий). "
    "Ответственный хранится в одной переменной responsible. Запуск: сообщение new_lead "
    "с переменной lead_id.",
    lanes=(HEAD, RESPONSIBLE, WHOLESALER),
    messages=("new_lead",),
    nodes=(
        Node(
            "start",
            "start",
            "Новый лид с сайта",
            HEAD,
            extra_xml=(
                '<bpmn:messageEventDefinition id="start_message" messageRef="Message_new_lead"/>'
            ),
        ),
        Node("notify_assigner", "service", "Уведомить назначающего", HEAD, {"gw:action": "notify"}),
        Node(
            "assign",
            "user",
            "Назначить ответственного",
            HEAD,
            {"gw:dueIn": "PT2H"},
            form=(
                Field("responsible", "Ответственный", "user", required=True),
                Field("wholesaler", "Оптовик", "user", required=True),
                Field("task_deadline", "Крайний срок", "date"),
                Field("task_comment", "Комментарий к задаче", "text"),
            ),
        ),
        Node(
            "do_assign",
            "service",
            "Записать ответственного в лид",
            HEAD,
            {"gw:action": "lead_assign"},
        ),
        Node(
            "clarify",
            "user",
            "Уточнить заявку у клиента",
            RESPONSIBLE,
            {"gw:assignee": "=responsible", "gw:dueIn": "P1D"},
            form=(
                Field("need", "Уточнённая потребность", "text"),
                Field("callback_date", "Дата повторного звонка", "date", required=True),
            ),
        ),
        Node(
            "callback",
            "user",
            "Повторный звонок клиенту",
            RESPONSIBLE,
            {"gw:assignee": "=responsible", "gw:dueIn": "P3D"},
            form=(
                OUTCOME,
                Field("next_call_date", "Дата следующего звонка", "date"),
                REFUSAL,
                COMMENT,
            ),
        ),
        Node("gw_outcome", "xor", "Итог звонка?", RESPONSIBLE, default="to_reason"),
        Node("gw_reason", "xor", "Причина отказа?", RESPONSIBLE, default="to_close"),
        Node(
            "choose_price",
            "user",
            "Выбрать прайс-лист со скидкой",
            HEAD,
            {"gw:dueIn": "P1D"},
            form=(
                Field(
                    "price_list",
                    "Прайс-лист",
                    "choice",
                    required=True,
                    choices=(*PRICE_LISTS, ("none", "Ни один не подойдёт — передать оптовику")),
                ),
                COMMENT,
            ),
        ),
        Node("gw_price", "xor", "Скидка возможна?", HEAD, default="send_price_flow"),
        Node(
            "send_price",
            "service",
            "Отправить прайс-лист клиенту",
            RESPONSIBLE,
            {"gw:action": "notify"},
        ),
        Node(
            "change_responsible",
            "user",
            "Сменить ответственного",
            HEAD,
            form=(Field("responsible", "Новый ответственный", "user", required=True), COMMENT),
        ),
        Node(
            "to_wholesaler",
            "service",
            "Передать лид оптовику",
            WHOLESALER,
            {"gw:action": "lead_to_wholesaler"},
        ),
        Node(
            "wholesale_call",
            "user",
            "Звонок оптовика",
            WHOLESALER,
            {"gw:assignee": "=responsible", "gw:dueIn": "P1D"},
            form=(
                Field(
                    "outcome",
                    "Итог звонка",
                    "choice",
                    required=True,
                    choices=(("ready", "Будет закупать"), ("refused", "Не будет закупать")),
                ),
                Field(
                    "refusal_reason",
                    "Причина отказа",
                    "choice",
                    choices=(("impossible", "Сделка невозможна"), ("other", "Другое")),
                ),
                COMMENT,
            ),
        ),
        Node(
            "gw_wholesale", "xor", "Оптовик договорился?", WHOLESALER, default="wholesale_refused"
        ),
        Node(
            "convert",
            "service",
            "Создать сделку из лида",
            RESPONSIBLE,
            {"gw:action": "lead_convert"},
        ),
        Node("end_deal", "end", "Сделка создана", RESPONSIBLE),
        Node(
            "close",
            "service",
            "Закрыть лид с причиной",
            RESPONSIBLE,
            {"gw:action": "lead_disqualify"},
        ),
        Node("end_refused", "end", "Отказ", RESPONSIBLE),
    ),
    flows=(
        Flow("start", "notify_assigner"),
        Flow("notify_assigner", "assign"),
        Flow("assign", "do_assign"),
        Flow("do_assign", "clarify"),
        Flow("clarify", "callback"),
        Flow("callback", "gw_outcome"),
        Flow("gw_outcome", "convert", "outcome == 'ready'", "Готов"),
        Flow("gw_outcome", "callback", "outcome == 'not_ready'", "Не готов"),
        Flow("gw_outcome", "gw_reason", name="Отказ", id="to_reason"),
        Flow("gw_reason", "to_wholesaler", "refusal_reason == 'wholesale'", "Опт"),
        Flow("gw_reason", "choose_price", "refusal_reason == 'price'", "Цена"),
        Flow("gw_reason", "change_responsible", "refusal_reason == 'no_contact'", "Нет контакта"),
        Flow("gw_reason", "close", name="Невозможно / другое", id="to_close"),
        Flow("choose_price", "gw_price"),
        Flow("gw_price", "to_wholesaler", "price_list == 'none'", "Не подходит"),
        Flow("gw_price", "send_price", name="Скидка", id="send_price_flow"),
        Flow("send_price", "callback"),
        Flow("change_responsible", "do_assign"),
        Flow("to_wholesaler", "wholesale_call"),
        Flow("wholesale_call", "gw_wholesale"),
        Flow("gw_wholesale", "convert", "outcome == 'ready'", "Будет закупать"),
        Flow("gw_wholesale", "close", name="Отказ", id="wholesale_refused"),
        Flow("convert", "end_deal"),
        Flow("close", "end_refused"),
    ),
)

LIBRARY = (*LIBRARY, WEB_LEAD)
