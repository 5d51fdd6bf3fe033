"""Inspection list and detail (photos, GPS vs asset on a map), corrections, follow-up cases."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cityops.accounts.access import actor_for
from cityops.accounts.models import Role
from cityops.cases.models import Category
from cityops.core import geo
from cityops.core.errors import DomainError
from cityops.core.private_media import private_file_response
from cityops.inspections.access import is_supervisor, may_edit
from cityops.inspections.forms import CorrectionForm
from cityops.inspections.models import Status
from cityops.inspections.selectors import inspection_list
from cityops.inspections.services.followup import finding_open_case
from cityops.inspections.services.inspections import FindingInput, inspection_correct
from cityops.inspections.views import inspection_or_404, map_options, month_param

PAGE = 50


@login_required
@require_GET
def inspection_list_view(request: HttpRequest) -> HttpResponse:
    month = month_param(request)
    status = request.GET.get("status", "")
    if status not in Status.values:
        status = ""
    qs = inspection_list(user=request.user, month=month, status=status)
    page = Paginator(qs, PAGE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "inspections/list.html",
        {
            "rows": page.object_list,
            "page": page,
            "query": params.urlencode(),
            "month": month,
            "status": status,
            "statuses": Status.choices,
            "is_supervisor": is_supervisor(request.user),
        },
    )


def _sees_originals(user: object) -> bool:
    """Operators see the copies without metadata; the bureau's staff see the originals."""
    actor = actor_for(user)
    return not actor.has_role(Role.OPERATOR_STAFF) or actor.has_role(
        Role.INSPECTOR, Role.BUREAU_SUPERVISOR, Role.SYSTEM_ADMIN, Role.MAYOR_VIEWER
    )


@login_required
@require_GET
def inspection_photo_original_view(
    request: HttpRequest, inspection_id: int, photo_id: int
) -> HttpResponseBase:
    """A photo's original (EXIF location) for staff who may see the inspection; 404 otherwise."""
    inspection = inspection_or_404(inspection_id, request.user)
    if not _sees_originals(request.user):
        raise Http404
    photo = inspection.photos.filter(pk=photo_id).only("original", "content_type").first()
    if photo is None:
        raise Http404
    return private_file_response(photo.original.name, content_type=photo.content_type)


@login_required
@require_GET
def inspection_detail_view(request: HttpRequest, inspection_id: int) -> HttpResponse:
    inspection = inspection_or_404(inspection_id, request.user)
    actor = actor_for(request.user)
    staff = _sees_originals(request.user)
    asset = inspection.asset
    findings = list(inspection.findings.select_related("case"))
    open_findings = [f for f in findings if f.case_id is None and f.quantity > 0]
    categories = (
        list(Category.objects.filter(parent__isnull=False, active=True).order_by("code")[:300])
        if actor.has_role(Role.INSPECTOR) and open_findings
        else []
    )
    return render(
        request,
        "inspections/detail.html",
        {
            "inspection": inspection,
            "findings": findings,
            "sections": list(inspection.sections.all()),
            "photos": list(inspection.photos.all()),
            "staff": staff,
            "may_edit": may_edit(inspection, request.user),
            "may_correct": is_supervisor(request.user) and inspection.is_submitted,
            "may_open_case": actor.has_role(Role.INSPECTOR),
            "categories": categories,
            "correction": CorrectionForm(),
            "map_options": map_options(),
            "asset_geometry": asset.geometry if asset is not None else None,
            "position": geo.point_geojson(inspection.lon, inspection.lat)
            if inspection.lon is not None and inspection.lat is not None
            else None,
        },
    )


@login_required
@require_POST
def inspection_correct_view(request: HttpRequest, inspection_id: int) -> HttpResponse:
    inspection = inspection_or_404(inspection_id, request.user)
    form = CorrectionForm(request.POST)
    findings = []
    try:
        for f in inspection.findings.all():
            raw = (request.POST.get(f"q-{f.pk}") or "").strip()
            qty = Decimal(raw) if raw else f.quantity
            if qty < 0:
                raise InvalidOperation
            if qty > 0:
                findings.append(FindingInput(f.component_code, f.item_code, qty, f.note))
    except InvalidOperation:
        messages.error(request, _("Enter numbers for the quantities."))
        return redirect("inspections:detail", inspection_id=inspection.pk)
    if not form.is_valid():
        messages.error(request, _("Give the reason for the correction."))
        return redirect("inspections:detail", inspection_id=inspection.pk)
    try:
        inspection_correct(
            inspection_id=inspection.pk,
            actor=request.user,
            findings=findings,
            reason=form.cleaned_data["reason"],
        )
    except DomainError as err:
        messages.error(request, str(err.message))
    else:
        messages.success(request, _("Correction recorded."))
    return redirect("inspections:detail", inspection_id=inspection.pk)


@login_required
@require_POST
def finding_case_view(request: HttpRequest, inspection_id: int, finding_id: int) -> HttpResponse:
    inspection = inspection_or_404(inspection_id, request.user)
    if not inspection.findings.filter(pk=finding_id).exists():
        messages.error(request, _("Finding not found."))
        return redirect("inspections:detail", inspection_id=inspection.pk)
    try:
        category = int(request.POST.get("category") or 0)
        case = finding_open_case(
            finding_id=finding_id,
            actor=request.user,
            category=category,
            description=request.POST.get("description", ""),
        )
    except ValueError:
        messages.error(request, _("Choose a category."))
    except DomainError as err:
        messages.error(request, str(err.message))
    else:
        messages.success(request, _("Case %(n)s opened.") % {"n": case.number})
    return redirect("inspections:detail", inspection_id=inspection.pk)
