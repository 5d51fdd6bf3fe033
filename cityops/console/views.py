"""Staff console pages: thin adapters (validate input → one cases service/selector → render).

Scoping is the cases app's (``access_case`` / ``cases_visible_to``): a case outside the
viewer's scope is a 404, whatever URL is typed. A DomainError from a service is shown on the
form with its status code (400/403/404/409), never a 500.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_POST

from cityops.accounts.access import actor_for
from cityops.accounts.models import Role
from cityops.cases.access import (
    access_case,
    is_public_viewer,
    may_reveal_reporter,
    reveal_needs_purpose,
)
from cityops.cases.models import OPEN_STATUSES, Case, CaseEvent, PhotoKind, Question, Status
from cityops.cases.questions import answer_lines
from cityops.cases.selectors import case_duplicates, case_public_view
from cityops.cases.services import (
    case_report,
    case_reveal_reporter,
    case_transition,
    payload_for,
)
from cityops.cases.transitions import action_label, rule_for
from cityops.console import selectors
from cityops.console.forms import (
    DESK_PAGE_SIZE,
    PAGE_SIZE,
    ActionForm,
    CaseFilterForm,
    DeskFilterForm,
)
from cityops.core import mapconfig
from cityops.core.errors import DomainError, NotFound
from cityops.core.exports import safe_row
from cityops.core.geo import distance_m
from cityops.core.private_media import private_file_response
from cityops.public.forms import CategoryPickForm, ReportForm, category_from_query

EXPORT_LIMIT = 50_000


def _map_options(**extra: Any) -> dict[str, Any]:
    return mapconfig.map_options(**extra)


@login_required
@require_GET
def home_view(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    if not (actor.roles - {Role.RESIDENT}) and not (request.user.is_staff or actor.is_superuser):
        # Residents and owners sign in here too (the one login page): send them to their
        # own pages, not to an empty staff queue.
        return redirect(_resident_landing(request.user))
    queue = list(selectors.case_queue(user=request.user)[:20])
    return render(
        request,
        "console/home.html",
        {
            "roles": [Role(r).label for r in sorted(actor.roles)],
            "queue": queue,
            "lights": selectors.light_counts(user=request.user),
            "is_inspector": actor.has_role(Role.INSPECTOR),
            "is_operator": actor.has_role(Role.OPERATOR_STAFF),
        },
    )


def _resident_landing(user: Any) -> str:
    from cityops.estates.selectors import user_is_estates_member

    return reverse("estates:home" if user_is_estates_member(user) else "public:report")


def _filter_form(request: HttpRequest) -> CaseFilterForm:
    form = CaseFilterForm(request.GET or None)
    if request.GET:
        form.is_valid()
    return form


@login_required
@require_GET
def case_list_view(request: HttpRequest) -> HttpResponse:
    form = _filter_form(request)
    public_view = is_public_viewer(request.user)
    if public_view:  # a resident's own reports: no filter by (or list of) responsible units
        form.fields.pop("operator", None)
    qs = selectors.case_search(user=request.user, flt=form.to_filter())
    try:
        number = int(request.GET.get("page", "1"))
    except ValueError:
        number = 1
    page = selectors.page_of(qs, number=number, size=PAGE_SIZE)
    params = request.GET.copy()
    params.pop("page", None)
    from cityops.console.forms_lists import BulkDispatchForm, SavedFilterForm
    from cityops.console.services import clean_query
    from cityops.console.views_lists import may_bulk_dispatch, saved_filters_for

    query = params.urlencode()
    bulk = may_bulk_dispatch(request.user)
    return render(
        request,
        "console/case_list.html",
        {
            "form": form,
            "page": page,
            "public_view": public_view,
            "query": query,
            "filter_query": clean_query(query),
            "saved_filters": list(saved_filters_for(request.user)),
            "save_form": SavedFilterForm(initial={"query": clean_query(query)}),
            "bulk_form": BulkDispatchForm(initial={"back": query}) if bulk else None,
            "dispatchable": Status.FILED,
        },
    )


def _export_rows(request: HttpRequest) -> tuple[list[str], Any]:
    form = _filter_form(request)
    qs = selectors.case_search(user=request.user, flt=form.to_filter())[:EXPORT_LIMIT]
    if is_public_viewer(request.user):
        return _public_export_rows(qs)
    header = [
        _("Case number"), _("Reported at"), _("Status"), _("Category"), _("Urgency"), _("Source"),
        _("Street"), _("Community"), _("Grid"), _("Address"), _("Responsible unit"),
        _("Deadline"), _("Traffic light"), _("Reporter"), _("Reporter phone"),
        pgettext("case questions", "Answers"), _("Description"),
    ]  # fmt: skip
    answers = _answers_text()

    def local(value: Any) -> str:
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""

    def rows() -> Any:
        for c in qs.iterator(chunk_size=2000):
            yield [
                c.number, local(c.reported_at), c.get_status_display(), str(c.category),
                c.get_urgency_display(), c.get_source_display(), str(c.street or ""),
                str(c.community or ""), c.grid.code if c.grid else "", c.address,
                str(c.assignee or ""), local(c.deadline_at), c.get_light_display(),
                c.reporter_name_masked, c.reporter_phone_masked, answers(c), c.description,
            ]  # fmt: skip

    return header, rows()


def _answers_text() -> Any:
    """``case -> "question：answer；…"`` in words (``cases.questions.answer_lines``, as on the
    case page), never the stored codes; the catalogue's questions are read once per export."""
    by_category: dict[int, list[tuple[str, str, Any]]] = {}
    for category_id, code, label, choices in Question.objects.values_list(
        "category_id", "code", "label", "choices"
    ):
        by_category.setdefault(category_id, []).append((code, label, choices))

    def text(case: Case) -> str:
        if not case.answers:
            return ""
        lines = answer_lines(by_category.get(case.category_id, []), case.answers)
        return "；".join(f"{label}：{value}" for label, value in lines)

    return text


