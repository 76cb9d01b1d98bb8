"""Papers attached to a deal in tests: a kind and title with a small file (a document counts
for the stage gates and the contract approval only with its file)."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from greenwave.sales import services
from greenwave.sales.models import DealDocument


def attach_paper(
    actor: Any, deal: Any, kind: str = "contract", title: str = "Договор №7"
) -> DealDocument:
    return services.deal_attach_document(
        actor=actor,
        deal=deal,
        kind=kind,
        title=title,
        file=SimpleUploadedFile(f"{kind}.txt", b"draft"),
    )
