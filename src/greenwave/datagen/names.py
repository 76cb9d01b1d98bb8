"""Russian names, companies, phones and addresses for the synthetic dataset (no Faker: the
generator runs in production images, where dev dependencies are absent)."""

from __future__ import annotations

import random
from datetime import date

MALE_FIRST = (
    "Александр",
    "Алексей",
    "Андрей",
    "Дмитрий",
    "Евгений",
    "Иван",
    "Игорь",
    "Константин",
    "Максим",
    "Михаил",
    "Николай",
    "Олег",
    "Павел",
    "Роман",
    "Сергей",
    "Владимир",
    "Юрий",
    "Артём",
    "Денис",
    "Виктор",
)
FEMALE_FIRST = (
    "Анна",
    "Елена",
    "Екатерина",
    "Ирина",
    "Марина",
    "Мария",
    "Наталья",
    "Ольга",
    "Светлана",
    "Татьяна",
    "Юлия",
    "Дарья",
    "Ксения",
    "Людмила",
    "Вера",
)
LAST = (
    "Иванов",
    "Смирнов",
    "Кузнецов",
    "Попов",
    "Васильев",
    "Петров",
    "Соколов",
    "Михайлов",
    "Новиков",
    "Фёдоров",
    "Морозов",
    "Волков",
    "Алексеев",
    "Лебедев",
    "Семёнов",
    "Егоров",
    "Павлов",
    "Козлов",
    "Степанов",
    "Николаев",
    "Орлов",
    "Андреев",
    "Макаров",
    "Никитин",
    "Захаров",
    "Зайцев",
    "Соловьёв",
    "Борисов",
    "Яковлев",
    "Григорьев",
)
MIDDLE_MALE = (
    "Александрович",
    "Сергеевич",
    "Иванович",
    "Петрович",
    "Николаевич",
    "Владимирович",
    "Андреевич",
    "Михайлович",
    "Юрьевич",
    "Олегович",
)
MIDDLE_FEMALE = (
    "Александровна",
    "Сергеевна",
    "Ивановна",
    "Петровна",
    "Николаевна",
    "Владимировна",
    "Андреевна",
    "Михайловна",
    "Юрьевна",
    "Олеговна",
)
COMPANY_FORMS = ("ООО", "ООО", "ООО", "АО", "ПАО")
COMPANY_WORDS = (
    "Техно",
    "Снаб",
    "Пром",
    "Строй",
    "Агро",
    "Энерго",
    "Метал",
    "Логистик",
    "Торг",
    "Инвест",
    "Медиа",
    "Хим",
    "Транс",
    "Электро",
    "Софт",
    "Нефте",
)
COMPANY_TAILS = (
    "сервис",
    "комплект",
    "групп",
    "альянс",
    "ресурс",
    "маш",
    "лайн",
    "холдинг",
    "снабжение",
    "системы",
    "трейд",
    "проект",
)
INDUSTRIES = (
    "Строительство",
    "Оптовая торговля",
    "Розничная торговля",
    "Производство",
    "Логистика",
    "Сельское хозяйство",
    "Энергетика",
    "ИТ и связь",
    "Медицина",
    "Пищевая промышленность",
    "Металлургия",
    "Химическая промышленность",
)
STREETS = (
    "ул. Ленина",
    "ул. Мира",
    "пр. Победы",
    "ул. Советская",
    "ул. Садовая",
    "ул. Заводская",
    "ул. Гагарина",
    "Промышленный пр.",
    "ул. Октябрьская",
)
CONTACT_POSITIONS = (
    "Генеральный директор",
    "Менеджер по закупкам",
    "Главный инженер",
    "Финансовый директор",
    "Коммерческий директор",
)
POSITIONS = {
    "director": "Коммерческий директор",
    "head_of_sales": "Руководитель отдела продаж",
    "call_center": "Оператор колл-центра",
    "hunter": "Менеджер по развитию",
    "closer": "Менеджер по заключению сделок",
    "farmer": "Менеджер по работе с клиентами",
    "kam": "Менеджер по ключевым клиентам",
    "lawyer": "Юрист",
    "finance": "Финансист",
    "accountant": "Бухгалтер",
    "hr": "Специалист по персоналу",
    "admin": "Администратор системы",
}
PRODUCTS = (
    "металлопроката",
    "спецодежды",
    "кабельной продукции",
    "стройматериалов",
    "упаковки",
    "оборудования",
    "запчастей",
    "химреагентов",
    "светильников",
    "офисной мебели",
    "программного обеспечения",
)
LANDLINE_CODES = {
    "77": "495",
    "78": "812",
    "50": "496",
    "66": "343",
    "54": "383",
    "16": "843",
    "23": "861",
    "52": "831",
    "61": "863",
    "63": "846",
    "74": "351",
    "02": "347",
}
_TRANSLIT = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        [
            "a",
            "b",
            "v",
            "g",
            "d",
            "e",
            "e",
            "zh",
            "z",
            "i",
            "y",
            "k",
            "l",
            "m",
            "n",
            "o",
            "p",
            "r",
            "s",
            "t",
            "u",
            "f",
            "kh",
            "ts",
            "ch",
            "sh",
            "shch",
            "",
            "y",
            "",
            "e",
            "yu",
            "ya",
        ],
        strict=True,
    )
)


