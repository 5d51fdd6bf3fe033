"""Reads of the decisions app, scoped by the acting user (``access``).

``decision_overview`` is the documented entry point of the leaders' cockpit: counts by unit
(on track / late / listed supervision / done) and the item list with drill-down URLs.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone

from cityops.core.periods import Period
from cityops.decisions import access
from cityops.decisions.indicators import REGISTRY, Indicator, meets
from cityops.decisions.ladder import late_working_days
from cityops.decisions.models import (
    DecisionItem,
    IndicatorLink,
    IndicatorSnapshot,
    ItemEscalation,
    ItemStatus,
    Level,
)
from cityops.workcal.calendar import WorkingCalendar
from cityops.workcal.selectors import get_calendar

CLAIMS_DONE = (ItemStatus.REPORTED, ItemStatus.DONE)


@dataclass
class IndicatorView:
    indicator: Indicator
    link: IndicatorLink
    value: Decimal | None
    day: dt.date | None
    ok: bool | None
    trend: list[tuple[str, str]] = field(default_factory=list)  # (day, value) month ends


@dataclass
class ItemRow:
    item: DecisionItem
    late_working_days: Decimal
    is_late: bool
    warning: bool  # reported/done while an indicator says otherwise


def latest_values(codes: list[str]) -> dict[str, tuple[dt.date, Decimal]]:
    out: dict[str, tuple[dt.date, Decimal]] = {}
    for code, day, value in (
        IndicatorSnapshot.objects.filter(code__in=codes)
        .order_by("code", "-day")
        .values_list("code", "day", "value")
    ):
        out.setdefault(code, (day, value))
    return out


def item_indicators(item: DecisionItem, *, trend: bool = False) -> list[IndicatorView]:
    links = list(item.indicators.all())
    latest = latest_values([link.code for link in links])
    views = []
    for link in links:
        indicator = REGISTRY.get(link.code)
        if indicator is None:
            continue
        day, value = latest.get(link.code, (None, None))
        view = IndicatorView(indicator, link, value, day, meets(indicator, value, link.target))
        if trend:
            view.trend = indicator_trend(link.code)
        views.append(view)
    return views


def indicator_trend(code: str, *, days: int = 366) -> list[tuple[str, str]]:
    """One point per week of the last year (the snapshot of each week's last stored day)."""
    since = timezone.localdate() - dt.timedelta(days=days)
    points: dict[tuple[int, int], tuple[str, str]] = {}
    for day, value in (
        IndicatorSnapshot.objects.filter(code=code, day__gte=since)
        .order_by("day")
        .values_list("day", "value")
    ):
        iso = day.isocalendar()
        points[(iso.year, iso.week)] = (day.isoformat(), str(value))
    return list(points.values())


def _row(
    item: DecisionItem, now: dt.datetime, calendar: WorkingCalendar, warnings: set[int]
) -> ItemRow:
    if item.is_open or item.status == ItemStatus.SUSPENDED:
        late = late_working_days(calendar, item.due_at, now) if item.is_open else Decimal(0)
        is_late = item.is_open and item.status != ItemStatus.REPORTED and now > item.due_at
    else:
        finished = item.done_at or now
        late = late_working_days(calendar, item.due_at, finished)
        is_late = False
    return ItemRow(item, late.quantize(Decimal("0.1")), is_late, item.pk in warnings)


def _warnings(items: list[DecisionItem]) -> set[int]:
    claimed = [i for i in items if i.status in CLAIMS_DONE]
    links = IndicatorLink.objects.filter(item__in=claimed)
    latest = latest_values(list({link.code for link in links}))
    out: set[int] = set()
    for link in links:
        indicator = REGISTRY.get(link.code)
        if indicator is None or link.code not in latest:
            continue
        if meets(indicator, latest[link.code][1], link.target) is False:
            out.add(link.item_id)
    return out


def items_for(
    user: Any,
    *,
    status: str = "",
    unit_id: int | None = None,
    late_only: bool = False,
    meeting_id: int | None = None,
    now: dt.datetime | None = None,
) -> list[ItemRow]:
    items: QuerySet[DecisionItem] = access.items_visible_to(user)
    if status:
        items = items.filter(status=status)
    if unit_id:
        items = items.filter(lead_unit_id=unit_id)
    if meeting_id:
        items = items.filter(meeting_id=meeting_id)
    rows = rows_of(items, now=now)
    if late_only:
        rows = [r for r in rows if r.is_late]
    return rows


def rows_of(items: QuerySet[DecisionItem], *, now: dt.datetime | None = None) -> list[ItemRow]:
    """The standing (lateness in working time, warnings) of ``items`` (already scoped)."""
    now = now or timezone.now()
    loaded = list(
        items.select_related("meeting", "lead_unit", "document").order_by(
            "-meeting__held_on", "meeting_id", "serial"
        )[:500]
    )
    calendar = get_calendar()
    warnings = _warnings(loaded)
    return [_row(i, now, calendar, warnings) for i in loaded]


def item_standing(item: DecisionItem, *, now: dt.datetime | None = None) -> ItemRow:
    now = now or timezone.now()
    return _row(item, now, get_calendar(), _warnings([item]))


def decision_overview(
    *, user: Any, meeting_id: int | None = None, now: dt.datetime | None = None
) -> dict[str, Any]:
    """What the cockpit shows about the decisions, scoped to ``user`` (empty for others).

    Returns ``{"counts": {total, on_track, late, listed, done, suspended, cancelled,
    warnings}, "by_unit": [{unit_id, unit, on_track, late, listed, done, url}], "items":
    [{id, meeting, serial, text, unit_id, unit, leader, status, status_label, due_at,
    late_working_days, is_late, escalation_level, escalation_label, listed, warning, url}],
    "url": the decisions list}``. ``on_track`` = open and not late; ``listed`` = open items
    under 挂牌督办 or beyond (a subset of late ones in practice); ``done`` = verified.
    """
    return overview_of(items_for(user, meeting_id=meeting_id, now=now))


def overview_of(rows: list[ItemRow]) -> dict[str, Any]:
    """``decision_overview``'s figures from rows already scoped (the cockpit: all of them)."""
    counts = dict.fromkeys(
        ("total", "on_track", "late", "listed", "done", "suspended", "cancelled", "warnings"), 0
    )
    units: dict[int, dict[str, Any]] = {}
    items = []
    for row in rows:
        item = row.item
        counts["total"] += 1
        unit = units.setdefault(
            item.lead_unit_id,
            {
                "unit_id": item.lead_unit_id,
                "unit": str(item.lead_unit),
                "on_track": 0,
                "late": 0,
                "listed": 0,
                "done": 0,
                "url": reverse("decisions:items") + f"?unit={item.lead_unit_id}",
            },
        )
        listed = item.is_open and item.escalation_level >= Level.LISTED
        if item.status == ItemStatus.DONE:
            key = "done"
        elif item.status == ItemStatus.CANCELLED:
            key = "cancelled"
        elif item.status == ItemStatus.SUSPENDED:
            key = "suspended"
        elif row.is_late:
            key = "late"
        else:
            key = "on_track"
        counts[key] += 1
        if key in unit:
            unit[key] += 1
        if listed:
            counts["listed"] += 1
            unit["listed"] += 1
        if row.warning:
            counts["warnings"] += 1
        items.append(
            {
                "id": item.pk,
                "meeting": str(item.meeting),
                "serial": item.serial,
                "text": item.text,
                "unit_id": item.lead_unit_id,
                "unit": str(item.lead_unit),
                "leader": item.leader,
                "status": item.status,
                "status_label": item.get_status_display(),
                "due_at": item.due_at,
                "late_working_days": row.late_working_days,
                "is_late": row.is_late,
                "escalation_level": item.escalation_level,
                "escalation_label": item.get_escalation_level_display(),
                "listed": listed,
                "warning": row.warning,
                "url": reverse("decisions:item", args=[item.pk]),
            }
        )
    return {
        "counts": counts,
        "by_unit": sorted(units.values(), key=lambda u: (-u["late"], -u["listed"], u["unit"])),
        "items": items,
        "url": reverse("decisions:items"),
    }


@dataclass
class BulletinUnit:
    unit: str
    rows: list[dict[str, Any]]


def bulletin_data(*, period: Period, user: Any, now: dt.datetime | None = None) -> dict[str, Any]:
    """督查通报 of a month (§1.5): overall figures, items by lead unit, escalations of the
    month. Items assigned before the month's end and not closed before it began."""
    now = now or timezone.now()
    start, end = period.bounds
    as_of = min(now, end)
    calendar = get_calendar()
    items = (
        access.items_visible_to(user)
        .filter(assigned_at__lt=end)
        .exclude(status=ItemStatus.CANCELLED)
        .exclude(done_at__lt=start)
        .select_related("meeting", "lead_unit")
        .prefetch_related(
            Prefetch(
                "escalations",
                queryset=ItemEscalation.objects.filter(created_at__gte=start, created_at__lt=end),
                to_attr="month_escalations",
            )
        )
        .order_by("lead_unit__name", "meeting__held_on", "serial")
    )
    by_unit: dict[str, list[dict[str, Any]]] = defaultdict(list)
    totals = dict.fromkeys(("total", "closed", "closed_on_time", "overdue", "in_progress"), 0)
    for item in items:
        done = item.done_at is not None and item.done_at < end
        finished = item.done_at if done else as_of
        assert finished is not None
        late = late_working_days(calendar, item.due_at, finished)
        overdue = (not done) and as_of > item.due_at
        totals["total"] += 1
        if done:
            totals["closed"] += 1
            if item.done_at is not None and item.done_at <= item.due_at:
                totals["closed_on_time"] += 1
        elif overdue:
            totals["overdue"] += 1
        else:
            totals["in_progress"] += 1
        escalations = getattr(item, "month_escalations", [])
        by_unit[str(item.lead_unit)].append(
            {
                "item": f"{item.meeting.number}-{item.serial}",
                "text": item.text,
                "status": str(item.get_status_display()),
                "due": timezone.localtime(item.due_at).date(),
                "late_working_days": late.quantize(Decimal("0.1")),
                "overdue": overdue,
                "done": done,
                "level": str(item.get_escalation_level_display()) if item.escalation_level else "",
                "escalations": [str(e.get_level_display()) for e in escalations],
                "leader": item.leader,
            }
        )
    total = totals["total"]
    rates = {
        "closure_rate": (Decimal(100) * totals["closed"] / total).quantize(Decimal("0.1"))
        if total
        else None,
        "on_time_rate": (Decimal(100) * totals["closed_on_time"] / totals["closed"]).quantize(
            Decimal("0.1")
        )
        if totals["closed"]
        else None,
    }
    return {
        "period": period,
        "totals": totals,
        "rates": rates,
        "units": [BulletinUnit(unit, rows) for unit, rows in by_unit.items()],
        "as_of": as_of,
    }
