"""placeholder"""

from typing import Any


def setup_step(context: Any) -> str:
    return ""


def delete_hook(district: Any) -> dict[str, int]:
    return {}
