"""Per-snowfall evaluation pages: a supervisor evaluates an event; a contract's snow score with
its drill-down (roads, deadlines, days late, items, inspections)."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import DateField, Exists, OuterRef, QuerySet
from django.db.models.functions import TruncMonth
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cityops.accounts.access import actor_for
from cityops.accounts.models import Role
from cityops.core.errors import DomainError, NotFound
from cityops.evaluations.access import is_supervisor, operator_orgs
from cityops.evaluations.explain import describe_step
from cityops.evaluations.models import Period, PeriodStatus, SnowEvaluation
from cityops.evaluations.snow import evaluate_snow_event
from cityops.evaluations.views_common import supervisor_required


def snow_evaluations_visible_to(user: object) -> QuerySet[SnowEvaluation]:
    """Supervisors: all; the mayor's office: those of published months; operator staff: their
    organisations' contracts once the month of the snowfall is published (like monthly
    scores); others: none. The month of an event is the month its snow stopped."""
    qs = SnowEvaluation.objects.select_related("event", "contract", "contract__operator", "scheme")
    if is_supervisor(user):
        return qs
    qs = qs.annotate(snow_month=TruncMonth("event__ended_at", output_field=DateField()))
    published = Exists(
        Period.objects.filter(month=OuterRef("snow_month"), status=PeriodStatus.PUBLISHED)
    )
    if actor_for(user).has_role(Role.MAYOR_VIEWER):
        return qs.filter(published)
    orgs = operator_orgs(user)
    return qs.filter(published, contract__operator_id__in=orgs) if orgs else qs.none()


@supervisor_required
@require_POST
def snow_evaluate_view(request: HttpRequest, event_id: int) -> HttpResponse:
    try:
        stored = evaluate_snow_event(event_id=event_id, actor=request.user)
    except NotFound as exc:
        raise Http404(_("Snowfall event not found.")) from exc
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect(reverse("inspections:snow-detail", args=[event_id]))
    messages.success(request, _("%(n)d contracts evaluated for this event.") % {"n": len(stored)})
    return redirect(reverse("inspections:snow-detail", args=[event_id]))


@login_required
@require_GET
def snow_evaluation_view(request: HttpRequest, snow_id: int) -> HttpResponse:
    evaluation = snow_evaluations_visible_to(request.user).filter(pk=snow_id).first()
    if evaluation is None:
        raise Http404(_("No such evaluation."))
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
    revisions = SnowEvaluation.objects.filter(
        event_id=evaluation.event_id, contract_id=evaluation.contract_id
    ).order_by("revision")
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
            "revisions": revisions,
            "is_supervisor": is_supervisor(request.user),
        },
    )
