"""The npm libraries copied into static (scripts/copy_vendor.sh): dmn-js's "production" bundles
inline Inferno's development build, whose start-up messages filled every DMN page's console."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[4]
NODE_MODULES = ROOT / "frontend" / "node_modules"
DEV_BANNERS = ("Inferno is in development mode", "minified copy of the development build")


@pytest.mark.skipif(not (NODE_MODULES / "dmn-js").is_dir(), reason="npm packages not installed")
def test_the_copied_dmn_bundles_log_no_inferno_development_banner(tmp_path: Path) -> None:
    out = tmp_path / "vendor"
    subprocess.run(
        ["bash", str(ROOT / "scripts" / "copy_vendor.sh"), str(NODE_MODULES), str(out)],
        check=True,
        capture_output=True,
    )
    bundles = sorted((out / "dmn-js").glob("*.production.min.js"))
    assert [b.name for b in bundles] == [
        "dmn-modeler.production.min.js",
        "dmn-navigated-viewer.production.min.js",
    ]
    for bundle in bundles:
        text = bundle.read_text(encoding="utf-8")
        assert not [banner for banner in DEV_BANNERS if banner in text], bundle.name
