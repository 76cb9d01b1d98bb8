"""The default pipelines: the B2B sale of seed 001 and the call centre of seed 004.

Each stage carries its input, its verifiable output (the checklist the gate checks), the
responsible role, the expected duration and the probability. Names in Russian and English.
"""

from django.db import migrations

B2B = [
    # code, name, name_en, role, days, probability, input, output, checklist
    ("qualification", "Квалификация", "Qualification", "hunter", 3, 10,
     "Лид SQL: потребность подтверждена, есть контакт", "Клиент квалифицирован, ЛПР известен",
     [{"kind": "field", "field": "responsible"}, {"kind": "activity", "activity": "call_completed"}]),
    ("needs", "Оценка потребности", "Needs assessment", "hunter", 5, 20,
     "Квалифицированный клиент и ЛПР", "Заполненная анкета клиента",
     [{"kind": "document", "document": "questionnaire"}]),
    ("presentation", "Презентация", "Presentation", "hunter", 7, 30,
     "Анкета клиента с потребностями", "Проведённая презентация (встреча)",
     [{"kind": "activity", "activity": "meeting_completed"}]),
    ("cp_preparation", "Подготовка КП", "Proposal preparation", "closer", 3, 40,
     "Итоги презентации", "Коммерческое предложение с суммой",
     [{"kind": "document", "document": "cp"}, {"kind": "field", "field": "amount"}]),
    ("cp_approval", "Согласование КП", "Proposal approval", "closer", 5, 50,
     "Отправленное КП", "КП согласовано, известна дата закрытия",
     [{"kind": "approval", "approval": "cp"}, {"kind": "field", "field": "expected_close_date"}]),
    ("contract", "Договор", "Contract", "closer", 7, 70,
     "Согласованное КП", "Подписанный и согласованный договор",
     [{"kind": "document", "document": "contract"}, {"kind": "approval", "approval": "contract"}]),
    ("invoice", "Счёт", "Invoice", "closer", 3, 85,
     "Подписанный договор", "Выставленный счёт",
     [{"kind": "document", "document": "invoice"}]),
    ("payment", "Деньги", "Payment", "finance", 10, 95,
     "Выставленный счёт", "Оплата поступила",
     [{"kind": "approval", "approval": "payment"}]),
]
B2B_LOSS = [
    ("Цена выше, чем у конкурентов", "Price higher than competitors"),
    ("Выбрал конкурента", "Chose a competitor"),
    ("Нет бюджета", "No budget"),
    ("Нет потребности", "No need"),
    ("Не устроили сроки поставки", "Delivery terms not acceptable"),
    ("Не согласовано у клиента", "Not approved on the client's side"),
    ("Не удалось связаться с ЛПР", "Could not reach the decision maker"),
]
CALL_CENTRE = [
    ("incoming", "Входящее обращение", "Incoming request", "call_center", 1, 5,
     "Звонок, заявка с сайта или письмо", "Обращение обработано: звонок совершён",
     [{"kind": "activity", "activity": "call_completed"}]),
    ("qualified", "Квалифицирован (MQL)", "Qualified (MQL)", "call_center", 2, 15,
     "Контакт с клиентом", "Клиент соответствует портрету, описана потребность",
     [{"kind": "field", "field": "description"}]),
    ("meeting_booked", "Встреча назначена", "Meeting booked", "call_center", 3, 25,
     "Описанная потребность", "Встреча с охотником назначена на дату",
     [{"kind": "field", "field": "expected_close_date"}]),
    ("handed_over", "Передан в отдел продаж", "Handed to sales", "hunter", 2, 30,
     "Назначенная встреча", "Охотник принял клиента", []),
]
CALL_CENTRE_LOSS = [
    ("Не целевой клиент", "Not a target client"),
    ("Нет потребности", "No need"),
    ("Не удалось дозвониться", "Could not reach"),
]


def create(apps, schema_editor):
    Pipeline = apps.get_model("sales", "Pipeline")
    Stage = apps.get_model("sales", "Stage")
    LossReason = apps.get_model("sales", "LossReason")
    for order, (code, name, name_en, default, stages, losses) in enumerate(
        [
            ("b2b", "Продажа B2B", "B2B sale", True, B2B, B2B_LOSS),
            ("call_centre", "Колл-центр", "Call centre", False, CALL_CENTRE, CALL_CENTRE_LOSS),
        ],
        start=1,
    ):
        if Pipeline.objects.filter(code=code).exists():
            continue
        pipeline = Pipeline.objects.create(
            code=code, name=name, name_en=name_en, is_default=default, order=order
        )
        for position, (s_code, s_name, s_en, role, days, prob, inp, out, checklist) in enumerate(
            stages, start=1
        ):
            Stage.objects.create(
                pipeline=pipeline, code=s_code, name=s_name, name_en=s_en, order=position,
                responsible_role=role, expected_days=days, probability=prob,
                input_description=inp, output_description=out, output_checklist=checklist,
            )
        for position, (l_name, l_en) in enumerate(losses, start=1):
            LossReason.objects.create(pipeline=pipeline, name=l_name, name_en=l_en, order=position)


class Migration(migrations.Migration):
    dependencies = [("sales", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
