"""Cases over REST: list (the UI's filters, cursor pages), create, detail, one route per action.

Every endpoint goes through ``cityops.cases.access`` (records out of scope are 404) and writes
only through ``cityops.cases.services``.
"""

from __future__ import annotations

import re
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.pagination import CursorPagination
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from cityops.accounts.access import actor_for
from cityops.api import params as p
from cityops.api.base import ApiView, PreconditionFailed, bad_request
from cityops.api.models import ApiToken
from cityops.api.parsers import CleanJSONParser
from cityops.api.serializers import (
    ActionSerializer,
    ActionUploadSerializer,
    CaseCreateSerializer,
    CaseCreateUploadSerializer,
    CaseDetailSerializer,
    CasePageSerializer,
    CaseSerializer,
    PublicCaseSerializer,
)
from cityops.cases.access import cases_visible_to, is_public_viewer
from cityops.cases.models import Case, Category, Source, Urgency
from cityops.cases.performance import CASE_FIGURES
from cityops.cases.query import FilterError, case_filter_apply, parse_case_filter
from cityops.cases.services import case_report, case_transition, payload_for
from cityops.cases.transitions import TRANSITIONS
from cityops.core.errors import NotFound
from cityops.registry.models import ServiceType


class CasePagination(CursorPagination):
    ordering = ("-reported_at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


def category_from(value: str, field: str = "category") -> Category:
    value = value.strip()
    kind, _sep, code = value.partition("-")
    qs = Category.objects.filter(active=True, parent__isnull=False)
    if value.isdigit():
        found = qs.filter(pk=int(value)).first()
    else:
        found = qs.filter(kind=kind, code=code).first() if code else None
    if found is None:
        raise bad_request(field, _("unknown category (use a service code such as event-0102)."))
    return found


def is_multipart(request: Request) -> bool:
    """Only a multipart body carries files: its serializer has ``photos``, JSON's has not."""
    return str(request.content_type).startswith("multipart/")


def client_of(request: Request) -> str:
    if isinstance(request.auth, ApiToken):
        return f"api-token:{request.auth.pk}"
    return ""


def visible_case(request: Request, number: str) -> Case:
    case = (
        cases_visible_to(request.user)
        .select_related("category", "assignee")
        .filter(number=number)
        .first()
    )
    if case is None:
        raise NotFound(_("Case not found."))
    return case


def etag(case: Case) -> str:
    """The case's ETag: its ``version``, bumped by every transition (the compare-and-swap)."""
    return f'"{case.version}"'


def if_match_version(request: Request) -> int | None:
    """The version an ``If-Match`` header names (``"7"``, ``W/"7"`` or ``7``); None without one
    or for ``*``. Anything else is a 400, not a silent match."""
    if "If-Match" not in request.headers:
        return None
    raw = request.headers["If-Match"].strip()
    if raw == "*":
        return None
    value = raw.removeprefix("W/").strip('"')
    if not value.isdigit() or len(value) > 12:
        raise bad_request("If-Match", _('expected the case\'s ETag, e.g. "3".'))
    return int(value)


# The request field each guard of the workflow needs (``cases.services.guards``); also what
# ``api.schema`` makes required per action.
GUARD_FIELDS = {
    "reason": "reason",
    "note": "note",
    "filing_condition": "condition_met",
    "new_deadline": "new_deadline",
    "merge_target": "into",
    "category": "category",
    "after_photos": "photos",
    "check_photos": "photos",
}

IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    description="The case's ETag (its version) from GET /cases/{number}/: the action is refused"
    " with 412 if the case has changed since. Recommended for every action.",
    pattern=r'^(\*|(W/)?"?[0-9]{1,12}"?)$',
)

# Months, quarters and years of 1900–2099 (a range's dates cannot be checked by a pattern).
API_PERIOD = re.compile(r"^(19|20)[0-9]{2}(-(0[1-9]|1[0-2])|-[Qq][1-4])?$")

