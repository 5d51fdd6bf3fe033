"""Residents' pages (no sign-in): report, track by number + private code, rate, public list/map.

Nothing here shows personal data. The report form is defended by a honeypot field and a
per-IP rate limit; the tracking lookup is rate-limited too (codes must not be guessable by
brute force).
"""

from __future__ import annotations

import datetime as dt
import math
import secrets
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cityops.cases.models import OPEN_STATUSES, Category, Status
from cityops.cases.selectors import case_duplicates
from cityops.cases.services import case_find_by_tracking_code, case_report
from cityops.core import mapconfig
from cityops.core.clientip import client_ip
from cityops.core.errors import DomainError
from cityops.core.ratelimit import Rate, rate_limit_hit, too_many_requests
from cityops.public import pending, selectors
from cityops.public.forms import (
    MAX_PHOTOS,
    CategoryPickForm,
    FeedbackForm,
    PlaceForm,
    ReopenForm,
    ReportForm,
    SubscribeForm,
    TrackForm,
    category_from_query,
)
from cityops.public.models import Feedback
from cityops.public.services import (
    case_reopen_by_reporter,
    case_support,
    feedback_submit,
    hint_limit,
    report_confirmation_sms,
    report_limit,
    support_limit,
    supporter_key,
)
from cityops.public.subscriptions import (
    subscription_cancel,
    subscription_confirm,
    subscription_request,
)

SESSION_DONE = "public_report_done"
DEVICE_COOKIE = "cityops_device"  # a random id per browser: one "me too" per case and device
# Look-ups of a case number per client IP (guessing numbers is slow).
TRACK_RATE = Rate(60, 600)


def map_options() -> dict[str, Any]:
    return mapconfig.map_options()


@require_GET
def home_view(request: HttpRequest) -> HttpResponse:
    """The residents' home (the first page a visitor sees): report, track, browse."""
    return render(
        request,
        "public/home.html",
        {
            "recent": list(selectors.public_cases()[:5]),
            "track": TrackForm(),
            "staff": _is_staff(request),
        },
    )


def _is_staff(request: HttpRequest) -> bool:
    from cityops.accounts.access import actor_for
    from cityops.accounts.models import Role

    actor = actor_for(request.user)
    return bool(actor.roles - {Role.RESIDENT}) or actor.is_superuser


def _point(query: Any) -> tuple[float, float] | None:
    """The place chosen in step 1: ``lon``/``lat``, or the centre of ``community``."""
    place = PlaceForm(query)
    if not place.is_valid():
        return None
    return place.point()


@require_http_methods(["GET", "POST"])
def report_view(request: HttpRequest) -> HttpResponse:
    """Pin first (step 1), then the categories valid there with the open reports nearby
    (step 2), then the category's form (step 3). Each step is a GET URL (bookmarkable, works
    without JavaScript); the form keeps photos across errors (``public.pending``)."""
    category = category_from_query(request.GET)
    point = _point(request.GET)
    if category is None and request.method == "GET":
        return _report_place(request, point)
    pick = CategoryPickForm(initial={"category": category.pk} if category else None)
    initial = {k: request.GET[k] for k in ("lon", "lat", "community") if request.GET.get(k)}
    form = ReportForm(
        request.POST or None, request.FILES or None, category=category, initial=initial
    )
    status, duplicates, wait = 200, [], None
    if request.method == "POST":
        status = 400
        new_photos = [f for f in request.FILES.getlist("photos") if f]
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
                kept = pending.photos_kept(request.session)
                kwargs["photos"] = [*kept, *kwargs["photos"]][:MAX_PHOTOS]
                try:
                    case = case_report(
                        source="public",
                        client="web",
                        actor=request.user if request.user.is_authenticated else None,
                        **kwargs,
                    )
                except DomainError as err:
                    status = err.status_code
                    form.add_error(form.error_field(err.field), str(err.message))
                else:
                    pending.photos_forget(request.session)
                    code = case.tracking_code  # type: ignore[attr-defined]
                    link = request.build_absolute_uri(_track_url(case.number, code))
                    report_confirmation_sms(
                        case=case, phone=kwargs.get("reporter_phone", ""), code=code, link=link
                    )
                    request.session[SESSION_DONE] = {
                        "number": case.number,
                        "code": code,
                        "link": link,
                        "sms": bool(kwargs.get("reporter_phone")),
                    }
                    return redirect("public:report-done")
        # Whatever went wrong, the photos sent with this attempt are not asked for again.
        pending.photos_keep(request.session, new_photos, limit=MAX_PHOTOS)
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
            "kept_photos": pending.photos_kept_names(request.session),
            "place_query": urlencode(initial),
        },
        status=status,
    )
    return too_many_requests(response, wait) if wait else response


