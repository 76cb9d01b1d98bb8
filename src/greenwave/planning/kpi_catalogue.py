"""The built-in KPIs of seed 003 as data (key, names, unit, direction, definition) and
their synchronisation into the `Kpi` table (re-exported by `kpis`)."""

from __future__ import annotations

from typing import Any

# --- the catalogue -----------------------------------------------------------------------

BUILTIN: list[dict[str, str]] = [
    {
        "key": "revenue",
        "name": "Достижение финансового плана (выручка)",
        "name_en": "Revenue (financial plan)",
        "unit": "money",
        "direction": "up",
        "definition": (
            "Выручка месяца. По умолчанию (настройка «выручка = оплачено»): сумма поступивших "
            "оплат — событий payment_received с датой платежа (payment_date) в этом месяце, "
            "минус возвраты payment_refunded с датой в этом месяце; оплата, внесённая в "
            "систему уже в следующем месяце, идёт в месяц своей даты. Засчитывается "
            "ответственному и команде счёта (responsible_id, team_id события invoice_issued). "
            "При настройке «выручка = выиграно»: сумма сделок, выигранных в этом месяце "
            "(дата закрытия), ответственному и команде сделки."
        ),
        "definition_en": (
            "Revenue of the month. By default (setting «revenue = paid»): the sum of payments "
            "received — payment_received events whose payment_date falls in the month — minus "
            "payment_refunded events dated in the month; a payment entered only next month "
            "counts in the month of its date. Credited to the invoice's responsible and team "
            "(responsible_id, team_id of its invoice_issued event). With «revenue = won»: the "
            "amount of deals won in the month (closing date), credited to the deal's "
            "responsible and team."
        ),
    },
    {
        "key": "projects",
        "name": "Количество проектов в месяц",
        "name_en": "Projects per month",
        "unit": "count",
        "direction": "up",
        "definition": (
            "Число сделок, выигранных в этом месяце (статус «выиграна», дата закрытия в "
            "месяце); засчитывается ответственному и команде сделки."
        ),
        "definition_en": (
            "The number of deals won in the month (status won, closing date in the month), "
            "credited to the deal's responsible and team."
        ),
    },
    # Seed 003 names «Среднее время обработки заказа» among the managers' monthly KPIs (some
    # of them in their motivation) and defines it nowhere. It stays deal created → won, the
    # seller's handling of the client's order, not order → shipment: shipping is the
    # warehouse and transport people's block (002: «второй — осуществляют
    # транспортно-складские подразделения»), 004 counts the seller doing it all as the fault
    # to undo, and delivery on time is a KPI of its own in the seed (point 11, projects not
    # handed over in time).
    {
        "key": "order_processing_days",
        "name": "Среднее время обработки заказа",
        "name_en": "Average order processing time",
        "unit": "days",
        "direction": "down",
        "definition": (
            "Среднее число дней от создания сделки до её выигрыша по сделкам, выигранным в "
            "этом месяце; ответственному и команде сделки."
        ),
        "definition_en": (
            "The average number of days from a deal's creation to its win, over the deals won "
            "in the month; credited to the deal's responsible and team."
        ),
    },
    {
        "key": "positive_decisions",
        "name": "Количество положительных решений по заявкам",
        "name_en": "Positive decisions on applications",
        "unit": "count",
        "direction": "up",
        "definition": (
            "Число заявок (лидов), по которым в этом месяце принято положительное решение: "
            "лид переведён в сделку (статус «переведён в сделку», дата закрытия в месяце); "
            "ответственному и команде лида."
        ),
        "definition_en": (
            "The number of applications (leads) decided positively in the month: converted "
            "into a deal (status converted, closing date in the month); credited to the "
            "lead's responsible and team."
        ),
    },
    {
        "key": "motivated_refusal_share",
        "name": "Доля мотивированных отказов",
        "name_en": "Share of motivated refusals",
        "unit": "percent",
        "direction": "down",
        "definition": (
            "Отношение мотивированных отказов к общему числу решённых заявок, в процентах: "
            "из лидов, закрытых в этом месяце (переведены в сделку или отклонены), доля "
            "отклонённых с указанной причиной отказа; ответственному и команде лида."
        ),
        "definition_en": (
            "Motivated refusals over all applications decided, in percent: of the leads "
            "closed in the month (converted or disqualified), the share disqualified with a "
            "stated reason; credited to the lead's responsible and team."
        ),
    },
    {
        "key": "calls",
        "name": "Количество звонков",
        "name_en": "Calls",
        "unit": "count",
        "direction": "up",
        "definition": (
            "Число звонков, проведённых в этом месяце (звонок со статусом «выполнено», дата "
            "выполнения в месяце); ответственному и команде звонка."
        ),
        "definition_en": (
            "The number of calls completed in the month (status done, completion date in the "
            "month); credited to the call's responsible and team."
        ),
    },
    {
        "key": "meetings",
        "name": "Количество встреч",
        "name_en": "Meetings",
        "unit": "count",
        "direction": "up",
        "definition": (
            "Число встреч, проведённых в этом месяце (встреча со статусом «выполнено», дата "
            "выполнения в месяце); ответственному и команде встречи."
        ),
        "definition_en": (
            "The number of meetings held in the month (status done, completion date in the "
            "month); credited to the meeting's responsible and team."
        ),
    },
    {
        "key": "cross_sales",
        "name": "Смежные продажи",
        "name_en": "Cross-sales",
        "unit": "count",
        "direction": "up",
        "definition": (
            "Число сделок, выигранных в этом месяце у клиента, который уже покупал раньше "
            "(есть более ранняя выигранная сделка), в которых есть товар группы, которую "
            "клиент раньше не покупал; ответственному и команде сделки."
        ),
        "definition_en": (
            "The number of deals won in the month from a client who had bought before (an "
            "earlier won deal) that contain a product of a group the client had not bought "
            "before; credited to the deal's responsible and team."
        ),
    },
    {
        "key": "unpaid_invoices",
        "name": "Количество неоплаченных счетов",
        "name_en": "Unpaid invoices",
        "unit": "count",
        "direction": "down",
        "definition": (
            "Число выставленных счетов (событие invoice_issued), не оплаченных полностью "
            "(нет invoice_paid) и не отменённых (нет invoice_cancelled) на конец месяца — "
            "для текущего месяца на сегодня; ответственному и команде счёта."
        ),
        "definition_en": (
            "The number of issued invoices (invoice_issued event) neither paid in full (no "
            "invoice_paid) nor cancelled (no invoice_cancelled) at the end of the month — "
            "today for the current month; credited to the invoice's responsible and team."
        ),
    },
    {
        "key": "overdue_payments_5d",
        "name": "Количество просроченных платежей более чем на 5 дней",
        "name_en": "Payments overdue more than 5 days",
        "unit": "count",
        "direction": "down",
        "definition": (
            "Из неоплаченных на конец месяца (для текущего — на сегодня) счетов — те, чей "
            "срок оплаты (due_date) прошёл более чем на 5 дней; ответственному и команде счёта."
        ),
        "definition_en": (
            "Of the invoices unpaid at the end of the month (today for the current month), "
            "those more than 5 days past their due date; credited to the invoice's "
            "responsible and team."
        ),
    },
    {
        "key": "late_projects",
        "name": "Количество несвоевременно сданных проектов",
        "name_en": "Late projects",
        "unit": "count",
        "direction": "down",
        "definition": (
            "Заказы, отгруженные в этом месяце позже обещанной клиенту даты, плюс заказы, "
            "чья обещанная дата пришлась на этот месяц и прошла, а отгрузки на конец месяца "
            "(для текущего — на сегодня) всё ещё нет; отменённые не считаются; причина "
            "задержки и комментарий к ней видны в списке; ответственному и команде заказа."
        ),
        "definition_en": (
            "Orders shipped in the month after the date promised to the client, plus orders "
            "whose promised date fell in the month and has passed with the order still not "
            "shipped at the month's end (today for the current month); cancelled orders do "
            "not count; the list shows the reason of the delay and its comment; credited to "
            "the order's responsible and team."
        ),
    },
]
BUILTIN_KEYS = tuple(row["key"] for row in BUILTIN)


def sync_builtin(kpi_model: Any) -> int:
    """Create or refresh the eleven built-in KPIs (idempotent; the data migration and a
    catalogue read after a test flush both call it). An administrator's order and activity
    are kept; names, units, directions and definitions are the code's."""
    existing = {k.key: k for k in kpi_model.objects.filter(key__in=BUILTIN_KEYS)}
    changed = 0
    for order, row in enumerate(BUILTIN, start=1):
        kpi = existing.get(row["key"])
        if kpi is None:
            kpi_model.objects.create(source="builtin", order=order * 10, **row)
            changed += 1
            continue
        fields = [name for name, value in row.items() if getattr(kpi, name) != value]
        if fields or kpi.source != "builtin":
            for name in fields:
                setattr(kpi, name, row[name])
            kpi.source = "builtin"
            kpi.save(update_fields=[*fields, "source"])
            changed += 1
    return changed
