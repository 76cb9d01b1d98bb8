"""No cross-app import hidden inside a function: the lint check of issue #25 (`make lint`).

An app's imports of another app (``from greenwave.<other> import …``, ``import
greenwave.<other>``, or a relative import reaching another app) belong at the top of the
module, where a reader and import-linter's contracts see the dependency. An import inside a
function hides it; when it is there to break an import cycle, the cycle is the thing to fix
(a registry hook the other app fills, as ``wiring.py`` does, or the shared piece in ``core``).

Not checked: migrations and tests, and ``AppConfig.ready()`` in an app's ``apps.py`` (Django's
hook for registrations, run once the app registry is ready). The imports still hidden are
listed in ``scripts/inner_imports_allowlist.txt`` (the debt, one ``path::function -> module``
a line): a new one fails, and so does a listed one that is gone (take it off).

    python scripts/check_inner_imports.py [--write-allowlist] [PATH ...]
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections.abc import Iterator
from pathlib import Path

from allowlist import ROOT, Allowlist, functions, python_files

PACKAGE = ROOT / "src" / "greenwave"
ALLOWLIST = Allowlist(
    ROOT / "scripts" / "inner_imports_allowlist.txt",
    header=(
        "# Cross-app imports still inside functions (issue #25): the debt of\n"
        "# scripts/check_inner_imports.py. Move the import to the module's top (or cut the\n"
        "# cycle it breaks) and take its line off; never add one.\n"
    ),
    noun="imports",
)
DEFAULT_PATHS = ("src/greenwave",)


def _module_of(file: Path) -> list[str]:
    """``greenwave.sales.views`` of ``src/greenwave/sales/views.py``, as parts."""
    parts = list(file.relative_to(PACKAGE.parent).with_suffix("").parts)
    return parts[:-1] if parts[-1] == "__init__" else parts


def _imported(node: ast.Import | ast.ImportFrom, module: list[str], is_package: bool) -> list[str]:
    """The absolute module names an import statement names."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level == 0:
        return [node.module or ""]
    base = module if is_package else module[:-1]
    base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
    return [".".join([*base, *([node.module] if node.module else [])])]


def hidden_imports(file: Path) -> Iterator[tuple[str, str]]:
    """(qualified function name, module) of the cross-app imports inside functions."""
    tree = ast.parse(file.read_text(encoding="utf-8"), filename=str(file))
    module = _module_of(file)
    app = module[1] if len(module) > 1 else ""
    is_package = file.name == "__init__.py"

    for name, function in functions(tree, nested=False):
        if file.name == "apps.py" and function.name == "ready":
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.Import | ast.ImportFrom):
                for target in _imported(node, module, is_package):
                    parts = target.split(".")
                    if parts[0] == "greenwave" and len(parts) > 1 and parts[1] != app:
                        yield name, target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", default=list(DEFAULT_PATHS))
    parser.add_argument("--write-allowlist", action="store_true", help="record today's debt")
    args = parser.parse_args(argv)

    found: set[str] = set()
    scanned: set[str] = set()
    for file in python_files(args.paths):
        relative = file.relative_to(ROOT).as_posix()
        scanned.add(relative)
        for name, target in hidden_imports(file):
            found.add(f"{relative}::{name} -> {target}")

    if args.write_allowlist:
        return ALLOWLIST.write(found)
    problems = dict.fromkeys(found, "a cross-app import inside a function: move it to the top")
    return ALLOWLIST.check(problems, scanned, gone="gone")


if __name__ == "__main__":
    sys.exit(main())
