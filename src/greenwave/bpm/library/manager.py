"""The sales manager's processes of seeds 002 and 004 not covered elsewhere: the competence
assessment (the head rates a manager's calls and meetings against a checklist), the order
from a supplier, the shipment to the client, and the contract route of seed 004 with its
four signers — lawyer, commercial director, financial director, general director — as a
variant of the library's contract approval. (Claims and returns are the money issue's.)
"""

from __future__ import annotations

from .layout import (
    Field,
    Flow,
    Gate,
    Node,
    Process,
    approved_or_not,
    chain,
    decision,
    end_event,
    notified_end,
    review_gates,
    service_task,
    user_task,
)
from .processes import (
    ACCOUNTANT,
    COMMENT,
    CONTRACT_DECISION,
    FINANCE,
    HEAD,
    INITIATOR,
    LAWYER,
    TO_INITIATOR,
    initiator_task,
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
        user_task(
            "choose",
            "Выбрать менеджера и период",
            HEAD_OF_DEPARTMENT,
            "P1D",
            Field("manager", "Менеджер", "user", required=True),
            Field("period_from", "Период с", "date", required=True),
            Field("period_to", "Период по", "date", required=True),
            to=TO_INITIATOR,
        ),
        user_task(
            "rate_calls",
            "Прослушать звонки и оценить по чек-листу",
            HEAD_OF_DEPARTMENT,
            "P3D",
            Field("calls_reviewed", "Прослушано звонков", "integer", required=True, min="1"),
            *CALL_CHECKLIST,
            COMMENT,
            to=TO_INITIATOR,
        ),
        user_task(
            "rate_meetings",
            "Разобрать встречи и оценить по чек-листу",
            HEAD_OF_DEPARTMENT,
            "P3D",
            Field("meetings_reviewed", "Разобрано встреч", "integer", required=True, min="0"),
            *MEETING_CHECKLIST,
            Field("meeting_comment", "Комментарий по встречам", "text"),
            to=TO_INITIATOR,
        ),
        user_task(
            "acknowledge",
            "Ознакомиться с оценкой",
            MANAGER,
            "P2D",
            Field("acknowledged", "С оценкой ознакомлен(а)", "boolean", required=True),
            Field("manager_comment", "Комментарий менеджера", "text"),
            to=TO_MANAGER,
        ),
        Node("gw_weak", "xor", "Есть слабые компетенции?", HEAD_OF_DEPARTMENT, default="fine"),
        user_task(
            "plan",
            "Назначить план развития",
            HEAD_OF_DEPARTMENT,
            "P2D",
            Field("development_plan", "План развития", "text", required=True),
            Field("review_on", "Повторная оценка", "date", required=True),
            to=TO_INITIATOR,
        ),
        service_task(
            "notify_plan", "Уведомить менеджера: назначен план развития", MANAGER, "notify"
        ),
        end_event("end_plan", "План развития назначен", HEAD_OF_DEPARTMENT, "weak"),
        end_event("end_fine", "Компетенции в норме", HEAD_OF_DEPARTMENT, "fine"),
    ),
    flows=(
        *chain("start", "choose", "rate_calls", "rate_meetings", "acknowledge", "gw_weak"),
        Flow(
            "gw_weak",
            "plan",
            " or ".join(f"{f.name} < {WEAK_BELOW}" for f in CHECKLIST),
            "Да",
        ),
        Flow("gw_weak", "end_fine", name="Нет", id="fine"),
        *chain("plan", "notify_plan", "end_plan"),
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
        initiator_task(
            "request",
            "Оформить заявку на продукцию",
            "P1D",
            Field("product", "Продукция", required=True),
            Field("quantity", "Количество", "decimal", required=True, min="0.001"),
            Field("supplier", "Завод-изготовитель / поставщик", required=True),
            Field("needed_by", "Нужно к дате", "date", required=True),
        ),
        user_task(
            "approve",
            "Согласовать заказ поставщику",
            HEAD,
            "P1D",
            decision(("approve", "Согласовать"), ("reject", "Отклонить")),
            COMMENT,
        ),
        Node("gw_approved", "xor", "Согласован?", HEAD, default="order_rejected"),
        initiator_task(
            "supplier_invoice",
            "Передать заявку на завод и получить счёт",
            "P3D",
            Field("supplier_invoice", "Номер счёта поставщика", required=True),
            Field("supplier_amount", "Сумма счёта, ₽", "decimal", required=True, min="0.01"),
            Field("supplier_invoice_file", "Счёт поставщика", "file"),
        ),
        user_task(
            "pay_supplier",
            "Оплатить счёт поставщика",
            ACCOUNTANT,
            "P2D",
            Field("paid_on", "Дата оплаты", "date", required=True),
            Field("payment_order", "Номер платёжного поручения", required=True),
        ),
        initiator_task(
            "track",
            "Отследить производство и отгрузку с завода",
            "P14D",
            Field("shipped_on", "Отгружено заводом", "date", required=True),
            COMMENT,
        ),
        initiator_task(
            "receive",
            "Проконтролировать приход и оприходование",
            "P7D",
            Field("received_on", "Оприходовано", "date", required=True),
            Field("complete", "Комплектность проверена", "boolean", required=True),
        ),
        initiator_task(
            "tell_client",
            "Известить заказчика о приходе продукции",
            "P1D",
            Field("client_told_on", "Заказчик извещён", "date", required=True),
            COMMENT,
        ),
        end_event("end", "Продукция получена", INITIATOR, "received"),
        *notified_end(
            "rejected", "Уведомить менеджера: заказ не согласован", "Заказ не согласован", INITIATOR
        ),
    ),
    flows=(
        *chain("start", "request", "approve", "gw_approved"),
        *approved_or_not("supplier_invoice", "order_rejected"),
        *chain("supplier_invoice", "pay_supplier", "track", "receive", "tell_client", "end"),
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
        initiator_task(
            "schedule",
            "Известить заказчика о дате отгрузки",
            "P1D",
            Field("ship_on", "Дата отгрузки", "date", required=True),
            Field("route_sent", "Схема проезда отправлена", "boolean"),
        ),
        initiator_task(
            "paperwork",
            "Выписать затратную и счёт-фактуру",
            "P1D",
            Field("waybill_number", "Номер затратной", required=True),
            Field("vat_invoice_number", "Номер счёта-фактуры", required=True),
            Field("waybill_file", "Затратная (файл)", "file"),
        ),
        user_task(
            "sign",
            "Подписать затратную и счёт-фактуру",
            ACCOUNTANT,
            "P1D",
            decision(("approve", "Подписать"), ("rework", "Вернуть на исправление")),
            COMMENT,
        ),
        Node("gw_signed", "xor", "Подписано?", ACCOUNTANT, default="fix_paperwork"),
        initiator_task(
            "deliver",
            "Организовать доставку",
            "P2D",
            Field("vehicle", "Автомобиль / перевозчик", required=True),
            Field("complete", "Комплектация проверена", "boolean", required=True),
            Field("shipped_on", "Отгружено", "date", required=True),
        ),
        initiator_task(
            "waybill_back",
            "Проконтролировать возврат затратной",
            "P7D",
            Field("returned_on", "Подписанная затратная вернулась", "date", required=True),
        ),
        end_event("end", "Отгружено", INITIATOR, "shipped"),
    ),
    flows=(
        *chain("start", "schedule", "paperwork", "sign", "gw_signed"),
        Flow("gw_signed", "deliver", "decision == 'approve'", "Да"),
        Flow("gw_signed", "paperwork", name="На исправление", id="fix_paperwork"),
        *chain("deliver", "waybill_back", "end"),
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
        initiator_task(
            "prepare",
            "Подготовить контракт",
            "P1D",
            Field("contract_file", "Контракт", "file", required=True),
            Field("specification", "Спецификация", "text", required=True),
            Field("commercial_director", "Коммерческий директор", "user", required=True),
            Field("general_director", "Генеральный директор", "user", required=True),
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
        initiator_task(
            "rework",
            "Доработать контракт",
            "P1D",
            Field("changes", "Что исправлено", "text", required=True),
            Field("contract_file", "Исправленный контракт", "file", required=True),
        ),
        initiator_task(
            "send",
            "Отправить контракт заказчику и проконтролировать возврат",
            "P5D",
            Field(
                "sent_by",
                "Как отправлен",
                "choice",
                required=True,
                choices=(("fax", "По факсу"), ("mail", "По почте"), ("email", "По e-mail")),
            ),
            Field("returned_on", "Подписанный экземпляр вернулся", "date", required=True),
        ),
        end_event("end", "Контракт подписан", INITIATOR, "approved"),
        *notified_end(
            "rejected", "Уведомить менеджера: контракт отклонён", "Контракт отклонён", INITIATOR
        ),
    ),
    flows=(
        *chain("start", "prepare", "review_lawyer", "gw_lawyer"),
        *review_gates(
            (
                Gate("review_lawyer", "gw_lawyer", "rework_lawyer", "reject_l"),
                Gate("review_commercial", "gw_commercial", "rework_commercial", "reject_c"),
                Gate("review_finance", "gw_finance", "rework_finance", "reject_f"),
                Gate("sign_general", "gw_general", "rework_general", "reject_g"),
            ),
            "send",
            rework="rework",
            rework_name="На доработку",
            rejected="notify_rejected",
            approved_name="Подписан",
        ),
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