def _public_export_rows(qs: Any) -> tuple[list[str], Any]:
    """A resident's own reports: the public fields, plus the name and phone they gave."""
    header = [
        _("Case number"), _("Reported at"), _("Status"), _("Category"), _("Address"),
        _("Description"), _("Closed at"), _("Reporter"), _("Reporter phone"),
    ]  # fmt: skip

    def local(value: Any) -> str:
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""

    def rows() -> Any:
        for c in qs.iterator(chunk_size=2000):
            yield [
                c.number, local(c.reported_at), c.get_status_display(), c.category.name,
                c.address, c.description, local(c.closed_at), c.reporter_name, c.reporter_phone,
            ]  # fmt: skip

    return header, rows()


class _Echo:
    def write(self, value: str) -> str:
        return value


@login_required
@require_GET
def case_export_view(request: HttpRequest, fmt: str) -> HttpResponse | StreamingHttpResponse:
    """CSV (streamed) or XLSX of the current filter; reporter data masked as in the list."""
    header, rows = _export_rows(request)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if fmt == "csv":
        writer = csv.writer(_Echo())

        def stream() -> Any:
            yield "\ufeff"  # BOM: Excel opens UTF-8 CSV with Chinese text correctly.
            yield writer.writerow(safe_row(header))
            for row in rows:
                yield writer.writerow(safe_row(row))

        response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="cases-{stamp}.csv"'
        return response
    if fmt != "xlsx":
        raise Http404
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Cases"))
    sheet.append(safe_row(header))
    for row in rows:
        sheet.append(safe_row(row))
    buf = io.BytesIO()
    book.save(buf)
    out = HttpResponse(
        buf.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    out["Content-Disposition"] = f'attachment; filename="cases-{stamp}.xlsx"'
    return out


def _access(case_id: int, user: Any) -> Case:
    return access_case(case_id, user)


def _detail_context(
    request: HttpRequest, case: Case, forms: dict[str, ActionForm] | None = None
) -> dict[str, Any]:
    rules = selectors.actions_for(case, request.user)
    forms = forms or {}
    actions = [
        (
            rule,
            forms.get(rule.action)
            or ActionForm(rule=rule, initial={"expected_version": case.version}),
        )
        for rule in rules
    ]
    events = [
        {
            "at": e.at,
            "actor": e.actor,
            "label": action_label(e.action),
            "to": Status(e.to_status).label if e.to_status in Status.values else e.to_status,
            "reason": e.reason,
        }
        for e in CaseEvent.objects.filter(case=case).select_related("actor").order_by("at", "id")
    ]
    photos = list(case.photos.all())
    duplicates = (
        case_duplicates(category=case.category, lon=case.lon, lat=case.lat, exclude_id=case.pk)
        if case.is_open
        else []
    )
    return {
        "case": case,
        "actions": actions,
        "events": events,
        "before": [p for p in photos if p.kind == PhotoKind.BEFORE],
        "after": [p for p in photos if p.kind == PhotoKind.AFTER],
        "checks": [p for p in photos if p.kind == PhotoKind.VERIFY],
        "originals": not is_public_viewer(request.user),
        "duplicates": duplicates[:10],
        "may_reveal": may_reveal_reporter(request.user),
        "reveal_needs_purpose": reveal_needs_purpose(request.user),
        "map_options": _map_options(zoom=16, center=[case.lat, case.lon]),
        "map_point": {"type": "Point", "coordinates": [case.lon, case.lat]},
        "answer_lines": answer_lines(
            case.category.questions.values_list("code", "label", "choices"), case.answers or {}
        )
        if case.answers
        else [],
        "supporters": case.supports.count(),  # type: ignore[attr-defined]
    }


@login_required
@require_GET
def case_detail_view(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _access(case_id, request.user)
    if is_public_viewer(request.user):
        return render(request, "console/case_detail_public.html", _public_context(case))
    return render(request, "console/case_detail.html", _detail_context(request, case))


def _public_context(case: Case) -> dict[str, Any]:
    """A resident's own case: what the public page shows (no routing, unit, contract, deadline,
    staff names or other cases), plus the name and phone they gave themselves."""
    from cityops.public.selectors import public_timeline

    return {
        "view": case_public_view(case),
        "status_label": case.get_status_display(),
        "photos": [p for p in case.photos.all() if p.kind == PhotoKind.BEFORE and p.public],
        "timeline": public_timeline(case=case),
        "own": {"name": case.reporter_name, "phone": case.reporter_phone},
    }


@login_required
@require_GET
def case_photo_original_view(request: HttpRequest, case_id: int, photo_id: int) -> HttpResponseBase:
    """A photo's original (EXIF location, camera) for staff who may see the case; 404 for
    everyone else, residents included (they get the public copy)."""
    case = _access(case_id, request.user)
    if is_public_viewer(request.user):
        raise Http404
    photo = case.photos.filter(pk=photo_id).only("original", "content_type").first()
    if photo is None:
        raise Http404
    return private_file_response(photo.original.name, content_type=photo.content_type)


@login_required
@require_POST
def case_reveal_view(request: HttpRequest, case_id: int) -> HttpResponse:
    """The reporter's full name and phone (audited by the service); htmx swaps the masked
    value, a plain form post shows the case page with the revealed value."""
    case = _access(case_id, request.user)
    try:
        reporter = case_reveal_reporter(
            case_id=case.pk, actor=request.user, purpose=request.POST.get("purpose", "")
        )
    except NotFound:
        raise Http404 from None
    except DomainError as err:
        return HttpResponse(str(err.message), status=err.status_code)
    if request.headers.get("HX-Request"):
        return render(request, "console/_reporter.html", {"case": case, "revealed": reporter})
    context = _detail_context(request, case)
    context["revealed"] = reporter
    return render(request, "console/case_detail.html", context)


@login_required
@require_POST
def case_action_view(request: HttpRequest, case_id: int, action: str) -> HttpResponse:
    case = _access(case_id, request.user)
    rule = rule_for(action)
    if rule is None:
        raise Http404
    form = ActionForm(request.POST, request.FILES, rule=rule)
    status = 400
    if form.is_valid():
        data = form.payload()
        if action == "merge":
            target = selectors.case_by_number(user=request.user, number=form.cleaned_data["into"])
            data["into"] = target.pk if target else None
        try:
            case_transition(
                case_id=case.pk,
                action=action,
                actor=request.user,
                payload=payload_for(action, data),
                expected_version=form.cleaned_data.get("expected_version"),
            )
        except NotFound:
            raise Http404 from None
        except DomainError as err:
            status = err.status_code
            field = err.field if err.field in form.fields else None
            form.add_error(field, str(err.message))
        else:
            from django.contrib import messages

            messages.success(request, _("Done: %(action)s.") % {"action": rule.label})
            return redirect("console:case-detail", case_id=case.pk)
    case = _access(case_id, request.user)
    context = _detail_context(request, case, {action: form})
    context["open_action"] = action
    return render(request, "console/case_detail.html", context, status=status)


# --- Inspector (phone) -----------------------------------------------------------------------


@login_required
def field_report_view(request: HttpRequest) -> HttpResponse:
    """An inspector reports a problem on site (photos, GPS or a pin, category questions)."""
    if not actor_for(request.user).has_role(Role.INSPECTOR):
        raise Http404
    category = category_from_query(request.GET)
    pick = CategoryPickForm(initial={"category": category.pk} if category else None)
    form = ReportForm(request.POST or None, request.FILES or None, staff=True, category=category)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                case = case_report(source="inspector", actor=request.user, **form.report_kwargs())
            except DomainError as err:
                status = err.status_code
                form.add_error(form.error_field(err.field), str(err.message))
            else:
                from django.contrib import messages

                messages.success(request, _("Case %(n)s reported.") % {"n": case.number})
                return redirect("console:case-detail", case_id=case.pk)
    return render(
        request,
        "console/field_report.html",
        {"form": form, "pick": pick, "category": category, "map_options": _map_options()},
        status=status,
    )


@login_required
@require_GET
def field_tasks_view(request: HttpRequest) -> HttpResponse:
    if not actor_for(request.user).has_role(Role.INSPECTOR):
        raise Http404
    here = selectors.position_from(request.GET)
    tasks = list(selectors.inspector_tasks(user=request.user, near=here)[:100])
    distances = (
        {t.pk: round(distance_m(here[0], here[1], t.lon, t.lat)) for t in tasks} if here else {}
    )
    return render(
        request,
        "console/field_tasks.html",
        {"tasks": tasks, "near": here, "distances": distances},
    )


@login_required
@require_GET
def desk_view(request: HttpRequest) -> HttpResponse:
    """The unit's open cases: status tabs with counts, the case list's filter, pages of 25.

    Every choice is in the query string (bookmarkable); htmx requests get the results only.
    """
    if not actor_for(request.user).has_role(Role.OPERATOR_STAFF):
        raise Http404
    form = DeskFilterForm(request.GET or None)
    if request.GET:
        form.is_valid()
    flt = form.to_filter()
    qs = selectors.operator_desk(user=request.user, flt=flt)
    page = selectors.page_of(qs, number=_page_number(request), size=DESK_PAGE_SIZE)
    counts = selectors.operator_desk_counts(user=request.user, flt=flt)
    params = request.GET.copy()
    params.pop("page", None)
    current = flt.statuses[0] if flt.statuses else ""
    tabs = []
    for value, label in [("", _("All open")), *((v, Status(v).label) for v in OPEN_STATUSES)]:
        n = sum(counts.values()) if not value else counts.get(value, 0)
        if value and not n and value != current:
            continue
        tab = params.copy()
        tab.pop("status", None)
        if value:
            tab["status"] = value
        tabs.append(
            {"label": label, "count": n, "query": tab.urlencode(), "current": value == current}
        )
    context = {"form": form, "page": page, "tabs": tabs, "query": params.urlencode()}
    if request.headers.get("HX-Request"):
        return render(request, "console/_desk_results.html", context)
    return render(request, "console/desk.html", context)


def _page_number(request: HttpRequest) -> int:
    try:
        return max(int(request.GET.get("page", "1")), 1)
    except ValueError:
        return 1


def case_url(case: Case) -> str:
    return reverse("console:case-detail", kwargs={"case_id": case.pk})
