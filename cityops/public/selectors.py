"""Public reads: cases as anyone may see them — no personal data, no internal notes.

Only cases the one public rule admits are listed (``cases.query.public_visible``: accepted or
later): unverified resident reports, rejected, voided and merged ones stay internal.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from cityops.cases.models import Case, CaseEvent, Status
from cityops.cases.query import (
    PUBLIC_STATUSES,
    CaseFilter,
    case_filter_apply,
    case_order,
    public_visible,
)

__all__ = ["PUBLIC_STATUSES", "public_case", "public_cases", "public_in_bbox"]

PUBLIC_FIELDS = ("id", "number", "status", "category__name", "address", "lon", "lat",
                 "description", "reported_at", "closed_at")  # fmt: skip


def public_cases(*, closed: bool | None = None, category: int | None = None) -> QuerySet[Case]:
    """The public list: ``public_visible`` and the shared filter (a category includes its
    children, as in the console)."""
    flt = CaseFilter(
        open=None if closed is None else not closed,
        categories=() if category is None else (category,),
    )
    qs = case_filter_apply(public_visible(), flt)
    return case_order(qs.select_related("category").only(*PUBLIC_FIELDS), flt.sort)


def public_case(*, number: str) -> Case | None:
    return public_cases().filter(number=number).first()


def public_in_bbox(
    *, west: float, south: float, east: float, north: float, limit: int = 2000
) -> list[dict[str, Any]]:
    """Markers for the public map: only the current viewport, rounded positions."""
    rows = (
        public_cases()
        .filter(lon__gte=west, lon__lte=east, lat__gte=south, lat__lte=north)
        .values("number", "status", "category__name", "lon", "lat")[:limit]
    )
    return [
        {
            "number": r["number"],
            "status": Status(r["status"]).label,
            "closed": r["status"] == Status.CLOSED,
            "category": r["category__name"],
            "lon": round(r["lon"], 5),
            "lat": round(r["lat"], 5),
        }
        for r in rows
    ]


def public_timeline(*, case: Case) -> list[dict[str, Any]]:
    """The steps of a case for its reporter: status and time only (no actors, no reasons)."""
    events = CaseEvent.objects.filter(case=case).only("to_status", "at").order_by("at", "id")
    return [
        {"at": e.at, "status": Status(e.to_status).label if e.to_status in Status.values else ""}
        for e in events
    ]
