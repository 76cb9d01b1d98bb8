"""Russian names, companies, phones and addresses for the synthetic dataset (no Faker: the
generator runs in production images, where dev dependencies are absent)."""

from __future__ import annotations

import random
from collections.abc import Iterable
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
# The legal form, weighted as the register is: mostly ООО.
COMPANY_FORMS = ("ООО", "ООО", "ООО", "ООО", "ООО", "ООО", "АО", "АО", "ПАО")
# A name is a stem — a root and a tail («Строй» + «ресурс»), sometimes behind a general root
# («Спец» + «пром» + «снаб») — maybe a kind of business before it («ТД Стройресурс») and a
# regional or marketing tail after it («Стройресурс-Урал», «Техносервис Плюс»).
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
    "Газ",
    "Лес",
    "Мед",
    "Авто",
    "Спец",
    "Инфо",
    "Тепло",
    "Вод",
    "Кабель",
    "Сталь",
    "Маш",
    "Бизнес",
    "Опт",
    "Пласт",
    "Урал",
    "Сиб",
    "Балт",
    "Волго",
    "Дон",
    "Кам",
    "Нева",
    "Север",
    "Юг",
    "Центр",
    "Гранит",
    "Вектор",
    "Альфа",
    "Глобал",
)
COMPANY_ROOTS = ("Спец", "Пром", "Рос", "Евро", "Техно", "Агро", "Строй", "Энерго", "Транс", "Нац")
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
    "снаб",
    "торг",
    "строй",
    "монтаж",
    "пром",
    "индустрия",
    "технологии",
    "поставка",
    "сбыт",
    "инвест",
    "логистика",
    "резерв",
    "материалы",
    "компания",
    "терминал",
    "партнёр",
    "центр",
    "стандарт",
    "мир",
    "регион",
    "опт",
    "энерго",
    "тех",
)
COMPANY_KINDS = ("ТД", "ГК", "ТК", "ПК", "НПО", "СК", "ПФ", "ИК")
# The regional and marketing tails Russian trading companies add to a name that is taken.
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
    "-Запад",
    "-Восток",
    "-Подмосковье",
    "-Поволжье",
    " Плюс",
    " Про",
    " Групп",
    " Трейд",
    "-М",
    "-Т",
    "-Н",
    "-К",
)
# The towns a name may carry, by the region code of the company's INN («Стройресурс-Тольятти»
# is in the Samara region, never in Moscow).
REGION_CITIES: dict[str, tuple[str, ...]] = {
    "77": ("Москва",),
    "78": ("Петербург",),
    "50": ("Подольск", "Химки", "Балашиха", "Мытищи", "Коломна"),
    "66": ("Екатеринбург", "Первоуральск", "Асбест"),
    "54": ("Новосибирск", "Бердск", "Искитим"),
    "16": ("Казань", "Нижнекамск", "Альметьевск", "Елабуга"),
    "23": ("Краснодар", "Сочи", "Новороссийск", "Армавир", "Анапа"),
    "52": ("Дзержинск", "Арзамас", "Выкса", "Кстово"),
    "61": ("Ростов", "Таганрог", "Шахты", "Азов", "Батайск"),
    "63": ("Самара", "Тольятти", "Сызрань"),
    "74": ("Челябинск", "Магнитогорск", "Златоуст", "Миасс"),
    "02": ("Уфа", "Стерлитамак", "Салават", "Нефтекамск"),
}
COMPANY_CITIES = tuple(city for cities in REGION_CITIES.values() for city in cities)
# The stems: a root and a tail that does not repeat it («Стройстрой», «Снабснабжение»).
COMPANY_STEMS = tuple(
    word + tail
    for word in COMPANY_WORDS
    for tail in COMPANY_TAILS
    if not (word.lower().startswith(tail) or tail.startswith(word.lower()))
)
# What may go around a stem: nothing, a kind of business before it, a regional or marketing
# tail or a city after it — (before, after, the word a stem must not hold already, the region
# code a city is in: "" for the rest).
_DECORATIONS: tuple[tuple[str, str, str, str], ...] = (
    ("", "", "", ""),
    *((f"{kind} ", "", "", "") for kind in COMPANY_KINDS),
    *(("", suffix, suffix.strip(" -").lower(), "") for suffix in COMPANY_SUFFIXES),
    *(("", f"-{city}", "", code) for code, cities in REGION_CITIES.items() for city in cities),
)
_ROOTS = tuple((root, root.lower()) for root in COMPANY_ROOTS)
_PLAIN = 0.55  # a name drawn is its bare stem
_ROOTED = 0.3  # a stem drawn has a general root before it
# Stems drawn whose every decoration is taken before a serial number is added.
_NAME_DRAWS = 8
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


