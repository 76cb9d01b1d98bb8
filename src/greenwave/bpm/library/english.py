"""The English of every text of the built-in processes (their Russian is the stored BPMN).

Keyed by the Russian text as it stands in the specs (`processes.toml`, `hr.toml`,
`manager.toml`, `claims.toml`, `fields.toml`): process names and descriptions, lanes, steps,
events, flows, form labels and choices. `texts.library_text` shows it to an English user,
only for a text the library itself put at that process key (a user's own process, or a text
they changed, stays as written); `tests/test_library_texts.py` fails on a library text without
its English.
"""

from __future__ import annotations

ENGLISH: dict[str, str] = {
    "Согласование договора": "Contract approval",
    (
        "Менеджер → руководитель → юрист → финансист; каждый может вернуть договор на доработку "
        "(после доработки согласование идёт заново) или отклонить его (семя 000). Запускается из "
        "сделки; согласованный договор выполняет условие этапа «Договор согласован»."
    ): (
        "Manager → head → lawyer → finance officer; each may send the contract back for rework "
        "(after the rework the approval starts again) or reject it (seed 000). Started from a "
        "deal; an approved contract meets the stage condition «Contract approved»."
    ),
    "Инициатор": "Initiator",
    "Руководитель отдела продаж": "Head of sales",
    "Юрист": "Lawyer",
    "Финансист": "Finance officer",
    "Проект договора готов": "Contract draft ready",
    "Согласование руководителем": "Approval by the head",
    "Решение": "Decision",
    "Согласовать": "Approve",
    "Вернуть на доработку": "Send back for rework",
    "Отклонить": "Reject",
    "Комментарий": "Comment",
    "Руководитель согласовал?": "Head approved?",
    "Проверка юристом": "Review by the lawyer",
    "Юрист согласовал?": "Lawyer approved?",
    "Проверка финансистом": "Review by the finance officer",
    "Финансист согласовал?": "Finance officer approved?",
    "Доработать договор": "Rework the contract",
    "Что исправлено": "What was corrected",
    "Уведомить об окончании": "Notify of the end",
    "Договор согласован": "Contract approved",
    "Договор отклонён": "Contract rejected",
    "Да": "Yes",
    "На доработку": "For rework",
    "Отклонён": "Rejected",
    "Утверждение документа": "Document approval",
    (
        "Два этапа согласования; на любом этапе документ можно вернуть на исправление; после "
        "утверждения документ публикуется (семя 001). Переменные при запуске: approver1, "
        "approver2 — логины согласующих."
    ): (
        "Two approval stages; at either stage the document can be sent back for correction; once "
        "approved the document is published (seed 001). Variables at start: approver1, approver2 "
        "— the approvers' logins."
    ),
    "Согласующие": "Approvers",
    "Документ подготовлен": "Document prepared",
    "Согласование (1 этап)": "Approval (stage 1)",
    "Согласовано на 1 этапе?": "Approved at stage 1?",
    "Утверждение (2 этап)": "Sign-off (stage 2)",
    "Утверждено на 2 этапе?": "Signed off at stage 2?",
    "Исправить документ": "Correct the document",
    "Опубликовать и уведомить": "Publish and notify",
    "Документ утверждён": "Document approved",
    "На исправление": "For correction",
    "Ознакомление с документом": "Acknowledgement of a document",
    (
        "Каждый из выбранных сотрудников (переменная readers — список логинов) подтверждает "
        "ознакомление до срока (deadline, например P3D); по истечении срока инициатор видит, кто "
        "ознакомился (семя 001)."
    ): (
        "Each chosen employee (variable readers — a list of logins) confirms having read the "
        "document by the deadline (deadline, e.g. P3D); when it passes the initiator sees who has"
        " read it (seed 001)."
    ),
    "Сотрудники": "Employees",
    "Документ разослан": "Document sent out",
    "Ознакомиться с документом": "Read the document",
    "Ознакомлен(а)": "I have read it",
    "Срок истёк": "Deadline passed",
    "Посмотреть итоги ознакомления": "Review who has read it",
    "Ознакомление завершено": "Acknowledgement finished",
    "Счёт на оплату": "Invoice payment",
    (
        "Сотрудник вводит данные счёта, руководитель согласует, бухгалтерия оплачивает, инициатор"
        " получает уведомление (семя 001)."
    ): (
        "An employee enters the invoice, the head approves it, accounting pays it, the initiator "
        "is notified (seed 001)."
    ),
    "Бухгалтер": "Accountant",
    "Счёт получен": "Invoice received",
    "Внести данные счёта": "Enter the invoice",
    "Поставщик": "Supplier",
    "Номер счёта": "Invoice number",
    "Сумма, ₽": "Amount, ₽",
    "Оплатить до": "Pay by",
    "Согласовать оплату": "Approve the payment",
    "Оплату согласовали?": "Payment approved?",
    "Оплатить счёт": "Pay the invoice",
    "Дата оплаты": "Payment date",
    "Номер платёжного поручения": "Payment order number",
    "Уведомить об оплате": "Notify of the payment",
    "Счёт оплачен": "Invoice paid",
    "Уведомить об отказе": "Notify of the refusal",
    "Оплата отклонена": "Payment rejected",
    "Нет": "No",
    "Обработка лида с сайта": "Website lead handling",
    (
        "Семя 001: новый лид → уведомление назначающему → назначение ответственного со сроком и "
        "комментарием → уточнение заявки с обязательной датой повторного звонка → готов (сделка "
        "из лида) / не готов (новый звонок) / отказ с причиной: невозможно (конец), опт (оптовик,"
        " ограниченный выбор), цена (РОП выбирает один из пяти прайс-листов, новый звонок; иначе "
        "оптовик), нет контакта (смена ответственного), другое (комментарий). Ответственный "
        "хранится в одной переменной responsible. Запуск: сообщение new_lead с переменной "
        "lead_id."
    ): (
        "Seed 001: a new lead → notice to the assigner → a responsible person assigned with a "
        "deadline and a comment → the request clarified with a required call-back date → ready (a"
        " deal from the lead) / not ready (another call) / refusal with a reason: impossible "
        "(end), wholesale (the wholesaler, a limited choice), price (the head of sales picks one "
        "of five price lists, another call; otherwise the wholesaler), no contact (another "
        "responsible person), other (a comment). The responsible person is kept in one variable, "
        "responsible. Start: the message new_lead with the variable lead_id."
    ),
    "Ответственный": "Responsible",
    "Оптовик": "Wholesaler",
    "Новый лид с сайта": "New website lead",
    "Уведомить назначающего": "Notify the assigner",
    "Назначить ответственного": "Assign a responsible person",
    "Крайний срок": "Deadline",
    "Комментарий к задаче": "Task comment",
    "Записать ответственного в лид": "Record the responsible person in the lead",
    "Уточнить заявку у клиента": "Clarify the request with the client",
    "Уточнённая потребность": "Clarified need",
    "Дата повторного звонка": "Call-back date",
    "Повторный звонок клиенту": "Call the client back",
    "Итог звонка": "Call outcome",
    "Готов заключить сделку": "Ready to close a deal",
    "Не готов, нужен ещё звонок": "Not ready, another call needed",
    "Отказ": "Refusal",
    "Дата следующего звонка": "Next call date",
    "Причина отказа": "Refusal reason",
    "Сделка физически невозможна": "The deal is physically impossible",
    "Хочет закупаться у оптовиков": "Wants to buy from wholesalers",
    "Не устраивает цена": "The price does not suit",
    "Не идёт на контакт": "Does not respond",
    "Другое (в комментарии)": "Other (in the comment)",
    "Итог звонка?": "Call outcome?",
    "Причина отказа?": "Refusal reason?",
    "Выбрать прайс-лист со скидкой": "Choose a discount price list",
    "Прайс-лист": "Price list",
    "Прайс-лист со скидкой №1": "Discount price list No. 1",
    "Прайс-лист со скидкой №2": "Discount price list No. 2",
    "Прайс-лист со скидкой №3": "Discount price list No. 3",
    "Прайс-лист со скидкой №4": "Discount price list No. 4",
    "Прайс-лист со скидкой №5": "Discount price list No. 5",
    "Ни один не подойдёт — передать оптовику": "None will do — hand over to the wholesaler",
    "Скидка возможна?": "Discount possible?",
    "Отправить прайс-лист клиенту": "Send the price list to the client",
    "Сменить ответственного": "Change the responsible person",
    "Новый ответственный": "New responsible person",
    "Передать лид оптовику": "Hand the lead over to the wholesaler",
    "Звонок оптовика": "Wholesaler's call",
    "Будет закупать": "Will buy",
    "Не будет закупать": "Will not buy",
    "Сделка невозможна": "The deal is impossible",
    "Другое": "Other",
    "Оптовик договорился?": "Wholesaler agreed?",
    "Создать сделку из лида": "Create a deal from the lead",
    "Сделка создана": "Deal created",
    "Закрыть лид с причиной": "Close the lead with a reason",
    "Готов": "Ready",
    "Не готов": "Not ready",
    "Опт": "Wholesale",
    "Цена": "Price",
    "Нет контакта": "No contact",
    "Невозможно / другое": "Impossible / other",
    "Не подходит": "Does not suit",
    "Скидка": "Discount",
    "Оформление больничного": "Sick leave",
    (
        "Семя 001: сотрудник из дома выбирает вид отсутствия — больничный лист, работа из дома "
        "или отгул за свой счёт; руководитель подтверждает; по больничному листу отдел кадров "
        "принимает листок, бухгалтер начисляет пособие; по отгулу за свой счёт бухгалтер "
        "учитывает его в табеле; сотрудник получает уведомление с указаниями."
    ): (
        "Seed 001: from home the employee chooses the kind of absence — a sick note, working from"
        " home or a day off without pay; the head confirms; for a sick note HR takes the "
        "certificate and the accountant pays the benefit; for a day off without pay the "
        "accountant records it in the timesheet; the employee is notified with instructions."
    ),
    "Руководитель": "Head",
    "Отдел кадров": "HR",
    "Сотрудник заболел": "Employee fell ill",
    "Заявка на больничный": "Sick leave request",
    "Вид отсутствия": "Kind of absence",
    "Больничный лист": "Sick note",
    "Работа из дома": "Working from home",
    "Отгул за свой счёт": "Day off without pay",
    "С": "From",
    "По (ориентировочно)": "To (approximately)",
    "Документ (скан заявления, листка и т. п.)": (
        "Document (a scan of the application, the sick note, etc.)"
    ),
    "Подтвердить отсутствие сотрудника": "Confirm the employee's absence",
    "Подтверждено?": "Confirmed?",
    "Вид отсутствия?": "Kind of absence?",
    "Принять листок нетрудоспособности": "Accept the sick note",
    "Номер листка нетрудоспособности": "Sick note number",
    "Листок закрыт": "Sick note closed",
    "Начислить пособие по больничному": "Pay the sick-leave benefit",
    "Сумма пособия, ₽": "Benefit amount, ₽",
    "Учесть отгул за свой счёт в табеле": "Record the unpaid day off in the timesheet",
    "Дней без сохранения оплаты": "Days without pay",
    "Уведомить сотрудника: отсутствие оформлено": "Notify the employee: absence arranged",
    "Записать в график отсутствий": "Record in the absence schedule",
    "Сформировать заявление по шаблону": "Make the application from its template",
    "Отсутствие оформлено": "Absence arranged",
    "Уведомить сотрудника: отсутствие не подтверждено": (
        "Notify the employee: absence not confirmed"
    ),
    "Не подтверждено": "Not confirmed",
    "За свой счёт": "Without pay",
    "Из дома": "From home",
    "Оформление командировки": "Business trip",
    (
        "Семя 001: сотрудник заполняет данные командировки; руководитель утверждает (не утвердил "
        "— процесс закрывается с уведомлением); после утверждения уведомляются сотрудник и "
        "бухгалтер, бухгалтер выдаёт аванс."
    ): (
        "Seed 001: the employee fills in the trip details; the head approves (if not, the process"
        " closes with a notice); once approved the employee and the accountant are notified and "
        "the accountant pays the advance."
    ),
    "Нужна командировка": "Trip needed",
    "Заявка на командировку": "Business trip request",
    "Куда": "Destination",
    "Цель командировки": "Purpose of the trip",
    "По": "To",
    "Аванс, ₽": "Advance, ₽",
    "Утвердить командировку": "Approve the trip",
    "Утверждена?": "Approved?",
    "Уведомить бухгалтера о командировке": "Notify the accountant of the trip",
    "Выдать аванс на командировку": "Pay the trip advance",
    "Выдано, ₽": "Paid, ₽",
    "Дата выдачи": "Date paid",
    "Уведомить сотрудника: командировка утверждена": "Notify the employee: trip approved",
    "Командировка оформлена": "Trip arranged",
    "Уведомить сотрудника: командировка не утверждена": "Notify the employee: trip not approved",
    "Командировка не утверждена": "Trip not approved",
    "Заявление на отгул": "Time-off request",
    (
        "Семя 001: сотрудник указывает дату, причину и вид отработки (за свой счёт или за ранее "
        "отработанное время); руководитель согласует; отказ — уведомление руководителю и автору; "
        "согласие — бухгалтер учитывает отгул, уведомление автору, запись в график отсутствий."
    ): (
        "Seed 001: the employee gives the date, the reason and how the time is made up (without "
        "pay or for time worked before); the head approves; a refusal notifies the head of the "
        "department and the author; an approval has the accountant record the day off, notifies "
        "the author and writes it to the absence schedule."
    ),
    "Нужен отгул": "Time off needed",
    "Дата отгула": "Date of the time off",
    "Причина": "Reason",
    "Вид отработки": "How it is made up",
    "За ранее отработанное время": "For time worked before",
    "Согласовать отгул": "Approve the time off",
    "Согласован?": "Approved?",
    "Учесть отгул в табеле": "Record the time off in the timesheet",
    "Уведомить сотрудника: отгул согласован": "Notify the employee: time off approved",
    "Отгул согласован": "Time off approved",
    "Уведомить руководителя отдела об отказе": "Notify the head of the department of the refusal",
    "Уведомить сотрудника: отгул не согласован": "Notify the employee: time off not approved",
    "Отгул не согласован": "Time off not approved",
    "Оформление отпуска": "Vacation",
    (
        "Семя 001: сотрудник указывает даты начала и окончания отпуска; руководитель согласует "
        "период (отказ — уведомление автору); затем задачи сразу и отделу кадров (приказ), и "
        "бухгалтерии (отпускные); сотруднику приходит уведомление, отпуск записывается в график "
        "отсутствий."
    ): (
        "Seed 001: the employee gives the first and the last day of the vacation; the head "
        "approves the period (a refusal notifies the author); then HR (the order) and accounting "
        "(the vacation pay) get their tasks at once; the employee is notified and the vacation is"
        " written to the absence schedule."
    ),
    "Сотрудник планирует отпуск": "Employee plans a vacation",
    "Заявление на отпуск": "Vacation request",
    "Вид отпуска": "Kind of vacation",
    "Ежегодный оплачиваемый": "Annual paid",
    "Без сохранения оплаты": "Without pay",
    "Согласовать отпуск": "Approve the vacation",
    "Кадры и бухгалтерия": "HR and accounting",
    "Оформить приказ об отпуске": "Issue the vacation order",
    "Номер приказа": "Order number",
    "Дата приказа": "Order date",
    "Начислить отпускные": "Calculate the vacation pay",
    "Отпускные, ₽": "Vacation pay, ₽",
    "Документы оформлены": "Paperwork done",
    "Уведомить сотрудника: отпуск согласован": "Notify the employee: vacation approved",
    "Отпуск оформлен": "Vacation arranged",
    "Уведомить сотрудника: отпуск не согласован": "Notify the employee: vacation not approved",
    "Отпуск не согласован": "Vacation not approved",
    "Увольнение сотрудника": "Dismissal of an employee",
    (
        "Семя 001: сотрудник заполняет заявление об увольнении; руководитель согласует (отказ — "
        "уведомление автору); затем отдел кадров оформляет увольнение, бухгалтер делает "
        "окончательный расчёт, автор получает уведомление."
    ): (
        "Seed 001: the employee fills in a resignation letter; the head approves (a refusal "
        "notifies the author); then HR processes the dismissal, the accountant makes the final "
        "settlement and the author is notified."
    ),
    "Сотрудник увольняется": "Employee resigns",
    "Заявление об увольнении": "Resignation letter",
    "Последний рабочий день": "Last working day",
    "Кому передать дела": "Hand the work over to",
    "Согласовать увольнение": "Approve the resignation",
    "Согласовано?": "Approved?",
    "Оформить увольнение (приказ, трудовая книжка)": (
        "Process the dismissal (order, employment record book)"
    ),
    "Трудовая книжка выдана": "Employment record book handed over",
    "Уведомить бухгалтера об увольнении": "Notify the accountant of the dismissal",
    "Окончательный расчёт": "Final settlement",
    "Сумма расчёта, ₽": "Settlement amount, ₽",
    "Дата выплаты": "Payment date",
    "Уведомить сотрудника: увольнение оформлено": "Notify the employee: dismissal processed",
    "Увольнение оформлено": "Dismissal processed",
    "Уведомить сотрудника: заявление не согласовано": "Notify the employee: letter not approved",
    "Заявление не согласовано": "Letter not approved",
    "Принятие нового сотрудника": "Hiring a new employee",
    (
        "Семя 001: отдел кадров вводит данные сотрудника; новый сотрудник знакомится с "
        "документами (правила, должностная инструкция, соглашение о конфиденциальности); его "
        "руководитель (его называет отдел кадров) вводит его в курс работы и назначает обучение; "
        "после полного ознакомления процесс закрывается. Запускает сотрудник отдела кадров."
    ): (
        "Seed 001: HR enters the employee's details; the new employee reads the documents (the "
        "rules, the job description, the confidentiality agreement); their head (named by HR) "
        "introduces them to the work and assigns training; once everything is read the process "
        "closes. Started by an HR employee."
    ),
    "Новый сотрудник": "New employee",
    "Сотрудник принят": "Employee hired",
    "Ввести данные нового сотрудника": "Enter the new employee's details",
    "Новый сотрудник (логин)": "New employee (login)",
    "Должность": "Position",
    "Руководитель нового сотрудника": "The new employee's head",
    "Дата выхода": "First working day",
    "Трудовой договор": "Employment contract",
    "Ознакомиться с документами": "Read the documents",
    "Правила внутреннего распорядка": "Internal work rules",
    "Должностная инструкция": "Job description",
    "Соглашение о конфиденциальности": "Confidentiality agreement",
    "Ввести в курс работы и назначить обучение": "Introduce to the work and assign training",
    "Наставник": "Mentor",
    "План обучения": "Training plan",
    "Уведомить отдел кадров: сотрудник оформлен": "Notify HR: employee processed",
    "Сотрудник оформлен": "Employee processed",
    "Оценка компетенций менеджера": "Manager competence assessment",
    (
        "Семя 002: руководитель отдела продаж выбирает менеджера и период, прослушивает его "
        "звонки и разбирает встречи, оценивает каждый пункт чек-листа от 1 до 5; менеджер "
        "знакомится с оценкой; при слабых компетенциях (оценка ниже 3) руководитель назначает "
        "план развития. Итоги видны на странице «Кто кого задерживает»."
    ): (
        "Seed 002: the head of sales chooses a manager and a period, listens to their calls and "
        "reviews their meetings, rates each checklist item from 1 to 5; the manager reads the "
        "assessment; with weak competences (a rating below 3) the head assigns a development "
        "plan. The results show on the page «Who holds whom»."
    ),
    "Менеджер": "Manager",
    "Пора оценить менеджера": "Time to assess the manager",
    "Выбрать менеджера и период": "Choose the manager and the period",
    "Период с": "Period from",
    "Период по": "Period to",
    "Прослушать звонки и оценить по чек-листу": (
        "Listen to the calls and rate them by the checklist"
    ),
    "Прослушано звонков": "Calls listened to",
    "Звонки: установление контакта (1–5)": "Calls: making contact (1–5)",
    "Звонки: выявление потребностей (1–5)": "Calls: finding the needs (1–5)",
    "Звонки: презентация продукта (1–5)": "Calls: presenting the product (1–5)",
    "Звонки: работа с возражениями (1–5)": "Calls: handling objections (1–5)",
    "Звонки: завершение и следующий шаг (1–5)": "Calls: closing and the next step (1–5)",
    "Разобрать встречи и оценить по чек-листу": (
        "Review the meetings and rate them by the checklist"
    ),
    "Разобрано встреч": "Meetings reviewed",
    "Встречи: подготовка (1–5)": "Meetings: preparation (1–5)",
    "Встречи: презентация и аргументация (1–5)": "Meetings: presentation and arguments (1–5)",
    "Встречи: переговоры об условиях (1–5)": "Meetings: negotiating the terms (1–5)",
    "Встречи: договорённость о следующем шаге (1–5)": "Meetings: agreeing the next step (1–5)",
    "Комментарий по встречам": "Comment on the meetings",
    "Ознакомиться с оценкой": "Read the assessment",
    "С оценкой ознакомлен(а)": "I have read the assessment",
    "Комментарий менеджера": "Manager's comment",
    "Есть слабые компетенции?": "Weak competences?",
    "Назначить план развития": "Assign a development plan",
    "План развития": "Development plan",
    "Повторная оценка": "Re-assessment",
    "Уведомить менеджера: назначен план развития": "Notify the manager: development plan assigned",
    "План развития назначен": "Development plan assigned",
    "Компетенции в норме": "Competences are fine",
    "Заказ продукции у поставщика": "Supplier order",
    (
        "Семя 004 (п. 29–38): менеджер оформляет заявку на продукцию, которой нет на складе; "
        "руководитель согласует; менеджер передаёт заявку на завод-изготовитель и получает счёт; "
        "бухгалтер оплачивает его; менеджер отслеживает сроки производства и отгрузки, "
        "контролирует приход и оприходование и извещает заказчика."
    ): (
        "Seed 004 (items 29–38): the manager requests products that are not in stock; the head "
        "approves; the manager passes the request to the factory and gets an invoice; the "
        "accountant pays it; the manager follows production and shipment dates, checks the "
        "arrival and the goods receipt and tells the customer."
    ),
    "Продукции нет на складе": "Products not in stock",
    "Оформить заявку на продукцию": "Request the products",
    "Продукция": "Products",
    "Количество": "Quantity",
    "Завод-изготовитель / поставщик": "Factory / supplier",
    "Нужно к дате": "Needed by",
    "Согласовать заказ поставщику": "Approve the supplier order",
    "Передать заявку на завод и получить счёт": (
        "Pass the request to the factory and get an invoice"
    ),
    "Номер счёта поставщика": "Supplier invoice number",
    "Сумма счёта, ₽": "Invoice amount, ₽",
    "Счёт поставщика": "Supplier invoice",
    "Оплатить счёт поставщика": "Pay the supplier invoice",
    "Отследить производство и отгрузку с завода": "Follow production and shipment from the factory",
    "Отгружено заводом": "Shipped by the factory",
    "Проконтролировать приход и оприходование": "Check the arrival and the goods receipt",
    "Оприходовано": "Received into stock",
    "Комплектность проверена": "Completeness checked",
    "Известить заказчика о приходе продукции": "Tell the customer the products have arrived",
    "Заказчик извещён": "Customer told",
    "Продукция получена": "Products received",
    "Уведомить менеджера: заказ не согласован": "Notify the manager: order not approved",
    "Заказ не согласован": "Order not approved",
    "Отгрузка заказчику": "Shipment to the customer",
    (
        "Семя 004 (п. 38–56): менеджер сообщает заказчику дату отгрузки и схему проезда, "
        "выписывает затратную и счёт-фактуру; бухгалтерия их подписывает (или возвращает на "
        "исправление); менеджер организует доставку, проверяет комплектацию и контролирует "
        "возврат подписанной затратной."
    ): (
        "Seed 004 (items 38–56): the manager tells the customer the shipment date and the route "
        "map, writes out the delivery note and the VAT invoice; accounting signs them (or sends "
        "them back for correction); the manager arranges the delivery, checks the set and makes "
        "sure the signed delivery note comes back."
    ),
    "Продукция готова к отгрузке": "Products ready for shipment",
    "Известить заказчика о дате отгрузки": "Tell the customer the shipment date",
    "Дата отгрузки": "Shipment date",
    "Схема проезда отправлена": "Route map sent",
    "Выписать затратную и счёт-фактуру": "Write out the delivery note and the VAT invoice",
    "Номер затратной": "Delivery note number",
    "Номер счёта-фактуры": "VAT invoice number",
    "Затратная (файл)": "Delivery note (file)",
    "Подписать затратную и счёт-фактуру": "Sign the delivery note and the VAT invoice",
    "Подписать": "Sign",
    "Вернуть на исправление": "Send back for correction",
    "Подписано?": "Signed?",
    "Организовать доставку": "Arrange the delivery",
    "Автомобиль / перевозчик": "Vehicle / carrier",
    "Комплектация проверена": "Set checked",
    "Отгружено": "Shipped",
    "Проконтролировать возврат затратной": "Make sure the delivery note comes back",
    "Подписанная затратная вернулась": "Signed delivery note returned",
    "Согласование контракта с директорами": "Contract approval with the directors",
    (
        "Семя 004 (п. 40–49), вариант «Согласования договора»: менеджер вносит реквизиты и "
        "спецификацию и прикладывает контракт; контракт согласуют юрист, коммерческий директор, "
        "финансовый директор и подписывает генеральный директор. Каждый может вернуть контракт на"
        " доработку (согласование идёт заново) или отклонить его; подписанный контракт менеджер "
        "отправляет заказчику и контролирует его возврат."
    ): (
        "Seed 004 (items 40–49), a variant of «Contract approval»: the manager enters the "
        "customer's details and the specification and attaches the contract; the lawyer, the "
        "commercial director and the financial director approve it and the general director signs"
        " it. Each may send the contract back for rework (the approval starts again) or reject "
        "it; the manager sends the signed contract to the customer and makes sure it comes back."
    ),
    "Коммерческий директор": "Commercial director",
    "Генеральный директор": "General director",
    "Реквизиты заказчика получены": "Customer's details received",
    "Подготовить контракт": "Prepare the contract",
    "Контракт": "Contract",
    "Спецификация": "Specification",
    "Согласование с юристом": "Approval by the lawyer",
    "Согласование с коммерческим директором": "Approval by the commercial director",
    "Коммерческий директор согласовал?": "Commercial director approved?",
    "Согласование с финансовым директором": "Approval by the financial director",
    "Финансовый директор согласовал?": "Financial director approved?",
    "Подписание у генерального директора": "Signature of the general director",
    "Генеральный директор подписал?": "General director signed?",
    "Доработать контракт": "Rework the contract",
    "Исправленный контракт": "Corrected contract",
    "Отправить контракт заказчику и проконтролировать возврат": (
        "Send the contract to the customer and make sure it comes back"
    ),
    "Как отправлен": "Sent by",
    "По факсу": "By fax",
    "По почте": "By post",
    "По e-mail": "By e-mail",
    "Подписанный экземпляр вернулся": "Signed copy returned",
    "Контракт подписан": "Contract signed",
    "Уведомить менеджера: контракт отклонён": "Notify the manager: contract rejected",
    "Контракт отклонён": "Contract rejected",
    "Подписан": "Signed",
    "Рассмотрение претензии": "Claim handling",
    (
        "Претензия или возврат клиента по заказу (семя 004, пп. 58–71): учёт претензии и "
        "документов ответственным менеджером → при возврате приём товара на склад → разбор "
        "юристом (письмо заводу-изготовителю, его ответ) → решение руководителя отдела продаж "
        "(возврат денег, замена или отказ) → возврат денег финансистом или отгрузка замены "
        "менеджером → претензия закрыта. У каждого шага свой срок; по истечении срока ответа "
        "(answer_due) претензия эскалируется руководителю. Статус претензии следует за процессом."
        " Запускается при регистрации претензии."
    ): (
        "A customer's claim or return on an order (seed 004, items 58–71): the responsible "
        "manager records the claim and its documents → for a return, the goods are taken into "
        "stock → the lawyer reviews it (a letter to the factory, its answer) → the head of sales "
        "decides (a refund, a replacement or a refusal) → the finance officer refunds the money "
        "or the manager ships the replacement → the claim is closed. Every step has its deadline;"
        " when the answer deadline (answer_due) passes the claim is escalated to the head. The "
        "claim's status follows the process. Started when a claim is registered."
    ),
    "Система": "System",
    "Претензия зарегистрирована": "Claim registered",
    "Срок ответа идёт": "Answer deadline running",
    "Учесть претензию и документы": "Record the claim and its documents",
    "Акт и документы получены": "Report and documents received",
    "Претензия на рассмотрении": "Claim under review",
    "Возврат товара?": "Return of goods?",
    "Принять возвращённый товар на склад": "Take the returned goods into stock",
    "Дата прихода на склад": "Date received into stock",
    "Состояние товара": "Condition of the goods",
    "Разобрать претензию": "Review the claim",
    "Выводы": "Findings",
    "Письмо заводу-изготовителю отправлено": "Letter to the factory sent",
    "Ответ завода-изготовителя": "Factory's answer",
    "Претензия ждёт решения": "Claim awaiting a decision",
    "Принять решение по претензии": "Decide on the claim",
    "Вернуть деньги": "Refund the money",
    "Заменить товар": "Replace the goods",
    "Отказать": "Refuse",
    "Обоснование для клиента": "Explanation for the client",
    "Записать решение": "Record the decision",
    "Какое решение?": "Which decision?",
    "Вернуть деньги клиенту": "Refund the client",
    "Дата возврата": "Refund date",
    "Отгрузить замену": "Ship the replacement",
    "Номер документа отгрузки замены": "Replacement shipment document number",
    "Дата отгрузки замены": "Replacement shipment date",
    "Закрыть претензию": "Close the claim",
    "Претензия удовлетворена": "Claim satisfied",
    "Претензия отклонена": "Claim rejected",
    "Срок ответа истёк": "Answer deadline passed",
    "Эскалировать руководителю": "Escalate to the head",
    "Взять просроченную претензию под контроль": "Take the overdue claim under control",
    "Что предпринято": "What was done",
    "Эскалация обработана": "Escalation handled",
    "Возврат": "Return",
    "Претензия": "Claim",
    "Возврат денег": "Refund",
    "Замена": "Replacement",
}
