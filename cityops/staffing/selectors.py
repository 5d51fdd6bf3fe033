"""Reads of the staff register: the rules in force, lists scoped to the HR officer, and the
progress counts (by unit, batch, step, option, flag) for the task force and the cockpit."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone

from cityops.staffing import retirement as ret
from cityops.staffing.access import staff_scope
from cityops.staffing.models import (
    Batch,
    FormerUnit,
    RetirementRule,
    StaffingSettings,
    StaffMember,
    StaffStatus,
)
from cityops.staffing.rules import FLAGS, Limits, PayLine


def retirement_rules() -> dict[str, ret.Rule]:
    """The schedule in force: the rows of ``RetirementRule`` over the official defaults."""
    rules = dict(ret.DEFAULT_RULES)
    for row in RetirementRule.objects.all():
        rules[row.category] = row.as_rule()
    return rules


def staffing_limits() -> Limits:
    return StaffingSettings.current().limits()


def reference_date(member: StaffMember) -> dt.date:
    """The date eligibility is judged on: the batch's planned end, else today."""
    if member.batch is not None:
        return member.batch.planned_end
    return timezone.localdate()


def pay_lines(member: StaffMember) -> list[PayLine]:
    return [PayLine(p.item, p.old_amount, p.new_amount) for p in member.pay.all()]


@dataclass(frozen=True)
class StaffFilter:
    unit: str = ""
    batch: str = ""
    status: str = ""
    flag: str = ""


def staff_list(*, user: Any, filters: StaffFilter) -> QuerySet[StaffMember]:
    qs = staff_scope(user).select_related("unit", "batch")
    if filters.unit:
        qs = qs.filter(unit__code=filters.unit)
    if filters.batch:
        qs = qs.filter(batch__code=filters.batch)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.flag == "any":
        qs = qs.filter(blocked=True)
    elif filters.flag:
        # JSON containment is not portable (SQLite): pick the ids from the blocked rows.
        ids = [
            pk
            for pk, flags in qs.filter(blocked=True).values_list("pk", "flags")
            if filters.flag in flags
        ]
        qs = qs.filter(pk__in=ids)
    return qs


def transfer_progress() -> dict[str, Any]:
    """Counts only (no names, no personal data): what the cockpit and the mayor's office see.

    ``units`` and ``batches``: per row total, completed, blocked and the count per step;
    ``steps``, ``options``, ``flags``: totals over everyone.
    """
    steps = [s.value for s in StaffStatus]
    rows: list[dict[str, Any]] = [
        dict(r)
        for r in StaffMember.objects.values(
            "unit_id", "batch_id", "status", "option", "flags", "blocked"
        )
    ]
    units = {u.pk: u for u in FormerUnit.objects.all()}
    batches = {b.pk: b for b in Batch.objects.select_related("difficulty")}

    def group(key: str, names: dict[int, Any]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for pk, obj in names.items():
            mine = [r for r in rows if r[key] == pk]
            counts = Counter(r["status"] for r in mine)
            out.append(
                {
                    "code": obj.code,
                    "name": obj.name,
                    "total": len(mine),
                    "completed": counts[StaffStatus.COMPLETED],
                    "blocked": sum(1 for r in mine if r["blocked"]),
                    "steps": {s: counts[s] for s in steps},
                }
            )
        return out

    by_batch = group("batch_id", batches)
    for entry, batch in zip(by_batch, batches.values(), strict=True):
        entry.update(
            difficulty=batch.difficulty.name,
            planned_start=batch.planned_start.isoformat(),
            planned_end=batch.planned_end.isoformat(),
        )
    flag_counts: Counter[str] = Counter()
    for r in rows:
        flag_counts.update(r["flags"])
    return {
        "total": len(rows),
        "completed": sum(1 for r in rows if r["status"] == StaffStatus.COMPLETED),
        "blocked": sum(1 for r in rows if r["blocked"]),
        "unbatched": sum(1 for r in rows if r["batch_id"] is None),
        "steps": {s: sum(1 for r in rows if r["status"] == s) for s in steps},
        "options": dict(Counter(r["option"] or "none" for r in rows)),
        "flags": {f: flag_counts[f] for f in FLAGS},
        "units": group("unit_id", units),
        "batches": by_batch,
    }


def blocked_staff(*, user: Any, limit: int = 500) -> list[StaffMember]:
    """Who is blocked, for the task force (names are masked by the page)."""
    from cityops.staffing.access import sees_blocked

    if not sees_blocked(user):
        return []
    return list(
        StaffMember.objects.filter(blocked=True)
        .select_related("unit", "batch")
        .order_by("unit__code", "staff_no")[:limit]
    )


def status_counts() -> dict[str, int]:
    return {
        row["status"]: row["n"]
        for row in StaffMember.objects.values("status").annotate(n=Count("pk"))
    }
