"""JSON from outside with a nesting limit: deep nesting is refused with a reason, never a
``RecursionError`` traceback (imports, and any parser of request bodies)."""

from __future__ import annotations

import json
from typing import Any

MAX_DEPTH = 64  # GeoJSON needs 6 (collection → feature → geometry → polygon → ring → point)


class JsonDepthError(ValueError):
    def __init__(self, limit: int) -> None:
        super().__init__(f"nested deeper than {limit} levels")
        self.limit = limit


def check_depth(value: Any, *, limit: int = MAX_DEPTH) -> None:
    """Raise JsonDepthError when lists/objects nest deeper than ``limit`` (iterative walk)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            raise JsonDepthError(limit)
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))


def loads(text: str | bytes, *, limit: int = MAX_DEPTH) -> Any:
    """``json.loads`` that raises JsonDepthError (a ValueError) instead of RecursionError."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise JsonDepthError(limit) from None
    check_depth(value, limit=limit)
    return value
