"""Evaluation detail (both roles, scoped), appeals: file, queue, decide, withdraw, evidence."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cityops.core.errors import DomainError, NotFound
from cityops.evaluations.access import (
    access_appeal,
    access_evaluation,
    appeals_visible_to,
    evaluations_visible_to,
    is_supervisor,
    operator_orgs,
)
from cityops.evaluations.appeals.results import (
    appeal_file_response,
    appeal_form,
    appeals_named,
    diff_response,
    item_name,
)
from cityops.evaluations.appeals.services import (
    appeal_deadline,
    appeal_decide,
    appeal_file,
    appeal_withdraw,
)
from cityops.evaluations.forms import AppealForm, DecideForm
from cityops.evaluations.models import (
    AppealEvidence,
    AppealStatus,
    Evaluation,
)
from cityops.evaluations.ranking.selectors import access_report
from cityops.evaluations.runs.explain import describe_step
from cityops.evaluations.surveys.services import policy_get
from cityops.evaluations.views_common import evaluations_user_required, form_error


def _inspection_url(inspection_id: int) -> str:
    try:
        return reverse("inspections:detail", args=[inspection_id])
    except NoReverseMatch:  # the inspections pages are not installed
        return ""


def _items(evaluation: Evaluation) -> list[dict[str, Any]]:
    """Every scored item with its name and the inspections that recorded it."""
    names = {
        (c["code"], i["code"]): i["name"]
        for c in evaluation.scheme_snapshot["components"]
        for i in c["items"]
    }
    evidence = (evaluation.inputs.get("inspection") or {}).get("evidence") or {}
    measure_urls = {m["item"]: m.get("url", "") for m in evaluation.inputs.get("measures") or []}
    rows = []
    for component in evaluation.result["components"]:
        for item in component["items"]:
            ids = evidence.get(component["code"], {}).get(item["code"], [])
            rows.append(
                {
                    "component": component["code"],
                    "code": item["code"],
                    "name": names.get((component["code"], item["code"]), item["code"]),
                    "quantity": item["quantity"],
                    "deduction": item["deduction"],
                    "veto": item["veto"],
                    "capped": item["capped"],
                    "inspections": [(i, _inspection_url(i)) for i in ids],
                    "measure_url": measure_urls.get(item["code"], ""),
                }
            )
    return rows


def _detail(
    request: HttpRequest, evaluation: Evaluation, form: AppealForm | None, status: int = 200
) -> HttpResponse:
    user = request.user
    may_appeal = (
        evaluation.is_current
        and evaluation.period.is_frozen
        and evaluation.contract.operator_id in operator_orgs(user)
    )
    deadline = (
        appeal_deadline(evaluation.period.published_at, policy_get())
        if evaluation.period.published_at
        else None
    )
    names = {c["code"]: c["name"] for c in evaluation.scheme_snapshot["components"]}
    try:  # the PDF report: same rule as its download (operators: published months only)
        report_url = reverse("ranking:report-pdf", args=[access_report(evaluation.pk, user).pk])
    except NotFound:
        report_url = ""
    revisions = (
        evaluations_visible_to(user)
        .filter(period_id=evaluation.period_id, contract_id=evaluation.contract_id)
        .order_by("revision")
    )
    return render(
        request,
        "evaluations/evaluation.html",
        {
            "evaluation": evaluation,
            "report_url": report_url,
            "snow": evaluation.result.get("snow"),
            "components": [
                {**c, "name": names.get(c["code"], c["code"])}
                for c in evaluation.result["components"]
            ],
            "items": _items(evaluation),
            "explanation": [
                describe_step(step)
                for step in [
                    *evaluation.inputs.get("source_steps", []),
                    *evaluation.result["steps"],
                ]
            ],
            "revisions": revisions,
            "appeals": appeals_named(
                evaluation.appeals.select_related("filed_by", "snow_evaluation__event")
            ),
            "form": form if form is not None else (appeal_form(evaluation) if may_appeal else None),
            "may_appeal": may_appeal,
            "deadline": deadline,
            "supervisor": is_supervisor(user),
        },
        status=status,
    )


@evaluations_user_required
@require_GET
def evaluation_view(request: HttpRequest, evaluation_id: int) -> HttpResponse:
    evaluation = access_evaluation(evaluation_id, request.user)
    return _detail(request, evaluation, None)


@evaluations_user_required
@require_POST
def appeal_file_view(request: HttpRequest, evaluation_id: int) -> HttpResponse:
    evaluation = access_evaluation(evaluation_id, request.user)
    return appeal_file_response(
        request,
        evaluation,
        page=_detail,
        file=lambda pk, **given: appeal_file(evaluation_id=pk, **given),
    )


@evaluations_user_required
@require_GET
def diff_view(request: HttpRequest, evaluation_id: int, other_id: int) -> HttpResponse:
    a = access_evaluation(evaluation_id, request.user)
    b = access_evaluation(other_id, request.user)
    return diff_response(request, a, b, template="evaluations/diff.html")


@evaluations_user_required
@require_GET
def appeals_view(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "open")
    qs = appeals_visible_to(request.user).order_by("created_at")
    if status in AppealStatus.values:
        qs = qs.filter(status=status)
    else:
        status = ""
    return render(
        request,
        "evaluations/appeals.html",
        {"appeals": appeals_named(qs.select_related("evaluation", "snow_evaluation__event")[:200]),
         "status": status, "statuses": AppealStatus.choices,
         "supervisor": is_supervisor(request.user)},
    )  # fmt: skip


def _appeal_page(
    request: HttpRequest, appeal_id: int, form: DecideForm | None, status: int = 200
) -> HttpResponse:
    appeal = access_appeal(appeal_id, request.user)
    supervisor = is_supervisor(request.user)
    if form is None and supervisor and appeal.is_open:
        form = DecideForm()
    return render(
        request,
        "evaluations/appeal.html",
        {
            "appeal": appeal,
            "evidence": appeal.evidence.all(),
            "form": form if supervisor and appeal.is_open else None,
            "may_withdraw": appeal.is_open
            and appeal.evaluation.contract.operator_id in operator_orgs(request.user),
            "payment": appeal.component == "payment",
            "item_name": item_name(
                appeal.snow_evaluation or appeal.evaluation, appeal.component, appeal.item
            ),
        },
        status=status,
    )


@evaluations_user_required
@require_http_methods(["GET", "POST"])
def appeal_view(request: HttpRequest, appeal_id: int) -> HttpResponse:
    if request.method == "GET":
        return _appeal_page(request, appeal_id, None)
    if not is_supervisor(request.user):
        access_appeal_or_404(appeal_id, request)
        return HttpResponse(status=403)
    form = DecideForm(request.POST)
    if not form.is_valid():
        return _appeal_page(request, appeal_id, form, status=400)
    try:
        appeal_decide(
            appeal_id=appeal_id, decision=form.cleaned_data["decision"], actor=request.user,
            note=form.cleaned_data["note"],
            adjusted_quantity=form.cleaned_data.get("adjusted_quantity") or Decimal(0),
        )  # fmt: skip
    except NotFound as exc:
        raise Http404 from exc
    except DomainError as exc:
        status = form_error(form, exc)
        return _appeal_page(request, appeal_id, form, status=status)
    messages.success(request, _("The appeal is decided."))
    return redirect("evaluations:appeal", appeal_id=appeal_id)


def access_appeal_or_404(appeal_id: int, request: HttpRequest) -> None:
    access_appeal(appeal_id, request.user)


@evaluations_user_required
@require_POST
def appeal_withdraw_view(request: HttpRequest, appeal_id: int) -> HttpResponse:
    try:
        appeal_withdraw(appeal_id=appeal_id, actor=request.user)
    except NotFound as exc:
        raise Http404 from exc
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("evaluations:appeal", appeal_id=appeal_id)
    messages.success(request, _("Your appeal is withdrawn."))
    return redirect("evaluations:appeal", appeal_id=appeal_id)


@evaluations_user_required
@require_GET
def evidence_view(request: HttpRequest, evidence_id: int) -> FileResponse:
    row = get_object_or_404(AppealEvidence, pk=evidence_id)
    access_appeal_or_404(row.appeal_id, request)
    response = FileResponse(row.file.open("rb"), content_type=row.content_type,
                            as_attachment=row.content_type == "application/pdf",
                            filename=row.name)  # fmt: skip
    response["X-Content-Type-Options"] = "nosniff"
    return response