FILTERS = [
    OpenApiParameter("status", str, description="comma-separated statuses"),
    OpenApiParameter(
        "category",
        str,
        description="comma-separated service codes (event-0102) or ids; children included",
    ),
    OpenApiParameter("urgency", str, description="comma-separated", enum=Urgency.values),
    OpenApiParameter("source", str, description="comma-separated", enum=Source.values),
    OpenApiParameter("street", int),
    OpenApiParameter("community", int),
    OpenApiParameter("grid", int),
    OpenApiParameter("operator", int, description="id of the unit the case is dispatched to"),
    OpenApiParameter("overdue", bool, description="handled late, or still open past the deadline"),
    OpenApiParameter("open_only", bool),
    OpenApiParameter("date_from", OpenApiTypes.DATE, description="first local day, inclusive"),
    OpenApiParameter("date_to", OpenApiTypes.DATE, description="last local day, inclusive"),
    OpenApiParameter("reported_after", OpenApiTypes.DATETIME, description="inclusive (≥)"),
    OpenApiParameter("reported_before", OpenApiTypes.DATETIME, description="exclusive (<)"),
    OpenApiParameter(
        "q", str, description="a case number (8+ digits, prefix) or text in address/description"
    ),
    OpenApiParameter("coord_sys", str, enum=list(p.COORD_SYS)),
    OpenApiParameter("service", str, enum=ServiceType.values, description="service type"),
    OpenApiParameter(
        "figure",
        str,
        enum=list(CASE_FIGURES),
        description="the cases one case-performance figure counts in `period` (needs `period`)",
    ),
    OpenApiParameter(
        "period",
        str,
        description="with `figure` (default: this month): a month 2026-11, a quarter 2026-Q4 or "
        "a year 2026",
        pattern=API_PERIOD.pattern,
    ),
]


def filter_cases(qs: QuerySet[Case], query: Any) -> QuerySet[Case]:
    """The console's filter (``cases.query``): same parameters, same semantics; a malformed
    parameter is a 400 naming it. The order is the cursor pagination's. ``period`` is a month,
    quarter or year here (exactly what the schema's pattern says; the console also takes
    day ranges)."""
    period = str(query.get("period") or "").strip()
    if period and not API_PERIOD.fullmatch(period):
        raise bad_request("period", _("expected a month (2026-11), a quarter (2026-Q4) or a year."))
    try:
        flt = parse_case_filter(query)
    except FilterError as err:
        raise bad_request(err.field or "", str(err.message)) from None
    return case_filter_apply(qs, flt)


class CaseListView(ApiView):
    parser_classes = [CleanJSONParser, MultiPartParser, FormParser]

    def _serializer(self, request: Request, detail: bool) -> type[Any]:
        if is_public_viewer(request.user):
            return PublicCaseSerializer
        return CaseDetailSerializer if detail else CaseSerializer

    @extend_schema(parameters=FILTERS, responses=CasePageSerializer, operation_id="cases_list")
    def get(self, request: Request) -> Response:
        qs = filter_cases(
            cases_visible_to(request.user).select_related("category", "assignee"),
            request.query_params,
        )
        paginator = CasePagination()
        page = paginator.paginate_queryset(qs, request, view=self) or []
        context = {
            "request": request,
            "coord_sys": p.coord_sys(p.text(request.query_params, "coord_sys")),
        }
        data = self._serializer(request, False)(page, many=True, context=context).data
        return paginator.get_paginated_response(data)

    @extend_schema(
        request={
            "application/json": CaseCreateSerializer,
            "multipart/form-data": CaseCreateUploadSerializer,
        },
        responses={201: CaseDetailSerializer, 200: CaseDetailSerializer},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER)],
        operation_id="cases_create",
    )
    def post(self, request: Request) -> Response:
        self.max_body_bytes = None
        form = (CaseCreateUploadSerializer if is_multipart(request) else CaseCreateSerializer)(
            data=request.data
        )
        form.is_valid(raise_exception=True)
        data = form.validated_data
        key = (request.headers.get("Idempotency-Key") or "").strip()[:100]
        client = client_of(request)
        case = case_report(
            source=data["source"],
            category=category_from(data["category"]),
            lon=data["lon"],
            lat=data["lat"],
            coord_sys=data["coord_sys"],
            address=data["address"],
            description=data["description"],
            answers=data.get("answers", {}),
            urgency=data["urgency"],
            reporter_name=data["reporter_name"],
            reporter_phone=data["reporter_phone"],
            photos=data.get("photos", []),
            idempotency_key=key,
            actor=request.user,
            client=client,
        )
        tracking_code = getattr(case, "tracking_code", "")
        # case_report decides (also between concurrent replays): the key's first call created it.
        existed = bool(getattr(case, "replayed", False))
        case = cases_visible_to(request.user).filter(pk=case.pk).first() or case
        context = {"request": request, "coord_sys": data["coord_sys"]}
        body = dict(self._serializer(request, True)(case, context=context).data)
        if not existed:
            body["tracking_code"] = tracking_code  # the reporter's private code, shown once
        return Response(body, status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED)

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        if request.method == "POST" and request.content_type.startswith("multipart/"):
            from django.conf import settings

            self.max_body_bytes = settings.CITYOPS_MAX_IMAGE_BYTES * 9
        super().initial(request, *args, **kwargs)


