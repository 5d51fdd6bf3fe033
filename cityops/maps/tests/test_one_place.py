"""The base map is chosen and drawn in one place (issue 15): every map script goes through
static/cityops/map-base.js, and only core/mapconfig.py (plus the CSP header) reads the tile
settings."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _files(pattern: str) -> list[Path]:
    found = [*ROOT.glob(f"static/**/{pattern}"), *ROOT.glob(f"cityops/**/{pattern}")]
    return [p for p in found if "node_modules" not in p.parts and "tests" not in p.parts]


def test_only_map_base_creates_maps_and_tile_layers() -> None:
    creating = re.compile(r"\bL\.(map|tileLayer)\(")
    offenders = [
        str(p.relative_to(ROOT))
        for p in _files("*.js")
        if creating.search(p.read_text(encoding="utf-8"))
    ]
    assert offenders == ["static/cityops/map-base.js"]


def test_only_mapconfig_reads_the_tile_settings() -> None:
    reading = re.compile(r"settings\.CITYOPS_(TILE_|BASEMAP)")
    offenders = sorted(
        str(p.relative_to(ROOT))
        for p in _files("*.py")
        if reading.search(p.read_text(encoding="utf-8"))
    )
    # The archive reader needs the file; the CSP header the tile origin; the views the max-age.
    assert offenders == [
        "cityops/core/mapconfig.py",
        "cityops/core/middleware.py",
        "cityops/maps/archive.py",
        "cityops/maps/views.py",
    ]
