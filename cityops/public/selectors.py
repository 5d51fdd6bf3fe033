"""Public reads: cases as anyone may see them — no personal data, no internal notes.

Only cases the command centre has admitted (filed or later) are listed: unverified resident
reports, rejected and voided ones stay internal.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from cityops.cases.models import Case, CaseEvent, Status

PUBLIC_STATUSES: tuple[str, ...] = (
    Status.FILED,
    Status.DISPATCHED,
    Status.RETURN_REQUESTED,
    Status.EXTENSION_REQUESTED,
    Status.PARK_REQUESTED,
    Status.PARKED,
    Status.HANDLED,
    Status.VERIFIED,
    Status.CLOSED,
)
PUBLIC_FIELDS = ("id", "number", "status", "category__name", "address", "lon", "lat",
                 "description", "reported_at", "closed_at")  # fmt: skip


def public_cases(*, closed: bool | None = None, category: int | None = None) -> QuerySet[Case]:
    qs = Case.objects.filter(status__in=PUBLIC_STATUSES)
    if closed is True:
        qs = qs.filter(status=Status.CLOSED)
    elif closed is False:
        qs = qs.exclude(status=Status.CLOSED)
    if category is not None:
        qs = qs.filter(category_id=category)
    return qs.select_related("category").only(*PUBLIC_FIELDS).order_by("-reported_at", "-id")


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