class CaseDetailView(ApiView):
    @extend_schema(
        parameters=[OpenApiParameter("coord_sys", str, enum=list(p.COORD_SYS))],
        responses=CaseDetailSerializer,
        operation_id="cases_retrieve",
    )
    def get(self, request: Request, number: str) -> Response:
        case = visible_case(request, number)
        context = {
            "request": request,
            "coord_sys": p.coord_sys(p.text(request.query_params, "coord_sys")),
        }
        serializer = (
            PublicCaseSerializer if is_public_viewer(request.user) else CaseDetailSerializer
        )
        return Response(serializer(case, context=context).data, headers={"ETag": etag(case)})


class CaseActionView(ApiView):
    parser_classes = [CleanJSONParser, MultiPartParser, FormParser]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        if request.content_type.startswith("multipart/"):
            from django.conf import settings

            self.max_body_bytes = settings.CITYOPS_MAX_IMAGE_BYTES * 9
        super().initial(request, *args, **kwargs)

    @extend_schema(
        # Form-encoded bodies are accepted too but cannot say "null": JSON or multipart documented.
        request={
            "application/json": ActionSerializer,
            "multipart/form-data": ActionUploadSerializer,
        },
        responses=CaseDetailSerializer,
        parameters=[
            OpenApiParameter("action", str, OpenApiParameter.PATH, enum=sorted(TRANSITIONS)),
            IF_MATCH,
        ],
        operation_id="cases_action",
        description="Apply one workflow action (the transition table: docs/cases-workflow.md).",
    )
    def post(self, request: Request, number: str, action: str) -> Response:
        if action not in TRANSITIONS:
            raise NotFound(_("Unknown action."))
        form = (ActionUploadSerializer if is_multipart(request) else ActionSerializer)(
            data=request.data
        )
        form.is_valid(raise_exception=True)
        data = form.validated_data
        category = category_from(data["category"]) if data["category"] else None
        case = visible_case(request, number)
        # The body is judged whole before the case's state (412/409): what the action's guards
        # need from the request (the schema requires the same, per action). A role that may
        # not act at all learns that first (403, from the service).
        rule = TRANSITIONS[action]
        if any(actor_for(request.user).has_role(role) for role in rule.roles):
            for guard in rule.guards:
                field = GUARD_FIELDS.get(guard)
                if field is not None and not data.get(field):
                    raise bad_request(field, _("required for this action."))
        expected = data["expected_version"]
        if (matched := if_match_version(request)) is not None:
            if matched != case.version:
                raise PreconditionFailed(
                    _("The case has changed since you read it (now version %(v)d).")
                    % {"v": case.version}
                )
            # Both given and different: If-Match held, so ``expected_version`` is the stale one
            # and the service answers 409 as for any stale version.
            expected = matched if expected is None else expected
        payload: dict[str, Any] = {
            "note": data["note"],
            "photos": data.get("photos", []),
            "unit": data["unit"],
            "new_deadline": data["new_deadline"],
            "condition_met": data["condition_met"],
        }
        if data["into"]:
            target = cases_visible_to(request.user).filter(number=data["into"]).first()
            if target is None:
                raise NotFound(_("unknown case number."), field="into")
            payload["into"] = target.pk
        if category is not None:
            payload["category"] = category.pk
        payload["reason"] = data["reason"] or (data["note"] if action == "confirm_report" else "")
        case = case_transition(
            case_id=case.pk,
            action=action,
            actor=request.user,
            # One body shape serves every action: what this action does not read is dropped.
            payload=payload_for(action, payload, ignore_unknown=True),
            expected_version=expected,
        )
        # After the action the case may have left the actor's scope: answer with what it did.
        case = cases_visible_to(request.user).filter(pk=case.pk).first() or case
        context = {"request": request, "coord_sys": "wgs84"}
        return Response(
            CaseDetailSerializer(case, context=context).data, headers={"ETag": etag(case)}
        )
