"""Staff registry pages (read-only; editing stays in the back office)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cityops.accounts.access import actor_for
from cityops.accounts.models import Role
from cityops.console import registry_pages
from cityops.console.views import _map_options


def _layer(slug: str) -> registry_pages.Layer:
    layer = registry_pages.LAYERS.get(slug)
    if layer is None:
        raise Http404
    return layer


def _staff(request: HttpRequest) -> None:
    # Residents (and owners) have no business here: the registry pages are for staff.
    actor = actor_for(request.user)
    if not (actor.roles - {Role.RESIDENT}) and not actor.is_superuser:
        raise Http404


@login_required
@require_GET
def registry_list_view(request: HttpRequest, layer: str) -> HttpResponse:
    _staff(request)
    spec = _layer(layer)
    q = request.GET.get("q", "")[:100]
    try:
        number = int(request.GET.get("page", "1"))
    except ValueError:
        number = 1
    number = max(number, 1)
    size = registry_pages.LIST_PAGE
    rows = list(registry_pages.layer_rows(spec, q=q)[(number - 1) * size : number * size + 1])
    page = {"rows": rows[:size], "number": number, "has_next": len(rows) > size}
    return render(
        request,
        "console/registry_list.html",
        {"layer": spec, "layers": registry_pages.LAYERS.values(), "q": q, "page": page},
    )


@login_required
@require_GET
def registry_detail_view(request: HttpRequest, layer: str, pk: int) -> HttpResponse:
    _staff(request)
    spec = _layer(layer)
    row = registry_pages.layer_row(spec, pk)
    if row is None:
        raise Http404
    cases = registry_pages.open_cases(spec, row, user=request.user)
    center = [(row.min_lat + row.max_lat) / 2, (row.min_lon + row.max_lon) / 2]
    return render(
        request,
        "console/registry_detail.html",
        {
            "layer": spec,
            "row": row,
            "cells": [(label, getattr(row, name)) for name, label in spec.columns],
            "cases": cases,
            "shown_max": registry_pages.OPEN_CASES_SHOWN,
            "map_options": _map_options(zoom=15, center=center),
            "map_geometry": row.geometry,
        },
    )
