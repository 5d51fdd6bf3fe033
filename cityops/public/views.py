"""Residents' pages (no sign-in): report, track by number + private code, rate, public list/map.

Nothing here shows personal data. The report form is defended by a honeypot field and a
per-IP rate limit; the tracking lookup is rate-limited too (codes must not be guessable by
brute force).
"""

from __future__ import annotations

import math
from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cityops.cases.models import Category, Status
from cityops.cases.selectors import case_duplicates
from cityops.cases.services import case_find_by_tracking_code, case_report
from cityops.core import mapconfig
from cityops.core.clientip import client_ip
from cityops.core.errors import DomainError
from cityops.core.ratelimit import Rate, rate_limit_hit, too_many_requests
from cityops.public import selectors
from cityops.public.forms import (
    CategoryPickForm,
    FeedbackForm,
    ReportForm,
    TrackForm,
    category_from_query,
)
from cityops.public.models import Feedback
from cityops.public.services import (
    feedback_submit,
    hint_limit,
    report_limit,
)

SESSION_DONE = "public_report_done"
# Look-ups of a case number per client IP (guessing numbers is slow).
TRACK_RATE = Rate(60, 600)


def map_options() -> dict[str, Any]:
    return mapconfig.map_options()


@require_http_methods(["GET", "POST"])
def report_view(request: HttpRequest) -> HttpResponse:
    category = category_from_query(request.GET)
    pick = CategoryPickForm(initial={"category": category.pk} if category else None)
    form = ReportForm(request.POST or None, request.FILES or None, category=category)
    status, duplicates, wait = 200, [], None
    if request.method == "POST":
        status = 400
        limit, window = report_limit()
        wait = rate_limit_hit(scope="report", ident=client_ip(request), rate=Rate(limit, window))
        if wait:
            form.add_error(None, _("Too many reports from your connection. Please try later."))
        elif form.is_spam:
            form.add_error(None, _("The report could not be accepted."))
        elif form.is_valid():
            kwargs = form.report_kwargs()
            if not form.cleaned_data.get("confirm_new"):
                duplicates = case_duplicates(
                    category=kwargs["category"], lon=kwargs["lon"], lat=kwargs["lat"], public=True
                )
            if duplicates:
                status = 200
                data = request.POST.copy()
                data["confirm_new"] = "on"
                form = ReportForm(data, category=category)
                form.is_valid()
            else:
                try:
                    case = case_report(source="public", client="web", **kwargs)
                except DomainError as err:
                    status = err.status_code
                    form.add_error(form.error_field(err.field), str(err.message))
                else:
                    request.session[SESSION_DONE] = {
                        "number": case.number,
                        "code": case.tracking_code,  # type: ignore[attr-defined]
                    }
                    return redirect("public:report-done")
    response = render(
        request,
        "public/report.html",
        {
            "pick": pick,
            "form": form,
            "category": category,
            "duplicates": duplicates,
            "public_numbers": _public_numbers(duplicates),
            "map_options": map_options(),
        },
        status=status,
    )
    return too_many_requests(response, wait) if wait else response


@require_GET
def duplicates_view(request: HttpRequest) -> HttpResponse:
    """htmx fragment: public cases of the category near the point, before the resident submits.

    Only what the public list shows (``public=True``), only for a point and an active category,
    rate-limited per IP: it cannot be used to page through reports.
    """
    limit, window = hint_limit()
    wait = rate_limit_hit(scope="hint", ident=client_ip(request), rate=Rate(limit, window))
    if wait:
        return too_many_requests(HttpResponse(_("Too many requests. Please try later.")), wait)
    try:
        pk = int(request.GET.get("category", ""))
        lon, lat = float(request.GET.get("lon", "")), float(request.GET.get("lat", ""))
    except ValueError:
        return HttpResponse(_("A category and a point (lon, lat) are required."), status=400)
    if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
        return HttpResponse(_("A category and a point (lon, lat) are required."), status=400)
    category = Category.objects.filter(pk=pk, active=True, parent__isnull=False).first()
    if category is None:
        return HttpResponse(_("A category and a point (lon, lat) are required."), status=400)
    found = case_duplicates(category=category, lon=lon, lat=lat, public=True)
    return render(
        request,
        "public/_duplicates.html",
        {"duplicates": found, "public_numbers": _public_numbers(found)},
    )


