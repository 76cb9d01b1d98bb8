"""The sales manager's processes of seeds 002 and 004 not covered elsewhere: the competence
assessment (the head rates a manager's calls and meetings against a checklist), the order
from a supplier, the shipment to the client, and the contract route of seed 004 with its
four signers — lawyer, commercial director, financial director, general director — as a
variant of the library's contract approval. (Claims and returns are the money issue's.)
"""

from __future__ import annotations

from .layout import Field, Flow, Node, Process
from .processes import (
    ACCOUNTANT,
    COMMENT,
    CONTRACT_DECISION,
    FINANCE,
    HEAD,
    INITIATOR,
    LAWYER,
    TO_INITIATOR,
)

MANAGER = "Менеджер"
COMMERCIAL_DIRECTOR = "Коммерческий директор"
GENERAL_DIRECTOR = "Генеральный директор"
HEAD_OF_DEPARTMENT = "Руководитель"
TO_MANAGER = {"gw:assignee": "=manager"}


def _score(name: str, label: str) -> Field:
    return Field(name, label, "integer", required=True, min="1", max="5")


# The checklist of seed 002: what the head listens for in calls and looks for in meetings.
CALL_CHECKLIST = (
    _score("call_contact", "Звонки: установление контакта (1–5)"),
    _score("call_needs", "Звонки: выявление потребностей (1–5)"),
    _score("call_presentation", "Звонки: презентация продукта (1–5)"),
    _score("call_objections", "Звонки: работа с возражениями (1–5)"),
    _score("call_closing", "Звонки: завершение и следующий шаг (1–5)"),
)
MEETING_CHECKLIST = (
    _score("meeting_preparation", "Встречи: подготовка (1–5)"),
    _score("meeting_presentation", "Встречи: презентация и аргументация (1–5)"),
    _score("meeting_negotiation", "Встречи: переговоры об условиях (1–5)"),
    _score("meeting_next_step", "Встречи: договорённость о следующем шаге (1–5)"),
)
CHECKLIST = CALL_CHECKLIST + MEETING_CHECKLIST
WEAK_BELOW = 3  # a score under this is a weak competence

COMPETENCE_ASSESSMENT = Process(
    key="competence_assessment",
    name="Оценка компетенций менеджера",
    documentation="Семя 002: руководитель отдела продаж выбирает менеджера и период, "
    "прослушивает его звонки и разбирает встречи, оценивает каждый пункт чек-листа от 1 до 5; "
    "менеджер знакомится с оценкой; при слабых компетенциях (оценка ниже 3) руководитель "
    "назначает план развития. Итоги видны на странице «Кто кого задерживает».",
    lanes=(HEAD_OF_DEPARTMENT, MANAGER),
    nodes=(
        Node("start", "start", "Пора оценить менеджера", HEAD_OF_DEPARTMENT),
        Node(
            "choose",
            "user",
            "Выбрать менеджера и период",
            HEAD_OF_DEPARTMENT,
            {**TO_INITIATOR, "gw:dueIn": "P1D"},
            form=(
                Field("manager", "Менеджер", "user", required=True),
                Field("period_from", "Период с", "date", required=True),
                Field("period_to", "Период по", "date", required=True),
            ),
        ),
        Node(
            "rate_calls",
            "user",
            "Прослушать звонки и оценить по чек-листу",
            HEAD_OF_DEPARTMENT,
            {**TO_INITIATOR, "gw:dueIn": "P3D"},
            form=(
                Field("calls_reviewed", "Прослушано звонков", "integer", required=True, min="1"),
                *CALL_CHECKLIST,
                COMMENT,
            ),
        ),
        Node(
            "rate_meetings",
            "user",
            "Разобрать встречи и оценить по чек-листу",
            HEAD_OF_DEPARTMENT,
            {**TO_INITIATOR, "gw:dueIn": "P3D"},
            form=(
                Field("meetings_reviewed", "Разобрано встреч", "integer", required=True, min="0"),
                *MEETING_CHECKLIST,
                Field("meeting_comment", "Комментарий по встречам", "text"),
            ),
        ),
        Node(
            "acknowledge",
            "user",
            "Ознакомиться с оценкой",
            MANAGER,
            {**TO_MANAGER, "gw:dueIn": "P2D"},
            form=(
                Field("acknowledged", "С оценкой ознакомлен(а)", "boolean", required=True),
                Field("manager_comment", "Комментарий менеджера", "text"),
            ),
        ),
        Node("gw_weak", "xor", "Есть слабые компетенции?", HEAD_OF_DEPARTMENT, default="fine"),
        Node(
            "plan",
            "user",
            "Назначить план развития",
            HEAD_OF_DEPARTMENT,
            {**TO_INITIATOR, "gw:dueIn": "P2D"},
            form=(
                Field("development_plan", "План развития", "text", required=True),
                Field("review_on", "Повторная оценка", "date", required=True),
            ),
        ),
        Node(
            "notify_plan",
            "service",
            "Уведомить менеджера: назначен план развития",
            MANAGER,
            {"gw:action": "notify"},
        ),
        Node(
            "end_plan", "end", "План развития назначен", HEAD_OF_DEPARTMENT, {"gw:outcome": "weak"}
        ),
        Node("end_fine", "end", "Компетенции в норме", HEAD_OF_DEPARTMENT, {"gw:outcome": "fine"}),
    ),
    flows=(
        Flow("start", "choose"),
        Flow("choose", "rate_calls"),
        Flow("rate_calls", "rate_meetings"),
        Flow("rate_meetings", "acknowledge"),
        Flow("acknowledge", "gw_weak"),
        Flow(
            "gw_weak",
            "plan",
            " or ".join(f"{f.name} < {WEAK_BELOW}" for f in CHECKLIST),
            "Да",
        ),
        Flow("gw_weak", "end_fine", name="Нет", id="fine"),
        Flow("plan", "notify_plan"),
        Flow("notify_plan", "end_plan"),
    ),
)

