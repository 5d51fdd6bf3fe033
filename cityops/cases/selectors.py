"""Reads of the cases domain, scoped by the acting user.

Reporter personal data never leaves a selector unmasked: lists carry ``reporter_name_masked``
and ``reporter_phone_masked`` only (the full value needs ``case_reveal_reporter``).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone

from cityops.cases.access import access_case, cases_visible_to
from cityops.cases.models import OPEN_STATUSES, Case, CaseEvent, Category, Light
from cityops.cases.query import public_visible
from cityops.core.geo import distance_m

# Metres per degree of latitude (WGS-84 mean); longitude scales with cos(latitude).
_M_PER_DEG = 111_320.0


@dataclass(frozen=True)
class Duplicate:
    case_id: int
    number: str
    status: str
    distance_m: float
    reported_at: dt.datetime
    description: str


def case_duplicates(
    *,
    category: Category,
    lon: float,
    lat: float,
    at: dt.datetime | None = None,
    exclude_id: int | None = None,
    public: bool = False,
) -> list[Duplicate]:
    """Open cases of the same category within the category's radius and time window.

    ``public=True`` (the residents' hint) keeps only cases the public may see
    (``cases.query.public_visible``): an unverified report never reaches another resident.

    A bounding box on the indexed (lat, lon) columns narrows the query; the exact distance is
    the haversine on the few candidates. Nearest first.
    """
    at = at or timezone.now()
    radius = float(category.duplicate_radius_m)
    dlat = radius / _M_PER_DEG
    dlon = radius / (_M_PER_DEG * max(math.cos(math.radians(lat)), 1e-6))
    since = at - dt.timedelta(hours=category.duplicate_window_hours)
    qs = Case.objects.filter(
        category=category,
        status__in=OPEN_STATUSES,
        reported_at__gte=since,
        reported_at__lte=at,
        lat__gte=lat - dlat,
        lat__lte=lat + dlat,
        lon__gte=lon - dlon,
        lon__lte=lon + dlon,
    ).exclude(merged_into__isnull=False)
    if public:
        qs = public_visible(qs)
    if exclude_id is not None:
        qs = qs.exclude(pk=exclude_id)
    found = []
    for case in qs.only("id", "number", "status", "lon", "lat", "reported_at", "description"):
        d = distance_m(lon, lat, case.lon, case.lat)
        if d <= radius:
            found.append(
                Duplicate(case.pk, case.number, case.status, round(d, 1), case.reported_at,
                          case.description[:100])
            )  # fmt: skip
    return sorted(found, key=lambda dup: (dup.distance_m, dup.reported_at))


def case_list(*, user: Any, status: str | None = None) -> QuerySet[Case]:
    """Cases the user may see, newest first, with what a list row shows."""
    qs = cases_visible_to(user).select_related("category", "assignee", "grid", "street")
    if status:
        qs = qs.filter(status=status)
    return qs


def case_row(case: Case) -> dict[str, Any]:
    """A staff list row: reporter data masked."""
    return {
        "id": case.pk,
        "number": case.number,
        "status": case.status,
        "category": str(case.category),
        "urgency": case.urgency,
        "light": case.light,
        "deadline_at": case.deadline_at,
        "assignee": str(case.assignee) if case.assignee_id else "",
        "address": case.address,
        "reporter_name": case.reporter_name_masked,
        "reporter_phone": case.reporter_phone_masked,
    }


def case_public_view(case: Case) -> dict[str, Any]:
    """What anyone (the reporter, Open311) may see: no personal data, no internal notes."""
    return {
        "number": case.number,
        "status": case.status,
        "category": case.category.name,
        "address": case.address,
        "lon": round(case.lon, 5),
        "lat": round(case.lat, 5),
        "description": case.description,
        "reported_at": case.reported_at,
        "closed_at": case.closed_at,
    }


def case_events(*, case_id: int, user: Any) -> QuerySet[CaseEvent]:
    case = access_case(case_id, user)
    return case.events.select_related("actor").all()


def open_cases_by_light() -> list[tuple[dict[str, str], float]]:
    """Open cases per traffic light, every light present (0 too): a system-wide figure for
    monitoring (``/metrics``), not scoped to a user."""
    counts = dict(
        Case.objects.filter(status__in=OPEN_STATUSES)
        .values_list("light")
        .annotate(n=Count("id"))
        .values_list("light", "n")
    )
    return [({"light": light}, float(counts.get(light, 0))) for light in Light.values]
