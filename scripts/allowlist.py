"""What the debt checks of issue #25 share (``check_function_length.py``,
``check_inner_imports.py``): the Python files they scan, the functions of a file by their
qualified names, and their allowlist of the places still breaking the rule — one key a line,
``#`` comments — read, rewritten, and compared with what a run finds (a new place fails, and
so does a listed one that is gone: take it off)."""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIPPED_PARTS = frozenset({"migrations", "tests", "node_modules", "vendor", ".venv"})


def python_files(paths: list[str]) -> Iterator[Path]:
    """The files under ``paths`` (relative to the repository) but migrations and tests."""
    for name in paths:
        path = (ROOT / name).resolve()
        candidates = [path] if path.is_file() else sorted(path.rglob("*.py"))
        for file in candidates:
            relative = file.relative_to(ROOT)
            if SKIPPED_PARTS.isdisjoint(relative.parts) and not file.name.startswith("test_"):
                yield file


Function = ast.FunctionDef | ast.AsyncFunctionDef


def functions(tree: ast.AST, *, nested: bool) -> Iterator[tuple[str, Function]]:
    """Every function of ``tree`` with its qualified name (``Class.method``; with ``nested``,
    the functions inside functions too, as ``outer.inner``)."""

    def walk(node: ast.AST, prefix: str) -> Iterator[tuple[str, Function]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                name = f"{prefix}{child.name}"
                yield name, child
                if nested:
                    yield from walk(child, f"{name}.")
            elif isinstance(child, ast.ClassDef):
                yield from walk(child, f"{prefix}{child.name}.")
            else:
                yield from walk(child, prefix)

    yield from walk(tree, "")


@dataclass(frozen=True)
class Allowlist:
    path: Path
    header: str  # the comment lines written at the top of the file
    noun: str  # what a key names ("functions", "imports")

    def read(self) -> set[str]:
        if not self.path.exists():
            return set()
        lines = self.path.read_text(encoding="utf-8").splitlines()
        return {line.strip() for line in lines if line.strip() and not line.startswith("#")}

    def write(self, keys: set[str]) -> int:
        """Record today's debt (``--write-allowlist``)."""
        self.path.write_text(self.header + "".join(f"{key}\n" for key in sorted(keys)))
        print(f"{len(keys)} {self.noun} recorded in {self.path.relative_to(ROOT)}")  # noqa: T201
        return 0

    def check(self, found: Mapping[str, str], scanned: set[str], gone: str) -> int:
        """Compare a run with the list: ``found`` maps each key to what is wrong there, a key's
        file (before ``::``) counts only if ``scanned``; ``gone`` says why a listed key that
        was not found must go. 1 (after printing every difference) if they differ."""
        allowed = self.read()
        checked = {key for key in allowed if key.split("::")[0] in scanned}
        new = sorted(set(found) - allowed)
        paid = sorted(checked - set(found))
        for key in new:
            print(f"{key}: {found[key]}")  # noqa: T201
        for key in paid:
            print(f"{key}: listed in {self.path.name} but {gone}: take it off")  # noqa: T201
        return 1 if new or paid else 0
