"""`manage.py bpmn_conformance PATH…`: import, validate and round-trip BPMN files.

A file passes when it is stored as a definition, read into Greenwave's model, round-trips
with every element id and the diagram kept, and is either executable or names exactly which
elements the engine cannot execute. Nothing is kept unless --keep is given. Ends with the
line `N passed, N failed`.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from greenwave.bpm import engine, services
from greenwave.core.errors import DomainError

BPMNDI = "{http://www.omg.org/spec/BPMN/20100524/DI}"


class _RollbackError(Exception):
    pass


def _diagram_ids(data: bytes) -> Counter[str]:
    root = engine.parse_xml(data)
    return Counter(
        str(el.get("bpmnElement"))
        for el in root.iter()
        if isinstance(el.tag, str) and el.tag.startswith(BPMNDI) and el.get("bpmnElement")
    )


def check_file(data: bytes, *, name: str) -> tuple[bool, str]:
    definition = services.definition_upload(actor=None, xml=data, key=f"conformance-{name}"[:100])
    exported = services.definition_export(definition=definition)
    lost = engine.element_ids(data) - engine.element_ids(exported)
    if lost:
        return False, "ids lost in the round trip: " + ", ".join(sorted(lost))
    if _diagram_ids(data) != _diagram_ids(exported):
        return False, "the diagram changed in the round trip"
    if not definition.is_executable:
        return True, "model only (no executable process); imported and viewable"
    if definition.unsupported:
        unnamed = [u for u in definition.unsupported if not u.get("id")]
        if unnamed:
            return False, "unsupported without an element: " + "; ".join(
                str(u.get("reason")) for u in unnamed
            )
        return True, "names unsupported: " + "; ".join(
            f"{u['id']} ({u.get('tag') or 'element'}): {u['reason']}"
            for u in definition.unsupported
        )
    services.definition_deploy(actor=None, definition=definition)
    return True, "deployable"


class Command(BaseCommand):
    help = "Import BPMN files, validate them and check the round trip keeps ids and diagram."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", type=Path)
        parser.add_argument("--keep", action="store_true", help="keep the imported definitions")

    def handle(self, *args: Any, **options: Any) -> None:
        files: list[Path] = []
        for path in options["paths"]:
            files += sorted(path.glob("*.bpmn")) if path.is_dir() else [path]
        passed = failed = 0
        for path in files:
            try:
                with transaction.atomic():
                    ok, note = check_file(path.read_bytes(), name=path.stem)
                    if not options["keep"]:
                        raise _RollbackError
            except _RollbackError:
                pass
            except DomainError as exc:
                ok, note = False, exc.message
            except (OSError, engine.EngineError, engine.BpmnFileError) as exc:
                ok, note = False, str(exc)
            passed, failed = passed + ok, failed + (not ok)
            self.stdout.write(f"{'PASS' if ok else 'FAIL'} {path.name}: {note}")
        self.stdout.write(f"{passed} passed, {failed} failed")
