"""The demo client base: realistic Russian companies with contacts and decision makers, spread
over the managers of both demo teams. INNs and OGRNs get real check digits."""

from __future__ import annotations

from datetime import date
from itertools import cycle
from typing import Any

from django.utils import timezone

from . import services
from .models import Company
from .requisites import inn_with_checksum, ogrn_with_checksum

# name, INN prefix (9 digits), region, industry, size, source, segment, owner login, tags
DEMO_COMPANIES: list[tuple[str, str, str, str, str, str, str, str, list[str]]] = [
    (
        "ООО «Ромашка»",
        "770145123",
        "Москва",
        "Розничная торговля",
        "small",
        "website",
        "new",
        "hunter",
        ["опт"],
    ),
    (
        "АО «СеверСталь Комплект»",
        "352801234",
        "Вологодская область",
        "Металлургия",
        "large",
        "exhibition",
        "current",
        "kam",
        ["ключевой"],
    ),
    (
        "ООО «Балтийский хлеб»",
        "780256789",
        "Санкт-Петербург",
        "Пищевое производство",
        "medium",
        "cold_call",
        "current",
        "farmer",
        [],
    ),
    (
        "ООО «Уралтехснаб»",
        "667012345",
        "Свердловская область",
        "Оптовая торговля",
        "medium",
        "referral",
        "new",
        "hunter",
        ["опт", "тендер"],
    ),
    (
        "ООО «Волга-Логистик»",
        "631598765",
        "Самарская область",
        "Логистика",
        "small",
        "advertising",
        "new",
        "callcenter",
        [],
    ),
    (
        "ПАО «Сибирская энергия»",
        "540612345",
        "Новосибирская область",
        "Энергетика",
        "large",
        "tender",
        "current",
        "kam",
        ["ключевой", "тендер"],
    ),
    (
        "ООО «Кубань Агро»",
        "231054321",
        "Краснодарский край",
        "Сельское хозяйство",
        "medium",
        "exhibition",
        "current",
        "farmer2",
        [],
    ),
    (
        "ООО «Дон-Строй»",
        "616478901",
        "Ростовская область",
        "Строительство",
        "medium",
        "cold_call",
        "new",
        "hunter2",
        [],
    ),
    (
        "ООО «Южный берег»",
        "910212345",
        "Республика Крым",
        "Гостиничный бизнес",
        "small",
        "social",
        "new",
        "hunter2",
        [],
    ),
    (
        "АО «Ставропольские минеральные воды»",
        "263501234",
        "Ставропольский край",
        "Производство напитков",
        "large",
        "partner",
        "current",
        "farmer2",
        ["ключевой"],
    ),
    (
        "ООО «Астраханская рыба»",
        "301567890",
        "Астраханская область",
        "Пищевое производство",
        "small",
        "website",
        "new",
        "callcenter2",
        [],
    ),
    (
        "ООО «Невская мебель»",
        "781398765",
        "Санкт-Петербург",
        "Производство мебели",
        "medium",
        "website",
        "current",
        "farmer",
        [],
    ),
    (
        "ООО «ТехноПарк Казань»",
        "165712345",
        "Республика Татарстан",
        "ИТ и связь",
        "small",
        "referral",
        "new",
        "hunter",
        [],
    ),
    (
        "ООО «Воронеж Агропром»",
        "366554321",
        "Воронежская область",
        "Сельское хозяйство",
        "medium",
        "tender",
        "new",
        "head_south",
        ["тендер"],
    ),
    (
        "ООО «Фармация Плюс»",
        "772498765",
        "Москва",
        "Фармацевтика",
        "small",
        "advertising",
        "current",
        "head_north",
        [],
    ),
]

