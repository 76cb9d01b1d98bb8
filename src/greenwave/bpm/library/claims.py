"""The claim and return process of seed 004 (items 58–71), as data laid out into BPMN.

Registration (the responsible manager records the act and documents) → investigation (the
lawyer analyses the claim, writes to the manufacturer and reads its answer) → decision (the
head of sales: refund, replacement or rejection) → resolution (finance returns the money, or
the manager ships the replacement) → closed. A return (`kind == 'return'`) first takes the
goods back to the warehouse (items 65–67). Every step has its own deadline (`gw:dueIn`,
escalated to the team head by the task escalation job); the legal or contractual deadline of
the answer is a timer (`answer_due`, an ISO date-time) that escalates the claim to the head
of sales, who gets a control task. The claim record follows the process through the
`claim_*` service actions the orders app registers (`orders.claim_actions`); the main path
ends in terminate end events, which also end a still waiting deadline timer.

Started by the orders app when a claim is registered (`gw:subject="claim"`), with the
variables `claim_id`, `kind`, `responsible` (username) and `answer_due`.
"""

from __future__ import annotations

from .layout import Field, Flow, Node, Process

RESPONSIBLE = "Ответственный"
LAWYER = "Юрист"
HEAD = "Руководитель отдела продаж"
FINANCE = "Финансист"
SYSTEM = "Система"

TO_RESPONSIBLE = {"gw:assignee": "=responsible"}
COMMENT = Field("comment", "Комментарий", "text")
TERMINATE = '<bpmn:terminateEventDefinition id="{id}_terminate"/>'


def _terminate(node_id: str, name: str, outcome: str) -> Node:
    return Node(
        node_id,
        "end",
        name,
        RESPONSIBLE,
        {"gw:outcome": outcome},
        extra_xml=TERMINATE.format(id=node_id),
    )


