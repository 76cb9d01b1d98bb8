"""The HR processes of seed 001 (after Bitrix24's standard set): sick leave, business trip,
time off, vacation, dismissal and hiring, as data laid out into BPMN.

Routing follows the seed: the employee (the person who starts the process) fills the
application, their head («Руководитель»: the head of sales whose teams cover the employee's
team) approves it, then HR («Отдел кадров») and the accountant («Бухгалтер») get their
tasks; the `notify` steps tell the employee (or whoever their lane names) in the app and by
e-mail. The document the head approves (a scan, a signed application) travels with the
process as a file field and is shown to each approver; in the vacation, time-off, business-trip
and dismissal processes the employee's application itself is made from the documents' DOCX
template right after the form (`documents.hr_applications`) and travels the same way.
"""

from __future__ import annotations

from .layout import (
    Field,
    Flow,
    Node,
    Process,
    approved_or_not,
    chain,
    decision,
    end_event,
    notified_end,
    service_task,
    user_task,
)
from .processes import ACCOUNTANT, COMMENT, INITIATOR, TO_INITIATOR, initiator_task

EMPLOYEE = INITIATOR
HEAD = "Руководитель"
HR = "Отдел кадров"
NEWCOMER = "Новый сотрудник"

APPROVAL = decision(("approve", "Согласовать"), ("reject", "Отклонить"))
DATE_FROM = Field("date_from", "С", "date", required=True)
DATE_TO = Field("date_to", "По", "date", required=True)
ATTACHMENT = Field("attachment", "Документ (скан заявления, листка и т. п.)", "file")


def _fill(name: str, *fields: Field) -> Node:
    return initiator_task("fill", name, "P1D", *fields)


def _approve(name: str) -> Node:
    return user_task("approve", name, HEAD, "P1D", APPROVAL, COMMENT)


def _notify(node_id: str, name: str, lane: str = EMPLOYEE) -> Node:
    return service_task(node_id, name, lane, "notify")


def _end(node_id: str, name: str, outcome: str) -> Node:
    return end_event(node_id, name, EMPLOYEE, outcome)


def _application() -> Node:
    """The employee's application made from the documents' DOCX template and kept with the
    process (documents.hr_applications), so the head, HR and the accountant each see it."""
    return service_task(
        "application", "Сформировать заявление по шаблону", EMPLOYEE, "hr_application"
    )


def _record_absence() -> Node:
    return service_task(
        "record_absence", "Записать в график отсутствий", EMPLOYEE, "absence_record"
    )


SICK_LEAVE = Process(
    key="sick_leave",
    name="Оформление больничного",
    documentation="Семя 001: сотрудник из дома выбирает вид отсутствия — больничный лист, "
    "работа из дома или отгул за свой счёт; руководитель подтверждает; по больничному листу "
    "отдел кадров принимает листок, бухгалтер начисляет пособие; по отгулу за свой счёт "
    "бухгалтер учитывает его в табеле; сотрудник получает уведомление с указаниями.",
    lanes=(EMPLOYEE, HEAD, HR, ACCOUNTANT),
    nodes=(
        Node("start", "start", "Сотрудник заболел", EMPLOYEE),
        _fill(
            "Заявка на больничный",
            Field(
                "absence_kind",
                "Вид отсутствия",
                "choice",
                required=True,
                choices=(
                    ("sick_list", "Больничный лист"),
                    ("remote", "Работа из дома"),
                    ("unpaid", "Отгул за свой счёт"),
                ),
            ),
            DATE_FROM,
            Field("date_to", "По (ориентировочно)", "date"),
            ATTACHMENT,
            COMMENT,
        ),
        _approve("Подтвердить отсутствие сотрудника"),
        Node("gw_approved", "xor", "Подтверждено?", HEAD, default="sick_rejected"),
        Node("gw_kind", "xor", "Вид отсутствия?", HEAD, default="to_remote"),
        user_task(
            "hr_sheet",
            "Принять листок нетрудоспособности",
            HR,
            "P2D",
            Field("sheet_number", "Номер листка нетрудоспособности", required=True),
            Field("sheet_closed_on", "Листок закрыт", "date"),
            COMMENT,
        ),
        user_task(
            "accrue_benefit",
            "Начислить пособие по больничному",
            ACCOUNTANT,
            "P3D",
            Field("benefit", "Сумма пособия, ₽", "decimal", required=True, min="0"),
            COMMENT,
        ),
        user_task(
            "record_unpaid",
            "Учесть отгул за свой счёт в табеле",
            ACCOUNTANT,
            "P2D",
            Field("days", "Дней без сохранения оплаты", "integer", required=True, min="1"),
        ),
        _notify("notify_done", "Уведомить сотрудника: отсутствие оформлено"),
        _record_absence(),
        _end("end_done", "Отсутствие оформлено", "approved"),
        *notified_end(
            "rejected",
            "Уведомить сотрудника: отсутствие не подтверждено",
            "Не подтверждено",
            EMPLOYEE,
        ),
    ),
    flows=(
        *chain("start", "fill", "approve", "gw_approved"),
        *approved_or_not("gw_kind", "sick_rejected"),
        Flow("gw_kind", "hr_sheet", "absence_kind == 'sick_list'", "Больничный лист"),
        Flow("gw_kind", "record_unpaid", "absence_kind == 'unpaid'", "За свой счёт"),
        Flow("gw_kind", "notify_done", name="Из дома", id="to_remote"),
        *chain("hr_sheet", "accrue_benefit", "notify_done"),
        *chain("record_unpaid", "notify_done", "record_absence", "end_done"),
        Flow("notify_rejected", "end_rejected"),
    ),
)

