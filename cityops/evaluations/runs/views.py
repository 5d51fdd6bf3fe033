"""Supervisor pages of the monthly run: months, start a run, its progress (htmx, the fragment
shared with a snowfall event's run), publish."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cityops.core.errors import DomainError
from cityops.core.periods import Kind
from cityops.core.periods import Period as CalendarPeriod
from cityops.evaluations.forms import MonthForm
from cityops.evaluations.models import Appeal, Evaluation, EvaluationRun, Period, RunBase
from cityops.evaluations.runs.jobs import run_start
from cityops.evaluations.runs.month import parse_month, period_publish
from cityops.evaluations.views_common import form_error, supervisor_required


@supervisor_required
@require_GET
def months_view(request: HttpRequest) -> HttpResponse:
    periods = Period.objects.annotate(
        n=Count("evaluations", filter=Q(evaluations__is_current=True)),
        appeals=Count("evaluations__appeals", filter=Q(evaluations__appeals__status="open")),
    ).order_by("-month")
    last = CalendarPeriod.last_complete(Kind.MONTH, timezone.now())
    form = MonthForm(initial={"month": str(last)})
    runs = EvaluationRun.objects.select_related("requested_by")[:10]
    return render(
        request, "evaluations/months.html", {"periods": periods, "form": form, "runs": runs}
    )


def _month(text: str) -> dt.date:
    try:
        return parse_month(text)
    except DomainError as exc:
        raise Http404 from exc


@supervisor_required
@require_GET
def month_view(request: HttpRequest, month: str) -> HttpResponse:
    first = _month(month)
    period = Period.objects.filter(month=first).first()
    evaluations = (
        Evaluation.objects.filter(period__month=first, is_current=True)
        .select_related("contract", "contract__operator", "scheme", "scheme__family")
        .annotate(open_appeals=Count("appeals", filter=Q(appeals__status="open")))
        .order_by("contract__number")
    )
    run = EvaluationRun.objects.filter(month=first).first()
    return render(
        request,
        "evaluations/month.html",
        {
            "first": first,
            "month": month,
            "period": period,
            "evaluations": evaluations,
            "run": run,
            "appeals": Appeal.objects.filter(evaluation__period__month=first).count(),
        },
    )


@supervisor_required
@require_POST
def run_start_view(request: HttpRequest) -> HttpResponse:
    form = MonthForm(request.POST)
    if not form.is_valid():
        return render(request, "evaluations/_run_form.html", {"form": form}, status=400)
    month = form.cleaned_data["month"]
    try:
        run_start(month=month, actor=request.user)
    except DomainError as exc:
        status = form_error(form, exc)
        return render(request, "evaluations/_run_form.html", {"form": form}, status=status)
    messages.success(request, _("The run of %(month)s is queued.") % {"month": f"{month:%Y-%m}"})
    return redirect("evaluations:month", month=f"{month:%Y-%m}")


@supervisor_required
@require_GET
def run_progress_view(request: HttpRequest, run_id: int) -> HttpResponse:
    run = get_object_or_404(EvaluationRun, pk=run_id)
    return run_progress_response(request, run, "evaluations/_run_progress.html")


def run_progress_response(request: HttpRequest, run: RunBase, template: str) -> HttpResponse:
    """The htmx progress fragment of a run of either kind of subject (a month, a snowfall
    event), polled while the run is active."""
    response = render(request, template, {"run": run})
    if not run.is_active and request.headers.get("HX-Request"):
        # The run ended: reload the subject's page so its results table shows the new numbers.
        response["HX-Refresh"] = "true"
    return response


@supervisor_required
@require_POST
def publish_view(request: HttpRequest, month: str) -> HttpResponse:
    first = _month(month)
    try:
        period_publish(month=first, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        response = redirect("evaluations:month", month=month)
        response.status_code = 303
        return response
    messages.success(request, _("%(month)s is published.") % {"month": month})
    return redirect(reverse("evaluations:month", args=[month]))
