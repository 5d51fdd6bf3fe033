"""Schemathesis strategies for what a schema cannot spell: upload parts that are real images.

The schema documents ``photos`` parts with the multipart ``encoding`` content types
``image/jpeg, image/png, image/webp`` (``cityops/api/schema.py``); schemathesis generates those
parts from the strategies registered here (``schemathesis.openapi.media_type``), so a
schema-valid upload is an image the API accepts. Used by ``test_schemathesis.py`` and by a live
run: ``SCHEMATHESIS_HOOKS=cityops.api.tests.fuzz_hooks schemathesis run …``.
"""

from __future__ import annotations

import io
from typing import Any, cast

import schemathesis
from hypothesis import strategies as st
from PIL import Image

FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}


def image_bytes(fmt: str, size: tuple[int, int], color: tuple[int, int, int]) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, fmt)
    return buf.getvalue()


def images(fmt: str) -> st.SearchStrategy[bytes]:
    side = st.integers(min_value=1, max_value=64)
    channel = st.integers(min_value=0, max_value=255)
    return st.builds(
        image_bytes, st.just(fmt), st.tuples(side, side), st.tuples(channel, channel, channel)
    )


# ``photos`` is an array of files: the strategy draws the whole part list (1 or 2 images), which
# schemathesis sends as file parts with a filename, as a client does.
for media_type, fmt in FORMATS.items():
    parts: Any = st.lists(images(fmt), min_size=1, max_size=2)  # a list of bytes, not bytes
    schemathesis.openapi.media_type(media_type, cast(st.SearchStrategy[bytes], parts))