# People of the demo clients, each client its own: surname, first name, patronymic, sex and the
# surname in Latin letters for the e-mail address.
DEMO_PEOPLE: list[tuple[str, str, str, str, str]] = [
    ("Иванов", "Пётр", "Сергеевич", "male", "ivanov"),
    ("Кузнецова", "Анна", "Викторовна", "female", "kuznetsova"),
    ("Смирнов", "Олег", "Игоревич", "male", "smirnov"),
    ("Попова", "Елена", "Андреевна", "female", "popova"),
    ("Васильев", "Дмитрий", "Николаевич", "male", "vasilev"),
    ("Соколова", "Марина", "Павловна", "female", "sokolova"),
    ("Михайлов", "Алексей", "Владимирович", "male", "mikhaylov"),
    ("Новикова", "Ольга", "Геннадьевна", "female", "novikova"),
    ("Фёдоров", "Игорь", "Степанович", "male", "fedorov"),
    ("Морозова", "Татьяна", "Юрьевна", "female", "morozova"),
    ("Волков", "Сергей", "Александрович", "male", "volkov"),
    ("Алексеева", "Наталья", "Борисовна", "female", "alekseeva"),
    ("Лебедев", "Андрей", "Михайлович", "male", "lebedev"),
    ("Семёнова", "Ирина", "Олеговна", "female", "semenova"),
    ("Егоров", "Максим", "Петрович", "male", "egorov"),
    ("Павлова", "Светлана", "Ивановна", "female", "pavlova"),
    ("Козлов", "Виктор", "Анатольевич", "male", "kozlov"),
    ("Степанова", "Юлия", "Сергеевна", "female", "stepanova"),
    ("Николаев", "Роман", "Евгеньевич", "male", "nikolaev"),
    ("Орлова", "Ксения", "Дмитриевна", "female", "orlova"),
    ("Андреев", "Григорий", "Фёдорович", "male", "andreev"),
    ("Макарова", "Вера", "Константиновна", "female", "makarova"),
    ("Захаров", "Артём", "Валерьевич", "male", "zakharov"),
    ("Зайцева", "Людмила", "Романовна", "female", "zaytseva"),
    ("Соловьёв", "Евгений", "Ильич", "male", "solovev"),
    ("Борисова", "Дарья", "Алексеевна", "female", "borisova"),
    ("Яковлев", "Николай", "Григорьевич", "male", "yakovlev"),
    ("Григорьева", "Полина", "Максимовна", "female", "grigoreva"),
    ("Романов", "Кирилл", "Артёмович", "male", "romanov"),
    ("Воробьёва", "Алла", "Витальевна", "female", "vorobeva"),
    ("Гусев", "Павел", "Олегович", "male", "gusev"),
    ("Титов", "Станислав", "Борисович", "male", "titov"),
    ("Кузьмин", "Вадим", "Юрьевич", "male", "kuzmin"),
    ("Белов", "Антон", "Сергеевич", "male", "belov"),
    ("Комаров", "Илья", "Денисович", "male", "komarov"),
    ("Медведев", "Тимур", "Русланович", "male", "medvedev"),
    ("Тарасов", "Георгий", "Львович", "male", "tarasov"),
    ("Жуков", "Валентин", "Аркадьевич", "male", "zhukov"),
]
# position, phone pattern, decision-maker profile or None: the roles every demo client has
DEMO_CONTACTS: list[tuple[str, str, dict[str, Any] | None]] = [
    (
        "Генеральный директор",
        "+7 916 123-45-{n:02d}",
        {
            "role": "Подписывает договор",
            "influence_level": 5,
            "age": 48,
            "attitude": "positive",
            "personal_benefits": "Рост прибыли и спокойствие за поставки",
            "character": "Решительный, ценит факты и цифры",
            "hobbies": "Рыбалка, хоккей",
        },
    ),
    (
        "Руководитель отдела закупок",
        "+7 903 555-12-{n:02d}",
        {
            "role": "Выбирает поставщика, готовит сравнение",
            "influence_level": 4,
            "age": 36,
            "attitude": "neutral",
            "personal_benefits": "Премия за экономию бюджета закупок",
            "character": "Аккуратная, осторожная, не любит риск",
            "hobbies": "Йога, путешествия",
        },
    ),
    ("Главный инженер", "+7 925 700-30-{n:02d}", None),
]


def _demo_birthday(index: int, position: int, profile: dict[str, Any] | None) -> date | None:
    """A birth date for some directors and purchasing heads (the portfolio shows the age),
    of the age their decision-maker profile gives; the others have none, as in real bases
    (and the outreach demo gives this week's birthdays to a few of those)."""
    if profile is None or (index + position) % 3 == 0:
        return None
    year = timezone.localdate().year - int(profile["age"]) - 1
    return date(year, (index * 5 + position) % 12 + 1, (index * 7 + position * 3) % 28 + 1)


def seed_clients(context: dict[str, Any]) -> None:
    users = context["users"]
    men = cycle(p for p in DEMO_PEOPLE if p[3] == "male")
    women = cycle(p for p in DEMO_PEOPLE if p[3] == "female")
    for index, (name, prefix, region, industry, size, source, segment, login, tags) in enumerate(
        DEMO_COMPANIES, start=1
    ):
        inn = inn_with_checksum(prefix)
        if Company.objects.filter(inn=inn).exists():
            continue
        company = services.company_create(
            actor=None,
            name=name,
            inn=inn,
            kpp=prefix[:4] + "01001",
            ogrn=ogrn_with_checksum(f"10{prefix[:2]}{index:08d}"),
            legal_address=f"{region}, ул. Центральная, д. {index}",
            actual_address=f"{region}, ул. Промышленная, д. {index + 10}",
            region=region,
            industry=industry,
            size=size,
            source=source,
            segment=segment,
            phone=f"+7 495 200-10-{index:02d}",
            email=f"info{index}@example.ru",
            tags=tags,
            responsible=users[login],
        )
        for position, (role, phone, profile) in enumerate(DEMO_CONTACTS):
            if position == 2 and index % 2:
                continue
            # The profiles are written of a man (director, engineer) and a woman (purchasing).
            surname, first, patronymic, sex, mail = next(women if position == 1 else men)
            contact = services.contact_create(
                actor=None,
                allow_duplicate=True,  # made-up people: no check against the base
                company=company,
                full_name=f"{surname} {first} {patronymic}",
                position=role,
                phones=[phone.format(n=index)],
                emails=[f"{mail}{index}@example.ru"],
                gender=sex,
                birthday=_demo_birthday(index, position, profile),
                mailing_consent=position != 2,
            )
            if profile is not None:
                services.decision_maker_add(actor=None, company=company, contact=contact, **profile)


