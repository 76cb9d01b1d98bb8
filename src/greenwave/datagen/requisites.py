"""Valid Russian requisites for synthetic companies: INN, KPP, OGRN with their check digits.

The check digits follow the Federal Tax Service rules (the same ones python-stdnum checks), so
every generated company passes `greenwave.crm.requisites` validation.
"""

from __future__ import annotations

import random

_INN10_WEIGHTS = (2, 4, 10, 3, 5, 9, 4, 6, 8)

# Region code (first two digits of INN/KPP/OGRN's region part) → region name.
REGIONS: tuple[tuple[str, str], ...] = (
    ("77", "Москва"),
    ("78", "Санкт-Петербург"),
    ("50", "Московская область"),
    ("66", "Свердловская область"),
    ("54", "Новосибирская область"),
    ("16", "Республика Татарстан"),
    ("23", "Краснодарский край"),
    ("52", "Нижегородская область"),
    ("61", "Ростовская область"),
    ("63", "Самарская область"),
    ("74", "Челябинская область"),
    ("02", "Республика Башкортостан"),
)


def inn10_check_digit(first9: str) -> str:
    return str(sum(int(d) * w for d, w in zip(first9, _INN10_WEIGHTS, strict=True)) % 11 % 10)


def make_inn10(rng: random.Random, region: str) -> str:
    """An organisation's INN: region (2), tax office (2), record number (5), check digit."""
    first9 = f"{region}{rng.randint(1, 99):02d}{rng.randint(0, 99999):05d}"
    return first9 + inn10_check_digit(first9)


def make_unique_inn10(rng: random.Random, region: str, taken: set[str]) -> str:
    """`make_inn10` drawn again until it is not in `taken` (which it joins): 333 333 companies
    over a dozen regions drew some forty INNs twice, and an INN names one company."""
    inn = make_inn10(rng, region)
    while inn in taken:
        inn = make_inn10(rng, region)
    taken.add(inn)
    return inn


def make_kpp(inn: str) -> str:
    """KPP: the tax office code of the INN, reason code 01 (Russian organisation), number."""
    return f"{inn[:4]}01001"


def ogrn13_check_digit(first12: str) -> str:
    return str(int(first12) % 11 % 10)


def make_ogrn13(rng: random.Random, region: str, year: int) -> str:
    """OGRN: sign 1 (legal entity), year (2), region (2), office (2), record (5), check digit."""
    first12 = f"1{year % 100:02d}{region}{rng.randint(1, 99):02d}{rng.randint(0, 99999):05d}"
    return first12 + ogrn13_check_digit(first12)
