"""The production build: collectstatic with the manifest storage of `settings.prod` succeeds
and the pages render their hashed static URLs (a missing manifest entry is a 500 on every page).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from greenwave.config.settings import prod

SOURCE_MAP = re.compile(r"[#@] sourceMappingURL=([^\s*]+)")


def test_every_source_map_a_static_file_names_is_there() -> None:
    missing = []
    for root in settings.STATICFILES_DIRS:
        for path in Path(root).rglob("*"):
            if path.suffix not in {".js", ".css"}:
                continue
            names = SOURCE_MAP.findall(path.read_text(encoding="utf-8", errors="replace"))
            missing.extend(
                f"{path.relative_to(root)} -> {name}"
                for name in names
                if not name.startswith("data:") and not (path.parent / name).is_file()
            )
    assert missing == []


@pytest.mark.django_db
def test_pages_answer_200_under_the_production_static_storage(
    tmp_path: Path, client, two_teams
) -> None:
    assert "Manifest" in prod.STORAGES["staticfiles"]["BACKEND"]
    with override_settings(STORAGES=prod.STORAGES, STATIC_ROOT=tmp_path):
        call_command("collectstatic", interactive=False, verbosity=0)
        assert (tmp_path / "staticfiles.json").is_file()
        assert client.get(reverse("accounts:login")).status_code == 200
        client.force_login(two_teams["admin"])  # the admin may open the process modeler too
        for name in ("core:home", "crm:company_list", "bpm:definition_new"):
            response = client.get(reverse(name))
            assert response.status_code == 200, name
        html = response.content.decode()
        # The modeler page loads the bpmn-js bundle by its content-hashed name.
        assert re.search(r"/static/vendor/bpmn-js/bpmn-modeler\.production\.min\.\w{12}\.js", html)