def _report_place(request: HttpRequest, point: tuple[float, float] | None) -> HttpResponse:
    place = PlaceForm(request.GET or None)
    if point is None:  # step 1: where is it?
        if request.GET:
            place.is_valid()
        return render(
            request,
            "public/report_place.html",
            {"place": place, "map_options": map_options()},
            status=400 if request.GET else 200,
        )
    lon, lat = point
    groups = selectors.report_categories_at(lon=lon, lat=lat)
    query = {k: request.GET[k] for k in ("lon", "lat", "community") if request.GET.get(k)}
    options = {**map_options(), "center": [lat, lon], "zoom": 17}
    return render(
        request,
        "public/report_categories.html",
        {
            "groups": groups,
            "nearby": selectors.nearby_open(lon=lon, lat=lat),
            "place_query": urlencode(query),
            "point": {"type": "Point", "coordinates": [lon, lat]},
            "map_options": options,
        },
    )


def _track_url(number: str, code: str) -> str:
    return f"{reverse('public:track')}?{urlencode({'number': number, 'code': code})}"


def _device(request: HttpRequest) -> tuple[str, bool]:
    value = request.COOKIES.get(DEVICE_COOKIE, "")
    if len(value) == 32 and value.isalnum():
        return value, False
    return secrets.token_hex(16), True


@require_http_methods(["GET", "POST"])
def support_view(request: HttpRequest, number: str) -> HttpResponse:
    """ "This is my problem too" on an open public report (POST); GET shows the case page."""
    case = selectors.public_case(number=number)
    if case is None:
        raise Http404
    if request.method == "GET":
        return redirect("public:case-detail", number=case.number)
    limit, window = support_limit()
    wait = rate_limit_hit(scope="support", ident=client_ip(request), rate=Rate(limit, window))
    if wait:
        response = HttpResponse(_("Too many requests. Please try later."), status=429)
        return too_many_requests(response, wait)
    device, new_device = _device(request)
    user_id = request.user.pk if request.user.is_authenticated else None
    try:
        count = case_support(
            case=case,
            supporter=supporter_key(user_id=user_id, device=device),
            actor=request.user,
        )
    except DomainError as err:
        messages.info(request, str(err.message))
    else:
        messages.success(
            request,
            _("Thank you: %(n)d people have this problem. You can follow this case here.")
            % {"n": count},
        )
    response = redirect("public:case-detail", number=case.number)
    if new_device:
        response.set_cookie(
            DEVICE_COOKIE,
            device,
            max_age=365 * 24 * 3600,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
        )
    return response


@require_http_methods(["GET", "POST"])
def subscribe_view(request: HttpRequest) -> HttpResponse:
    """Follow a community's new / closed reports: the confirmation link is sent first."""
    form = SubscribeForm(request.POST or None, initial=_community_initial(request))
    status, sent = 200, False
    if request.method == "POST":
        status = 400
        limit, window = report_limit()
        wait = rate_limit_hit(scope="subscribe", ident=client_ip(request), rate=Rate(limit, window))
        if wait:
            form.add_error(None, _("Too many requests. Please try later."))
            return too_many_requests(
                render(request, "public/subscribe.html", {"form": form}, status=429), wait
            )
        if form.is_valid():
            d = form.cleaned_data
            try:
                subscription_request(
                    community=d["community"],
                    channel=d["channel"],
                    address=d["address"],
                    on_new=d["on_new"],
                    on_closed=d["on_closed"],
                )
            except DomainError as err:
                form.add_error(form_field(form, err.field), str(err.message))
            else:
                status, sent = 200, True
    return render(request, "public/subscribe.html", {"form": form, "sent": sent}, status=status)


def _community_initial(request: HttpRequest) -> dict[str, Any]:
    raw = request.GET.get("community", "")
    return {"community": int(raw)} if raw.isdigit() else {}


def form_field(form: Any, field: str | None) -> str | None:
    return field if field in form.fields else None


@require_GET
def subscribe_confirm_view(request: HttpRequest, token: str) -> HttpResponse:
    """The double opt-in link: opening it confirms (a wrong or old link is a 404)."""
    try:
        subscription = subscription_confirm(token=token)
    except DomainError:
        raise Http404 from None
    return render(
        request, "public/subscribe_done.html", {"confirmed": True, "subscription": subscription}
    )


@require_http_methods(["GET", "POST"])
def unsubscribe_view(request: HttpRequest, token: str) -> HttpResponse:
    """The link in every message: GET asks, POST stops (a link preview never unsubscribes)."""
    if request.method == "POST":
        try:
            subscription_cancel(token=token)
        except DomainError:
            raise Http404 from None
        return render(request, "public/subscribe_done.html", {"stopped": True})
    return render(request, "public/unsubscribe.html", {"token": token})


