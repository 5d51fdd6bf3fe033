"""The procurement's panel of the leaders' cockpit (registered in ``apps.ProcurementConfig``).

Computed by the cockpit's refresh job from ``selectors.procurement_progress`` (the one read
model of the project list): projects per status and, per project, the next step with its last
lawful day, whether that day has passed, open challenges (质疑) and steps recorded late.
No names of people. Projects that need attention (overdue or challenged) come first.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from cityops.procurement.models import Status
from cityops.procurement.selectors import procurement_progress

PROJECT_KEYS = ("id", "number", "title", "status", "next_step", "next_overdue", "open_challenges")


def _attention(row: dict[str, Any]) -> bool:
    return bool(row["next_overdue"] or row["open_challenges"])


def procurement_compute(*, now: dt.datetime) -> dict[str, Any]:
    progress = procurement_progress()
    projects = []
    for row in progress["projects"]:
        latest = row["next_latest"]
        projects.append(
            {
                **{k: row[k] for k in PROJECT_KEYS},
                "next_latest": latest.isoformat() if latest else None,
                "late_steps": len(row["late_steps"]),
                "attention": _attention(row),
            }
        )
    projects.sort(key=lambda p: (not p["attention"], p["next_latest"] or "9999", p["number"]))
    return {
        "total": progress["total"],
        "contracted": progress["contracted"],
        "open_challenges": progress["open_challenges"],
        "overdue": sum(1 for p in projects if p["next_overdue"]),
        "by_status": [[s.value, progress["by_status"][s.value]] for s in Status],
        "projects": projects,
    }
