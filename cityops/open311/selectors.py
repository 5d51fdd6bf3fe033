"""Reads behind the GeoReport resources: the catalogue as services, cases as requests.

Only public fields leave here: no reporter name, phone, e-mail, device or account id, no
internal reasons, and photos only as their EXIF-free public copy.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Max, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from cityops.cases.models import Case, CaseEvent, CasePhoto, Category, PhotoKind, Status
from cityops.cases.models.catalogue import QuestionKind
from cityops.cases.transitions import rule_for
from cityops.open311.models import Open311Request
from cityops.registry.models import Component, Compound, RoadSegment

DATATYPES = {
    QuestionKind.STRING: "string",
    QuestionKind.NUMBER: "number",
    QuestionKind.DATETIME: "datetime",
    QuestionKind.TEXT: "text",
    QuestionKind.SINGLE_CHOICE: "singlevaluelist",
    QuestionKind.MULTIPLE_CHOICE: "multivaluelist",
}
DATATYPE_DESCRIPTIONS = {
    "string": "Text without line breaks.",
    "number": "A number.",
    "datetime": "A date and time, ISO 8601 with time zone.",
    "text": "Text, line breaks allowed.",
    "singlevaluelist": "One of the listed keys.",
    "multivaluelist": "One or more of the listed keys (attribute[code][]).",
}
# Statuses whose last reason is told to the public (the reporter learns why it ended).
PUBLIC_REASON_STATUSES = (Status.REJECTED, Status.VOIDED)
MAX_RESULTS = 1000


def service_code(category: Category) -> str:
    """Category codes repeat across kinds (event 0102 ≠ component 0102): prefix the kind."""
    return f"{category.kind}-{category.code}"


def category_for_code(code: str) -> Category | None:
    kind, _sep, number = code.partition("-")
    if not number:
        return None
    return (
        Category.objects.filter(kind=kind, code=number, active=True, parent__isnull=False)
        .select_related("parent")
        .first()
    )


def _services_qs() -> QuerySet[Category]:
    return (
        Category.objects.filter(active=True, parent__isnull=False, parent__active=True)
        .select_related("parent")
        .prefetch_related("questions")
        .order_by("kind", "code")
    )


def services_list() -> list[dict[str, Any]]:
    rows = []
    for cat in _services_qs():
        rows.append(
            {
                "service_code": service_code(cat),
                "service_name": cat.name,
                "description": cat.filing_condition or cat.name,
                "metadata": bool(cat.questions.all()),
                "type": "realtime",
                "keywords": ",".join(k for k in (cat.get_kind_display(), cat.parent.name) if k)
                if cat.parent
                else str(cat.get_kind_display()),
                "group": cat.parent.name if cat.parent else "",
            }
        )
    return rows


def service_definition(category: Category) -> dict[str, Any]:
    attributes = []
    for order, question in enumerate(category.questions.all().order_by("order", "code"), 1):
        datatype = DATATYPES.get(QuestionKind(question.kind), "string")
        attribute: dict[str, Any] = {
            "variable": True,
            "code": question.code,
            "datatype": datatype,
            "required": question.required,
            "datatype_description": question.help_text or DATATYPE_DESCRIPTIONS[datatype],
            "order": order,
            "description": question.label,
        }
        if datatype in ("singlevaluelist", "multivaluelist"):
            attribute["values"] = [
                {"key": str(c.get("code", "")), "name": str(c.get("label", ""))}
                for c in question.choices
                if isinstance(c, dict)
            ]
        attributes.append(attribute)
    return {"service_code": service_code(category), "attributes": attributes}


def catalogue_changeset() -> dt.datetime:
    """Sortable "last change" of what services/definitions show (discovery ``changeset``)."""
    latest = Category.objects.aggregate(at=Max("updated_at"))["at"]
    return latest or dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


# --- Requests -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestQuery:
    ids: tuple[str, ...] = ()
    service_codes: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    updated_after: dt.datetime | None = None
    updated_before: dt.datetime | None = None
    page: int = 1
    page_size: int = MAX_RESULTS
    extensions: bool = False


def _requests_qs(extensions: bool) -> QuerySet[Case]:
    photos = CasePhoto.objects.filter(kind=PhotoKind.BEFORE).only("id", "case_id", "public")
    # Names by annotation: joining the registry rows would load their geometries.
    qs = (
        Case.objects.select_related("category")
        .annotate(
            unit_name=Coalesce(F("assignee__name"), F("routed_org__name")),
            merged_number=F("merged_into__number"),
            grid_code=F("grid__code"),
            street_name=F("street__name"),
            community_name=F("community__name"),
        )
        .prefetch_related(Prefetch("photos", queryset=photos, to_attr="public_photos"))
    )
    if extensions:
        qs = qs.prefetch_related(
            Prefetch("events", queryset=CaseEvent.objects.order_by("at", "id"), to_attr="trail")
        )
    else:
        qs = qs.prefetch_related(
            Prefetch(
                "events",
                queryset=CaseEvent.objects.filter(to_status__in=PUBLIC_REASON_STATUSES)
                .exclude(reason="")
                .order_by("at", "id"),
                to_attr="trail",
            )
        )
    return qs


def _kind_code(code: str) -> Q | None:
    kind, _sep, number = code.partition("-")
    return Q(category__kind=kind, category__code=number) if number else None


def requests_query(query: RequestQuery) -> list[Case]:
    qs = _requests_qs(query.extensions)
    if query.ids:
        # The spec: service_request_id overrides every other argument.
        return list(qs.filter(number__in=query.ids[:MAX_RESULTS]))
    if query.service_codes:
        match = Q(pk__in=[])
        for code in query.service_codes:
            if (q := _kind_code(code)) is not None:
                match |= q
        qs = qs.filter(match)
    if query.statuses and set(query.statuses) != {"open", "closed"}:
        open_q = ~Q(status__in=[Status.REJECTED, Status.CLOSED, Status.VOIDED, Status.MERGED])
        qs = qs.filter(open_q if "open" in query.statuses else ~open_q)
    if query.start is not None:
        qs = qs.filter(reported_at__gte=query.start)
    if query.end is not None:
        qs = qs.filter(reported_at__lte=query.end)
    if query.updated_after is not None:
        qs = qs.filter(updated_at__gte=query.updated_after)
    if query.updated_before is not None:
        qs = qs.filter(updated_at__lte=query.updated_before)
    offset = (query.page - 1) * query.page_size
    return list(qs.order_by("-reported_at", "-id")[offset : offset + query.page_size])


def request_by_number(number: str, *, extensions: bool = False) -> Case | None:
    return _requests_qs(extensions).filter(number=number).first()


def request_by_token(token: str) -> Open311Request | None:
    return Open311Request.objects.select_related("case").filter(token=token).first()


def status_notes(case: Case) -> str:
    label = str(case.get_status_display())
    merged = getattr(case, "merged_number", None)
    if case.status == Status.MERGED and merged:
        return f"{label}: {merged}"
    if case.status in PUBLIC_REASON_STATUSES:
        reasons = [e.reason for e in case.trail if e.to_status == case.status and e.reason]  # type: ignore[attr-defined]
        if reasons:
            return f"{label}: {reasons[-1]}"
    return label


def _notes(case: Case, tz: dt.tzinfo) -> list[dict[str, Any]]:
    notes = []
    for event in case.trail:  # type: ignore[attr-defined]
        rule = rule_for(event.action)
        label = str(rule.label) if rule is not None else event.action
        notes.append(
            {
                "datetime": event.at.astimezone(tz),
                "type": "status",
                "status": "closed" if event.to_status in _CLOSED else "open",
                "description": f"{label} → {Status(event.to_status).label}"
                if event.to_status in Status.values
                else label,
            }
        )
    return notes


_CLOSED = (Status.REJECTED, Status.CLOSED, Status.VOIDED, Status.MERGED)


def request_fields(
    case: Case, *, absolute: Callable[[str], str], extensions: bool = False
) -> dict[str, Any]:
    """One ``<request>``: the spec's fields, in the spec's order; no personal data."""
    tz = timezone.get_current_timezone()
    closed = not case.is_open
    photos: Iterable[CasePhoto] = getattr(case, "public_photos", [])
    urls = [absolute(p.public.url) for p in photos if p.public]
    updated = (case.closed_at or case.updated_at) if closed else case.updated_at
    fields: dict[str, Any] = {
        "service_request_id": case.number,
        "status": "closed" if closed else "open",
        "status_notes": status_notes(case),
        "service_name": case.category.name,
        "service_code": service_code(case.category),
        "description": case.description[:4000],
        "agency_responsible": getattr(case, "unit_name", None) or "",
        "service_notice": "",
        "requested_datetime": case.reported_at.astimezone(tz),
        "updated_datetime": updated.astimezone(tz),
        "expected_datetime": case.deadline_at.astimezone(tz) if case.deadline_at else None,
        "address": case.address,
        "address_id": "",
        "zipcode": "",
        "lat": round(case.lat, 6),
        "long": round(case.lon, 6),
        "media_url": urls[0] if urls else "",
    }
    if extensions:
        fields["extended_attributes"] = {
            "channel": case.source,
            "status_detail": case.status,
            "urgency": case.urgency,
            "grid": getattr(case, "grid_code", None) or "",
            "street": getattr(case, "street_name", None) or "",
            "community": getattr(case, "community_name", None) or "",
            "photos": urls,
        }
        fields["notes"] = _notes(case, tz)
    return fields


@dataclass(frozen=True)
class Place:
    lon: float
    lat: float
    component: Component | None = None


def _inside(shape: Any) -> tuple[float, float]:
    point = shape.representative_point()
    return float(point.x), float(point.y)


def place_for_address(*, address_string: str = "", address_id: str = "") -> Place | None:
    """A point for a request sent without lat/long: an asset code (address_id) or a compound
    or road named in the address string. None when nothing in the registry matches."""
    if address_id:
        component = Component.objects.filter(code=address_id).first()
        if component is not None:
            x, y = _inside(component.shape())
            return Place(x, y, component)
        compound = Compound.objects.filter(code=address_id).first()
        if compound is not None:
            return Place(*_inside(compound.shape()))
    if address_string:
        text = address_string.strip()
        for compound in Compound.objects.exclude(name="").only("name", "geometry"):
            if compound.name in text:
                return Place(*_inside(compound.shape()))
        for road in RoadSegment.objects.exclude(name="").only("name", "geometry"):
            if road.name in text:
                return Place(*_inside(road.shape()))
    return None
