"""Per-snowfall evaluation pages: a supervisor queues the evaluation of an event (background
job with an htmx progress fragment); a contract's snow score with its drill-down (roads,
deadlines, days late, items, inspections), its revisions and diffs, and the operator's appeal
of one of its deductions."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cityops.core.errors import Conflict, DomainError, NotFound
from cityops.evaluations.access import (
    access_snow_evaluation,
    is_supervisor,
    operator_orgs,
    snow_evaluations_visible_to,
)
from cityops.evaluations.appeals.results import (
    appeal_file_response,
    appeal_form,
    appeals_named,
    diff_response,
)
from cityops.evaluations.appeals.snow import snow_appeal_file, snow_appeal_window
from cityops.evaluations.forms import AppealForm
from cityops.evaluations.models import SnowEvaluation, SnowEvaluationRun
from cityops.evaluations.runs.explain import describe_step
from cityops.evaluations.runs.jobs import snow_run_start
from cityops.evaluations.runs.views import run_progress_response
from cityops.evaluations.views_common import supervisor_required

__all__ = ["snow_evaluations_visible_to"]


@supervisor_required
@require_POST
def snow_evaluate_view(request: HttpRequest, event_id: int) -> HttpResponse:
    back = redirect(reverse("inspections:snow-detail", args=[event_id]))
    try:
        snow_run_start(event_id=event_id, actor=request.user)
    except NotFound as exc:
        raise Http404(_("Snowfall event not found.")) from exc
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return back
    messages.success(request, _("The evaluation of this event is queued."))
    return back


@supervisor_required
@require_GET
def snow_run_progress_view(request: HttpRequest, run_id: int) -> HttpResponse:
    run = get_object_or_404(SnowEvaluationRun, pk=run_id)
    return run_progress_response(request, run, "evaluations/_snow_run_progress.html")


def _page(
    request: HttpRequest, evaluation: SnowEvaluation, form: AppealForm | None, status: int = 200
) -> HttpResponse:
    snapshot = evaluation.scheme_snapshot
    names = {c["code"]: c["name"] for c in snapshot["components"]}
    item_names = {
        (c["code"], i["code"]): i["name"] for c in snapshot["components"] for i in c["items"]
    }
    evidence = evaluation.inputs.get("evidence", {})
    items = [
        {
            "component": names.get(c["code"], c["code"]),
            "name": item_names.get((c["code"], i["code"]), i["code"]),
            "quantity": i["quantity"],
            "deduction": i["deduction"],
            "inspections": evidence.get(c["code"], {}).get(i["code"], []),
        }
        for c in evaluation.result["components"]
        for i in c.get("items", [])
        if Decimal(i["quantity"]) > 0
    ]
    revisions = snow_evaluations_visible_to(request.user).filter(
        event_id=evaluation.event_id, contract_id=evaluation.contract_id
    )
    deadline = None
    may_appeal = evaluation.is_current and evaluation.contract.operator_id in operator_orgs(
        request.user
    )
    if may_appeal:
        try:
            _month, deadline = snow_appeal_window(evaluation)
        except Conflict:
            may_appeal = False
    if form is None and may_appeal:
        form = appeal_form(evaluation)
    return render(
        request,
        "evaluations/snow_evaluation.html",
        {
            "evaluation": evaluation,
            "components": [
                {**c, "name": names.get(c["code"], c["code"])}
                for c in evaluation.result["components"]
            ],
            "items": items,
            "roads": evaluation.inputs.get("roads", []),
            "explanation": [describe_step(step) for step in evaluation.result.get("steps", [])],
            "revisions": revisions.order_by("revision"),
            "appeals": appeals_named(
                evaluation.appeals.select_related(
                    "filed_by", "evaluation", "snow_evaluation"
                ).order_by("created_at")
            ),
            "may_appeal": may_appeal,
            "deadline": deadline,
            "form": form if may_appeal else None,
            "is_supervisor": is_supervisor(request.user),
        },
        status=status,
    )


def _snow_or_404(snow_id: int, request: HttpRequest) -> SnowEvaluation:
    return access_snow_evaluation(snow_id, request.user)


@login_required
@require_GET
def snow_evaluation_view(request: HttpRequest, snow_id: int) -> HttpResponse:
    return _page(request, _snow_or_404(snow_id, request), None)


@login_required
@require_POST
def snow_appeal_file_view(request: HttpRequest, snow_id: int) -> HttpResponse:
    return appeal_file_response(
        request,
        _snow_or_404(snow_id, request),
        page=_page,
        file=lambda pk, **given: snow_appeal_file(snow_id=pk, **given),
    )


@login_required
@require_GET
def snow_diff_view(request: HttpRequest, snow_id: int, other_id: int) -> HttpResponse:
    a = _snow_or_404(snow_id, request)
    b = _snow_or_404(other_id, request)
    return diff_response(request, a, b, template="evaluations/snow_diff.html")
