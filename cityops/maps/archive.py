"""Self-hosted raster tile archives: PMTiles (v3) or MBTiles, read by the platform itself.

``CITYOPS_BASEMAP_ARCHIVE`` names the file; ``tile_at(z=…, x=…, y=…)`` answers one tile's bytes
and media type (or ``None``). The archive is opened once per process and file version (path,
size, modification time), so replacing the file takes effect without a restart. Raster tile
types only (PNG, JPEG, WebP, AVIF): vector tiles would need a vector renderer in the browser,
which the registry base map (``maps.basemap``) makes unnecessary.
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from pmtiles.reader import MemorySource, MmapSource, Reader
from pmtiles.tile import Compression, TileType

from cityops.core.errors import DomainError

MEDIA_TYPES = {
    TileType.PNG: "image/png",
    TileType.JPEG: "image/jpeg",
    TileType.WEBP: "image/webp",
    TileType.AVIF: "image/avif",
}
MBTILES_FORMATS = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "webp": "image/webp",
}
MAX_ZOOM = 24


class ArchiveError(DomainError):
    status_code = 503


@dataclass(frozen=True)
class Tile:
    data: bytes
    media_type: str
    etag: str


class _Archive:
    """One open archive file; ``stamp`` identifies its version (ETags hang on it)."""

    def __init__(self, path: Path) -> None:
        st = path.stat()
        self.path = path
        self.stamp = f"{st.st_size:x}-{int(st.st_mtime_ns):x}"
        self.kind = "mbtiles" if path.suffix.lower() == ".mbtiles" else "pmtiles"
        self._lock = threading.Lock()
        if self.kind == "pmtiles":
            self._file = path.open("rb")
            # The pmtiles package has no type annotations.
            get_bytes: Any = (
                MmapSource(self._file)  # type: ignore[no-untyped-call]
                if st.st_size
                else MemorySource(b"")  # type: ignore[no-untyped-call]
            )
            self._reader = Reader(get_bytes)  # type: ignore[no-untyped-call]
            header = self._reader.header()  # type: ignore[no-untyped-call]
            if header["tile_type"] not in MEDIA_TYPES:
                raise ArchiveError(_("The tile archive does not hold raster tiles."))
            if header["tile_compression"] not in (Compression.NONE, Compression.UNKNOWN):
                raise ArchiveError(
                    _("The tile archive's tiles are compressed; raster tiles are not.")
                )
            self.media_type = MEDIA_TYPES[header["tile_type"]]
            self.min_zoom, self.max_zoom = int(header["min_zoom"]), int(header["max_zoom"])
        else:
            uri = f"file:{path}?mode=ro"
            self._db = sqlite3.connect(uri, uri=True, check_same_thread=False)
            meta = dict(self._db.execute("SELECT name, value FROM metadata").fetchall())
            fmt = str(meta.get("format", "png")).lower()
            if fmt not in MBTILES_FORMATS:
                raise ArchiveError(_("The tile archive does not hold raster tiles."))
            self.media_type = MBTILES_FORMATS[fmt]
            self.min_zoom = int(meta.get("minzoom", 0))
            self.max_zoom = int(meta.get("maxzoom", MAX_ZOOM))

    def get(self, z: int, x: int, y: int) -> bytes | None:
        with self._lock:  # the readers are not documented as thread-safe
            if self.kind == "pmtiles":
                data = self._reader.get(z, x, y)  # type: ignore[no-untyped-call]
                return None if data is None else bytes(data)
            row = self._db.execute(
                "SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? "
                "AND tile_row = ?",
                (z, x, (1 << z) - 1 - y),  # MBTiles rows count from the south (TMS)
            ).fetchone()
            return None if row is None else bytes(row[0])


_open: dict[str, _Archive] = {}
_open_lock = threading.Lock()


def _archive() -> _Archive:
    name = settings.CITYOPS_BASEMAP_ARCHIVE
    if not name:
        raise ArchiveError(_("No tile archive is configured."))
    path = Path(name)
    try:
        st = path.stat()
    except OSError:
        raise ArchiveError(_("The tile archive cannot be read.")) from None
    stamp = f"{st.st_size:x}-{int(st.st_mtime_ns):x}"
    with _open_lock:
        current = _open.get(str(path))
        if current is None or current.stamp != stamp:
            try:
                current = _Archive(path)
            except ArchiveError:
                raise
            except Exception:
                raise ArchiveError(_("The tile archive cannot be read.")) from None
            _open[str(path)] = current
        return current


def tile_at(*, z: int, x: int, y: int) -> Tile | None:
    """The tile at z/x/y (XYZ numbering, as Leaflet asks), or None where the archive has none."""
    if not (0 <= z <= MAX_ZOOM and 0 <= x < (1 << z) and 0 <= y < (1 << z)):
        return None
    archive = _archive()
    if not archive.min_zoom <= z <= archive.max_zoom:
        return None
    data = archive.get(z, x, y)
    if data is None:
        return None
    return Tile(data=data, media_type=archive.media_type, etag=f'"{archive.stamp}-{z}-{x}-{y}"')
