"""The REST API's JSON parser: JSON bodies pass the edge's rules too.

A middleware sees paths, query strings and forms (``cityops.core.edge``) but not JSON, so the
parser refuses (a 400 naming the problem, never a 500):
- a body nested deeper than ``cityops.core.jsonlimits.MAX_DEPTH`` levels (``json.load`` would
  end in a ``RecursionError``);
- a string or key holding NUL, another control character or a lone surrogate
  (``"\\ud800"`` parses in Python but cannot be stored; ``cityops.core.text``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import IO, Any

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from cityops.core.jsonlimits import MAX_DEPTH, JsonDepthError, check_depth
from cityops.core.text import UncleanText, clean_json, describe


class CleanJSONParser(JSONParser):
    def parse(
        self,
        stream: IO[Any],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        too_deep = _("JSON parse error - nested deeper than %(limit)d levels.") % {
            "limit": MAX_DEPTH
        }
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(too_deep) from None
        try:
            check_depth(data)
        except JsonDepthError:
            raise ParseError(too_deep) from None
        try:
            return clean_json(data)
        except UncleanText as exc:
            message = _("%(field)s contains a character that is not allowed (%(char)s).") % {
                "field": exc.field or _("The body"),
                "char": describe(exc.char),
            }
            raise ParseError(message) from None
