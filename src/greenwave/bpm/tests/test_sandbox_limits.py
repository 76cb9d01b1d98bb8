"""The sandbox refuses a value that would be too large *before* building it.

Each hostile script below used to allocate its result first (`s.replace` reached 884 MB before
the refusal, `x **= 1000000` built a million-digit integer, `x = x * x` chains outran the time
budget inside one multiplication). The peak memory of the refusal shows that nothing was built.
"""

from __future__ import annotations

import tracemalloc

import pytest

from greenwave.bpm.engine import sandbox

MB = 1024 * 1024

HOSTILE = {
    "replace": "s = 'a' * 99999\nt = s.replace('a', 'a' * 99999)",
    "replace-empty": "s = 'a' * 99999\nt = s.replace('', 'b' * 1000)",
    "power-assign": "x = 10\nx **= 1000000",
    "million-digit": "x = 10 ** 100\nx = x ** 100\nx = x ** 100",
    "squaring": "x = 10 ** 100\n" + "x = x * x\n" * 16,
    "squaring-assign": "x = 10 ** 100\n" + "x *= x\n" * 16,
    "long-text-number": "x = int('9' * 4000)\ny = x * x",
    "decimal-to-int": "x = int(decimal('1e999999'))",
    "decimal-digits": "x = decimal('9' * 90000)",
    "text-times": "x = 'ab' * 10 ** 7",
    "text-times-assign": "x = 'ab'\nx *= 10 ** 7",
    "list-times": "x = [1, 2] * 10 ** 7",
    "nested-list-times": "x = [1] * 10000\ny = [x] * 10000",
    "repr-of-shared-lists": "x = [1] * 5000\ny = [x, x, x, x, x, x, x, x, x, x]\nz = str(y)",
    "sum-of-lists": "x = [1] * 5000\ny = [x, x, x, x, x, x, x, x]\nz = sum(y, [])",
    "format-width": "x = '%0999999d' % 1",
    "function-as-key": "x = sorted(['a', 'b'], key=str)",
    "self-nesting": "a = [1]\na[0] = a",
    "shift": "x = 1 << 1000000",
}


@pytest.mark.parametrize("script", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_value_too_large_is_refused_before_it_is_built(script: str) -> None:
    tracemalloc.start()
    try:
        with pytest.raises(sandbox.SandboxError):
            sandbox.execute(script, {})
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2 * MB


def test_the_refusal_names_the_reason() -> None:
    with pytest.raises(sandbox.SandboxError, match="number that is too large"):
        sandbox.execute("x = 10 ** 100\nx = x ** 100\nx = x ** 100", {})
    with pytest.raises(sandbox.SandboxError, match="string that is too long"):
        sandbox.execute("s = 'a' * 99999\nt = s.replace('a', 'aa')", {})


def test_ordinary_arithmetic_and_text_still_work() -> None:
    names = sandbox.execute(
        "big = 2 ** 100 * 3 ** 50\n"
        "digits = len(str(big))\n"
        "label = 'deal-' + str(7).replace('7', '07') + '-' * 3\n"
        "amounts = [100, 250, decimal('10.75')]\n"
        "total = sum(amounts)\n"
        "grid = [0] * 100\n"
        "grid[3] = 1\n"
        "ordered = sorted(['b', 'a'])\n"
        "x = 10\n"
        "x **= 3\n"
        "x *= x\n",
        {},
    )
    assert names["big"] == 2**100 * 3**50
    assert names["digits"] == len(str(2**100 * 3**50))
    assert names["label"] == "deal-07---"
    assert str(names["total"]) == "360.75"
    assert names["grid"][3] == 1
    assert names["ordered"] == ["a", "b"]
    assert names["x"] == 1_000_000
    assert sandbox.evaluate("str('x' * 100000) == 'x' * 100000", {}) is True
