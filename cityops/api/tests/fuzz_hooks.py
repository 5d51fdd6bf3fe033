"""Schemathesis strategies and rules for what a schema cannot spell.

- ``photos`` parts are real images. The schema documents them with the multipart ``encoding``
  content types ``image/jpeg, image/png, image/webp`` (``cityops/api/schema.py``); schemathesis
  generates those parts from the strategies registered here (``schemathesis.openapi.media_type``),
  so a schema-valid upload is an image the API accepts.
- A webhook ``url`` has the ``public-https-url`` format: a host that resolves only to public
  addresses, which a pattern cannot say and an offline fuzzer cannot look up. The strategy draws
  https URLs whose host is a global IPv4 literal (no DNS needed), with a port and path.
- schemathesis 4.32's coverage phase builds a multipart body with custom-encoded parts (our
  images) by filling every other required field with ``""`` whatever its schema says (``kind``
  of an enum, ``lat`` a number), then sends it as schema-valid: the API rightly refuses it, a
  false failure. ``_complete_multipart`` fills those fields with their schema's simplest valid
  value instead (a fix of the fuzzer, not of what it checks).
- ``date_to`` not before ``date_from`` (the list filter answers 400 otherwise, as documented):
  JSON Schema has no rule across two query parameters, so positive cases keep that order.

Used by ``test_schemathesis.py`` and by a live run (``scripts/schemathesis_live.sh``:
``SCHEMATHESIS_HOOKS=cityops.api.tests.fuzz_hooks schemathesis run …``).
"""

from __future__ import annotations

import datetime as dt
import io
import ipaddress
import re
from typing import Any, cast

import schemathesis
from hypothesis import strategies as st
from PIL import Image

from cityops.api.schema import PUBLIC_HTTPS_URL

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


def public_ipv4() -> st.SearchStrategy[str]:
    addresses = st.integers(min_value=0x01000000, max_value=0xDFFFFFFF).map(ipaddress.IPv4Address)
    return addresses.filter(lambda address: address.is_global).map(str)


def public_https_urls() -> st.SearchStrategy[str]:
    port = st.one_of(st.just(""), st.integers(min_value=1, max_value=65535).map(lambda p: f":{p}"))
    path = st.from_regex(r"\A(/[A-Za-z0-9._~-]{0,20}){0,3}\Z")
    return st.builds(lambda h, p, q: f"https://{h}{p}{q}", public_ipv4(), port, path)


schemathesis.openapi.format(PUBLIC_HTTPS_URL, public_https_urls())


@schemathesis.hook("filter_query")
def date_range_in_order(ctx: Any, query: dict[str, Any] | None) -> bool:
    """Positive list queries name ``date_from`` ≤ ``date_to`` (the filter's documented rule)."""
    if not query or ctx.operation.path != "/api/v1/cases/":
        return True
    first, last = query.get("date_from"), query.get("date_to")
    try:
        return not (first and last and dt.date.fromisoformat(first) > dt.date.fromisoformat(last))
    except (TypeError, ValueError):
        return True  # not two dates: a negative case, the API answers 400


def simplest(schema: dict[str, Any]) -> Any:
    """The simplest value a (flat) property schema admits, or None when unsure."""
    if "enum" in schema:
        return next((value for value in schema["enum"] if value not in ("", None)), None)
    kind = schema.get("type")
    if kind in ("number", "integer"):
        low, high = schema.get("minimum", 0), schema.get("maximum", 0)
        return min(max(0, low), high) if "maximum" in schema else max(0, low)
    if kind == "boolean":
        return True
    if kind == "string":
        if schema.get("format") == "date-time":
            return "2030-01-01T00:00:00+08:00"
        candidate = "x" * max(1, int(schema.get("minLength", 1)))
        pattern = schema.get("pattern")
        return candidate if pattern is None or re.search(pattern, candidate) else None
    return None


def _complete_multipart() -> None:
    try:
        from schemathesis.specs.openapi.coverage import _operation
    except ImportError:  # another schemathesis: nothing to fix here
        return
    original = getattr(_operation, "_generate_multipart_body_from_custom_strategies", None)
    if original is None or getattr(original, "cityops_fixed", False):
        return

    def complete(body: Any) -> Any:
        generated = original(body)
        if generated is None:
            return None
        result, content_types = generated
        properties = body.form_properties
        for name in (body.resolved_schema or {}).get("required", []):
            if name not in content_types and result.get(name) == "":
                value = simplest(properties.get(name, {}))
                if value is not None:
                    result[name] = value
        return result, content_types

    complete.cityops_fixed = True  # type: ignore[attr-defined]
    _operation._generate_multipart_body_from_custom_strategies = complete


_complete_multipart()