BUSINESS_TRIP = Process(
    key="business_trip",
    name="Оформление командировки",
    documentation="Семя 001: сотрудник заполняет данные командировки; руководитель утверждает "
    "(не утвердил — процесс закрывается с уведомлением); после утверждения уведомляются "
    "сотрудник и бухгалтер, бухгалтер выдаёт аванс.",
    lanes=(EMPLOYEE, HEAD, ACCOUNTANT),
    nodes=(
        Node("start", "start", "Нужна командировка", EMPLOYEE),
        _fill(
            "Заявка на командировку",
            Field("destination", "Куда", required=True),
            Field("purpose", "Цель командировки", "text", required=True),
            DATE_FROM,
            DATE_TO,
            Field("advance", "Аванс, ₽", "decimal", min="0"),
            ATTACHMENT,
        ),
        _application(),
        _approve("Утвердить командировку"),
        Node("gw_approved", "xor", "Утверждена?", HEAD, default="trip_rejected"),
        _notify("notify_accountant", "Уведомить бухгалтера о командировке", ACCOUNTANT),
        user_task(
            "pay_advance",
            "Выдать аванс на командировку",
            ACCOUNTANT,
            "P1D",
            Field("advance_paid", "Выдано, ₽", "decimal", required=True, min="0"),
            Field("paid_on", "Дата выдачи", "date", required=True),
        ),
        _notify("notify_approved", "Уведомить сотрудника: командировка утверждена"),
        _record_absence(),
        _end("end_approved", "Командировка оформлена", "approved"),
        *notified_end(
            "rejected",
            "Уведомить сотрудника: командировка не утверждена",
            "Командировка не утверждена",
            EMPLOYEE,
        ),
    ),
    flows=(
        *chain("start", "fill", "application", "approve", "gw_approved"),
        *approved_or_not("notify_accountant", "trip_rejected"),
        *chain(
            "notify_accountant", "pay_advance", "notify_approved", "record_absence", "end_approved"
        ),
        Flow("notify_rejected", "end_rejected"),
    ),
)

