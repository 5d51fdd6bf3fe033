"""Fixtures of the inspection tests: demo schemes, images, a month with a plan."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from PIL import Image

from cityops.evaluations.demo import load_demo_schemes

OCT = dt.date(2026, 10, 1)
WEST_ROAD = (122.255, 43.615)  # on road R-W-1 (operator A's lot)


def jpeg(color: str = "red") -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (32, 24), color).save(buf, "JPEG")
    return buf.getvalue()


def png(color: str = "black") -> bytes:
    buf = io.BytesIO()
    Image.new("RGBA", (120, 60), color).save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CITYOPS_PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def schemes(db: None) -> None:
    load_demo_schemes()
