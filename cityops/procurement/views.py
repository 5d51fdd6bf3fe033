"""Procurement pages (thin): the register, a project's timeline with its lawful-date markers and
the forms of its next steps, clarifications and challenges, and the task force's exports."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cityops.core.errors import DomainError, NotFound
from cityops.procurement import exports
from cityops.procurement.access import (
    access_challenge,
    access_complaint,
    access_project,
    can_write,
    require_read,
)
from cityops.procurement.forms import (
    STEP_FIELDS,
    AnswerForm,
    ChallengeForm,
    ClarificationForm,
    ComplaintForm,
    DecisionForm,
    LotForm,
    ProjectForm,
    StepForm,
)
from cityops.procurement.models import ChallengeStatus, Project, Status
from cityops.procurement.selectors import (
    challenge_window,
    latest_clarification_day,
    procurement_progress,
    project_bond_refunds,
    project_complaints,
    project_files_kept_until,
    project_rule_day,
    project_timeline,
    projects_visible,
    rule_set,
)
from cityops.procurement.services import (
    PeriodViolation,
    challenge_answer,
    challenge_record,
    challenge_withdraw,
    clarification_record,
    complaint_decide,
    complaint_record,
    complaint_withdraw,
    project_create,
    project_lot_add,
    project_step,
)
from cityops.procurement.texts import STEP_TITLES
from cityops.procurement.transitions import PROJECT


@login_required
@require_http_methods(["GET", "POST"])
def project_list_view(request: HttpRequest) -> HttpResponse:
    require_read(request.user)
    writer = can_write(request.user)
    form = ProjectForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not writer:
            raise NotFound("")
        status = 400
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                project = project_create(actor=request.user, **data)
            except DomainError as err:
                status = err.status_code
                form.add_error(err.field if err.field in form.fields else None, str(err.message))
            else:
                return redirect("procurement:detail", project_id=project.pk)
    progress = procurement_progress()
    chart = {
        "labels": [str(label) for _value, label in Status.choices],
        "values": [progress["by_status"][value] for value, _label in Status.choices],
    }
    rows = {
        row["id"]: {**row, "next_step": str(STEP_TITLES.get(row["next_step"] or "", ""))}
        for row in progress["projects"]
    }
    projects = [(p, rows.get(p.pk)) for p in projects_visible(request.user)]
    return render(
        request,
        "procurement/list.html",
        {"form": form, "writer": writer, "projects": projects, "progress": progress,
         "chart": chart},
        status=status,
    )  # fmt: skip


def _detail(
    request: HttpRequest,
    project: Project,
    *,
    status: int = 200,
    step_form: StepForm | None = None,
    clarification_form: ClarificationForm | None = None,
    challenge_form: ChallengeForm | None = None,
    lot_form: LotForm | None = None,
    complaint_form: ComplaintForm | None = None,
    error: DomainError | None = None,
) -> HttpResponse:
    rs = rule_set(project_rule_day(project))
    writer = can_write(request.user)
    actions = [
        {
            "rule": rule,
            "fields": STEP_FIELDS.get(rule.action, ()),
            "form": step_form
            if step_form is not None and step_form.data.get("action") == rule.action
            else StepForm(initial={"action": rule.action, "on": timezone.localdate()}),
        }
        for rule in PROJECT.actions_from(project.status)
        if rule.action != "clarify"
    ]
    challenges = list(project.challenges.order_by("received_on", "id"))
    timeline = project_timeline(project, rs)

    def iso(value: Any) -> str | None:
        return value.isoformat() if value else None

    chart = {
        "steps": [v.title for v in timeline],
        "done": [iso(v.done) for v in timeline],
        "earliest": [iso(v.earliest) if not v.done else None for v in timeline],
        "latest": [iso(v.latest) if not v.done else None for v in timeline],
        "today": timezone.localdate().isoformat(),
        "labels": [str(_("Done")), str(_("Earliest lawful")), str(_("Last lawful")),
                   str(_("Today"))],
    }  # fmt: skip
    return render(
        request,
        "procurement/detail.html",
        {
            "project": project,
            "writer": writer,
            "timeline": timeline,
            "chart": chart,
            "actions": actions if writer else [],
            "can_clarify": writer and project.status == Status.DOCUMENTS_ISSUED,
            "latest_clarification": latest_clarification_day(project, rs),
            "files_kept_until": project_files_kept_until(project),
            "bond_refunds": project_bond_refunds(project, rs),
            "complaints": project_complaints(project),
            "complaint_form": complaint_form or ComplaintForm(challenges=challenges),
            "decision_form": DecisionForm(initial={"decided_on": timezone.localdate()}),
            "clarifications": list(project.clarifications.all()),
            "clarification_form": clarification_form or ClarificationForm(),
            "challenges": challenges,
            "open_challenges": [c for c in challenges if c.status == ChallengeStatus.RECEIVED],
            "challenge_form": challenge_form or ChallengeForm(),
            "answer_form": AnswerForm(initial={"answered_on": timezone.localdate()}),
            "window": challenge_window(project, rs),
            "lots": list(
                project.lots.select_related("lot")
                .annotate(
                    n_roads=Count("road_segments", distinct=True),
                    n_greens=Count("green_spaces", distinct=True),
                    n_compounds=Count("compounds", distinct=True),
                )
                .order_by("code")
            ),
            "lot_form": lot_form or LotForm(),
            "can_add_lot": writer
            and project.contract_id is None
            and project.status != Status.CANCELLED,
            "error": error,
            "overridable": isinstance(error, PeriodViolation) and error.overridable,
            "proposal": getattr(error, "proposal", None),
            "today": timezone.localdate(),
        },
        status=status,
    )


@login_required
@require_GET
def project_detail_view(request: HttpRequest, project_id: int) -> HttpResponse:
    return _detail(request, access_project(project_id, request.user))


@login_required
@require_POST
def project_step_view(request: HttpRequest, project_id: int) -> HttpResponse:
    project = access_project(project_id, request.user)
    if not can_write(request.user):
        raise NotFound("")
    form = StepForm(request.POST)
    if not form.is_valid():
        return _detail(request, project, status=400, step_form=form)
    data = form.cleaned_data
    action = data["action"]
    values = {
        name: data[name] for name in STEP_FIELDS.get(action, ()) if data.get(name) is not None
    }
    try:
        project_step(
            project_id=project.pk,
            action=action,
            on=data["on"],
            actor=request.user,
            override_reason=data.get("override_reason") or "",
            **values,
        )
    except DomainError as err:
        form.add_error(None, str(err.message))
        project.refresh_from_db()
        return _detail(request, project, status=err.status_code, step_form=form, error=err)
    messages.success(request, _("Step recorded."))
    return redirect("procurement:detail", project_id=project.pk)


@login_required
@require_POST
def lot_add_view(request: HttpRequest, project_id: int) -> HttpResponse:
    project = access_project(project_id, request.user)
    if not can_write(request.user):
        raise NotFound("")
    form = LotForm(request.POST)
    if form.is_valid():
        try:
            project_lot_add(project_id=project.pk, actor=request.user, spec=form.cleaned_data)
        except DomainError as err:
            form.add_error(err.field if err.field in form.fields else None, str(err.message))
        else:
            messages.success(request, _("Lot added."))
            return redirect("procurement:detail", project_id=project.pk)
    return _detail(request, project, status=400, lot_form=form)


@login_required
@require_POST
def clarification_view(request: HttpRequest, project_id: int) -> HttpResponse:
    project = access_project(project_id, request.user)
    if not can_write(request.user):
        raise NotFound("")
    form = ClarificationForm(request.POST)
    if not form.is_valid():
        return _detail(request, project, status=400, clarification_form=form)
    try:
        clarification_record(project_id=project.pk, actor=request.user, **form.cleaned_data)
    except DomainError as err:
        proposal = getattr(err, "proposal", None)
        if proposal is not None:
            form = ClarificationForm({**request.POST.dict(), "new_deadline": proposal})
            form.is_valid()
        form.add_error(None, str(err.message))
        project.refresh_from_db()
        return _detail(request, project, status=err.status_code, clarification_form=form, error=err)
    messages.success(request, _("Clarification recorded."))
    return redirect("procurement:detail", project_id=project.pk)


@login_required
@require_POST
def challenge_new_view(request: HttpRequest, project_id: int) -> HttpResponse:
    project = access_project(project_id, request.user)
    if not can_write(request.user):
        raise NotFound("")
    form = ChallengeForm(request.POST)
    if not form.is_valid():
        return _detail(request, project, status=400, challenge_form=form)
    try:
        challenge_record(project_id=project.pk, actor=request.user, **form.cleaned_data)
    except DomainError as err:
        form.add_error(err.field if err.field in form.fields else None, str(err.message))
        return _detail(request, project, status=err.status_code, challenge_form=form)
    messages.success(request, _("Challenge recorded."))
    return redirect("procurement:detail", project_id=project.pk)


@login_required
@require_POST
def complaint_new_view(request: HttpRequest, project_id: int) -> HttpResponse:
    project = access_project(project_id, request.user)
    if not can_write(request.user):
        raise NotFound("")
    form = ComplaintForm(request.POST, challenges=project.challenges.all())
    if not form.is_valid():
        return _detail(request, project, status=400, complaint_form=form)
    data = dict(form.cleaned_data)
    try:
        complaint_record(
            challenge_id=data.pop("challenge"),
            actor=request.user,
            excluded_days=data.pop("excluded_days") or 0,
            **data,
        )
    except DomainError as err:
        form.add_error(err.field if err.field in form.fields else None, str(err.message))
        return _detail(request, project, status=err.status_code, complaint_form=form)
    messages.success(request, _("Complaint recorded."))
    return redirect("procurement:detail", project_id=project.pk)


@login_required
@require_POST
def complaint_decide_view(request: HttpRequest, complaint_id: int) -> HttpResponse:
    complaint = access_complaint(complaint_id, request.user)
    if not can_write(request.user):
        raise NotFound("")
    project = complaint.challenge.project
    if request.POST.get("withdraw"):
        try:
            complaint_withdraw(complaint_id=complaint.pk, actor=request.user)
        except DomainError as err:
            return _detail(request, project, status=err.status_code, error=err)
        return redirect("procurement:detail", project_id=project.pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _detail(request, project, status=400, error=DomainError(_("Check the decision.")))
    try:
        complaint_decide(complaint_id=complaint.pk, actor=request.user, **form.cleaned_data)
    except DomainError as err:
        return _detail(request, project, status=err.status_code, error=err)
    messages.success(request, _("Decision recorded."))
    return redirect("procurement:detail", project_id=project.pk)


@login_required
@require_POST
def challenge_answer_view(request: HttpRequest, challenge_id: int) -> HttpResponse:
    challenge = access_challenge(challenge_id, request.user)
    if not can_write(request.user):
        raise NotFound("")
    project = challenge.project
    if request.POST.get("withdraw"):
        try:
            challenge_withdraw(challenge_id=challenge.pk, actor=request.user)
        except DomainError as err:
            return _detail(request, project, status=err.status_code, error=err)
        return redirect("procurement:detail", project_id=project.pk)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        return _detail(request, project, status=400, error=DomainError(_("Check the answer.")))
    try:
        challenge_answer(challenge_id=challenge.pk, actor=request.user, **form.cleaned_data)
    except DomainError as err:
        return _detail(request, project, status=err.status_code, error=err)
    messages.success(request, _("Answer recorded."))
    return redirect("procurement:detail", project_id=project.pk)


@login_required
@require_GET
def project_pdf_view(request: HttpRequest, project_id: int) -> HttpResponse:
    project = access_project(project_id, request.user)
    response = HttpResponse(exports.project_pdf(project), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="procurement-{project.pk}.pdf"'
    return response


@login_required
@require_GET
def export_xlsx_view(request: HttpRequest) -> HttpResponse:
    require_read(request.user)
    response = HttpResponse(
        exports.projects_xlsx(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="procurement.xlsx"'
    return response
