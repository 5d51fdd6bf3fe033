"""What text may enter and leave the platform (pure: no ORM, no settings).

Every channel's input goes through one rule (``forbidden_in``): NUL and the other C0/C1 control
characters, DEL, lone surrogates and the XML non-characters U+FFFE/U+FFFF are refused. Line
text (a path, a query parameter, a name) refuses tab, line feed and carriage return too; body
text (a description, a reason) keeps them. Why refuse rather than strip: PostgreSQL cannot store
NUL at all (the write fails, a queued Open311 request once stalled the whole intake drain with
it), a lone surrogate cannot be encoded to UTF-8, and XML 1.0 forbids the rest, so such a value
is never what a client meant; the client learns which field to fix.

Where it is applied: ``cityops.core.middleware.EdgeInputMiddleware`` checks the path, the query
string and every form field of every request; JSON bodies, which a middleware cannot see, are
checked by the REST API's parser (``cityops.api.parsers``) with ``clean_json``. Output side:
``xml_safe`` removes what XML 1.0 forbids, whatever was stored before this rule existed.
"""

from __future__ import annotations

import re
from typing import Any

# XML 1.0 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Also refused on input: DEL and the C1 controls (allowed by XML, never meant in a report).
_BODY_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_LINE_FORBIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# The same rule as (JSON Schema) patterns, for the OpenAPI schema (``cityops.api.schema``). Lone
# surrogates are left out: no UTF-8 text, hence no JSON document, can hold one.
LINE_TEXT_PATTERN = r"^[^\u0000-\u001f\u007f-\u009f\ufffe\uffff]*$"
BODY_TEXT_PATTERN = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufffe\uffff]*$"


def forbidden_in(value: str, *, multiline: bool = True) -> str | None:
    """The first character ``value`` may not contain, or None when it is clean."""
    match = (_BODY_FORBIDDEN if multiline else _LINE_FORBIDDEN).search(value)
    return match.group() if match else None


def describe(char: str) -> str:
    """``U+0000``: how an error message names a refused character (never the character)."""
    return f"U+{ord(char):04X}"


def printable(value: str) -> str:
    """``value`` with every refused character written as ``U+XXXX``: how an error message may
    quote client text (a field path built from a client's JSON key, say) and stay encodable."""
    return _LINE_FORBIDDEN.sub(lambda match: describe(match.group()), value)


class UncleanText(ValueError):
    """A text holds a character no channel accepts (``char``); ``field`` names where (with any
    refused character of a client-chosen key written as ``U+XXXX``)."""

    def __init__(self, char: str, field: str = "") -> None:
        field = printable(field)
        super().__init__(f"{field or 'text'}: forbidden character {describe(char)}")
        self.char = char
        self.field = field


def clean_text(value: str, *, field: str = "", multiline: bool = True) -> str:
    """``value`` unchanged when it is clean; raises ``UncleanText`` naming the field otherwise."""
    char = forbidden_in(value, multiline=multiline)
    if char is not None:
        raise UncleanText(char, field)
    return value


def clean_json(value: Any, *, field: str = "") -> Any:
    """Check every key and string of parsed JSON (``UncleanText`` names the first bad path)."""
    if isinstance(value, str):
        return clean_text(value, field=field)
    if isinstance(value, dict):
        for key, item in value.items():
            name = f"{field}.{key}" if field else str(key)
            clean_text(str(key), field=name, multiline=False)
            clean_json(item, field=name)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            clean_json(item, field=f"{field}[{index}]")
    return value


def xml_safe(value: str) -> str:
    """``value`` without the characters XML 1.0 forbids (a document with one is not well-formed
    for any client)."""
    return _XML_FORBIDDEN.sub("", value)