def _public_numbers(found: list[Any]) -> set[str]:
    """Which suggested duplicates have a public page (the others are shown by number only)."""
    numbers = [d.number for d in found]
    return set(selectors.public_cases().filter(number__in=numbers).values_list("number", flat=True))


@require_GET
def report_done_view(request: HttpRequest) -> HttpResponse:
    done = request.session.pop(SESSION_DONE, None)
    if not done:
        return redirect("public:report")
    return render(request, "public/report_done.html", {"done": done})


def _track_context(number: str, code: str) -> dict[str, Any] | None:
    case = case_find_by_tracking_code(number=number, code=code)
    if case is None:
        return None
    rated = Feedback.objects.filter(case=case).first()
    return {
        "case": case,
        "timeline": selectors.public_timeline(case=case),
        "feedback": rated,
        "feedback_form": FeedbackForm(initial={"number": number, "code": code})
        if case.status == Status.CLOSED and rated is None
        else None,
    }


@require_http_methods(["GET", "POST"])
def track_view(request: HttpRequest) -> HttpResponse:
    """Status lookup by number + private code (POST: the code stays out of URLs and logs)."""
    form = TrackForm(request.POST or None, initial={"number": request.GET.get("number", "")})
    context: dict[str, Any] = {"form": form}
    status = 200
    if request.method == "POST":
        wait = rate_limit_hit(scope="track", ident=client_ip(request), rate=TRACK_RATE)
        if wait:
            form.add_error(None, _("Too many lookups from your connection. Please try later."))
            return too_many_requests(render(request, "public/track.html", context), wait)
        if form.is_valid():
            found = _track_context(form.cleaned_data["number"], form.cleaned_data["code"])
            if found is None:
                form.add_error(None, _("No case matches this number and code."))
                status = 404
            else:
                context.update(found)
        else:
            status = 400
    return render(request, "public/track.html", context, status=status)


@require_POST
def feedback_view(request: HttpRequest) -> HttpResponse:
    form = FeedbackForm(request.POST)
    track = TrackForm(request.POST)
    status = 400
    context: dict[str, Any] = {"form": track}
    wait = rate_limit_hit(scope="track", ident=client_ip(request), rate=TRACK_RATE)
    if wait:
        return too_many_requests(render(request, "public/track.html", context), wait)
    if form.is_valid():
        number, code = form.cleaned_data["number"], form.cleaned_data["code"]
        case = case_find_by_tracking_code(number=number, code=code)
        if case is None:
            raise Http404
        try:
            feedback_submit(
                case=case, score=form.cleaned_data["score"], comment=form.cleaned_data["comment"]
            )
        except DomainError as err:
            status = err.status_code
            form.add_error(None, str(err.message))
        else:
            status = 200
            context["thanks"] = True
        found = _track_context(number, code)
        context.update(found or {})
        if status != 200:
            context["feedback_form"] = form
        track.is_valid()
    return render(request, "public/track.html", context, status=status)


@require_GET
def public_list_view(request: HttpRequest) -> HttpResponse:
    closed = {"open": False, "closed": True}.get(request.GET.get("state", ""))
    try:
        category = int(request.GET["category"]) if request.GET.get("category") else None
    except ValueError:
        category = None
    qs = selectors.public_cases(closed=closed, category=category)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "public/case_list.html",
        {
            "page": page,
            "state": request.GET.get("state", ""),
            "categories": Category.objects.filter(active=True, parent__isnull=False),
            "category": category,
            "map_options": map_options(),
        },
    )


@require_GET
def public_case_view(request: HttpRequest, number: str) -> HttpResponse:
    case = selectors.public_case(number=number)
    if case is None:
        raise Http404
    photos = list(case.photos.only("public", "thumbnail", "kind"))
    return render(
        request,
        "public/case_detail.html",
        {"case": case, "photos": photos, "timeline": selectors.public_timeline(case=case)},
    )


@require_GET
def public_map_data_view(request: HttpRequest) -> JsonResponse:
    try:
        west, south, east, north = (float(v) for v in request.GET.get("bbox", "").split(","))
    except ValueError:
        return JsonResponse({"error": _("bbox=west,south,east,north is required.")}, status=400)
    return JsonResponse({"cases": selectors.public_in_bbox(west=west, south=south, east=east,
                                                           north=north)})  # fmt: skip