# group, sku, name, unit, VAT, base price
DEMO_PRODUCTS: list[tuple[str, str, str, str, str, str]] = [
    ("Упаковка", "UP-001", "Гофрокороб 600×400×400", "pcs", "20", "84.00"),
    ("Упаковка", "UP-002", "Стрейч-плёнка 500 мм, 17 мкм", "pcs", "20", "620.00"),
    ("Упаковка", "UP-003", "Скотч упаковочный 48 мм × 66 м", "pcs", "20", "95.00"),
    ("Складское оборудование", "SK-010", "Стеллаж паллетный 2700 мм", "set", "20", "18500.00"),
    ("Складское оборудование", "SK-011", "Тележка гидравлическая 2,5 т", "pcs", "20", "23900.00"),
    ("Услуги", "SV-100", "Доставка по городу", "service", "20", "2500.00"),
    ("Услуги", "SV-101", "Монтаж стеллажей", "hour", "20", "1800.00"),
    ("Услуги", "SV-102", "Консультация технолога", "hour", "none", "3000.00"),
]
DISCOUNTS = {1: "0.97", 2: "0.95", 3: "0.92", 4: "0.90", 5: "0.85"}

# Each competitor as its service takes it, and the demo clients (by position) it is met at.
DEMO_COMPETITORS: list[tuple[dict[str, str], list[int]]] = [
    (
        {
            "name": "ООО «ПакЛайн»",
            "price_level": "lower",
            "assortment": "Упаковка: короба, плёнка, скотч",
            "special_conditions": "Отсрочка платежа 30 дней",
            "marketing_activity": "Контекстная реклама, скидки новым клиентам",
        },
        [0, 3, 7],
    ),
    (
        {
            "name": "АО «СкладМаш»",
            "price_level": "higher",
            "assortment": "Стеллажи и складская техника",
            "special_conditions": "Бесплатный монтаж от 500 000 ₽",
            "marketing_activity": "Выставки, отраслевые журналы",
        },
        [1, 5],
    ),
    (
        {
            "name": "ООО «Логистик Сервис»",
            "price_level": "similar",
            "assortment": "Доставка, ответственное хранение",
            "special_conditions": "Фиксированная цена на год",
            "marketing_activity": "Партнёрская программа",
        },
        [4, 9],
    ),
]


def seed_catalog(context: dict[str, Any]) -> None:
    """Products with base and discount prices, competitors at clients, a filled profile."""
    from decimal import Decimal

    from .models import Competitor, PriceList, PriceListKind, Product, ProductGroup

    if Product.objects.exists():
        return
    groups: dict[str, ProductGroup] = {}
    base = PriceList.objects.filter(kind=PriceListKind.BASE).order_by("pk").first()
    discount = {p.level: p for p in PriceList.objects.filter(kind=PriceListKind.DISCOUNT)}
    base_prices: dict[int, Decimal] = {}
    for group_name, sku, name, unit, vat, price in DEMO_PRODUCTS:
        if group_name not in groups:
            groups[group_name] = services.product_group_create(actor=None, name=group_name)
        product = services.product_create(
            actor=None, name=name, sku=sku, group=groups[group_name], unit=unit, vat_rate=vat
        )
        base_prices[product.pk] = Decimal(price)
    if base is not None:
        services.prices_set(actor=None, price_list=base, prices=base_prices)
    for discount_level, factor in DISCOUNTS.items():
        if discount_level in discount:
            prices = {pk: amount * Decimal(factor) for pk, amount in base_prices.items()}
            services.prices_set(actor=None, price_list=discount[discount_level], prices=prices)
    companies = list(Company.objects.order_by("pk")[: len(DEMO_COMPANIES)])
    for fields, indexes in DEMO_COMPETITORS:
        if Competitor.objects.filter(name=fields["name"]).exists():
            continue
        competitor = services.competitor_create(actor=None, **fields)
        for index in indexes:
            if index < len(companies):
                services.competitor_link(
                    actor=None, competitor=competitor, company=companies[index]
                )
    if companies:
        services.client_profile_update(
            actor=None,
            company=companies[0],
            industry_trends="Рост онлайн-продаж, консолидация розничных сетей",
            key_success_factors="Скорость поставки, широкий ассортимент, цена",
            market_share="3.5",
            client_competitors="«Лютик», «Василёк»",
            benefits_sought="Свежий товар, доставка в день заказа",
            goals=["market_share", "new_branches"],
            goals_note="Открыть два магазина в 2027 году",
            consumption_benefits="Надёжная упаковка без боя при доставке",
            further_needs="Складские стеллажи для нового склада",
        )
