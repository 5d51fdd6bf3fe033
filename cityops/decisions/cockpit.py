"""The decisions panel of the leaders' cockpit (``cityops.cockpit.panels``): how the mayor's
office decisions stand — on track, late, under listed supervision (挂牌督办) — by lead unit, and
the late items first. Computed by the cockpit's refresh job for every reader alike (the cockpit is
for the mayor's office and bureau leaders, who may read every item); plain JSON, no translated
text (the template translates)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from cityops.decisions.models import DecisionItem
from cityops.decisions.selectors import overview_of, rows_of

SHOWN_ITEMS = 8


def compute(*, now: dt.datetime) -> dict[str, Any]:
    overview = overview_of(rows_of(DecisionItem.objects.all(), now=now))
    closed = ("done", "cancelled", "suspended")
    late = [i for i in overview["items"] if i["is_late"] and i["status"] not in closed]
    late.sort(key=lambda i: (-i["escalation_level"], -(i["late_working_days"] or 0)))
    keys = ("id", "meeting", "serial", "text", "unit", "leader", "late_working_days",
            "escalation_level", "listed", "warning", "url")  # fmt: skip
    return {
        "counts": overview["counts"],
        "by_unit": overview["by_unit"],
        "late": [
            {
                **{key: item[key] for key in keys},
                "late_working_days": float(item["late_working_days"] or 0),
            }
            for item in late[:SHOWN_ITEMS]
        ],
        "late_total": len(late),
        "url": overview["url"],
    }
