"""The one case query layer: the filter, the text search, the sorts and the public rule.

Every case list goes through here — the console list, map and exports, the REST list, the
Open311 ``GET requests`` listing and the public list, map and duplicates hint — so the same
filter gives the same cases everywhere. Scope comes first and from elsewhere: staff lists start
from ``cases_visible_to(user)`` (``cases.access``), public lists from :func:`public_visible`.

Semantics (documented in docs/api.md, "Case filters"):

- ``categories``: each id matches the category *and its children* (a major category of the
  national catalogue selects its minor categories). A well-formed id or service code that
  names no category matches nothing (a malformed one is a 400).
- ``reported_from`` is inclusive, ``reported_until`` exclusive (half-open interval). A date
  typed in a form (``date_from``/``date_to``) covers whole local days: ``date_to=2026-10-31``
  includes the whole of 31 October (until 1 November 00:00).
- ``overdue``: :attr:`Case.is_overdue` in SQL — handled after the deadline, or not yet handled
  and red (past the deadline). ``False`` selects the others.
- ``q``: a case number (8+ digits) matches by prefix; any other text is a case-insensitive
  substring of the address or the description.
- ``service``: the case's service type (sanitation, municipal …).
- ``figure`` + ``period``: the cases one figure of the case-performance read model counts
  in the period (``figure=late&period=2026-11``: cases due in November 2026 not handled in
  time), defined once in :mod:`cityops.cases.performance` — the drill-down of the cockpit's and
  the reports' numbers, so a number and its list cannot disagree.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from cityops.cases.models import (
    OPEN_STATUSES,
    TERMINAL_STATUSES,
    Case,
    Category,
    CategoryKind,
    Light,
    Source,
    Status,
    Urgency,
)
from cityops.cases.performance import CASE_FIGURES, performance_q
from cityops.cases.search import search_terms_query
from cityops.core.errors import DomainError
from cityops.core.periods import Period
from cityops.core.planner import Likely, register_unindexed
from cityops.registry.models import ServiceType

# Visible to the public (public list, map and pages, Open311, the duplicates hint): cases the
# command centre has accepted (受理) or taken further. Unverified and not yet accepted reports,
# self-handled ones awaiting approval, rejected, voided and merged ones stay internal:
# residents type phone numbers into descriptions, and only the command centre's check makes a
# report public.
PUBLIC_STATUSES: tuple[str, ...] = (
    Status.ACCEPTED,
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

SORTS: dict[str, tuple[str, ...]] = {
    "-reported_at": ("-reported_at", "-id"),
    "reported_at": ("reported_at", "id"),
    "deadline_at": ("deadline_at", "id"),
    "-deadline_at": ("-deadline_at", "-id"),
    "number": ("number",),
    "-number": ("-number",),
}
DEFAULT_SORT = "-reported_at"
MAX_TEXT = 100
NUMBER_MIN_DIGITS = 8


def public_visible(qs: QuerySet[Case] | None = None) -> QuerySet[Case]:
    """The one "visible to the public" rule, applied to ``qs`` (default: every case)."""
    qs = Case.objects.all() if qs is None else qs
    return qs.filter(status__in=PUBLIC_STATUSES)


def is_public_visible(case: Case) -> bool:
    return case.status in PUBLIC_STATUSES


# Statuses in which the reply published with the last handling still stands (a rework sends
# the case back to the unit: its earlier reply no longer describes the outcome).
REPLIED_STATUSES: tuple[str, ...] = (Status.HANDLED, Status.VERIFIED, Status.CLOSED)


def public_reply(action: str, data: Mapping[str, Any] | None) -> str:
    """The reply a unit chose to publish with its handling (``handle`` with ``publish_reply``),
    from an event's action and data. Its internal note and every other staff text stay
    internal: this is the one staff text the public may read (pages, /track/, Open311)."""
    if action != "handle":
        return ""
    return str((data or {}).get("public_reply", ""))


@dataclass(frozen=True)
class CaseFilter:
    statuses: tuple[str, ...] = ()
    categories: tuple[int, ...] = ()
    urgencies: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    street: int | None = None
    community: int | None = None
    grid: int | None = None
    operator: int | None = None
    overdue: bool | None = None
    open: bool | None = None
    reported_from: dt.datetime | None = None
    reported_until: dt.datetime | None = None
    q: str = ""
    sort: str = DEFAULT_SORT
    service: str = ""
    figure: str = ""  # one of performance.CASE_FIGURES, with ``period``
    period: Period | None = None
    # (west, south, east, north) in WGS-84 degrees, edges included: the case map's counters.
    area: tuple[float, float, float, float] | None = None


def case_text_q(text: str) -> Q | None:
    """The one text search: a number by prefix, otherwise a case-insensitive substring of the
    address or the description — narrowed first through the n-gram index (``cases.search``),
    which never drops a case the substring test keeps."""
    text = text.strip()[:MAX_TEXT]
    if not text:
        return None
    if text.isdigit() and len(text) >= NUMBER_MIN_DIGITS:
        # The prefix as a range too, which both databases answer from the number's index
        # (SQLite never uses an index for LIKE, which is case-insensitive there; PostgreSQL
        # only under the C collation); ``startswith`` keeps the match exact.
        after = text[:-1] + chr(ord(text[-1]) + 1)
        return Q(number__gte=text, number__lt=after, number__startswith=text)
    substring = Q(address__icontains=text) | Q(description__icontains=text)
    indexed = search_terms_query(text)
    return substring if indexed is None else indexed & substring


# The shape of a case history, for the planner (``core.planner``): after a few months almost
# every case is closed; rejected, voided and merged reports are a few per cent; open work (the
# statuses a case is worked in) is about one per cent of the table, whatever its size.
_STATUS_SHARE: dict[str, float] = {Status.CLOSED: 0.9}
_OTHER_TERMINAL_SHARE = 0.03
_OPEN_SHARE = 0.002


register_unindexed(Case._meta.get_field("status"))


def status_q(statuses: tuple[str, ...] | list[str]) -> Likely:
    """``status IN statuses`` with its share of a case history stated to the planner; a
    status set that is most of the table (closed) is kept off the status indexes."""
    share = sum(
        _STATUS_SHARE.get(s, _OTHER_TERMINAL_SHARE if s in TERMINAL_STATUSES else _OPEN_SHARE)
        for s in statuses
    )
    share = min(max(share, 0.001), 0.95)
    if share >= 0.5:
        return Likely(Q(status__unindexed__in=statuses), share)
    return Likely(Q(status__in=statuses), share)


# A case list holds about this many days of history; a date range is its share of them.
_HISTORY_DAYS = 365


def reported_q(start: dt.datetime | None, end: dt.datetime | None) -> Q:
    """Reported in ``[start, end)`` (either may be open), with the range's share of a year of
    history stated to the planner: a week is found through the date index and sorted, not by
    walking a whole unit's cases in number order looking for this week's."""
    q = Q()
    if start is not None:
        days = ((end or timezone.now()) - start).total_seconds() / 86400
        share = min(max(days / _HISTORY_DAYS, 0.001), 0.9)
        q &= Q(Likely(Q(reported_at__gte=start), share))
    if end is not None:
        q &= Q(reported_at__lt=end)
    return q


register_unindexed(Case._meta.get_field("category"))


def category_q(ids: tuple[int, ...]) -> Q:
    """The cases of these categories and of their children, as one list of ids (read from the
    small category table). PostgreSQL judges it with the statistics it keeps on the unit and
    category together (migration 0012: a unit rarely handles another service's categories);
    SQLite, with no such statistics, is kept off the category index: a category is too large
    a part of the table to fetch and sort, so the list walks its own order."""
    family = list(
        Category.objects.filter(Q(pk__in=ids) | Q(parent_id__in=ids))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return Q(category__unindexed__in=family)


def overdue_q() -> Q:
    """``Case.is_overdue`` as a filter."""
    return Q(handled_at__isnull=True, light=Light.RED) | Q(
        handled_at__isnull=False, deadline_at__isnull=False, handled_at__gt=F("deadline_at")
    )


def case_filter_apply(qs: QuerySet[Case], flt: CaseFilter) -> QuerySet[Case]:
    """``qs`` narrowed by the filter (no ordering)."""
    if flt.statuses:
        qs = qs.filter(status_q(flt.statuses))
    if flt.open is True:
        qs = qs.filter(status_q(OPEN_STATUSES))
    elif flt.open is False:
        qs = qs.filter(status_q(TERMINAL_STATUSES))
    if flt.categories:
        qs = qs.filter(category_q(flt.categories))
    if flt.urgencies:
        qs = qs.filter(urgency__in=flt.urgencies)
    if flt.sources:
        qs = qs.filter(source__in=flt.sources)
    if flt.street is not None:
        qs = qs.filter(street_id=flt.street)
    if flt.community is not None:
        qs = qs.filter(community_id=flt.community)
    if flt.grid is not None:
        qs = qs.filter(grid_id=flt.grid)
    if flt.operator is not None:
        qs = qs.filter(assignee_id=flt.operator)
    if flt.overdue is True:
        qs = qs.filter(overdue_q())
    elif flt.overdue is False:
        qs = qs.exclude(overdue_q())
    if flt.reported_from is not None or flt.reported_until is not None:
        qs = qs.filter(reported_q(flt.reported_from, flt.reported_until))
    if (text := case_text_q(flt.q)) is not None:
        qs = qs.filter(text)
    if flt.service:
        qs = qs.filter(service_type=flt.service)
    if flt.figure and flt.period is not None:
        qs = qs.filter(performance_q(period=flt.period, figure=flt.figure))
    if flt.area is not None:
        west, south, east, north = flt.area
        qs = qs.filter(lon__gte=west, lon__lte=east, lat__gte=south, lat__lte=north)
    return qs


def case_order(qs: QuerySet[Case], sort: str, flt: CaseFilter | None = None) -> QuerySet[Case]:
    """``qs`` in the order of ``sort``. When ``flt`` selects a small set (see
    :func:`fetch_then_sort`) the order is given as expressions no index serves, so that the
    database fetches the set through its filter's index and sorts it."""
    fields = SORTS.get(sort, SORTS[DEFAULT_SORT])
    if flt is None or not fetch_then_sort(flt, sort):
        return qs.order_by(*fields)
    keys = []
    for field in fields:
        name = field.removeprefix("-")
        # COALESCE(x, x) is x, NULLs included: the same order, but not an index's
        key = Coalesce(F(name), F(name))
        keys.append(key.desc() if field.startswith("-") else key.asc())
    return qs.order_by(*keys)


def fetch_then_sort(flt: CaseFilter, sort: str) -> bool:
    """Whether the filter selects a small, recent part of the table, which is best fetched and
    sorted: open work (about 1 %), a number prefix (one day's cases), a date range sorted by
    something other than the report time. A planner assumes the rows it wants are spread evenly
    along an index in the sort's order; these are all at its recent end, so walking a sort
    index from its old end for them reads the whole table (PostgreSQL: 0.5–0.8 s at a year of
    cases, for pages that hold a few thousand candidates)."""
    if flt.open is True or (flt.statuses and set(flt.statuses) <= set(OPEN_STATUSES)):
        return True
    text = flt.q.strip()
    if text.isdigit() and len(text) >= NUMBER_MIN_DIGITS:
        return True
    dated = flt.reported_from is not None or flt.reported_until is not None
    return dated and sort not in ("reported_at", "-reported_at")


def day_start(day: dt.date, plus: int = 0) -> dt.datetime:
    """The local midnight starting ``day`` (+ ``plus`` days), timezone-aware."""
    naive = dt.datetime.combine(day + dt.timedelta(days=plus), dt.time())
    return timezone.make_aware(naive)


# Parsing query parameters (REST): the console's parameter names, plus the API's datetimes.
class FilterError(DomainError):
    """A filter parameter is malformed: a 400 naming the parameter (``field``)."""


def _items(params: Mapping[str, Any], name: str, allowed: tuple[str, ...]) -> tuple[str, ...]:
    raw = str(params.get(name) or "")
    items = tuple(v.strip() for v in raw.split(",") if v.strip())
    bad = [v for v in items if v not in allowed]
    if bad:
        raise FilterError(_("unknown value %(v)s.") % {"v": ", ".join(bad)}, field=name)
    return items


# The range of a 64-bit id (``BigAutoField``): what the filter accepts and the schema documents.
ID_MIN, ID_MAX = -(2**63), 2**63 - 1


def _id(params: Mapping[str, Any], name: str) -> int | None:
    raw = str(params.get(name) or "").strip()
    if not raw:
        return None
    # A whole number in the ids' range (64-bit, the schema's ``format: int64``); a negative or
    # unused one is well-formed and simply matches nothing (no id is < 1).
    digits = raw.removeprefix("-")
    well_formed = digits.isascii() and digits.isdigit() and len(digits) <= 19
    if not well_formed or not ID_MIN <= int(raw) <= ID_MAX:
        raise FilterError(_("expected a whole number."), field=name)
    return int(raw)


def _bool(params: Mapping[str, Any], name: str) -> bool | None:
    raw = str(params.get(name) or "").strip().lower()
    if not raw:
        return None
    if raw in ("true", "1", "yes", "on"):
        return True
    if raw in ("false", "0", "no", "off"):
        return False
    raise FilterError(_("expected true or false."), field=name)


def _date(params: Mapping[str, Any], name: str) -> dt.date | None:
    raw = str(params.get(name) or "").strip()
    if not raw:
        return None
    try:
        day = parse_date(raw)
    except ValueError:
        day = None
    if day is None:
        raise FilterError(_("expected a date (YYYY-MM-DD)."), field=name)
    # A local day's bounds must stay datetimes in UTC too (0001-01-01 in Asia/Shanghai is not).
    return min(max(day, dt.date(1, 1, 2)), dt.date(9999, 12, 30))


def _datetime(params: Mapping[str, Any], name: str) -> dt.datetime | None:
    raw = str(params.get(name) or "").strip()
    if not raw:
        return None
    try:
        parsed = parse_datetime(raw.replace(" ", "+"))
    except ValueError:
        parsed = None
    if parsed is None:
        raise FilterError(_("expected an ISO 8601 date and time."), field=name)
    aware = timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed
    # In UTC, as the database compares it: PostgreSQL refuses offsets beyond ±15:59 that ISO
    # 8601 allows (a 500 once); an instant before year 1 in UTC is simply the earliest one.
    try:
        return aware.astimezone(dt.UTC)
    except OverflowError:
        return dt.datetime.min.replace(tzinfo=dt.UTC)


# A well-formed category in a filter: an id, or a service code ``<kind>-<code>`` (``event-0102``).
_KINDS = "|".join(CategoryKind.values)
CATEGORY_ITEM = rf"[0-9]{{1,12}}|({_KINDS})-[0-9A-Za-z]{{1,8}}"
CATEGORY_LIST = rf"^({CATEGORY_ITEM})(,({CATEGORY_ITEM}))*$"
NO_CATEGORY = 0  # no id is < 1: a filter naming only unknown categories matches nothing


def category_ids(value: str, field: str = "category") -> tuple[int, ...]:
    """Category ids from a comma-separated list of ids or service codes (``event-0102``).

    A malformed item is a :class:`FilterError`; a well-formed one that names no category
    (an unknown id or code) matches nothing, like a negative id.
    """
    items = [v.strip() for v in value.split(",") if v.strip()]
    if not items:
        return ()
    ids: list[int] = []
    for item in items:
        if not re.fullmatch(CATEGORY_ITEM, item):
            raise FilterError(
                _("unknown category (use a service code such as event-0102)."), field=field
            )
        kind, _sep, code = item.partition("-")
        qs = (
            Category.objects.filter(pk=int(item))
            if not code
            else Category.objects.filter(kind=kind, code=code)
        )
        ids.extend(qs.values_list("pk", flat=True)[:1])
    return tuple(ids) or (NO_CATEGORY,)


def _later(a: dt.datetime | None, b: dt.datetime | None) -> dt.datetime | None:
    return b if a is None else a if b is None else max(a, b)


def _earlier(a: dt.datetime | None, b: dt.datetime | None) -> dt.datetime | None:
    return b if a is None else a if b is None else min(a, b)


def parse_case_filter(params: Mapping[str, Any]) -> CaseFilter:
    """A filter from query parameters; a malformed one raises :class:`FilterError`.

    Names: ``status``, ``urgency``, ``source`` (comma-separated), ``category`` (ids or service
    codes, children included), ``street``, ``community``, ``grid``, ``operator`` (ids),
    ``overdue``, ``open_only`` (booleans), ``date_from``/``date_to`` (whole local days),
    ``reported_after`` (≥) / ``reported_before`` (<) (ISO 8601 instants), ``q``, ``sort``,
    ``service``, ``figure`` + ``period`` (a figure of the case performance in a period).
    """
    sort = str(params.get("sort") or DEFAULT_SORT).strip()
    if sort not in SORTS:
        raise FilterError(
            _("use one of %(c)s.") % {"c": ", ".join(SORTS)},
            field="sort",
        )
    first, last = _date(params, "date_from"), _date(params, "date_to")
    if first and last and first > last:
        raise FilterError(_("The end date must not be before the start date."), field="date_to")
    figure, period = figure_period(params)
    services = _items(params, "service", tuple(ServiceType.values))
    start = _later(_datetime(params, "reported_after"), day_start(first) if first else None)
    end = _earlier(_datetime(params, "reported_before"), day_start(last, 1) if last else None)
    return CaseFilter(
        statuses=_items(params, "status", tuple(Status.values)),
        categories=category_ids(str(params.get("category") or "")),
        urgencies=_items(params, "urgency", tuple(Urgency.values)),
        sources=_items(params, "source", tuple(Source.values)),
        street=_id(params, "street"),
        community=_id(params, "community"),
        grid=_id(params, "grid"),
        operator=_id(params, "operator"),
        overdue=_bool(params, "overdue"),
        open=True if _bool(params, "open_only") else None,
        reported_from=start,
        reported_until=end,
        q=str(params.get("q") or "")[:MAX_TEXT],
        sort=sort,
        service=services[0] if len(services) == 1 else "",
        figure=figure,
        period=period,
    )


def figure_period(params: Mapping[str, Any]) -> tuple[str, Period | None]:
    """``figure`` and ``period`` of a filter (:class:`FilterError` for a malformed one); a
    figure without a period counts in the current month, a period without a figure is unused."""
    figure = str(params.get("figure") or "").strip()
    raw = str(params.get("period") or "").strip()
    if figure and figure not in CASE_FIGURES:
        raise FilterError(_("use one of %(c)s.") % {"c": ", ".join(CASE_FIGURES)}, field="figure")
    if not raw:
        # A figure without a period counts this month (what a leader asks first).
        return (figure, Period.month_of(timezone.localdate())) if figure else ("", None)
    try:
        period = Period.parse(raw)
        period.bounds  # noqa: B018 (year 9999's end does not exist: refused here, not a 500)
    except (ValueError, OverflowError):
        raise FilterError(
            _("expected a period: 2026-11, 2026-Q4, 2026 or 2026-11-01..2026-11-30."),
            field="period",
        ) from None
    return figure, period if figure else None