SUPPLIER_ORDER = Process(
    key="supplier_order",
    name="Заказ продукции у поставщика",
    documentation="Семя 004 (п. 29–38): менеджер оформляет заявку на продукцию, которой нет "
    "на складе; руководитель согласует; менеджер передаёт заявку на завод-изготовитель и "
    "получает счёт; бухгалтер оплачивает его; менеджер отслеживает сроки производства и "
    "отгрузки, контролирует приход и оприходование и извещает заказчика.",
    lanes=(INITIATOR, HEAD, ACCOUNTANT),
    subject="deal",
    nodes=(
        Node("start", "start", "Продукции нет на складе", INITIATOR),
        Node(
            "request",
            "user",
            "Оформить заявку на продукцию",
            INITIATOR,
            {**TO_INITIATOR, "gw:dueIn": "P1D"},
            form=(
                Field("product", "Продукция", required=True),
                Field("quantity", "Количество", "decimal", required=True, min="0.001"),
                Field("supplier", "Завод-изготовитель / поставщик", required=True),
                Field("needed_by", "Нужно к дате", "date", required=True),
            ),
        ),
        Node(
            "approve",
            "user",
            "Согласовать заказ поставщику",
            HEAD,
            {"gw:dueIn": "P1D"},
            form=(
                Field(
                    "decision",
                    "Решение",
                    "choice",
                    required=True,
                    choices=(("approve", "Согласовать"), ("reject", "Отклонить")),
                ),
                COMMENT,
            ),
        ),
        Node("gw_approved", "xor", "Согласован?", HEAD, default="order_rejected"),
        Node(
            "supplier_invoice",
            "user",
            "Передать заявку на завод и получить счёт",
            INITIATOR,
            {**TO_INITIATOR, "gw:dueIn": "P3D"},
            form=(
                Field("supplier_invoice", "Номер счёта поставщика", required=True),
                Field("supplier_amount", "Сумма счёта, ₽", "decimal", required=True, min="0.01"),
                Field("supplier_invoice_file", "Счёт поставщика", "file"),
            ),
        ),
        Node(
            "pay_supplier",
            "user",
            "Оплатить счёт поставщика",
            ACCOUNTANT,
            {"gw:dueIn": "P2D"},
            form=(
                Field("paid_on", "Дата оплаты", "date", required=True),
                Field("payment_order", "Номер платёжного поручения", required=True),
            ),
        ),
        Node(
            "track",
            "user",
            "Отследить производство и отгрузку с завода",
            INITIATOR,
            {**TO_INITIATOR, "gw:dueIn": "P14D"},
            form=(Field("shipped_on", "Отгружено заводом", "date", required=True), COMMENT),
        ),
        Node(
            "receive",
            "user",
            "Проконтролировать приход и оприходование",
            INITIATOR,
            {**TO_INITIATOR, "gw:dueIn": "P7D"},
            form=(
                Field("received_on", "Оприходовано", "date", required=True),
                Field("complete", "Комплектность проверена", "boolean", required=True),
            ),
        ),
        Node(
            "tell_client",
            "user",
            "Известить заказчика о приходе продукции",
            INITIATOR,
            {**TO_INITIATOR, "gw:dueIn": "P1D"},
            form=(Field("client_told_on", "Заказчик извещён", "date", required=True), COMMENT),
        ),
        Node("end", "end", "Продукция получена", INITIATOR, {"gw:outcome": "received"}),
        Node(
            "notify_rejected",
            "service",
            "Уведомить менеджера: заказ не согласован",
            INITIATOR,
            {"gw:action": "notify"},
        ),
        Node("end_rejected", "end", "Заказ не согласован", INITIATOR, {"gw:outcome": "rejected"}),
    ),
    flows=(
        Flow("start", "request"),
        Flow("request", "approve"),
        Flow("approve", "gw_approved"),
        Flow("gw_approved", "supplier_invoice", "decision == 'approve'", "Да"),
        Flow("gw_approved", "notify_rejected", name="Нет", id="order_rejected"),
        Flow("supplier_invoice", "pay_supplier"),
        Flow("pay_supplier", "track"),
        Flow("track", "receive"),
        Flow("receive", "tell_client"),
        Flow("tell_client", "end"),
        Flow("notify_rejected", "end_rejected"),
    ),
)

