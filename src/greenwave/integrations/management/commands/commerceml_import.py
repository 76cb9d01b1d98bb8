"""`manage.py commerceml_import PATH…`: import CommerceML 2 files (import.xml, offers.xml),
or zip archives of them as 1C writes them (with the `import_files/…` pictures).

Each file is imported whole or not at all; the catalogue goes before the offers. The pictures
a catalogue names are read from its archive, or from the `import_files` folder beside it. The
exit status is 1 on the first refused file, with the reason (and the line) on stderr.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from greenwave.core.errors import DomainError
from greenwave.integrations import services
from greenwave.integrations.commerceml import MAX_FILE_BYTES
from greenwave.integrations.models import ExchangeSource
from greenwave.integrations.notes import note_text
from greenwave.integrations.pictures import MAX_PICTURE_BYTES, is_picture_name

MAX_FOLDER_PICTURES = 1_000
RESULT_ORDER = (
    "groups",
    "products_created",
    "products_updated",
    "groups_changed",
    "pictures_stored",
    "pictures_removed",
    "price_lists",
    "prices_changed",
)


class Command(BaseCommand):
    help = "Import CommerceML 2 files from 1C (catalogue and prices) into products and price lists."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", metavar="PATH")

    def handle(self, *args: Any, **options: Any) -> None:
        files = []
        for raw in options["paths"]:
            path = Path(raw)
            if not path.is_file():
                raise CommandError(f"{raw}: no such file")
            if path.stat().st_size > MAX_FILE_BYTES:
                raise CommandError(f"{raw}: larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
            files.append((path.name, path.read_bytes()))
            if path.suffix.lower() == ".xml":
                files.extend(_pictures_beside(path))
        try:
            exchange = services.onec_import_files(
                actor=None, files=files, source=ExchangeSource.COMMAND
            )
        except DomainError as exc:
            raise CommandError(exc.message) from None
        for result in exchange.results:
            # In a fixed order: PostgreSQL's jsonb keeps the keys of `results` in its own.
            keys = sorted(
                (k for k in result if k not in ("file", "warnings")),
                key=lambda k: (
                    RESULT_ORDER.index(k) if k in RESULT_ORDER else len(RESULT_ORDER),
                    k,
                ),
            )
            parts = [f"{k}={result[k]}" for k in keys]
            self.stdout.write(f"{result['file']}: " + " ".join(parts))
            for warning in result.get("warnings", []):
                self.stdout.write(f"  warning: {note_text(warning)}")


def _pictures_beside(path: Path) -> list[tuple[str, bytes]]:
    """The pictures of the `import_files` folder 1C writes beside import.xml, by the relative
    path the catalogue names them with (too large ones are left to the import's warnings)."""
    folder = path.parent / "import_files"
    if not folder.is_dir():
        return []
    found: list[tuple[str, bytes]] = []
    for picture in sorted(folder.rglob("*")):
        if len(found) >= MAX_FOLDER_PICTURES:
            break
        if (
            picture.is_file()
            and is_picture_name(picture.name)
            and picture.stat().st_size <= MAX_PICTURE_BYTES
        ):
            found.append((picture.relative_to(path.parent).as_posix(), picture.read_bytes()))
    return found
