"""System check: warn when this year's or (from October) next year's schedule is missing.

Tagged ``database``: it runs with ``manage.py check --database default`` and ``migrate``,
not on every command.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.checks import CheckMessage, Tags, Warning, register
from django.db import DatabaseError
from django.utils import timezone


@register(Tags.database)
def check_schedule_entered(
    app_configs: Sequence[Any] | None = None, databases: Sequence[str] | None = None, **_: Any
) -> list[CheckMessage]:
    if not databases or "default" not in databases:
        return []
    from cityops.workcal.selectors import missing_schedule_years

    try:
        missing = missing_schedule_years(timezone.localdate())
    except DatabaseError:  # tables not created yet (a fresh database before migrate)
        return []
    return [
        Warning(
            f"No public holidays are entered for {year}: deadlines in {year} will count every "
            "weekday as a working day.",
            hint="Enter the State Council schedule in the admin (Working calendar → Holiday "
            "schedules), or run manage.py load_holidays after upgrading chinesecalendar.",
            id="workcal.W001",
        )
        for year in missing
    ]