TIME_OFF = Process(
    key="time_off",
    name="Заявление на отгул",
    documentation="Семя 001: сотрудник указывает дату, причину и вид отработки (за свой счёт "
    "или за ранее отработанное время); руководитель согласует; отказ — уведомление "
    "руководителю и автору; согласие — бухгалтер учитывает отгул, уведомление автору, "
    "запись в график отсутствий.",
    lanes=(EMPLOYEE, HEAD, ACCOUNTANT),
    nodes=(
        Node("start", "start", "Нужен отгул", EMPLOYEE),
        _fill(
            "Заявление на отгул",
            Field("date_from", "Дата отгула", "date", required=True),
            Field("reason", "Причина", "text", required=True),
            Field(
                "compensation",
                "Вид отработки",
                "choice",
                required=True,
                choices=(("unpaid", "За свой счёт"), ("worked", "За ранее отработанное время")),
            ),
        ),
        _application(),
        _approve("Согласовать отгул"),
        Node("gw_approved", "xor", "Согласован?", HEAD, default="off_rejected"),
        user_task("account", "Учесть отгул в табеле", ACCOUNTANT, "P2D", COMMENT),
        _notify("notify_approved", "Уведомить сотрудника: отгул согласован"),
        _record_absence(),
        _end("end_approved", "Отгул согласован", "approved"),
        _notify("notify_head", "Уведомить руководителя отдела об отказе", HEAD),
        *notified_end(
            "rejected", "Уведомить сотрудника: отгул не согласован", "Отгул не согласован", EMPLOYEE
        ),
    ),
    flows=(
        *chain("start", "fill", "application", "approve", "gw_approved"),
        *approved_or_not("account", "off_rejected", "notify_head"),
        *chain("account", "notify_approved", "record_absence", "end_approved"),
        *chain("notify_head", "notify_rejected", "end_rejected"),
    ),
)

VACATION = Process(
    key="vacation",
    name="Оформление отпуска",
    documentation="Семя 001: сотрудник указывает даты начала и окончания отпуска; руководитель "
    "согласует период (отказ — уведомление автору); затем задачи сразу и отделу кадров "
    "(приказ), и бухгалтерии (отпускные); сотруднику приходит уведомление, отпуск "
    "записывается в график отсутствий.",
    lanes=(EMPLOYEE, HEAD, HR, ACCOUNTANT),
    nodes=(
        Node("start", "start", "Сотрудник планирует отпуск", EMPLOYEE),
        _fill(
            "Заявление на отпуск",
            Field(
                "vacation_kind",
                "Вид отпуска",
                "choice",
                required=True,
                choices=(("annual", "Ежегодный оплачиваемый"), ("unpaid", "Без сохранения оплаты")),
            ),
            DATE_FROM,
            DATE_TO,
            ATTACHMENT,
            COMMENT,
        ),
        _application(),
        _approve("Согласовать отпуск"),
        Node("gw_approved", "xor", "Согласован?", HEAD, default="vacation_rejected"),
        Node("split", "and", "Кадры и бухгалтерия", HR),
        user_task(
            "hr_order",
            "Оформить приказ об отпуске",
            HR,
            "P2D",
            Field("order_number", "Номер приказа", required=True),
            Field("order_date", "Дата приказа", "date", required=True),
        ),
        user_task(
            "vacation_pay",
            "Начислить отпускные",
            ACCOUNTANT,
            "P3D",
            Field("vacation_pay", "Отпускные, ₽", "decimal", required=True, min="0"),
        ),
        Node("join", "and", "Документы оформлены", HR),
        _notify("notify_approved", "Уведомить сотрудника: отпуск согласован"),
        _record_absence(),
        _end("end_approved", "Отпуск оформлен", "approved"),
        *notified_end(
            "rejected",
            "Уведомить сотрудника: отпуск не согласован",
            "Отпуск не согласован",
            EMPLOYEE,
        ),
    ),
    flows=(
        *chain("start", "fill", "application", "approve", "gw_approved"),
        *approved_or_not("split", "vacation_rejected"),
        Flow("split", "hr_order"),
        Flow("split", "vacation_pay"),
        Flow("hr_order", "join"),
        *chain("vacation_pay", "join", "notify_approved", "record_absence", "end_approved"),
        Flow("notify_rejected", "end_rejected"),
    ),
)

