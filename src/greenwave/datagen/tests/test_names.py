"""Company names of a dataset: unique, reproducible, Russian-looking, numbered only last."""

from __future__ import annotations

import random
import re

from greenwave.datagen import names

# A legal form and a name of Cyrillic words (a kind before, a tail or a city after).
NAME = re.compile(r"^(ООО|АО|ПАО) «[А-ЯЁ][А-ЯЁа-яё +-]*[А-ЯЁа-яё0-9]»$")


def _draw(seed: int, count: int, taken: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    source = names.CompanyNames(random.Random(seed), taken)
    return [source.next() for _ in range(count)]


def test_names_of_the_benchmark_size_are_unique_without_serial_numbers() -> None:
    drawn = _draw(1, 120_000)
    brands = [names.brand(name) for name, _host in drawn]
    assert len(set(brands)) == len(brands)
    assert all(NAME.match(name) for name, _host in drawn)
    assert not [b for b in brands if re.search(r"-\d+$", b)]
    # Each name has its own site, so the companies' e-mails do not repeat either.
    assert len({host for _name, host in drawn}) == len(drawn)


def test_the_same_seed_gives_the_same_names_and_another_seed_others() -> None:
    assert _draw(7, 500) == _draw(7, 500)
    assert _draw(7, 500) != _draw(8, 500)


def test_a_name_already_in_the_database_is_not_given_again_under_another_form() -> None:
    first = _draw(3, 1)[0][0]
    again = _draw(3, 1, taken=("АО " + first.split(" ", 1)[1],))[0][0]
    assert names.brand(again) != names.brand(first)


def test_a_small_company_list_reads_mostly_as_bare_names() -> None:
    drawn = [names.brand(name) for name, _host in _draw(24, 700)]
    bare = [b for b in drawn if b.isalpha()]
    assert len(bare) > len(drawn) / 3
    assert "Стройресурс" in names.COMPANY_STEMS
    assert not [s for s in names.COMPANY_STEMS if s.lower() in {"стройстрой", "снабснаб"}]


def test_serial_numbers_come_only_when_every_decoration_is_taken() -> None:
    stems = {*names.COMPANY_STEMS}
    stems.update([root + stem.lower() for root in names.COMPANY_ROOTS for stem in stems])
    # Every stem and every decoration of it taken: a serial number is all that is left.
    source = names.CompanyNames(random.Random(5), taken=stems)
    source.full.update((stem, "") for stem in stems)
    name, host = source.next()
    assert re.search(r"-\d+»$", name)
    assert host.endswith(".ru")


def test_a_city_in_a_name_is_one_of_its_region_s() -> None:
    """«Стройресурс-Казань» was drawn for a Moscow company: the cities a name may carry are
    those of the region of its INN; without a region, none."""
    source = names.CompanyNames(random.Random(11))
    city_of = {city: code for code, cities in names.REGION_CITIES.items() for city in cities}
    seen = 0
    for k in range(20_000):
        region = list(names.REGION_CITIES)[k % len(names.REGION_CITIES)]
        town = names.brand(source.next(region)[0]).rpartition("-")[2]
        if town in city_of:
            seen += 1
            assert city_of[town] == region, (town, region)
    assert seen > 100
    plain = names.CompanyNames(random.Random(11))
    towns = {names.brand(plain.next()[0]).rpartition("-")[2] for _ in range(5_000)}
    assert not towns & set(city_of)
