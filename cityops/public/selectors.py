"""Public reads: cases as anyone may see them — no personal data, no internal notes.

Only cases the one public rule admits are listed (``cases.query.public_visible``: accepted or
later): unverified resident reports, rejected, voided and merged ones stay internal.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet

from cityops.cases.models import (
    Case,
    CaseEvent,
    CasePhoto,
    Category,
    CategoryKind,
    PhotoKind,
    Status,
)
from cityops.cases.query import (
    PUBLIC_STATUSES,
    CaseFilter,
    case_filter_apply,
    case_order,
    public_reply,
    public_visible,
)
from cityops.public.models import Support
from cityops.registry.spatial import registry_index

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
    """The steps of a case for everyone: status and time, and the unit's published reply
    (no actors, no reasons, no internal notes)."""
    events = (
        CaseEvent.objects.filter(case=case)
        .only("action", "to_status", "at", "data")
        .order_by("at", "id")
    )
    return [
        {
            "at": e.at,
            "status": Status(e.to_status).label if e.to_status in Status.values else "",
            "reply": public_reply(e.action, e.data),
        }
        for e in events
    ]


# --- residents' pages: what to report here, nearby reports, tracking, my reports ---------------

# One icon per kind of problem (decoration: the group's name is the text).
KIND_ICONS = {"component": "🛠", "event": "⚠", "property": "🏠", "snow": "❄"}
NEARBY_RADIUS_M = 250  # FixMyStreet's suggestion radius
_M_PER_DEG_LAT = 111_320.0


@dataclass(frozen=True)
class CategoryGroup:
    name: str
    icon: str
    categories: list[Category]


def report_categories_at(*, lon: float, lat: float) -> list[CategoryGroup]:
    """The categories a resident may report at the point, grouped by their major category.

    Outside the governed district nothing; property categories (elevator, water supply …)
    only inside a residential compound, where a property company or the community answers.
    """
    ctx = registry_index().locate(lon, lat)
    if ctx.district_id is None:
        return []
    qs = (
        Category.objects.filter(active=True, parent__isnull=False, parent__active=True)
        .select_related("parent")
        .order_by("parent__sort_order", "parent__code", "sort_order", "code")
    )
    if ctx.compound_id is None:
        qs = qs.exclude(kind=CategoryKind.PROPERTY)
    groups: dict[int, CategoryGroup] = {}
    for c in qs:
        parent = c.parent
        assert parent is not None
        if parent.pk not in groups:
            groups[parent.pk] = CategoryGroup(parent.name, KIND_ICONS.get(c.kind, "•"), [])
        groups[parent.pk].categories.append(c)
    return list(groups.values())


def nearby_open(*, lon: float, lat: float, limit: int = 10) -> list[dict[str, Any]]:
    """Open public reports within ``NEARBY_RADIUS_M`` of the point, nearest first, with their
    supporter counts (what the public list shows, nothing more)."""
    dlat = NEARBY_RADIUS_M / _M_PER_DEG_LAT
    dlon = dlat / max(math.cos(math.radians(lat)), 0.01)
    rows = list(
        public_cases(closed=False)
        .filter(lon__range=(lon - dlon, lon + dlon), lat__range=(lat - dlat, lat + dlat))
        .annotate(supporters=Count("supports"))
        .values("number", "status", "category__name", "address", "lon", "lat", "reported_at",
                "supporters")[:200]
    )  # fmt: skip
    for r in rows:
        dx = (r["lon"] - lon) * _M_PER_DEG_LAT * math.cos(math.radians(lat))
        dy = (r["lat"] - lat) * _M_PER_DEG_LAT
        r["distance_m"] = math.hypot(dx, dy)
        r["status_label"] = Status(r["status"]).label
    near = sorted((r for r in rows if r["distance_m"] <= NEARBY_RADIUS_M),
                  key=lambda r: r["distance_m"])  # fmt: skip
    return near[:limit]


def supporter_count(*, case: Case) -> int:
    return Support.objects.filter(case=case).count()


def track_updates(*, case: Case) -> list[dict[str, Any]]:
    """The reporter's timeline: each step's status and time, and the reply the unit published
    with its handling (处置反馈) — never its internal note."""
    events = (
        CaseEvent.objects.filter(case=case)
        .only("action", "to_status", "at", "data")
        .order_by("at", "id")
    )
    return [
        {
            "at": e.at,
            "status": Status(e.to_status).label if e.to_status in Status.values else "",
            "reply": public_reply(e.action, e.data),
            "reopened": e.action == "reopen",
        }
        for e in events
    ]


def track_photos(*, case: Case) -> dict[str, list[CasePhoto]]:
    """Before (the report's) and after (the unit's) photos, public copies only."""
    photos = list(
        CasePhoto.objects.filter(case=case, kind__in=(PhotoKind.BEFORE, PhotoKind.AFTER))
        .only("kind", "public", "thumbnail")
        .order_by("id")
    )
    return {
        "before": [p for p in photos if p.kind == PhotoKind.BEFORE],
        "after": [p for p in photos if p.kind == PhotoKind.AFTER],
    }


def my_reports(*, user: Any) -> QuerySet[Case]:
    """The cases a signed-in resident reported (any status: their own reports)."""
    if not getattr(user, "is_authenticated", False):
        return Case.objects.none()
    return (
        Case.objects.filter(reported_by_id=user.pk)
        .select_related("category")
        .only(*PUBLIC_FIELDS, "reported_by_id")
        .order_by("-reported_at")
    )