DISMISSAL = Process(
    key="dismissal",
    name="Увольнение сотрудника",
    documentation="Семя 001: сотрудник заполняет заявление об увольнении; руководитель "
    "согласует (отказ — уведомление автору); затем отдел кадров оформляет увольнение, "
    "бухгалтер делает окончательный расчёт, автор получает уведомление.",
    lanes=(EMPLOYEE, HEAD, HR, ACCOUNTANT),
    nodes=(
        Node("start", "start", "Сотрудник увольняется", EMPLOYEE),
        _fill(
            "Заявление об увольнении",
            Field("last_day", "Последний рабочий день", "date", required=True),
            Field("reason", "Причина", "text"),
            Field("handover_to", "Кому передать дела", "user"),
            ATTACHMENT,
        ),
        _application(),
        _approve("Согласовать увольнение"),
        Node("gw_approved", "xor", "Согласовано?", HEAD, default="dismissal_rejected"),
        user_task(
            "hr_dismiss",
            "Оформить увольнение (приказ, трудовая книжка)",
            HR,
            "P2D",
            Field("order_number", "Номер приказа", required=True),
            Field("workbook_issued", "Трудовая книжка выдана", "boolean", required=True),
        ),
        _notify("notify_accountant", "Уведомить бухгалтера об увольнении", ACCOUNTANT),
        user_task(
            "final_pay",
            "Окончательный расчёт",
            ACCOUNTANT,
            "P2D",
            Field("final_amount", "Сумма расчёта, ₽", "decimal", required=True, min="0"),
            Field("paid_on", "Дата выплаты", "date", required=True),
        ),
        *notified_end(
            "approved",
            "Уведомить сотрудника: увольнение оформлено",
            "Увольнение оформлено",
            EMPLOYEE,
        ),
        *notified_end(
            "rejected",
            "Уведомить сотрудника: заявление не согласовано",
            "Заявление не согласовано",
            EMPLOYEE,
        ),
    ),
    flows=(
        *chain("start", "fill", "application", "approve", "gw_approved"),
        *approved_or_not("hr_dismiss", "dismissal_rejected"),
        *chain("hr_dismiss", "notify_accountant", "final_pay", "notify_approved", "end_approved"),
        Flow("notify_rejected", "end_rejected"),
    ),
)

HIRING = Process(
    key="hiring",
    name="Принятие нового сотрудника",
    documentation="Семя 001: отдел кадров вводит данные сотрудника; новый сотрудник "
    "знакомится с документами (правила, должностная инструкция, соглашение о "
    "конфиденциальности); его руководитель (его называет отдел кадров) вводит его в курс "
    "работы и назначает обучение; после "
    "полного ознакомления процесс закрывается. Запускает сотрудник отдела кадров.",
    lanes=(HR, NEWCOMER, HEAD),
    nodes=(
        Node("start", "start", "Сотрудник принят", HR),
        user_task(
            "enter",
            "Ввести данные нового сотрудника",
            HR,
            "P1D",
            Field("newcomer", "Новый сотрудник (логин)", "user", required=True),
            Field("position", "Должность", required=True),
            Field("head", "Руководитель нового сотрудника", "user", required=True),
            Field("start_date", "Дата выхода", "date", required=True),
            Field("contract", "Трудовой договор", "file"),
            to=TO_INITIATOR,
        ),
        user_task(
            "acknowledge",
            "Ознакомиться с документами",
            NEWCOMER,
            "P3D",
            Field("rules_read", "Правила внутреннего распорядка", "boolean", required=True),
            Field("duties_read", "Должностная инструкция", "boolean", required=True),
            Field("nda_read", "Соглашение о конфиденциальности", "boolean", required=True),
            to={"gw:assignee": "=newcomer"},
        ),
        user_task(
            "onboard",
            "Ввести в курс работы и назначить обучение",
            HEAD,
            "P5D",
            Field("mentor", "Наставник", "user", required=True),
            Field("training", "План обучения", "text", required=True),
            to={"gw:assignee": "=head"},
        ),
        _notify("notify_done", "Уведомить отдел кадров: сотрудник оформлен", HR),
        end_event("end", "Сотрудник оформлен", HR, "approved"),
    ),
    flows=(*chain("start", "enter", "acknowledge", "onboard", "notify_done", "end"),),
)

HR_PROCESSES: tuple[Process, ...] = (
    SICK_LEAVE,
    BUSINESS_TRIP,
    TIME_OFF,
    VACATION,
    DISMISSAL,
    HIRING,
)
