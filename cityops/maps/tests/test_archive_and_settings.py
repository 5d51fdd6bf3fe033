"""Self-hosted tile archives (PMTiles built in the test, MBTiles) and the base map choice."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from django.test import Client, override_settings
from pmtiles.tile import Compression, TileType, zxy_to_tileid
from pmtiles.writer import write

from cityops.core.mapconfig import basemap_kind, basemap_options, map_options
from cityops.core.middleware import build_csp

# Stand-ins for PNG tiles: the server serves bytes, it does not decode images.
TILE_0 = b"\x89PNG\r\n\x1a\n" + b"z0"
TILE_1 = b"\x89PNG\r\n\x1a\n" + b"z1-x1-y0"


def _pmtiles(path: Path, *, tile_type: TileType = TileType.PNG) -> Path:
    with write(str(path)) as writer:
        writer.write_tile(zxy_to_tileid(0, 0, 0), TILE_0)
        writer.write_tile(zxy_to_tileid(1, 1, 0), TILE_1)
        writer.finalize(
            {
                "tile_type": tile_type,
                "tile_compression": Compression.NONE,
                "min_lon_e7": int(122.2 * 1e7),
                "min_lat_e7": int(43.5 * 1e7),
                "max_lon_e7": int(122.3 * 1e7),
                "max_lat_e7": int(43.7 * 1e7),
                "center_zoom": 1,
                "center_lon_e7": int(122.26 * 1e7),
                "center_lat_e7": int(43.62 * 1e7),
            },
            {"attribution": "test"},
        )
    return path


def _mbtiles(path: Path) -> Path:
    db = sqlite3.connect(path)
    db.executescript(
        "CREATE TABLE metadata (name text, value text);"
        "CREATE TABLE tiles (zoom_level integer, tile_column integer, tile_row integer,"
        " tile_data blob);"
        "INSERT INTO metadata VALUES ('format', 'png'), ('minzoom', '0'), ('maxzoom', '1');"
    )
    # MBTiles numbers rows from the south: XYZ (1, 1, 0) is TMS row 1.
    db.execute("INSERT INTO tiles VALUES (1, 1, 1, ?)", (TILE_1,))
    db.commit()
    db.close()
    return path


def test_pmtiles_tiles_are_served(client: Client, tmp_path: Path) -> None:
    archive = _pmtiles(tmp_path / "city.pmtiles")
    with override_settings(CITYOPS_BASEMAP_ARCHIVE=str(archive)):
        root = client.get("/maps/tiles/0/0/0")
        tile = client.get("/maps/tiles/1/1/0")
        assert (root.status_code, root.content, root["Content-Type"]) == (200, TILE_0, "image/png")
        assert tile.content == TILE_1
        assert client.get("/maps/tiles/1/0/0").status_code == 404  # not in the archive
        assert client.get("/maps/tiles/1/2/0").status_code == 404  # not a tile of zoom 1
        assert client.get("/maps/tiles/5/3/3").status_code == 404  # beyond its zooms
        again = client.get("/maps/tiles/1/1/0", headers={"if-none-match": tile["ETag"]})
        assert again.status_code == 304
        assert "max-age" in tile["Cache-Control"]


def test_a_replaced_archive_is_read_again(client: Client, tmp_path: Path) -> None:
    path = tmp_path / "city.pmtiles"
    _pmtiles(path)
    with override_settings(CITYOPS_BASEMAP_ARCHIVE=str(path)):
        etag = client.get("/maps/tiles/0/0/0")["ETag"]
        with write(str(path)) as writer:
            writer.write_tile(zxy_to_tileid(0, 0, 0), b"\x89PNG new root")
            writer.finalize({"tile_type": TileType.PNG, "tile_compression": Compression.NONE}, {})
        fresh = client.get("/maps/tiles/0/0/0", headers={"if-none-match": etag})
        assert (fresh.status_code, fresh.content) == (200, b"\x89PNG new root")


def test_mbtiles_rows_are_flipped(client: Client, tmp_path: Path) -> None:
    archive = _mbtiles(tmp_path / "city.mbtiles")
    with override_settings(CITYOPS_BASEMAP_ARCHIVE=str(archive)):
        assert client.get("/maps/tiles/1/1/0").content == TILE_1
        assert client.get("/maps/tiles/1/1/1").status_code == 404


def test_vector_archives_and_missing_files_are_refused(client: Client, tmp_path: Path) -> None:
    vector = _pmtiles(tmp_path / "vector.pmtiles", tile_type=TileType.MVT)
    with override_settings(CITYOPS_BASEMAP_ARCHIVE=str(vector)):
        assert client.get("/maps/tiles/0/0/0").status_code == 503
    with override_settings(CITYOPS_BASEMAP_ARCHIVE=str(tmp_path / "missing.pmtiles")):
        assert client.get("/maps/tiles/0/0/0").status_code == 503
    with override_settings(CITYOPS_BASEMAP_ARCHIVE=""):
        assert client.get("/maps/tiles/0/0/0").status_code == 404


TIANDITU = "https://t{s}.tianditu.gov.cn/vec_w/wmts?TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=K"


@pytest.mark.parametrize(
    ("chosen", "tile_url", "archive", "kind"),
    [
        ("auto", "", "", "registry"),  # nothing configured: the registry draws the district
        ("auto", TIANDITU, "", "tiles"),
        ("auto", "", "/srv/city.pmtiles", "archive"),
        ("auto", TIANDITU, "/srv/city.pmtiles", "tiles"),
        ("registry", TIANDITU, "/srv/city.pmtiles", "registry"),
        ("archive", TIANDITU, "/srv/city.pmtiles", "archive"),
        ("tiles", "", "/srv/city.pmtiles", "registry"),  # asked for tiles without a URL
        ("archive", "", "", "registry"),
    ],
)
def test_the_base_map_choice(chosen: str, tile_url: str, archive: str, kind: str) -> None:
    with override_settings(
        CITYOPS_BASEMAP=chosen, CITYOPS_TILE_URL=tile_url, CITYOPS_BASEMAP_ARCHIVE=archive
    ):
        assert basemap_kind() == kind
        options = basemap_options()
        assert options["kind"] == kind
        assert "/srv/" not in json.dumps(options)  # the archive's path never reaches a page


def test_the_tiles_datum_reaches_the_script() -> None:
    with override_settings(CITYOPS_TILE_URL=TIANDITU, CITYOPS_TILE_DATUM="gcj02"):
        base = map_options()["base"]
    assert (base["kind"], base["datum"], base["url"]) == ("tiles", "gcj02", TIANDITU)
    assert base["overlay"] == ""


def test_tianditu_names_overlay_and_its_origin_in_the_csp() -> None:
    names = TIANDITU.replace("vec_w", "cva_w")
    with override_settings(
        CITYOPS_TILE_URL=TIANDITU, CITYOPS_TILE_OVERLAY_URL="https://names.example.cn/{z}/{x}/{y}"
    ):
        assert map_options()["base"]["overlay"] == "https://names.example.cn/{z}/{x}/{y}"
        csp = build_csp()
    assert "https://*.tianditu.gov.cn" in csp
    assert "https://names.example.cn" in csp
    with override_settings(CITYOPS_TILE_URL=TIANDITU, CITYOPS_TILE_OVERLAY_URL=names):
        assert build_csp().count("tianditu.gov.cn") == 1  # the same origin once
    registry = map_options(zoom=16)
    assert registry["base"] == {"kind": "registry", "url": "/maps/base/{z}.json", "datum": "wgs84"}
    assert registry["zoom"] == 16


@pytest.mark.django_db
def test_every_map_page_gets_the_one_base_map(client: Client, catalogue: dict[str, Any]) -> None:
    """The public map and the report page carry the base layer chosen in core/mapconfig.py."""
    category = next(iter(catalogue.values()))
    for url in ("/public/", f"/report/?category={category.pk}"):
        page = client.get(url).content.decode()
        blocks = re.findall(
            r'<script id="[^"]*map-options" type="application/json">(.*?)</script>', page
        )
        assert blocks, url
        assert json.loads(blocks[0])["base"]["kind"] == "registry"
