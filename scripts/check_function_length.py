"""No function over 80 lines: the lint check of issue #25 (`make lint` runs it).

A function's length counts from its ``def`` line to its last line (decorators and the
docstring included, as a reader sees it). Migrations and tests are not checked. The
functions still longer are listed in ``scripts/function_length_allowlist.txt`` (the debt,
one ``path::qualified.name`` a line): a function over the limit that is not listed fails,
and so does a listed one that is gone or has become short enough (take it off the list).

    python scripts/check_function_length.py [--limit 80] [--write-allowlist] [PATH ...]
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections.abc import Iterator
from pathlib import Path

from allowlist import ROOT, Allowlist, functions, python_files

ALLOWLIST = Allowlist(
    ROOT / "scripts" / "function_length_allowlist.txt",
    header=(
        "# Functions still over 80 lines (issue #25): the debt of\n"
        "# scripts/check_function_length.py. Split a function into named steps and\n"
        "# take its line off; never add one.\n"
    ),
    noun="functions",
)
DEFAULT_PATHS = ("src", "bench", "manage.py")
LIMIT = 80


def long_functions(file: Path, limit: int) -> Iterator[tuple[str, int]]:
    """(qualified name, length) of the functions of ``file`` longer than ``limit`` lines."""
    tree = ast.parse(file.read_text(encoding="utf-8"), filename=str(file))
    for name, function in functions(tree, nested=True):
        length = (function.end_lineno or function.lineno) - function.lineno + 1
        if length > limit:
            yield name, length


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", default=list(DEFAULT_PATHS))
    parser.add_argument("--limit", type=int, default=LIMIT)
    parser.add_argument("--write-allowlist", action="store_true", help="record today's debt")
    args = parser.parse_args(argv)

    found: dict[str, int] = {}
    scanned: set[str] = set()
    for file in python_files(args.paths):
        relative = file.relative_to(ROOT).as_posix()
        scanned.add(relative)
        for name, length in long_functions(file, args.limit):
            found[f"{relative}::{name}"] = length

    if args.write_allowlist:
        return ALLOWLIST.write(set(found))
    problems = {
        key: f"{length} lines (limit {args.limit}): split it into named steps"
        for key, length in found.items()
    }
    return ALLOWLIST.check(problems, scanned, gone="not over the limit")


if __name__ == "__main__":
    sys.exit(main())