_TRANSLIT_TABLE = str.maketrans(_TRANSLIT)


def translit(text: str) -> str:
    return text.lower().translate(_TRANSLIT_TABLE)


def brand(name: str) -> str:
    """The name inside the quotes («…»), as people tell companies apart: the legal form
    aside."""
    return name.partition("«")[2].rpartition("»")[0] or name


class CompanyNames:
    """Company names unique within one dataset: «Стройресурс» goes once, whatever the legal
    form; a name drawn that is taken gets a free decoration of its stem («Стройресурс-Урал»,
    «ТД Стройресурс», «Стройресурс-Казань»); when a stem has none left, a rarer stem is drawn
    («Спецстройресурс»), and a serial number is the last resort. Deterministic for its `rng`;
    `taken`: names already in the database (the demo's own clients)."""

    def __init__(self, rng: random.Random, taken: Iterable[str] = ()) -> None:
        self.rng = rng
        self.taken = {brand(name) for name in taken}
        # (stem, region code) with every decoration taken (the region's cities among them)
        self.full: set[tuple[str, str]] = set()
        self.serial: dict[str, int] = {}

    def next(self, region: str = "") -> tuple[str, str]:
        """(the full name with its legal form, its website's host name); a city in the name
        is one of the `region`'s (its INN's region code; none without it)."""
        rng, taken = self.rng, self.taken
        form = _pick(rng, COMPANY_FORMS)
        for attempt in range(_NAME_DRAWS):
            stem = _pick(rng, COMPANY_STEMS)
            # A stem with every decoration taken gets a root (at first: 30 % of the names).
            if attempt or (stem, region) in self.full or rng.random() < _ROOTED:
                root, root_lower = _ROOTS[int(rng.random() * len(_ROOTS))]
                lower = stem.lower()
                if root_lower not in lower:
                    stem = root + lower
            if rng.random() < _PLAIN and stem not in taken:
                name: str | None = stem
                taken.add(stem)
            else:
                name = self._decorated(stem, region)
            if name is not None:
                return f"{form} «{name}»", host(name)
        serial = self.serial.get(stem, 1)
        while True:
            serial += 1
            name = f"{stem}-{serial}"
            if name not in taken:
                taken.add(name)
                self.serial[stem] = serial
                return f"{form} «{name}»", host(name)

    def _decorated(self, stem: str, region: str) -> str | None:
        """The stem with a free decoration, from one drawn on; None when none is left (the
        cities of other regions aside: the stem may have them free for another company)."""
        if (stem, region) in self.full:
            return None
        taken, count = self.taken, len(_DECORATIONS)
        first = int(self.rng.random() * count)  # walks from one place would get ever longer
        lower = stem.lower()
        for k in range(count):
            before, after, word, city_region = _DECORATIONS[(first + k) % count]
            if city_region and city_region != region:
                continue  # «Стройресурс-Тольятти» is no Moscow company
            if word and word in lower:
                continue  # «Промснаб Снаб»
            name = before + stem + after
            if name not in taken:
                taken.add(name)
                return name
        self.full.add((stem, region))
        return None


def _pick(rng: random.Random, items: tuple[str, ...]) -> str:
    """`rng.choice`, cheaper (one float; the names of 333 333 companies draw millions)."""
    return items[int(rng.random() * len(items))]


def host(name: str) -> str:
    """«ТД Стройресурс-Урал» -> td-stroyresurs-ural.ru: the name's own domain."""
    return translit(name).replace(" ", "-") + ".ru"


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