CLAIM_HANDLING = Process(
    key="claim_handling",
    name="Рассмотрение претензии",
    documentation="Претензия или возврат клиента по заказу (семя 004, пп. 58–71): учёт "
    "претензии и документов ответственным менеджером → при возврате приём товара на склад → "
    "разбор юристом (письмо заводу-изготовителю, его ответ) → решение руководителя отдела "
    "продаж (возврат денег, замена или отказ) → возврат денег финансистом или отгрузка замены "
    "менеджером → претензия закрыта. У каждого шага свой срок; по истечении срока ответа "
    "(answer_due) претензия эскалируется руководителю. Статус претензии следует за процессом. "
    "Запускается при регистрации претензии.",
    lanes=(RESPONSIBLE, LAWYER, HEAD, FINANCE, SYSTEM),
    subject="claim",
    nodes=(
        Node("start", "start", "Претензия зарегистрирована", RESPONSIBLE),
        Node("split", "and", "Срок ответа идёт", RESPONSIBLE),
        Node(
            "register",
            "user",
            "Учесть претензию и документы",
            RESPONSIBLE,
            {**TO_RESPONSIBLE, "gw:dueIn": "P1D"},
            form=(
                Field("documents_received", "Акт и документы получены", "boolean", required=True),
                COMMENT,
            ),
        ),
        Node(
            "to_investigation",
            "service",
            "Претензия на рассмотрении",
            SYSTEM,
            {"gw:action": "claim_investigation"},
        ),
        Node("gw_kind", "xor", "Возврат товара?", RESPONSIBLE, default="no_return"),
        Node(
            "receive_return",
            "user",
            "Принять возвращённый товар на склад",
            RESPONSIBLE,
            {**TO_RESPONSIBLE, "gw:dueIn": "P5D"},
            form=(
                Field("received_on", "Дата прихода на склад", "date", required=True),
                Field("goods_condition", "Состояние товара", "text", required=True),
            ),
        ),
        Node(
            "analyse",
            "user",
            "Разобрать претензию",
            LAWYER,
            {"gw:dueIn": "P3D"},
            form=(
                Field("findings", "Выводы", "text", required=True),
                Field("manufacturer_letter", "Письмо заводу-изготовителю отправлено", "boolean"),
                Field("manufacturer_answer", "Ответ завода-изготовителя", "text"),
            ),
        ),
        Node(
            "to_decision",
            "service",
            "Претензия ждёт решения",
            SYSTEM,
            {"gw:action": "claim_to_decision"},
        ),
        Node(
            "decide",
            "user",
            "Принять решение по претензии",
            HEAD,
            {"gw:dueIn": "P1D"},
            form=(
                Field(
                    "decision",
                    "Решение",
                    "choice",
                    required=True,
                    choices=(
                        ("refund", "Вернуть деньги"),
                        ("replacement", "Заменить товар"),
                        ("rejected", "Отказать"),
                    ),
                ),
                Field("resolution", "Обоснование для клиента", "text", required=True),
            ),
        ),
        Node("apply", "service", "Записать решение", SYSTEM, {"gw:action": "claim_decide"}),
        Node("gw_decision", "xor", "Какое решение?", HEAD, default="rejected"),
        Node(
            "refund",
            "user",
            "Вернуть деньги клиенту",
            FINANCE,
            {"gw:dueIn": "P3D"},
            form=(
                Field("refund_date", "Дата возврата", "date", required=True),
                Field("payment_order", "Номер платёжного поручения", required=True),
            ),
        ),
        Node(
            "replace",
            "user",
            "Отгрузить замену",
            RESPONSIBLE,
            {**TO_RESPONSIBLE, "gw:dueIn": "P10D"},
            form=(
                Field("replacement_document", "Номер документа отгрузки замены", required=True),
                Field("replacement_shipped_on", "Дата отгрузки замены", "date", required=True),
            ),
        ),
        Node("close", "service", "Закрыть претензию", SYSTEM, {"gw:action": "claim_close"}),
        _terminate("end_settled", "Претензия удовлетворена", "settled"),
        _terminate("end_rejected", "Претензия отклонена", "rejected"),
        Node(
            "deadline",
            "timer",
            "Срок ответа истёк",
            HEAD,
            extra_xml='<bpmn:timerEventDefinition id="deadline_timer"><bpmn:timeDate '
            'xsi:type="bpmn:tFormalExpression">answer_due</bpmn:timeDate>'
            "</bpmn:timerEventDefinition>",
        ),
        Node(
            "escalate",
            "service",
            "Эскалировать руководителю",
            SYSTEM,
            {"gw:action": "claim_escalate"},
        ),
        Node(
            "control",
            "user",
            "Взять просроченную претензию под контроль",
            HEAD,
            {"gw:dueIn": "P1D"},
            form=(Field("measures", "Что предпринято", "text", required=True),),
        ),
        Node("end_escalated", "end", "Эскалация обработана", HEAD),
    ),
    flows=(
        Flow("start", "split"),
        Flow("split", "register"),
        Flow("split", "deadline"),
        Flow("register", "to_investigation"),
        Flow("to_investigation", "gw_kind"),
        Flow("gw_kind", "receive_return", "kind == 'return'", "Возврат"),
        Flow("gw_kind", "analyse", name="Претензия", id="no_return"),
        Flow("receive_return", "analyse"),
        Flow("analyse", "to_decision"),
        Flow("to_decision", "decide"),
        Flow("decide", "apply"),
        Flow("apply", "gw_decision"),
        Flow("gw_decision", "refund", "decision == 'refund'", "Возврат денег"),
        Flow("gw_decision", "replace", "decision == 'replacement'", "Замена"),
        Flow("gw_decision", "end_rejected", name="Отказ", id="rejected"),
        Flow("refund", "close"),
        Flow("replace", "close"),
        Flow("close", "end_settled"),
        Flow("deadline", "escalate"),
        Flow("escalate", "control"),
        Flow("control", "end_escalated"),
    ),
)

CLAIM_PROCESSES: tuple[Process, ...] = (CLAIM_HANDLING,)
