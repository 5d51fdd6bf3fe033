"""Vehicle pages: live map (polled JSON), track playback of a day, a lot's coverage of a day,
alarms (list, acknowledge), plough progress of a snowfall event.
Thin adapters: parse → one selector → render; records out of scope are 404."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from cityops.core.errors import DomainError, NotFound
from cityops.core.periods import Period, month_first
from cityops.evaluations.models import SnowEvent
from cityops.inspections.views import map_options
from cityops.registry.models import Lot, Organisation
from cityops.vehicles import selectors
from cityops.vehicles.access import (
    access_vehicle,
    may_acknowledge,
    may_see_vehicles,
    vehicles_visible_to,
)
from cityops.vehicles.models import AlarmKind, AlarmStatus, VehicleKind
from cityops.vehicles.services_alarms import alarm_acknowledge
from cityops.vehicles.snow import snow_progress


class LiveFilter(forms.Form):
    operator = forms.ModelChoiceField(
        label=_("Operator"), queryset=Organisation.objects.none(), required=False
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", "—"), *VehicleKind.choices], required=False
    )
    state = forms.ChoiceField(label=_("State"), required=False)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        operators = vehicles_visible_to(user).values("operator_id")
        field = self.fields["operator"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Organisation.objects.filter(pk__in=operators).order_by("name")
        state = self.fields["state"]
        assert isinstance(state, forms.ChoiceField)
        state.choices = [("", "—"), *selectors.state_labels().items()]


class DayForm(forms.Form):
    day = forms.DateField(label=_("Day"), required=False)


def _require_reader(request: HttpRequest) -> None:
    if not may_see_vehicles(request.user):
        raise Http404


@login_required
@require_GET
def live_map_view(request: HttpRequest) -> HttpResponse:
    _require_reader(request)
    form = LiveFilter(request.GET or None, user=request.user)
    return render(
        request,
        "vehicles/live.html",
        {
            "form": form,
            "map_options": map_options(
                liveUrl=reverse("vehicles:live-json"),
                query=request.GET.urlencode(),
                every=5,
            ),
        },
    )


@login_required
@require_GET
def live_json_view(request: HttpRequest) -> JsonResponse:
    _require_reader(request)
    form = LiveFilter(request.GET, user=request.user)
    if not form.is_valid():
        return JsonResponse({"errors": form.errors}, status=400)
    data = form.cleaned_data
    operator = data["operator"]
    rows = selectors.live_vehicles(
        user=request.user,
        operator_id=operator.pk if operator else None,
        kind=data["kind"] or "",
        state=data["state"] or "",
    )
    return JsonResponse({"vehicles": rows, "at": timezone.localtime().strftime("%H:%M:%S")})


@login_required
@require_GET
def track_view(request: HttpRequest, vehicle_id: int) -> HttpResponse:
    vehicle = access_vehicle(vehicle_id, request.user)
    form = DayForm(request.GET or None)
    if request.GET and not form.is_valid():
        return render(
            request, "vehicles/track.html", {"form": form, "vehicle": vehicle}, status=400
        )
    day = (form.cleaned_data.get("day") if form.is_bound else None) or timezone.localdate()
    points = selectors.vehicle_track(vehicle=vehicle, day=day)
    return render(
        request,
        "vehicles/track.html",
        {
            "form": DayForm(initial={"day": day}),
            "vehicle": vehicle,
            "day": day,
            "count": len(points),
            "track": {"points": points, "vmax": 20},
            "map_options": map_options(),
        },
    )


class CoverageForm(forms.Form):
    lot: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Lot"), queryset=Lot.objects.none()
    )
    day = forms.DateField(label=_("Day"), required=False)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["lot"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = selectors.lots_visible_to(user)


@login_required
@require_GET
def coverage_view(request: HttpRequest) -> HttpResponse:
    _require_reader(request)
    form = CoverageForm(request.GET or None, user=request.user)
    context: dict[str, Any] = {"form": form, "map_options": map_options()}
    status = 200
    if form.is_bound:
        if form.is_valid():
            day = form.cleaned_data["day"] or timezone.localdate() - dt.timedelta(days=1)
            context.update(
                day=day, lot=form.cleaned_data["lot"],
                **selectors.lot_coverage(lot=form.cleaned_data["lot"], day=day),
            )  # fmt: skip
        else:
            status = 400
    return render(request, "vehicles/coverage.html", context, status=status)


@login_required
@require_GET
def coverage_month_view(request: HttpRequest) -> HttpResponse:
    """A contract's month: which segments were missed on which day (the evaluation links
    here from its telematics items)."""
    try:
        contract_id = int(request.GET.get("contract", ""))
        month = Period.month_of(month_first(request.GET.get("month", "")))
    except (ValueError, DomainError) as exc:
        return HttpResponse(str(getattr(exc, "message", exc)), status=400)
    contract = selectors.contract_for_coverage(contract_id=contract_id, user=request.user)
    data = selectors.contract_month_shortfalls(contract=contract, month=month)
    return render(
        request, "vehicles/coverage_month.html", {"contract": contract, "month": month, **data}
    )


class AlarmFilter(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", "—"), *AlarmKind.choices], required=False
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", "—"), *AlarmStatus.choices], required=False
    )
    month = forms.RegexField(
        label=_("Month"), regex=r"^\d{4}-\d{2}$", required=False, help_text="YYYY-MM"
    )
    contract = forms.IntegerField(label=_("Contract"), required=False, widget=forms.HiddenInput)

    def clean_month(self) -> Period | None:
        text = self.cleaned_data.get("month") or ""
        if not text:
            return None
        try:
            return Period.month_of(month_first(text))
        except (ValueError, DomainError) as exc:
            raise forms.ValidationError(_("Give a month as YYYY-MM.")) from exc


ALARM_LIST_LIMIT = 200


def _alarm_page(
    request: HttpRequest, form: AlarmFilter, *, status: int = 200, error: str = ""
) -> HttpResponse:
    alarms: list[Any] = []
    if form.is_valid():
        data = form.cleaned_data
        alarms = selectors.alarm_list(
            user=request.user,
            kind=data["kind"] or "",
            status=data["status"] or "",
            month=data["month"],
            contract_id=data["contract"],
            limit=ALARM_LIST_LIMIT,
        )
    elif status == 200:
        status = 400
    return render(
        request,
        "vehicles/alarms.html",
        {
            "form": form,
            "alarms": alarms,
            "limit": ALARM_LIST_LIMIT,
            "error": error,
            "may_acknowledge": may_acknowledge(request.user),
            "query": request.GET.urlencode(),
        },
        status=status,
    )


@login_required
@require_GET
def alarms_view(request: HttpRequest) -> HttpResponse:
    """Vehicle alarms in scope (an operator's staff: their own), filtered by kind and status."""
    _require_reader(request)
    return _alarm_page(request, AlarmFilter(request.GET))


@login_required
@require_POST
def alarm_acknowledge_view(request: HttpRequest, alarm_id: int) -> HttpResponse:
    _require_reader(request)
    try:
        alarm_acknowledge(alarm_id=alarm_id, actor=request.user)
    except NotFound:
        raise
    except DomainError as err:
        return _alarm_page(
            request, AlarmFilter(request.GET), status=err.status_code, error=str(err.message)
        )
    messages.success(request, _("Alarm acknowledged."))
    # Back to the same filters (only the filter's own fields survive the round trip).
    kept = QueryDict(request.POST.get("query", ""))
    query = urlencode({k: str(v) for k, v in kept.items() if k in AlarmFilter.base_fields and v})
    return redirect(f"{reverse('vehicles:alarms')}?{query}")


@login_required
@require_GET
def snow_progress_view(request: HttpRequest, event_id: int) -> HttpResponse:
    """Plough progress of a snowfall event per road class against its clearing deadlines."""
    _require_reader(request)
    event = SnowEvent.objects.filter(pk=event_id).first()
    if event is None:
        raise Http404
    data = snow_progress(event=event, user=request.user)
    return render(request, "vehicles/snow.html", {"event": event, **data})
