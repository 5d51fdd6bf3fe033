"""Snowfall events: list and record one (supervisors), its deadlines and acceptance inspections."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cityops.core.errors import DomainError
from cityops.evaluations.models import SnowEvaluation, SnowEvaluationRun, SnowEvent
from cityops.evaluations.snow.services import last_deadline
from cityops.inspections.forms import SnowEventForm
from cityops.inspections.services.inspections import inspectors
from cityops.inspections.services.snow import (
    deadline_at,
    snow_acceptance_plan,
    snow_event_create,
    snow_event_set_deadlines,
)
from cityops.inspections.views import supervisor_only
from cityops.registry.models import RoadClass


@login_required
@require_http_methods(["GET", "POST"])
def snow_list_view(request: HttpRequest) -> HttpResponse:
    supervisor_only(request)
    form = SnowEventForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                event = snow_event_create(actor=request.user, **form.cleaned_data)
            except DomainError as err:
                status = err.status_code
                form.add_error(err.field if err.field in form.fields else None, str(err.message))
            else:
                return redirect("inspections:snow-detail", event_id=event.pk)
    events = list(SnowEvent.objects.annotate(n=Count("inspections")).order_by("-ended_at")[:100])
    return render(
        request, "inspections/snow_list.html", {"form": form, "events": events}, status=status
    )


def _event(event_id: int) -> SnowEvent:
    try:
        return SnowEvent.objects.get(pk=event_id)
    except SnowEvent.DoesNotExist:
        raise Http404 from None


@login_required
@require_http_methods(["GET", "POST"])
def snow_detail_view(request: HttpRequest, event_id: int) -> HttpResponse:
    supervisor_only(request)
    event = _event(event_id)
    status = 200
    if request.method == "POST":
        data: dict[str, Any] = {
            rc: {
                "clear_hours": request.POST.get(f"clear-{rc}"),
                "haul_hours": request.POST.get(f"haul-{rc}"),
            }
            for rc in RoadClass.values
            if request.POST.get(f"clear-{rc}")
        }
        try:
            snow_event_set_deadlines(event_id=event.pk, deadlines=data, actor=request.user)
        except DomainError as err:
            status = err.status_code
            messages.error(request, str(err.message))
        else:
            messages.success(request, _("Deadlines saved."))
            return redirect("inspections:snow-detail", event_id=event.pk)
    rows = [
        {
            "value": rc,
            "label": label,
            "clear_hours": (event.deadlines.get(rc) or {}).get("clear_hours", ""),
            "haul_hours": (event.deadlines.get(rc) or {}).get("haul_hours", ""),
            "clear_at": deadline_at(event, rc, "clear"),
            "haul_at": deadline_at(event, rc, "haul"),
        }
        for rc, label in RoadClass.choices
    ]
    inspections = list(
        event.inspections.select_related("road_segment", "contract", "inspector").order_by("id")
    )
    for row in inspections:
        road_class = row.road_segment.road_class if row.road_segment else ""
        row.clear_deadline = deadline_at(event, road_class, "clear")  # type: ignore[attr-defined]
    return render(
        request,
        "inspections/snow_detail.html",
        {
            "event": event,
            "rows": rows,
            "inspections": inspections,
            "inspectors": inspectors(),
            "results": SnowEvaluation.objects.filter(event=event, is_current=True)
            .select_related("contract", "contract__operator")
            .order_by("contract__number"),
            "evaluable_from": last_deadline(event),
            "snow_run": SnowEvaluationRun.objects.filter(event=event).first(),
        },
        status=status,
    )


@login_required
@require_POST
def snow_plan_view(request: HttpRequest, event_id: int) -> HttpResponse:
    supervisor_only(request)
    event = _event(event_id)
    try:
        n = snow_acceptance_plan(event_id=event.pk, actor=request.user)
    except DomainError as err:
        messages.error(request, str(err.message))
    else:
        messages.success(request, _("%(n)d acceptance inspections planned.") % {"n": n})
    return redirect("inspections:snow-detail", event_id=event.pk)
