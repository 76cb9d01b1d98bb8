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

from .layout import Field, Flow, Node, Process, chain, decision, service_task, user_task

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
        user_task(
            "register",
            "Учесть претензию и документы",
            RESPONSIBLE,
            "P1D",
            Field("documents_received", "Акт и документы получены", "boolean", required=True),
            COMMENT,
            to=TO_RESPONSIBLE,
        ),
        service_task(
            "to_investigation", "Претензия на рассмотрении", SYSTEM, "claim_investigation"
        ),
        Node("gw_kind", "xor", "Возврат товара?", RESPONSIBLE, default="no_return"),
        user_task(
            "receive_return",
            "Принять возвращённый товар на склад",
            RESPONSIBLE,
            "P5D",
            Field("received_on", "Дата прихода на склад", "date", required=True),
            Field("goods_condition", "Состояние товара", "text", required=True),
            to=TO_RESPONSIBLE,
        ),
        user_task(
            "analyse",
            "Разобрать претензию",
            LAWYER,
            "P3D",
            Field("findings", "Выводы", "text", required=True),
            Field("manufacturer_letter", "Письмо заводу-изготовителю отправлено", "boolean"),
            Field("manufacturer_answer", "Ответ завода-изготовителя", "text"),
        ),
        service_task("to_decision", "Претензия ждёт решения", SYSTEM, "claim_to_decision"),
        user_task(
            "decide",
            "Принять решение по претензии",
            HEAD,
            "P1D",
            decision(
                ("refund", "Вернуть деньги"),
                ("replacement", "Заменить товар"),
                ("rejected", "Отказать"),
            ),
            Field("resolution", "Обоснование для клиента", "text", required=True),
        ),
        service_task("apply", "Записать решение", SYSTEM, "claim_decide"),
        Node("gw_decision", "xor", "Какое решение?", HEAD, default="rejected"),
        user_task(
            "refund",
            "Вернуть деньги клиенту",
            FINANCE,
            "P3D",
            Field("refund_date", "Дата возврата", "date", required=True),
            Field("payment_order", "Номер платёжного поручения", required=True),
        ),
        user_task(
            "replace",
            "Отгрузить замену",
            RESPONSIBLE,
            "P10D",
            Field("replacement_document", "Номер документа отгрузки замены", required=True),
            Field("replacement_shipped_on", "Дата отгрузки замены", "date", required=True),
            to=TO_RESPONSIBLE,
        ),
        service_task("close", "Закрыть претензию", SYSTEM, "claim_close"),
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
        service_task("escalate", "Эскалировать руководителю", SYSTEM, "claim_escalate"),
        user_task(
            "control",
            "Взять просроченную претензию под контроль",
            HEAD,
            "P1D",
            Field("measures", "Что предпринято", "text", required=True),
        ),
        Node("end_escalated", "end", "Эскалация обработана", HEAD),
    ),
    flows=(
        *chain("start", "split", "register"),
        Flow("split", "deadline"),
        *chain("register", "to_investigation", "gw_kind"),
        Flow("gw_kind", "receive_return", "kind == 'return'", "Возврат"),
        Flow("gw_kind", "analyse", name="Претензия", id="no_return"),
        *chain("receive_return", "analyse", "to_decision", "decide", "apply", "gw_decision"),
        Flow("gw_decision", "refund", "decision == 'refund'", "Возврат денег"),
        Flow("gw_decision", "replace", "decision == 'replacement'", "Замена"),
        Flow("gw_decision", "end_rejected", name="Отказ", id="rejected"),
        Flow("refund", "close"),
        *chain("replace", "close", "end_settled"),
        *chain("deadline", "escalate", "control", "end_escalated"),
    ),
)

CLAIM_PROCESSES: tuple[Process, ...] = (CLAIM_HANDLING,)
