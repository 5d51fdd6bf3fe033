"""What a PDF reader shows: the text poppler extracts and a rendered page (tests only).

poppler-utils (``pdftotext``, ``pdftoppm``) is installed by ``make test`` next to Chromium.
Without it these checks skip loudly; with CITYOPS_REQUIRE_BROWSER=1 (CI) they fail.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        message = f"PDF CHECK NOT RUN: {name} (poppler-utils) is missing"
        if os.environ.get("CITYOPS_REQUIRE_BROWSER") == "1":
            pytest.fail(message + " (CITYOPS_REQUIRE_BROWSER=1)", pytrace=False)
        pytest.skip(message + " — install it with: sudo apt-get install -y poppler-utils")
    return found


def pdf_text(data: bytes) -> str:
    """The text of every page as poppler extracts it (what a reader can copy and search)."""
    out = subprocess.run(  # noqa: S603 (poppler's own tool, our own bytes)
        [_tool("pdftotext"), "-enc", "UTF-8", "-", "-"],
        input=data,
        capture_output=True,
        check=True,
        timeout=60,
    )
    return out.stdout.decode("utf-8")


def pdf_fonts(data: bytes) -> str:
    """``pdffonts`` table: one line per font with its type and whether it is embedded."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "doc.pdf"
        path.write_bytes(data)
        out = subprocess.run(  # noqa: S603 (poppler's own tool)
            [_tool("pdffonts"), str(path)], capture_output=True, check=True, timeout=60
        )
    return out.stdout.decode("utf-8")


def pdf_page_ink(data: bytes, *, page: int = 1) -> int:
    """How many dark pixels poppler draws on a page (grey PGM at 50 dpi): 0 means blank."""
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "doc.pdf", Path(tmp) / "page"
        src.write_bytes(data)
        subprocess.run(  # noqa: S603 (poppler's own tool)
            [_tool("pdftoppm"), "-gray", "-r", "50", "-f", str(page), "-l", str(page),
             "-singlefile", str(src), str(out)],
            capture_output=True,
            check=True,
            timeout=60,
        )  # fmt: skip
        raw = (Path(tmp) / "page.pgm").read_bytes()
    # PGM: "P5\n<w> <h>\n<max>\n" then one byte per pixel.
    pixels = raw.split(b"\n", 3)[3]
    return sum(1 for b in pixels if b < 128)
