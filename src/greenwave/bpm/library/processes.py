"""The built-in processes of the seeds (Russian names), as data laid out into BPMN.

Lanes are roles: a lane named like a role (code or its Russian/English name) sends its
tasks to that role; «Инициатор» tasks go to the person who started the process.
"""

from __future__ import annotations

from .layout import (
    Field,
    Flow,
    Gate,
    Node,
    Process,
    chain,
    decision,
    end_event,
    review_gates,
    service_task,
    user_task,
)

INITIATOR = "Инициатор"
HEAD = "Руководитель отдела продаж"
LAWYER = "Юрист"
FINANCE = "Финансист"
ACCOUNTANT = "Бухгалтер"
APPROVERS = "Согласующие"
READERS = "Сотрудники"

DECISION = decision(("approve", "Согласовать"), ("rework", "Вернуть на доработку"))
COMMENT = Field("comment", "Комментарий", "text")
# The contract approval may also end rejected (the deal's gate stays unmet).
CONTRACT_DECISION = decision(
    ("approve", "Согласовать"), ("rework", "Вернуть на доработку"), ("reject", "Отклонить")
)
TO_INITIATOR = {"gw:assignee": "=initiator"}


def initiator_task(node_id: str, name: str, due: str, *form: Field) -> Node:
    """A user task in the initiator's lane, assigned back to whoever started the run."""
    return user_task(node_id, name, INITIATOR, due, *form, to=TO_INITIATOR)


def _review(node_id: str, name: str, lane: str, due: str = "P2D", **attrs: str) -> Node:
    return Node(node_id, "user", name, lane, {"gw:dueIn": due, **attrs}, form=(DECISION, COMMENT))


def _contract_review(node_id: str, name: str, lane: str) -> Node:
    return user_task(node_id, name, lane, "P2D", CONTRACT_DECISION, COMMENT)


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
        initiator_task(
            "rework",
            "Доработать договор",
            "P1D",
            Field("changes", "Что исправлено", "text", required=True),
        ),
        service_task("notify", "Уведомить об окончании", INITIATOR, "notify"),
        end_event("end", "Договор согласован", INITIATOR, "approved"),
        end_event("end_rejected", "Договор отклонён", INITIATOR, "rejected"),
    ),
    flows=(
        *chain("start", "review_head", "gw_head"),
        *review_gates(
            (
                Gate("review_head", "gw_head", "to_rework_head", "reject_head"),
                Gate("review_lawyer", "gw_lawyer", "to_rework_lawyer", "reject_lawyer"),
                Gate("review_finance", "gw_finance", "to_rework_finance", "reject_finance"),
            ),
            "notify",
            rework="rework",
            rework_name="На доработку",
            rejected="end_rejected",
        ),
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
        service_task("publish", "Опубликовать и уведомить", INITIATOR, "notify"),
        Node("end", "end", "Документ утверждён", INITIATOR),
    ),
    flows=(
        *chain("start", "stage1", "gw1"),
        *review_gates(
            (Gate("stage1", "gw1", "rework1"), Gate("stage2", "gw2", "rework2")),
            "publish",
            rework="fix",
            rework_name="На исправление",
        ),
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
        *chain("start", "read", "end"),
        *chain("deadline", "review", "end"),
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
        user_task(
            "pay",
            "Оплатить счёт",
            ACCOUNTANT,
            "P2D",
            Field("paid_on", "Дата оплаты", "date", required=True),
            Field("payment_order", "Номер платёжного поручения", required=True),
        ),
        service_task("notify_paid", "Уведомить об оплате", INITIATOR, "notify"),
        Node("end_paid", "end", "Счёт оплачен", INITIATOR),
        service_task("notify_rejected", "Уведомить об отказе", INITIATOR, "notify"),
        Node("end_rejected", "end", "Оплата отклонена", INITIATOR),
    ),
    flows=(
        *chain("start", "enter", "approve", "gw"),
        Flow("gw", "pay", "decision == 'approve'", "Да"),
        *chain("pay", "notify_paid", "end_paid"),
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
        service_task("notify_assigner", "Уведомить назначающего", HEAD, "notify"),
        user_task(
            "assign",
            "Назначить ответственного",
            HEAD,
            "PT2H",
            Field("responsible", "Ответственный", "user", required=True),
            Field("wholesaler", "Оптовик", "user", required=True),
            Field("task_deadline", "Крайний срок", "date"),
            Field("task_comment", "Комментарий к задаче", "text"),
        ),
        service_task("do_assign", "Записать ответственного в лид", HEAD, "lead_assign"),
        user_task(
            "clarify",
            "Уточнить заявку у клиента",
            RESPONSIBLE,
            "P1D",
            Field("need", "Уточнённая потребность", "text"),
            Field("callback_date", "Дата повторного звонка", "date", required=True),
            to={"gw:assignee": "=responsible"},
        ),
        user_task(
            "callback",
            "Повторный звонок клиенту",
            RESPONSIBLE,
            "P3D",
            OUTCOME,
            Field("next_call_date", "Дата следующего звонка", "date"),
            REFUSAL,
            COMMENT,
            to={"gw:assignee": "=responsible"},
        ),
        Node("gw_outcome", "xor", "Итог звонка?", RESPONSIBLE, default="to_reason"),
        Node("gw_reason", "xor", "Причина отказа?", RESPONSIBLE, default="to_close"),
        user_task(
            "choose_price",
            "Выбрать прайс-лист со скидкой",
            HEAD,
            "P1D",
            Field(
                "price_list",
                "Прайс-лист",
                "choice",
                required=True,
                choices=(*PRICE_LISTS, ("none", "Ни один не подойдёт — передать оптовику")),
            ),
            COMMENT,
        ),
        Node("gw_price", "xor", "Скидка возможна?", HEAD, default="send_price_flow"),
        service_task("send_price", "Отправить прайс-лист клиенту", RESPONSIBLE, "notify"),
        Node(
            "change_responsible",
            "user",
            "Сменить ответственного",
            HEAD,
            form=(Field("responsible", "Новый ответственный", "user", required=True), COMMENT),
        ),
        service_task("to_wholesaler", "Передать лид оптовику", WHOLESALER, "lead_to_wholesaler"),
        user_task(
            "wholesale_call",
            "Звонок оптовика",
            WHOLESALER,
            "P1D",
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
            to={"gw:assignee": "=responsible"},
        ),
        Node(
            "gw_wholesale", "xor", "Оптовик договорился?", WHOLESALER, default="wholesale_refused"
        ),
        service_task("convert", "Создать сделку из лида", RESPONSIBLE, "lead_convert"),
        Node("end_deal", "end", "Сделка создана", RESPONSIBLE),
        service_task("close", "Закрыть лид с причиной", RESPONSIBLE, "lead_disqualify"),
        Node("end_refused", "end", "Отказ", RESPONSIBLE),
    ),
    flows=(
        *chain(
            "start", "notify_assigner", "assign", "do_assign", "clarify", "callback", "gw_outcome"
        ),
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
        *chain("to_wholesaler", "wholesale_call", "gw_wholesale"),
        Flow("gw_wholesale", "convert", "outcome == 'ready'", "Будет закупать"),
        Flow("gw_wholesale", "close", name="Отказ", id="wholesale_refused"),
        Flow("convert", "end_deal"),
        Flow("close", "end_refused"),
    ),
)

LIBRARY = (*LIBRARY, WEB_LEAD)