def person(rng: random.Random, female: bool) -> tuple[str, str, str]:
    """(first name, last name, patronymic) with the feminine surname ending."""
    last = rng.choice(LAST)
    if female:
        return rng.choice(FEMALE_FIRST), last + "а", rng.choice(MIDDLE_FEMALE)
    return rng.choice(MALE_FIRST), last, rng.choice(MIDDLE_MALE)


def translit(text: str) -> str:
    return "".join(_TRANSLIT.get(ch, ch) for ch in text.lower())


# The regional and marketing tails Russian trading companies add to a name that is taken
# («Стройресурс-Урал», «Техносервис Плюс»): names stay varied without serial numbers.
COMPANY_SUFFIXES = (
    "-Урал",
    "-Волга",
    "-Сибирь",
    "-Юг",
    "-Север",
    "-Центр",
    "-Кама",
    "-Дон",
    "-Нева",
    "-Регион",
    " Плюс",
    " Про",
    "-М",
    "-Т",
)


def company(rng: random.Random) -> str:
    name = (rng.choice(COMPANY_WORDS) + rng.choice(COMPANY_TAILS)).capitalize()
    form = rng.choice(COMPANY_FORMS)
    n = rng.randint(1, 999)  # one draw as before, so a seed gives the same dataset otherwise
    suffix = COMPANY_SUFFIXES[n % len(COMPANY_SUFFIXES)] if n % 4 else ""
    return f"{form} «{name}{suffix}»"


def latin(rng: random.Random) -> str:
    return translit(rng.choice(COMPANY_WORDS) + rng.choice(COMPANY_TAILS)) + str(
        rng.randint(1, 9999)
    )


def mobile(rng: random.Random) -> str:
    """A Russian mobile number in E.164, the form crm stores."""
    return f"+79{rng.randint(0, 999_999_999):09d}"


def landline(rng: random.Random, region: str) -> str:
    return f"+7{LANDLINE_CODES.get(region, '495')}{rng.randint(1_000_000, 9_999_999)}"


def address(rng: random.Random, region: str) -> str:
    return f"{region}, {rng.choice(STREETS)}, д. {rng.randint(1, 150)}"


MONTHS = (
    "январь",
    "февраль",
    "март",
    "апрель",
    "май",
    "июнь",
    "июль",
    "август",
    "сентябрь",
    "октябрь",
    "ноябрь",
    "декабрь",
)


def deal_title(rng: random.Random) -> str:
    return f"Поставка {rng.choice(PRODUCTS)}"


def dated_deal_title(rng: random.Random, created: date) -> str:
    """«Поставка кабеля, март 2026»: how a sales team names a client's order of a month."""
    return f"{deal_title(rng)}, {MONTHS[created.month - 1]} {created.year}"


# The product catalogue: group -> (unit, median price in roubles, product names).
CATALOGUE: tuple[tuple[str, str, int, tuple[str, ...]], ...] = (
    (
        "Металлопрокат",
        "t",
        85_000,
        ("Арматура А500С 12 мм", "Лист г/к 4 мм", "Труба профильная 60×40", "Швеллер 16П"),
    ),
    (
        "Кабельная продукция",
        "m",
        180,
        ("Кабель ВВГнг-LS 3×2,5", "Кабель АВБбШв 4×95", "Провод ПуГВ 1×6", "Кабель UTP cat.6"),
    ),
    (
        "Спецодежда",
        "pcs",
        2_500,
        ("Костюм рабочий летний", "Ботинки с металлическим подноском", "Перчатки х/б", "Каска"),
    ),
    (
        "Упаковка",
        "pack",
        1_200,
        ("Стрейч-плёнка 500 мм", "Короб гофрированный", "Скотч упаковочный", "Паллета"),
    ),
    (
        "Оборудование",
        "pcs",
        240_000,
        ("Компрессор винтовой", "Станок сверлильный", "Генератор дизельный", "Погрузчик ручной"),
    ),
    (
        "Программное обеспечение",
        "set",
        45_000,
        ("Лицензия на 1 год", "Техническая поддержка", "Внедрение", "Обучение пользователей"),
    ),
)
