"""GeoReport v2 wire formats (pure: no ORM, no Django settings).

XML is the required format: UTF-8 declaration, no namespace. JSON is the spec's mechanical
"Spark convention" mapping: list resources are bare arrays, a service definition and the
discovery document are objects. A list value in the data becomes, in XML, a container element
whose children are named by ``ITEM_TAGS`` (``attributes`` → ``attribute``).

Whatever is stored, an answer is well-formed: XML text loses the characters XML 1.0 forbids
(``cityops.core.text.xml_safe``: control characters written before input was checked at the
edge must not break ``requests.xml`` for every client), JSON escapes control characters and
replaces a lone surrogate, which UTF-8 cannot encode.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from typing import Any
from xml.etree import ElementTree as ET

from cityops.core.text import xml_safe

XML_CONTENT_TYPE = "text/xml; charset=utf-8"
JSON_CONTENT_TYPE = "application/json; charset=utf-8"
FORMATS = ("xml", "json")
ITEM_TAGS = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
    "notes": "note",
    "photos": "photo",
}


def w3c(value: dt.datetime | None, tz: dt.tzinfo | None = None) -> str | None:
    """W3C datetime with an explicit offset (the spec requires the time zone)."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("naive datetime")
    if tz is not None:
        value = value.astimezone(tz)
    return value.replace(microsecond=0).isoformat()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return w3c(value) or ""
    return str(value)


def _append(parent: ET.Element, tag: str, value: Any) -> None:
    node = ET.SubElement(parent, tag)
    _fill(node, tag, value)


def _fill(node: ET.Element, tag: str, value: Any) -> None:
    if isinstance(value, Mapping):
        for key, item in value.items():
            _append(node, str(key), item)
    elif isinstance(value, list | tuple):
        child = ITEM_TAGS.get(tag, "item")
        for item in value:
            _append(node, child, item)
    else:
        node.text = xml_safe(_text(value))


def to_xml(root: str, value: Any) -> bytes:
    node = ET.Element(root)
    _fill(node, root, value)
    body = ET.tostring(node, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + body).encode("utf-8")


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return w3c(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def to_json(value: Any) -> bytes:
    text = json.dumps(value, ensure_ascii=False, default=_jsonable)
    return text.encode("utf-8", errors="replace")  # a lone surrogate becomes "?"


def render(fmt: str, root: str, value: Any) -> tuple[bytes, str]:
    """The body and content type of ``value`` in ``fmt`` (``root`` names the XML root)."""
    if fmt == "json":
        return to_json(value), JSON_CONTENT_TYPE
    return to_xml(root, value), XML_CONTENT_TYPE


def errors_document(errors: Sequence[tuple[int, str]]) -> list[dict[str, Any]]:
    return [{"code": code, "description": description} for code, description in errors]
