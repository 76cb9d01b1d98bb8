"""The generated companies' INNs: valid and each given once."""

from __future__ import annotations

import random

from stdnum.ru import inn as stdnum_inn

from greenwave.datagen.requisites import REGIONS, make_inn10, make_unique_inn10

COMPANIES = 333_333  # the benchmark's companies


def test_the_inns_of_the_benchmark_s_companies_are_unique_and_valid() -> None:
    """Drawn at random, some forty of 333 333 INNs came twice: a repeated draw is drawn again."""
    plain, rng = random.Random(1), random.Random(1)
    drawn = [make_inn10(plain, REGIONS[k % len(REGIONS)][0]) for k in range(COMPANIES)]
    assert len(set(drawn)) < COMPANIES  # the defect: plain draws repeat
    taken: set[str] = set()
    inns = [make_unique_inn10(rng, REGIONS[k % len(REGIONS)][0], taken) for k in range(COMPANIES)]
    assert len(set(inns)) == COMPANIES
    assert taken == set(inns)
    for inn in inns[::997]:
        stdnum_inn.validate(inn)