SHIPMENT = Process(
    key="shipment",
    name="Отгрузка заказчику",
    documentation="Семя 004 (п. 38–56): менеджер сообщает заказчику дату отгрузки и схему "
    "проезда, выписывает затратную и счёт-фактуру; бухгалтерия их подписывает (или "
    "возвращает на исправление); менеджер организует доставку, проверяет комплектацию и "
    "контролирует возврат подписанной затратной.",
    lanes=(INITIATOR, ACCOUNTANT),
    subject="deal",
    nodes=(
        Node("start", "start", "Продукция готова к отгрузке", INITIATOR),
        Node(
            "schedule",
            "user",
            "Известить заказчика о дате отгрузки",
            INITIATOR,
            {**TO_INITIATOR, "gw:dueIn": "P1D"},
            form=(
                Field("ship_on", "Дата отгрузки", "date", required=True),
                Field("route_sent", "Схема проезда отправлена", "boolean"),
            ),
        ),
        Node(
            "paperwork",
            "user",
            "Выписать затратную и счёт-фактуру",
            INITIATOR,
            {**TO_INITIATOR, "gw:dueIn": "P1D"},
            form=(
                Field("waybill_number", "Номер затратной", required=True),
                Field("vat_invoice_number", "Номер счёта-фактуры", required=True),
                Field("waybill_file", "Затратная (файл)", "file"),
            ),
        ),
        Node(
            "sign",
            "user",
            "Подписать затратную и счёт-фактуру",
            ACCOUNTANT,
            {"gw:dueIn": "P1D"},
            form=(
                Field(
                    "decision",
                    "Решение",
                    "choice",
                    required=True,
                    choices=(("approve", "Подписать"), ("rework", "Вернуть на исправление")),
                ),
                COMMENT,
            ),
        ),
        Node("gw_signed", "xor", "Подписано?", ACCOUNTANT, default="fix_paperwork"),
        Node(
            "deliver",
            "user",
            "Организовать доставку",
            INITIATOR,
            {**TO_INITIATOR, "gw:dueIn": "P2D"},
            form=(
                Field("vehicle", "Автомобиль / перевозчик", required=True),
                Field("complete", "Комплектация проверена", "boolean", required=True),
                Field("shipped_on", "Отгружено", "date", required=True),
            ),
        ),
        Node(
            "waybill_back",
            "user",
            "Проконтролировать возврат затратной",
            INITIATOR,
            {**TO_INITIATOR, "gw:dueIn": "P7D"},
            form=(Field("returned_on", "Подписанная затратная вернулась", "date", required=True),),
        ),
        Node("end", "end", "Отгружено", INITIATOR, {"gw:outcome": "shipped"}),
    ),
    flows=(
        Flow("start", "schedule"),
        Flow("schedule", "paperwork"),
        Flow("paperwork", "sign"),
        Flow("sign", "gw_signed"),
        Flow("gw_signed", "deliver", "decision == 'approve'", "Да"),
        Flow("gw_signed", "paperwork", name="На исправление", id="fix_paperwork"),
        Flow("deliver", "waybill_back"),
        Flow("waybill_back", "end"),
    ),
)


def _sign(node_id: str, name: str, lane: str, **attrs: str) -> Node:
    return Node(
        node_id, "user", name, lane, {"gw:dueIn": "P2D", **attrs}, form=(CONTRACT_DECISION, COMMENT)
    )


