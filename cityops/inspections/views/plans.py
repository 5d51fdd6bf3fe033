"""Supervisor pages: the month's plans per lot (draw, completion) and one plan (reassign)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cityops.core.errors import DomainError
from cityops.inspections.models import InspectionPlan
from cityops.inspections.selectors import month_overview
from cityops.inspections.services.inspections import inspectors
from cityops.inspections.services.plans import inspection_assign, plan_draw, plan_recheck
from cityops.inspections.views import month_param, supervisor_only


@login_required
@require_http_methods(["GET", "POST"])
def plan_month_view(request: HttpRequest) -> HttpResponse:
    supervisor_only(request)
    month = month_param(request)
    status, error = 200, ""
    if request.method == "POST":
        raw_seed = (request.POST.get("seed") or "").strip()
        try:
            seed = int(raw_seed) if raw_seed else None
            lot_id = int(request.POST.get("lot") or 0)
        except ValueError:
            status, error = 400, _("The seed must be a whole number.")
        else:
            try:
                plan = plan_draw(lot_id=lot_id, month=month, actor=request.user, seed=seed)
            except DomainError as err:
                status, error = err.status_code, str(err.message)
            else:
                messages.success(
                    request, _("Plan drawn: %(n)d inspections.") % {"n": len(plan.drawn)}
                )
                return redirect("inspections:plan", plan_id=plan.pk)
    return render(
        request,
        "inspections/plan_month.html",
        {"month": month, "rows": month_overview(month=month), "error": error},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_detail_view(request: HttpRequest, plan_id: int) -> HttpResponse:
    supervisor_only(request)
    try:
        plan = InspectionPlan.objects.select_related("lot__contract").get(pk=plan_id)
    except InspectionPlan.DoesNotExist:
        raise Http404 from None
    rows = list(
        plan.inspections.select_related("road_segment", "green_space", "compound", "inspector")
    )
    return render(
        request,
        "inspections/plan_detail.html",
        {"plan": plan, "rows": rows, "inspectors": inspectors(), "recheck": plan_recheck(plan)},
    )


@login_required
@require_POST
def assign_view(request: HttpRequest) -> HttpResponse:
    supervisor_only(request)
    back = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("inspections:plans")
    try:
        ids = [int(x) for x in request.POST.getlist("inspection")]
        inspector_id = int(request.POST.get("inspector") or 0)
        n = inspection_assign(inspection_ids=ids, inspector_id=inspector_id, actor=request.user)
    except ValueError:
        messages.error(request, _("Choose inspections and an inspector."))
        return redirect(back)
    except DomainError as err:
        messages.error(request, str(err.message))
        return redirect(back)
    messages.success(request, _("%(n)d inspections assigned.") % {"n": n})
    return redirect(back)