@login_required
@require_GET
def my_reports_view(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.my_reports(user=request.user), 30).get_page(request.GET.get("page"))
    return render(request, "public/my_reports.html", {"page": page})


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
    closed = case.status == Status.CLOSED
    return {
        "case": case,
        "timeline": selectors.track_updates(case=case),
        "photos": selectors.track_photos(case=case),
        "supporters": selectors.supporter_count(case=case),
        "point": {"type": "Point", "coordinates": [case.lon, case.lat]},
        "map_options": {**map_options(), "center": [case.lat, case.lon], "zoom": 17},
        "feedback": rated,
        "feedback_form": FeedbackForm(initial={"number": number, "code": code})
        if closed and rated is None
        else None,
        "reopen_form": ReopenForm(initial={"number": number, "code": code})
        if closed and _reopen_open(case)
        else None,
        "reopen_days": int(settings.CITYOPS_REOPEN_DAYS),
    }


def _reopen_open(case: Any) -> bool:
    from django.utils import timezone

    days = int(settings.CITYOPS_REOPEN_DAYS)
    return bool(
        case.closed_at is not None
        and case.assignee_id is not None
        and timezone.now() <= case.closed_at + dt.timedelta(days=days)
    )


def _track_lookup(
    request: HttpRequest, data: Any, extra: dict[str, Any] | None = None
) -> HttpResponse:
    form = TrackForm(data)
    context: dict[str, Any] = {"form": form, **(extra or {})}
    wait = rate_limit_hit(scope="track", ident=client_ip(request), rate=TRACK_RATE)
    if wait:
        form.add_error(None, _("Too many lookups from your connection. Please try later."))
        return too_many_requests(render(request, "public/track.html", context), wait)
    status = 200
    if not form.is_valid():
        status = 400
    else:
        found = _track_context(form.cleaned_data["number"], form.cleaned_data["code"])
        if found is None:
            form.add_error(None, _("No case matches this number and code."))
            status = 404
        else:
            context.update(found)
    return render(request, "public/track.html", context, status=status)


@require_http_methods(["GET", "POST"])
def track_view(request: HttpRequest) -> HttpResponse:
    """Status lookup by number + private code. ``?number=…&code=…`` is bookmarkable (the
    link of the confirmation SMS); ``?number=`` alone pre-fills the form."""
    if request.method == "POST":
        return _track_lookup(request, request.POST)
    if request.GET.get("number") and request.GET.get("code"):
        return _track_lookup(request, request.GET)
    form = TrackForm(initial={"number": request.GET.get("number", "")})
    return render(request, "public/track.html", {"form": form})


def _track_redirect(request: HttpRequest, anchor: str) -> HttpResponse:
    number, code = request.GET.get("number", ""), request.GET.get("code", "")
    url = _track_url(number, code) if number and code else reverse("public:track")
    return redirect(url + anchor)


@require_http_methods(["GET", "POST"])
def feedback_view(request: HttpRequest) -> HttpResponse:
    """Rating a closed case (POST); GET leads to the case's tracking page, where the form is."""
    if request.method == "GET":
        return _track_redirect(request, "#rate")
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


@require_http_methods(["GET", "POST"])
def reopen_view(request: HttpRequest) -> HttpResponse:
    """ "Still not fixed" (POST) within the reopen window; GET leads to the tracking page."""
    if request.method == "GET":
        return _track_redirect(request, "#reopen")
    form = ReopenForm(request.POST)
    wait = rate_limit_hit(scope="track", ident=client_ip(request), rate=TRACK_RATE)
    if wait:
        context = {"form": TrackForm(request.POST)}
        return too_many_requests(render(request, "public/track.html", context), wait)
    if not form.is_valid():
        return _track_lookup(request, request.POST, {"reopen_errors": form.errors})
    number, code = form.cleaned_data["number"], form.cleaned_data["code"]
    case = case_find_by_tracking_code(number=number, code=code)
    if case is None:
        raise Http404
    try:
        case_reopen_by_reporter(case=case, reason=form.cleaned_data["reason"], actor=request.user)
    except DomainError as err:
        messages.error(request, str(err.message))
    else:
        messages.success(request, _("Your case was reopened: the unit must fix it again."))
    return redirect(_track_url(number, code))


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
    # Before (the report's) and after (the unit's) public copies: never the inspector's checks.
    photos = selectors.track_photos(case=case)
    return render(
        request,
        "public/case_detail.html",
        {
            "case": case,
            "photos": [*photos["before"], *photos["after"]],
            "timeline": selectors.public_timeline(case=case),
            "supporters": selectors.supporter_count(case=case),
            "can_support": case.status in OPEN_STATUSES,
        },
    )


@require_GET
def public_map_data_view(request: HttpRequest) -> JsonResponse:
    try:
        west, south, east, north = (float(v) for v in request.GET.get("bbox", "").split(","))
    except ValueError:
        return JsonResponse({"error": _("bbox=west,south,east,north is required.")}, status=400)
    return JsonResponse({"cases": selectors.public_in_bbox(west=west, south=south, east=east,
                                                           north=north)})  # fmt: skip
