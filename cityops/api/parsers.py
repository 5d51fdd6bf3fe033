"""Request body parsers of the REST API."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from cityops.core.jsonlimits import MAX_DEPTH, JsonDepthError, check_depth


class DepthLimitedJSONParser(JSONParser):
    """DRF's JSON parser with a nesting limit: a deeply nested body is a 400, not the
    ``RecursionError`` (500) of ``json.load``."""

    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        message = _("JSON parse error - nested deeper than %(limit)d levels.") % {
            "limit": MAX_DEPTH
        }
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(message) from None
        try:
            check_depth(data)
        except JsonDepthError:
            raise ParseError(message) from None
        return data
