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

ROOT = Path(__file__).resolve().parent.parent
ALLOWLIST = ROOT / "scripts" / "function_length_allowlist.txt"
DEFAULT_PATHS = ("src", "bench", "manage.py")
LIMIT = 80
SKIPPED_PARTS = frozenset({"migrations", "tests", "node_modules", "vendor", ".venv"})


def python_files(paths: list[str]) -> Iterator[Path]:
    for name in paths:
        path = (ROOT / name).resolve()
        candidates = [path] if path.is_file() else sorted(path.rglob("*.py"))
        for file in candidates:
            relative = file.relative_to(ROOT)
            if SKIPPED_PARTS.isdisjoint(relative.parts) and not file.name.startswith("test_"):
                yield file


def long_functions(file: Path, limit: int) -> Iterator[tuple[str, int]]:
    """(qualified name, length) of the functions of ``file`` longer than ``limit`` lines."""
    tree = ast.parse(file.read_text(encoding="utf-8"), filename=str(file))

    def walk(node: ast.AST, prefix: str) -> Iterator[tuple[str, int]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                name = f"{prefix}{child.name}"
                length = (child.end_lineno or child.lineno) - child.lineno + 1
                if length > limit:
                    yield name, length
                yield from walk(child, f"{name}.")
            elif isinstance(child, ast.ClassDef):
                yield from walk(child, f"{prefix}{child.name}.")
            else:
                yield from walk(child, prefix)

    yield from walk(tree, "")


def read_allowlist() -> set[str]:
    if not ALLOWLIST.exists():
        return set()
    lines = ALLOWLIST.read_text(encoding="utf-8").splitlines()
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


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
        header = (
            "# Functions still over 80 lines (issue #25): the debt of\n"
            "# scripts/check_function_length.py. Split a function into named steps and\n"
            "# take its line off; never add one.\n"
        )
        ALLOWLIST.write_text(header + "".join(f"{key}\n" for key in sorted(found)))
        print(f"{len(found)} functions recorded in {ALLOWLIST.relative_to(ROOT)}")  # noqa: T201
        return 0

    allowed = read_allowlist()
    checked = {key for key in allowed if key.split("::")[0] in scanned}
    new = sorted(set(found) - allowed)
    paid = sorted(checked - set(found))
    for key in new:
        print(f"{key}: {found[key]} lines (limit {args.limit}): split it into named steps")  # noqa: T201
    for key in paid:
        print(f"{key}: listed in {ALLOWLIST.name} but not over the limit: take it off")  # noqa: T201
    return 1 if new or paid else 0


if __name__ == "__main__":
    sys.exit(main())
