"""Inspector pages (phone first): my inspections, a new ad hoc / unannounced one, the form."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cityops.accounts.access import actor_for
from cityops.accounts.models import Role
from cityops.core import geo
from cityops.core.errors import DomainError
from cityops.inspections.access import is_supervisor, may_edit
from cityops.inspections.assets import asset_key
from cityops.inspections.forms import (
    SENSORY_SECTIONS,
    SIDES,
    InspectionForm,
    NewInspectionForm,
    parse_findings,
    parse_sections,
)
from cityops.inspections.models import AssetKind, Status
from cityops.inspections.selectors import form_components, inspection_list
from cityops.inspections.services.common import inspection_settings
from cityops.inspections.services.inspections import (
    inspection_create,
    inspection_record,
    inspection_submit,
    inspectors,
)
from cityops.inspections.services.snow import deadline_at
from cityops.inspections.views import inspection_or_404, map_options
from cityops.registry.models import Compound, GreenSpace, RoadSegment

MY_PAGE = 15


def _field_user(request: HttpRequest) -> None:
    if not (actor_for(request.user).has_role(Role.INSPECTOR) or is_supervisor(request.user)):
        raise Http404


@login_required
@require_GET
def my_inspections_view(request: HttpRequest) -> HttpResponse:
    _field_user(request)
    # A phone page: a screenful of cards at a time (200 cards were 10,000 px tall).
    waiting = inspection_list(user=request.user, mine=True).exclude(status=Status.SUBMITTED)
    page = Paginator(waiting, MY_PAGE).get_page(request.GET.get("page"))
    done = list(inspection_list(user=request.user, mine=True, status=Status.SUBMITTED)[:10])
    return render(
        request,
        "inspections/my.html",
        {"rows": page.object_list, "page": page, "query": "", "done": done},
    )


def _asset_choices() -> list[tuple[str, str]]:
    choices = [
        (asset_key(AssetKind.ROAD, pk), f"{_('Road')} {code} {name}")
        for pk, code, name in RoadSegment.objects.values_list("pk", "code", "name")
    ]
    choices += [
        (asset_key(AssetKind.GREEN, pk), f"{_('Green space')} {code} {name}")
        for pk, code, name in GreenSpace.objects.values_list("pk", "code", "name")
    ]
    choices += [
        (asset_key(AssetKind.COMPOUND, pk), f"{_('Compound')} {code} {name}")
        for pk, code, name in Compound.objects.values_list("pk", "code", "name")
    ]
    return choices


@login_required
@require_http_methods(["GET", "POST"])
def inspection_new_view(request: HttpRequest) -> HttpResponse:
    _field_user(request)
    pickers = [(u.pk, str(u)) for u in inspectors()] if is_supervisor(request.user) else None
    form = NewInspectionForm(request.POST or None, assets=_asset_choices(), inspectors=pickers)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                inspection = inspection_create(
                    kind=form.cleaned_data["kind"],
                    asset=form.cleaned_data["asset"],
                    actor=request.user,
                    inspector_id=form.cleaned_data.get("inspector"),
                )
            except DomainError as err:
                status = err.status_code
                form.add_error(None, str(err.message))
            else:
                return redirect("inspections:form", inspection_id=inspection.pk)
    return render(request, "inspections/new.html", {"form": form}, status=status)


def _context(inspection: Any, form: InspectionForm, post: Any = None) -> dict[str, Any]:
    """The form's blocks with the values to show: the posted ones after an error, else the
    recorded ones."""
    components = form_components(inspection)
    recorded = {(s.component_code, s.number, s.side): s.ratings for s in inspection.sections.all()}
    for block in components:
        code = block["component"].code
        for row in block["items"]:
            item, finding = row["item"], row["finding"]
            if post is not None:
                row["qty"] = post.get(f"q-{code}-{item.code}", "")
                row["note"] = post.get(f"n-{code}-{item.code}", "")
            else:
                row["qty"] = f"{finding.quantity.normalize():f}" if finding else ""
                row["note"] = finding.note if finding else ""
        if block["sensory"]:
            width = len((block["component"].config or {}).get("coefficients") or (6, 6, 4, 4))
            block["grid"] = [
                {
                    "number": number,
                    "side": side,
                    "label": label,
                    "cells": [
                        {
                            "name": f"s-{code}-{number}-{side}-{k}",
                            "label": f"C{k + 1}",
                            "value": post.get(f"s-{code}-{number}-{side}-{k}", "")
                            if post is not None
                            else (recorded.get((code, number, side)) or [""] * width)[k],
                        }
                        for k in range(width)
                    ],
                }
                for number in range(1, SENSORY_SECTIONS + 1)
                for side, label in SIDES
            ]
    asset = inspection.asset
    snow: dict[str, Any] | None = None
    if inspection.snow_event is not None and inspection.road_segment is not None:
        road_class = inspection.road_segment.road_class
        snow = {
            "clear_by": deadline_at(inspection.snow_event, road_class, "clear"),
            "haul_by": deadline_at(inspection.snow_event, road_class, "haul"),
        }
    return {
        "inspection": inspection,
        "snow": snow,
        "section_m": inspection_settings().sensory_section_m,
        "form": form,
        "components": components,
        "map_options": map_options(),
        "asset_geometry": asset.geometry if asset is not None else None,
        "position": geo.point_geojson(inspection.lon, inspection.lat)
        if inspection.lon is not None and inspection.lat is not None
        else None,
    }


@login_required
@require_http_methods(["GET", "POST"])
def inspection_form_view(request: HttpRequest, inspection_id: int) -> HttpResponse:
    inspection = inspection_or_404(inspection_id, request.user)
    if not may_edit(inspection, request.user):
        return redirect("inspections:detail", inspection_id=inspection.pk)
    form = InspectionForm(
        request.POST or None,
        initial={
            "notes": inspection.notes,
            "co_inspectors": inspection.co_inspectors,
            "operator_signer": inspection.operator_signer,
            "rater": str(request.user),
        },
    )
    status = 200
    if request.method == "POST":
        status = 400
        components = form_components(inspection)
        if form.is_valid():
            findings, errors = parse_findings(request.POST, components)
            sections, more = parse_sections(
                request.POST, components, form.cleaned_data.get("rater") or ""
            )
            mine, theirs = form.signature("inspector"), form.signature("operator")
            for message in [*errors, *more]:
                form.add_error(None, message)
        if form.is_valid():
            photos = [
                (request.POST.get("photo_item", ""), f) for f in request.FILES.getlist("photos")
            ]
            try:
                inspection_record(
                    inspection_id=inspection.pk,
                    actor=request.user,
                    findings=findings,
                    sections=sections,
                    position=form.position(),
                    notes=form.cleaned_data["notes"],
                    co_inspectors=form.cleaned_data["co_inspectors"],
                    operator_signer=form.cleaned_data["operator_signer"],
                    photos=photos,
                )
                if "submit" in request.POST:
                    inspection_submit(
                        inspection_id=inspection.pk,
                        actor=request.user,
                        inspector_signature=mine,
                        operator_signature=theirs,
                    )
            except DomainError as err:
                status = err.status_code
                form.add_error(None, str(err.message))
            else:
                if "submit" in request.POST:
                    messages.success(request, _("Inspection submitted."))
                    return redirect("inspections:detail", inspection_id=inspection.pk)
                messages.success(request, _("Inspection saved."))
                return redirect("inspections:form", inspection_id=inspection.pk)
        inspection.refresh_from_db()
    return render(
        request,
        "inspections/form.html",
        _context(inspection, form, request.POST if request.method == "POST" else None),
        status=status,
    )