CONTRACT_APPROVAL_DIRECTORS = Process(
    key="contract_approval_directors",
    name="Согласование контракта с директорами",
    documentation="Семя 004 (п. 40–49), вариант «Согласования договора»: менеджер вносит "
    "реквизиты и спецификацию и прикладывает контракт; контракт согласуют юрист, "
    "коммерческий директор, финансовый директор и подписывает генеральный директор. Каждый "
    "может вернуть контракт на доработку (согласование идёт заново) или отклонить его; "
    "подписанный контракт менеджер отправляет заказчику и контролирует его возврат.",
    lanes=(INITIATOR, LAWYER, COMMERCIAL_DIRECTOR, FINANCE, GENERAL_DIRECTOR),
    subject="deal",
    nodes=(
        Node("start", "start", "Реквизиты заказчика получены", INITIATOR),
        Node(
            "prepare",
            "user",
            "Подготовить контракт",
            INITIATOR,
            {**TO_INITIATOR, "gw:dueIn": "P1D"},
            form=(
                Field("contract_file", "Контракт", "file", required=True),
                Field("specification", "Спецификация", "text", required=True),
                Field("commercial_director", "Коммерческий директор", "user", required=True),
                Field("general_director", "Генеральный директор", "user", required=True),
            ),
        ),
        _sign("review_lawyer", "Согласование с юристом", LAWYER),
        Node("gw_lawyer", "xor", "Юрист согласовал?", LAWYER, default="rework_lawyer"),
        _sign(
            "review_commercial",
            "Согласование с коммерческим директором",
            COMMERCIAL_DIRECTOR,
            **{"gw:assignee": "=commercial_director"},
        ),
        Node(
            "gw_commercial",
            "xor",
            "Коммерческий директор согласовал?",
            COMMERCIAL_DIRECTOR,
            default="rework_commercial",
        ),
        _sign("review_finance", "Согласование с финансовым директором", FINANCE),
        Node(
            "gw_finance",
            "xor",
            "Финансовый директор согласовал?",
            FINANCE,
            default="rework_finance",
        ),
        _sign(
            "sign_general",
            "Подписание у генерального директора",
            GENERAL_DIRECTOR,
            **{"gw:assignee": "=general_director"},
        ),
        Node(
            "gw_general",
            "xor",
            "Генеральный директор подписал?",
            GENERAL_DIRECTOR,
            default="rework_general",
        ),
        Node(
            "rework",
            "user",
            "Доработать контракт",
            INITIATOR,
            {**TO_INITIATOR, "gw:dueIn": "P1D"},
            form=(
                Field("changes", "Что исправлено", "text", required=True),
                Field("contract_file", "Исправленный контракт", "file", required=True),
            ),
        ),
        Node(
            "send",
            "user",
            "Отправить контракт заказчику и проконтролировать возврат",
            INITIATOR,
            {**TO_INITIATOR, "gw:dueIn": "P5D"},
            form=(
                Field(
                    "sent_by",
                    "Как отправлен",
                    "choice",
                    required=True,
                    choices=(("fax", "По факсу"), ("mail", "По почте"), ("email", "По e-mail")),
                ),
                Field("returned_on", "Подписанный экземпляр вернулся", "date", required=True),
            ),
        ),
        Node("end", "end", "Контракт подписан", INITIATOR, {"gw:outcome": "approved"}),
        Node(
            "notify_rejected",
            "service",
            "Уведомить менеджера: контракт отклонён",
            INITIATOR,
            {"gw:action": "notify"},
        ),
        Node("end_rejected", "end", "Контракт отклонён", INITIATOR, {"gw:outcome": "rejected"}),
    ),
    flows=(
        Flow("start", "prepare"),
        Flow("prepare", "review_lawyer"),
        Flow("review_lawyer", "gw_lawyer"),
        Flow("gw_lawyer", "review_commercial", "decision == 'approve'", "Да"),
        Flow("review_commercial", "gw_commercial"),
        Flow("gw_commercial", "review_finance", "decision == 'approve'", "Да"),
        Flow("review_finance", "gw_finance"),
        Flow("gw_finance", "sign_general", "decision == 'approve'", "Да"),
        Flow("sign_general", "gw_general"),
        Flow("gw_general", "send", "decision == 'approve'", "Подписан"),
        Flow("gw_lawyer", "rework", name="На доработку", id="rework_lawyer"),
        Flow("gw_commercial", "rework", name="На доработку", id="rework_commercial"),
        Flow("gw_finance", "rework", name="На доработку", id="rework_finance"),
        Flow("gw_general", "rework", name="На доработку", id="rework_general"),
        Flow("gw_lawyer", "notify_rejected", "decision == 'reject'", "Отклонён", id="reject_l"),
        Flow("gw_commercial", "notify_rejected", "decision == 'reject'", "Отклонён", id="reject_c"),
        Flow("gw_finance", "notify_rejected", "decision == 'reject'", "Отклонён", id="reject_f"),
        Flow("gw_general", "notify_rejected", "decision == 'reject'", "Отклонён", id="reject_g"),
        Flow("rework", "review_lawyer"),
        Flow("send", "end"),
        Flow("notify_rejected", "end_rejected"),
    ),
)

MANAGER_PROCESSES: tuple[Process, ...] = (
    COMPETENCE_ASSESSMENT,
    SUPPLIER_ORDER,
    SHIPMENT,
    CONTRACT_APPROVAL_DIRECTORS,
)
