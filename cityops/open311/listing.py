"""Reads behind GeoReport ``requests``: cases as public service requests.

A list answers up to 1,000 requests, so rows are read with ``values()``: no model instances, no
encrypted personal columns fetched or decrypted, every label looked up once per answer, and a
fixed number of queries whatever the size: one for a plain list (the first photo by subquery),
plus one for the reasons of rejected/voided rows and the published replies of handled/closed
ones; with ``extensions`` photos and events too.

Only public fields leave here: no reporter name, phone, e-mail, device or account id, no
internal notes, and photos only as their EXIF-free public copy. A report still awaiting
verification or acceptance is not public yet (``PENDING_STATUSES``): asked for by its own
service_request_id (the number its POST reserved and answered), it is a minimal record with
the service and the time alone (``received_fields``), never listed.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, cast

from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy

from cityops.cases.models import (
    TERMINAL_STATUSES,
    Case,
    CaseEvent,
    CasePhoto,
    Category,
    PhotoKind,
    Status,
)
from cityops.cases.query import (
    REPLIED_STATUSES,
    CaseFilter,
    case_filter_apply,
    public_reply,
    public_visible,
)
from cityops.cases.transitions import EVENT_LABELS, TRANSITIONS, action_label
from cityops.open311.models import IntakeStatus, Open311Request

# Statuses whose last reason is told to the public (the reporter learns why it ended).
PUBLIC_REASON_STATUSES: tuple[str, ...] = (Status.REJECTED, Status.VOIDED)
# Not public yet: a resident's report still awaiting verification or acceptance (核实/受理)
# by the command centre. GET requests does not list the case; GET requests/{id} answers the
# minimal record of ``received_fields``.
PENDING_STATUSES: tuple[str, ...] = (Status.AWAITING_VERIFICATION, Status.REPORTED)
MAX_RESULTS = 1000
PENDING_NOTICE = gettext_lazy(
    "Received. The description, place and photos are published once the command centre has"
    " verified and accepted the request."
)
RECEIVED_NOTE = gettext_lazy("Received, awaiting verification")

Row = dict[str, Any]
Absolute = Callable[[str], str]
_COLUMNS = ("id", "number", "status", "description", "reported_at", "updated_at", "closed_at",
            "deadline_at", "address", "lat", "lon", "source", "urgency")  # fmt: skip
# Names by join: loading the registry rows would load their geometries.
_NAMES = {
    "category_name": F("category__name"),
    "category_kind": F("category__kind"),
    "category_code": F("category__code"),
    "unit_name": Coalesce(F("assignee__name"), F("routed_org__name")),
    "merged_number": F("merged_into__number"),
}
_EXTENDED = {
    "grid_code": F("grid__code"),
    "street_name": F("street__name"),
    "community_name": F("community__name"),
}


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


@dataclass(frozen=True)
class _Event:
    at: dt.datetime
    action: str
    to_status: str
    reason: str
    reply: str = ""


def service_code_of(kind: str, code: str) -> str:
    """Category codes repeat across kinds (event 0102 ≠ component 0102): prefix the kind."""
    return f"{kind}-{code}"


def _public() -> QuerySet[Case]:
    """The one public rule (``cases.query.public_visible``): accepted (受理) or later; pending,
    rejected, voided and merged reports are never listed nor shown by number."""
    return public_visible()


def _public_photos() -> QuerySet[CasePhoto]:
    return CasePhoto.objects.filter(kind=PhotoKind.BEFORE).exclude(public="")


def _rows(qs: QuerySet[Case], extensions: bool) -> QuerySet[Case, dict[str, Any]]:
    if extensions:  # every photo, read by _photo_urls
        return cast("QuerySet[Case, dict[str, Any]]", qs.values(*_COLUMNS, **_NAMES, **_EXTENDED))
    # media_url is the first public photo: a correlated subquery (index on case_id) keeps
    # the list to one round trip instead of a second query with a 1,000-id IN list.
    first = _public_photos().filter(case=OuterRef("pk")).order_by("created_at", "id")
    rows = qs.values(*_COLUMNS, **_NAMES, first_photo=Subquery(first.values("public")[:1]))
    return cast("QuerySet[Case, dict[str, Any]]", rows)


def _kind_code(code: str) -> Q | None:
    kind, _sep, number = code.partition("-")
    return Q(kind=kind, code=number) if number else None


def requests_query(query: RequestQuery, *, absolute: Absolute) -> list[Row]:
    """The ``<request>`` documents a GET requests answers, newest first."""
    qs = _public()
    order = ("-reported_at", "-id")
    if query.ids:
        # The spec: service_request_id overrides every other argument.
        wanted = qs.filter(number__in=query.ids[:MAX_RESULTS]).order_by(*order)
        found = _rows(wanted, query.extensions)  # render reads the columns _rows selected
        return render(list(found), absolute=absolute, extensions=query.extensions)
    categories: tuple[int, ...] = ()
    if query.service_codes:
        match = Q(pk__in=[])
        for code in query.service_codes:
            if (q := _kind_code(code)) is not None:
                match |= q
        categories = tuple(Category.objects.filter(match).values_list("pk", flat=True))
        if not categories:
            return []
    is_open: bool | None = None
    if query.statuses and set(query.statuses) != {"open", "closed"}:
        is_open = "open" in query.statuses
    # The shared filter (cases.query): the spec's end_date is inclusive, the filter's end
    # exclusive — one microsecond (the columns' resolution) later is the same bound.
    end = query.end + dt.timedelta(microseconds=1) if query.end is not None else None
    flt = CaseFilter(
        categories=categories, open=is_open, reported_from=query.start, reported_until=end
    )
    qs = case_filter_apply(qs, flt)
    if query.updated_after is not None:
        qs = qs.filter(updated_at__gte=query.updated_after)
    if query.updated_before is not None:
        qs = qs.filter(updated_at__lte=query.updated_before)
    offset = (query.page - 1) * query.page_size
    page = _rows(qs.order_by(*order), query.extensions)[offset : offset + query.page_size]
    return render(list(page), absolute=absolute, extensions=query.extensions)


def request_by_number(number: str, *, absolute: Absolute, extensions: bool = False) -> Row | None:
    rows = list(_rows(_public().filter(number=number), extensions)[:1])
    rendered = render(rows, absolute=absolute, extensions=extensions)
    return rendered[0] if rendered else None


def received_request(number: str) -> Open311Request | None:
    """The request whose POST reserved ``number`` (its service_request_id), with its case."""
    if not number:
        return None
    return (
        Open311Request.objects.select_related("case", "case__category")
        .defer("email", "device_id", "account_id")
        .filter(number=number)
        .first()
    )


def received_fields(
    record: Open311Request, *, absolute: Absolute, extensions: bool = False
) -> Row | None:
    """The ``<request>`` a received request answers by its own number: the full public record
    once its case is public, else (queued, or filed and awaiting verification) a minimal one —
    open, the service and the time, no description, place or media. None when it will not
    become public (not filed, or its case was rejected, voided or merged)."""
    case = record.case
    if case is not None and not is_pending(case):
        if case.number == record.number:
            return None  # not public (request_by_number found no public case)
        # A retry of an earlier report filed it as that report's case.
        return request_by_number(case.number, absolute=absolute, extensions=extensions)
    if case is not None:
        category, at = case.category, case.reported_at
    elif record.status == IntakeStatus.QUEUED:
        try:
            category_id = int(json.loads(record.payload)["category"])
        except (ValueError, KeyError, TypeError):
            return None
        found = Category.objects.filter(pk=category_id).first()
        if found is None:
            return None
        category, at = found, record.created_at
    else:
        return None
    when = timezone.localtime(at)
    return {
        "service_request_id": record.number,
        "status": "open",
        "status_notes": str(RECEIVED_NOTE),
        "service_name": category.name,
        "service_code": service_code_of(category.kind, category.code),
        "description": "",
        "agency_responsible": "",
        "service_notice": str(PENDING_NOTICE),
        "requested_datetime": when,
        "updated_datetime": when,
        "expected_datetime": None,
        "address": "",
        "address_id": "",
        "zipcode": "",
        "lat": None,
        "long": None,
        "media_url": "",
    }


def request_by_token(token: str) -> Open311Request | None:
    return (
        Open311Request.objects.select_related("case")
        .only("token", "number", "status", "error", "case__number", "case__status")
        .filter(token=token)
        .first()
    )


def is_pending(case: Case) -> bool:
    """True while the report is not yet a service request (see PENDING_STATUSES)."""
    return case.status in PENDING_STATUSES


def _photo_urls(ids: list[int], absolute: Absolute) -> dict[int, list[str]]:
    storage = CasePhoto._meta.get_field("public").storage  # type: ignore[union-attr]
    urls: dict[int, list[str]] = defaultdict(list)
    photos = (
        _public_photos()
        .filter(case_id__in=ids)
        .order_by("created_at", "id")
        .values_list("case_id", "public")
    )
    for case_id, name in photos:
        urls[case_id].append(absolute(storage.url(name)))
    return urls


def _events(ids: list[int], *, reasons_only: bool) -> dict[int, list[_Event]]:
    trails: dict[int, list[_Event]] = defaultdict(list)
    if not ids:
        return trails
    qs = CaseEvent.objects.filter(case_id__in=ids)
    if reasons_only:
        told = Q(to_status__in=PUBLIC_REASON_STATUSES) & ~Q(reason="")
        qs = qs.filter(told | Q(action="handle"))
    rows = qs.order_by("at", "id").values_list(
        "case_id", "at", "action", "to_status", "reason", "data"
    )
    for case_id, at, action, to_status, reason, data in rows:
        trails[case_id].append(_Event(at, action, to_status, reason, public_reply(action, data)))
    return trails


def render(rows: list[Row], *, absolute: Absolute, extensions: bool) -> list[Row]:
    """``<request>`` documents of case rows from ``_rows``: with ``extensions`` the photos and
    events in two more queries, else the reasons of rejected/voided rows (if any) in one."""
    if not rows:
        return []
    ids = [r["id"] for r in rows]
    if extensions:
        photos = _photo_urls(ids, absolute)
    else:
        storage = CasePhoto._meta.get_field("public").storage  # type: ignore[union-attr]
        photos = {r["id"]: [absolute(storage.url(r["first_photo"]))]
                  for r in rows if r["first_photo"]}  # fmt: skip
    told = [r["id"] for r in rows if r["status"] in (*PUBLIC_REASON_STATUSES, *REPLIED_STATUSES)]
    with_trail = ids if extensions else told
    trails = _events(with_trail, reasons_only=not extensions)
    labels = {value: str(label) for value, label in Status.choices}
    actions = (
        {name: action_label(name) for name in (*TRANSITIONS, *EVENT_LABELS)} if extensions else {}
    )
    tz = timezone.get_current_timezone()
    context = (labels, actions, tz, extensions)
    return [_fields(r, photos.get(r["id"], []), trails.get(r["id"], []), *context) for r in rows]


def status_notes(row: Row, trail: Iterable[_Event], labels: Mapping[str, str]) -> str:
    status = row["status"]
    label = labels.get(status, status)
    if status == Status.MERGED and row.get("merged_number"):
        return f"{label}: {row['merged_number']}"
    if status in PUBLIC_REASON_STATUSES:
        reasons = [e.reason for e in trail if e.to_status == status and e.reason]
        if reasons:
            return f"{label}: {reasons[-1]}"
    if status in REPLIED_STATUSES:
        # The reply published with the last handling (none published: the status alone).
        handled = [e for e in trail if e.action == "handle"]
        if handled and handled[-1].reply:
            return f"{label}: {handled[-1].reply}"
    return label


def _notes(
    trail: Iterable[_Event], labels: Mapping[str, str], actions: Mapping[str, str], tz: dt.tzinfo
) -> list[Row]:
    notes = []
    for event in trail:
        label = actions.get(event.action, event.action)
        to = labels.get(event.to_status)
        notes.append(
            {
                "datetime": event.at.astimezone(tz),
                "type": "status",
                "status": "closed" if event.to_status in TERMINAL_STATUSES else "open",
                "description": f"{label} → {to}" if to else label,
            }
        )
    return notes


def _fields(
    row: Row,
    urls: list[str],
    trail: list[_Event],
    labels: Mapping[str, str],
    actions: Mapping[str, str],
    tz: dt.tzinfo,
    extensions: bool,
) -> Row:
    """One ``<request>``: the spec's fields, in the spec's order; no personal data."""
    closed = row["status"] in TERMINAL_STATUSES
    updated = (row["closed_at"] or row["updated_at"]) if closed else row["updated_at"]
    deadline = row["deadline_at"]
    fields: Row = {
        "service_request_id": row["number"],
        "status": "closed" if closed else "open",
        "status_notes": status_notes(row, trail, labels),
        "service_name": row["category_name"],
        "service_code": service_code_of(row["category_kind"], row["category_code"]),
        "description": row["description"][:4000],
        "agency_responsible": row["unit_name"] or "",
        "service_notice": "",
        "requested_datetime": row["reported_at"].astimezone(tz),
        "updated_datetime": updated.astimezone(tz),
        "expected_datetime": deadline.astimezone(tz) if deadline else None,
        "address": row["address"],
        "address_id": "",
        "zipcode": "",
        "lat": round(row["lat"], 6),
        "long": round(row["lon"], 6),
        "media_url": urls[0] if urls else "",
    }
    if extensions:
        fields["extended_attributes"] = {
            "channel": row["source"],
            "status_detail": row["status"],
            "urgency": row["urgency"],
            "grid": row["grid_code"] or "",
            "street": row["street_name"] or "",
            "community": row["community_name"] or "",
            "photos": urls,
        }
        fields["notes"] = _notes(trail, labels, actions, tz)
    return fields
