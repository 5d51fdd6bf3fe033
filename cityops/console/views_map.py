"""Staff case map: the case list's filter on a map, loading only the viewport's cases."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET

from cityops.console import selectors_map
from cityops.console.forms import CaseFilterForm
from cityops.console.services import clean_query
from cityops.console.views import _map_options
from cityops.core.errors import DomainError

# Without a filter the map shows the open cases (a year of closed ones helps nobody). A
# submitted filter form always sends its fields, so "no filter" means none of them is present
# (the data URL's ``bbox`` alone is not a filter).
DEFAULT_QUERY = {"open_only": "on"}


AREA_MESSAGE = gettext_lazy(
    "Too many cases here to show one by one: numbers per area, each case counted in the grid"
    " it lies in (red: some are overdue, past the unit's time limit). Zoom in to see the cases."
)


def _filter_given(request: HttpRequest) -> bool:
    return any(name in request.GET for name in CaseFilterForm.base_fields)


def _form(request: HttpRequest) -> CaseFilterForm:
    form = CaseFilterForm(request.GET if _filter_given(request) else DEFAULT_QUERY)
    form.is_valid()
    return form


def _counted(form: CaseFilterForm) -> str:
    """What the map counts, in words (the area counts must not look like every case)."""
    data = form.cleaned_data if hasattr(form, "cleaned_data") else {}
    narrowing = [k for k, v in data.items() if v and k not in ("sort", "open_only")]
    if data.get("open_only") and not narrowing:
        return _("Showing open cases (untick “Open cases only” to include closed ones).")
    if data.get("open_only"):
        return _("Showing the open cases that match the filter.")
    return _("Showing every case that matches the filter, closed ones included.")


@login_required
@require_GET
def case_map_view(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    query = clean_query(request.GET.urlencode()) if _filter_given(request) else "open_only=on"
    return render(
        request,
        "console/case_map.html",
        {
            "form": form,
            "query": query,
            "counted": _counted(form),
            "map_options": _map_options(
                dataUrl=f"{reverse('console:case-map-data')}?{query}",
                heatUrl=f"{reverse('console:case-map-heat')}?{query}",
                listUrl=f"{reverse('console:case-list')}?{query}",
                heatName=_("Hotspots (heat map)"),
                listName=_("List the %(count)s cases in view"),
                layersUrl=reverse("console:case-map-layer", args=["grids"]).replace(
                    "grids", "{layer}"
                ),
                detailUrl=reverse("console:case-detail", args=[0]).replace("0/", ""),
                tooMany=AREA_MESSAGE,
                markerName=_("Case %(number)s, %(category)s, %(status)s"),
                areaName=_("%(count)s cases in this area: open them in the list"),
                clusterName=_("%(count)s cases close together: zoom in"),
                worstName=_("worst: %(light)s"),
                layerNames={"grids": _("Grid boundaries"), "communities": _("Communities")},
                lightNames={
                    "red": _("Red: overdue"),
                    "yellow": _("Yellow: deadline near"),
                    "green": _("Green: in time"),
                    "": _("No time limit running"),
                },
            ),
        },
    )


def _bad(err: DomainError) -> JsonResponse:
    return JsonResponse({"error": str(err.message)}, status=err.status_code)


@login_required
@require_GET
def case_map_data_view(request: HttpRequest) -> JsonResponse:
    """JSON markers (≤ cap) or per-cell counts of the filtered cases in ``bbox``."""
    form = _form(request)
    if form.errors:
        return JsonResponse({"error": form.errors.get_json_data()}, status=400)
    try:
        box = selectors_map.parse_bbox(request.GET.get("bbox", ""))
    except DomainError as err:
        return _bad(err)
    data = selectors_map.case_map_data(user=request.user, flt=form.to_filter(), box=box)
    if data["mode"] == "cells":
        data["message"] = str(AREA_MESSAGE)
    else:
        data["message"] = ngettext(
            "%(count)s case in view.", "%(count)s cases in view.", data["count"]
        ) % {"count": data["count"]}
    data["counted"] = _counted(form)
    return JsonResponse(data)


@login_required
@require_GET
def case_map_heat_view(request: HttpRequest) -> JsonResponse:
    """The hotspot layer: counts of the filtered cases per small cell of ``bbox``."""
    form = _form(request)
    if form.errors:
        return JsonResponse({"error": form.errors.get_json_data()}, status=400)
    try:
        box = selectors_map.parse_bbox(request.GET.get("bbox", ""))
    except DomainError as err:
        return _bad(err)
    return JsonResponse(selectors_map.case_heat(user=request.user, flt=form.to_filter(), box=box))


@login_required
@require_GET
def case_map_layer_view(request: HttpRequest, layer: str) -> JsonResponse:
    try:
        box = selectors_map.parse_bbox(request.GET.get("bbox", ""))
        return JsonResponse(selectors_map.boundaries(layer=layer, box=box))
    except DomainError as err:
        if err.field == "layer":
            return JsonResponse({"error": str(err.message)}, status=404)
        return _bad(err)
