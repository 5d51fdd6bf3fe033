"""Pages of the decisions app (``/decisions/``): thin adapters — access first (404 out of
scope), a form validates, one service decides, then redirect; a refused step re-renders the
page with the service's message and its status (400/403/409)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cityops.accounts.access import actor_for
from cityops.accounts.models import Role
from cityops.core.errors import DomainError
from cityops.core.periods import Period, month_first
from cityops.core.private_media import private_file_response
from cityops.decisions import access, reports, selectors
from cityops.decisions import forms as f
from cityops.decisions.indicators import REGISTRY
from cityops.decisions.models import (
    ConsultationComment,
    ConsultationRound,
    DocumentVersion,
    ExtensionRequest,
    ExtensionStatus,
    ItemStatus,
    Meeting,
    MeetingKind,
    ReportAttachment,
)
from cityops.decisions.services import documents as docs
from cityops.decisions.services import items as svc
from cityops.decisions.services import taskforce as tf
from cityops.decisions.transitions import ITEM


def _fail(form: forms.Form | None, exc: DomainError, request: HttpRequest) -> int:
    if form is not None and exc.field in form.fields:
        form.add_error(exc.field, str(exc.message))
    else:
        messages.error(request, str(exc.message))
    return int(exc.status_code)


def _section(request: HttpRequest) -> bool:
    return actor_for(request.user).has_role(Role.SUPERVISION_SECTION)


# --- Items --------------------------------------------------------------------------------


@login_required
@require_GET
def items(request: HttpRequest) -> HttpResponse:
    access.require_reader(request.user)
    unit = request.GET.get("unit", "")
    status = request.GET.get("status", "")
    rows = selectors.items_for(
        request.user,
        status=status if status in ItemStatus.values else "",
        unit_id=int(unit) if unit.isdigit() else None,
        late_only=request.GET.get("late") == "1",
    )
    overview = selectors.decision_overview(user=request.user)
    return render(
        request,
        "decisions/items.html",
        {
            "rows": rows,
            "overview": overview,
            "statuses": ItemStatus.choices,
            "status": status,
            "unit": unit,
            "late": request.GET.get("late") == "1",
            "section": _section(request),
        },
    )


ACTION_FORMS: dict[str, type[forms.Form]] = {
    "plan": f.ReportForm,
    "report": f.ReportForm,
    "complete": f.ReportForm,
    "return": f.ReasonForm,
    "suspend": f.ReasonForm,
    "cancel": f.CancelForm,
    "extension": f.ExtensionForm,
    "extension_decide": f.ExtensionDecideForm,
    "interview": f.InterviewForm,
}


def _item_page(
    request: HttpRequest,
    item_id: int,
    *,
    status: int = 200,
    bound: dict[str, forms.Form] | None = None,
) -> HttpResponse:
    item = access.access_item(item_id, request.user)
    actor = actor_for(request.user)
    is_lead = item.lead_unit_id in access.liaison_units(actor)
    section = actor.has_role(Role.SUPERVISION_SECTION)
    possible = [
        rule.action
        for rule in ITEM.actions_from(item.status)
        if rule.roles
        and actor.has_role(*rule.roles)
        and (Role.UNIT_LIAISON not in rule.roles or is_lead)
    ]
    if is_lead and item.status in (ItemStatus.SIGNED, ItemStatus.IN_PROGRESS):
        possible.append("extension")
    if section and item.is_open:
        possible.append("interview")
    action_forms = {
        name: ACTION_FORMS[name](auto_id=f"id_{name}_%s")
        for name in possible
        if name in ACTION_FORMS
    }
    action_forms.update(bound or {})
    pending = item.extensions.filter(status=ExtensionStatus.PENDING).first()
    return render(
        request,
        "decisions/item.html",
        {
            "item": item,
            "standing": selectors.item_standing(item),
            "indicators": selectors.item_indicators(item, trend=True),
            "reports": item.reports.prefetch_related("attachments").select_related("author"),
            "escalations": item.escalations.all(),
            "extensions": item.extensions.all(),
            "milestones": item.milestones.all(),
            "co_units": item.co_units.all(),
            "possible": possible,
            "forms": action_forms,
            "pending": pending,
            "decide_form": f.ExtensionDecideForm(initial={"request": pending.pk})
            if pending and section
            else None,
            "section": section,
            "is_lead": is_lead,
        },
        status=status,
    )


@login_required
@require_GET
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _item_page(request, pk)


def _run_action(request: HttpRequest, pk: int, action: str, form: forms.Form | None) -> Any:
    data: dict[str, Any] = form.cleaned_data if form is not None else {}
    user = request.user
    files = request.FILES.getlist("files")
    calls: dict[str, Callable[[], Any]] = {
        "sign": lambda: svc.item_sign(item_id=pk, actor=user),
        "plan": lambda: svc.item_plan(item_id=pk, text=data["text"], files=files, actor=user),
        "report": lambda: svc.item_report_progress(
            item_id=pk,
            text=data["text"],
            percent_done=data.get("percent_done"),
            files=files,
            actor=user,
        ),
        "complete": lambda: svc.item_complete(
            item_id=pk, text=data["text"], files=files, actor=user
        ),
        "verify": lambda: svc.item_verify(item_id=pk, actor=user),
        "return": lambda: svc.item_return(item_id=pk, reason=data["reason"], actor=user),
        "suspend": lambda: svc.item_suspend(item_id=pk, reason=data["reason"], actor=user),
        "resume": lambda: svc.item_resume(item_id=pk, actor=user),
        "cancel": lambda: svc.item_cancel(
            item_id=pk, reason=data["reason"], meeting=data.get("meeting"), actor=user
        ),
        "extension": lambda: svc.extension_request(
            item_id=pk, until=data["until"], reason=data["reason"], actor=user
        ),
        "extension_decide": lambda: svc.extension_decide(
            request_id=data["request"],
            approve=data["decision"] == "approve",
            reason=data.get("reason", ""),
            actor=user,
        ),
        "interview": lambda: svc.item_interview_record(
            item_id=pk, record=data["record"], actor=user
        ),
    }
    return calls[action]()


@login_required
@require_POST
def item_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    access.access_item(pk, request.user)  # 404 before anything else
    known = {r.action for r in ITEM.transitions if r.roles} | {
        "extension",
        "extension_decide",
        "interview",
    }
    if action not in known:
        raise Http404(_("No such page."))
    form_class = ACTION_FORMS.get(action)
    form = form_class(request.POST, auto_id=f"id_{action}_%s") if form_class is not None else None
    if form is not None and not form.is_valid():
        messages.error(request, _("Please correct the form."))
        return _item_page(request, pk, status=400, bound={action: form})
    if action == "extension_decide" and form is not None:
        request_id = form.cleaned_data["request"]
        if not ExtensionRequest.objects.filter(pk=request_id, item_id=pk).exists():
            raise Http404(_("No such request."))
    try:
        _run_action(request, pk, action, form)
    except DomainError as exc:
        status = _fail(form, exc, request)
        return _item_page(request, pk, status=status, bound={action: form} if form else None)
    messages.success(request, _("Done."))
    return redirect("decisions:item", pk=pk)


@login_required
@require_GET
def attachment(request: HttpRequest, pk: int) -> HttpResponseBase:
    row = ReportAttachment.objects.select_related("report").filter(pk=pk).first()
    if row is None:
        raise Http404
    access.access_item(row.report.item_id, request.user)
    return private_file_response(row.file.name, content_type=row.content_type)


# --- Meetings -----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def meetings(request: HttpRequest) -> HttpResponse:
    if not access.reads_all(request.user):
        raise Http404(_("No such page."))
    form, status = f.MeetingForm(), 200
    if request.method == "POST":
        form = f.MeetingForm(request.POST)
        if not form.is_valid():
            status = 400
        else:
            try:
                meeting = svc.meeting_create(**form.cleaned_data, actor=request.user)
            except DomainError as exc:
                status = _fail(form, exc, request)
            else:
                return redirect("decisions:meeting", pk=meeting.pk)
    rows = Meeting.objects.select_related("task_force").order_by("-held_on")[:200]
    return render(
        request,
        "decisions/meetings.html",
        {"meetings": rows, "form": form, "section": _section(request)},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    if not access.reads_all(request.user):
        raise Http404(_("No such page."))
    meeting = Meeting.objects.select_related("task_force").filter(pk=pk).first()
    if meeting is None:
        raise Http404(_("No such meeting."))
    form, status = f.ItemForm(), 200
    if request.method == "POST":
        form = f.ItemForm(request.POST)
        if not form.is_valid():
            status = 400
        else:
            data = form.cleaned_data
            try:
                svc.item_create(
                    meeting=meeting,
                    text=data["text"],
                    kind=data["kind"],
                    lead_unit=data["lead_unit"],
                    co_units=list(data["co_units"]),
                    leader=data["leader"],
                    deadline_date=data["deadline_date"],
                    deadline_working_days=data["deadline_working_days"],
                    rhythm=data["rhythm"],
                    evidence_required=data["evidence_required"],
                    document=data["document"],
                    task_force=None,
                    milestones=data["milestones"],
                    indicators=data["indicators"],
                    actor=request.user,
                )
            except DomainError as exc:
                status = _fail(form, exc, request)
            else:
                messages.success(request, _("The item has been assigned."))
                return redirect("decisions:meeting", pk=meeting.pk)
    return render(
        request,
        "decisions/meeting.html",
        {
            "meeting": meeting,
            "rows": selectors.items_for(request.user, meeting_id=meeting.pk),
            "form": form,
            "section": _section(request),
            "indicator_codes": sorted(REGISTRY),
        },
        status=status,
    )


# --- Bulletin -----------------------------------------------------------------------------


def _bulletin_period(request: HttpRequest, month: str | None) -> Period:
    text = month or request.GET.get("month", "")
    if not text:
        return Period.month_of(timezone.localdate())
    try:
        return Period.month_of(month_first(text, field="month"))
    except (DomainError, ValueError) as exc:
        raise Http404(_("No such month.")) from exc


@login_required
@require_GET
def bulletin(request: HttpRequest, month: str | None = None, fmt: str = "") -> HttpResponseBase:
    if not access.reads_all(request.user):
        raise Http404(_("No such page."))
    period = _bulletin_period(request, month)
    data = selectors.bulletin_data(period=period, user=request.user)
    if fmt == "pdf":
        response = HttpResponse(reports.bulletin_pdf(data), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="bulletin-{period.code}.pdf"'
        return response
    if fmt == "xlsx":
        response = HttpResponse(
            reports.bulletin_xlsx(data),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="bulletin-{period.code}.xlsx"'
        return response
    return render(request, "decisions/bulletin.html", {"data": data, "period": period})


# --- Documents ----------------------------------------------------------------------------

DOC_FORMS: dict[str, type[forms.Form]] = {
    "version": f.VersionForm,
    "consult": f.RoundForm,
    "comment": f.CommentForm,
    "answer": f.AnswerForm,
    "submit_review": forms.Form,
    "review": f.ReviewForm,
    "approve": f.ApproveForm,
    "issue": f.IssueForm,
    "repeal": f.ReasonForm,
}


@login_required
@require_http_methods(["GET", "POST"])
def documents(request: HttpRequest) -> HttpResponse:
    access.require_reader(request.user)
    form, status = f.DocumentForm(), 200
    if request.method == "POST":
        form = f.DocumentForm(request.POST)
        if not form.is_valid():
            status = 400
        else:
            try:
                document = docs.document_create(**form.cleaned_data, actor=request.user)
            except DomainError as exc:
                status = _fail(form, exc, request)
            else:
                return redirect("decisions:document", pk=document.pk)
    return render(
        request,
        "decisions/documents.html",
        {
            "documents": access.documents_visible_to(request.user).select_related("drafting_unit"),
            "form": form,
            "section": _section(request),
        },
        status=status,
    )


def _document_page(
    request: HttpRequest, pk: int, *, status: int = 200, bound: dict[str, forms.Form] | None = None
) -> HttpResponse:
    document = access.access_document(pk, request.user)
    rounds = list(document.rounds.prefetch_related("comments__unit"))
    doc_forms = {name: cls() for name, cls in DOC_FORMS.items()}
    if rounds:
        doc_forms["comment"] = f.CommentForm(initial={"round": rounds[-1].pk})
    doc_forms.update(bound or {})
    return render(
        request,
        "decisions/document.html",
        {
            "document": document,
            "versions": document.versions.all(),
            "rounds": rounds,
            "forms": doc_forms,
            "section": _section(request),
            "drafter": _section(request)
            or document.drafting_unit_id in access.liaison_units(actor_for(request.user)),
            "items": document.items.select_related("meeting"),
            "answer_choices": [c for c in f.AnswerForm.base_fields["answer"].choices],  # type: ignore[attr-defined]
        },
        status=status,
    )


@login_required
@require_GET
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _document_page(request, pk)


@login_required
@require_POST
def document_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    access.access_document(pk, request.user)
    form_class = DOC_FORMS.get(action)
    if form_class is None:
        raise Http404(_("No such page."))
    form = form_class(request.POST, request.FILES)
    if not form.is_valid():
        return _document_page(request, pk, status=400, bound={action: form})
    d, user = form.cleaned_data, request.user
    if (
        action == "comment"
        and not ConsultationRound.objects.filter(pk=d["round"], document_id=pk).exists()
    ):
        raise Http404(_("No such consultation round."))
    calls: dict[str, Callable[[], Any]] = {
        "version": lambda: docs.document_version_add(
            document_id=pk, file=d["file"], note=d["note"], actor=user
        ),
        "consult": lambda: docs.document_consult(
            document_id=pk, opens_on=d["opens_on"], closes_on=d["closes_on"], actor=user
        ),
        "comment": lambda: docs.consultation_comment_add(
            round_id=d["round"], unit=d["unit"], text=d["text"], actor=user
        ),
        "answer": lambda: _answer(pk, d, user),
        "submit_review": lambda: docs.document_submit_review(document_id=pk, actor=user),
        "review": lambda: docs.document_review(
            document_id=pk, passed=d["passed"], note=d["note"], actor=user
        ),
        "approve": lambda: docs.document_approve(document_id=pk, meeting=d["meeting"], actor=user),
        "issue": lambda: docs.document_issue(
            document_id=pk,
            number=d["number"],
            issued_on=d["issued_on"],
            effective_on=d["effective_on"],
            valid_until=d["valid_until"],
            actor=user,
        ),
        "repeal": lambda: docs.document_repeal(document_id=pk, reason=d["reason"], actor=user),
    }
    try:
        calls[action]()
    except DomainError as exc:
        status = _fail(form, exc, request)
        return _document_page(request, pk, status=status, bound={action: form})
    messages.success(request, _("Done."))
    return redirect("decisions:document", pk=pk)


def _answer(document_id: int, data: dict[str, Any], user: Any) -> ConsultationComment:
    comment = ConsultationComment.objects.filter(
        pk=data["comment"], round__document_id=document_id
    ).first()
    if comment is None:
        raise Http404
    return docs.consultation_answer(
        comment_id=comment.pk, answer=data["answer"], reason=data["reason"], actor=user
    )


@login_required
@require_GET
def version_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    row = DocumentVersion.objects.filter(pk=pk).first()
    if row is None:
        raise Http404
    access.access_document(row.document_id, request.user)
    return private_file_response(row.file.name, content_type=row.content_type)


# --- Task forces --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def task_forces(request: HttpRequest) -> HttpResponse:
    access.require_reader(request.user)
    form, status = f.TaskForceForm(), 200
    if request.method == "POST":
        form = f.TaskForceForm(request.POST)
        if not form.is_valid():
            status = 400
        else:
            try:
                task_force = tf.task_force_create(**form.cleaned_data, actor=request.user)
            except DomainError as exc:
                status = _fail(form, exc, request)
            else:
                return redirect("decisions:task-force", pk=task_force.pk)
    return render(
        request,
        "decisions/task_forces.html",
        {
            "task_forces": access.task_forces_visible_to(request.user).select_related("lead_unit"),
            "form": form,
            "section": _section(request),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def task_force_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task_force = access.access_task_force(pk, request.user)
    member_form, meeting_form, status = f.MemberForm(), f.DispatchMeetingForm(), 200
    if request.method == "POST":
        try:
            if request.POST.get("form") == "member":
                member_form = f.MemberForm(request.POST)
                if not member_form.is_valid():
                    raise DomainError(_("Please correct the form."))
                tf.task_force_member_add(
                    task_force=task_force, **member_form.cleaned_data, actor=request.user
                )
                return redirect("decisions:task-force", pk=pk)
            meeting_form = f.DispatchMeetingForm(request.POST)
            if not meeting_form.is_valid():
                raise DomainError(_("Please correct the form."))
            meeting = svc.meeting_create(
                kind=MeetingKind.DISPATCH,
                task_force=task_force,
                **meeting_form.cleaned_data,
                actor=request.user,
            )
            return redirect("decisions:meeting", pk=meeting.pk)
        except DomainError as exc:
            status = _fail(None, exc, request)
    return render(
        request,
        "decisions/task_force.html",
        {
            "task_force": task_force,
            "members": task_force.members.select_related("unit"),
            "meetings": task_force.meetings.order_by("-held_on"),
            "items": reports.task_force_items(task_force),
            "member_form": member_form,
            "meeting_form": meeting_form,
            "section": _section(request),
            "week_end": timezone.localdate(),
        },
        status=status,
    )


@login_required
@require_GET
def task_force_weekly(request: HttpRequest, pk: int) -> HttpResponse:
    task_force = access.access_task_force(pk, request.user)
    try:
        week_end = (
            dt.date.fromisoformat(request.GET.get("week_end", ""))
            if request.GET.get("week_end")
            else timezone.localdate()
        )
    except ValueError:
        return HttpResponse(_("Give the week's last day as YYYY-MM-DD."), status=400)
    response = HttpResponse(
        reports.task_force_weekly_pdf(task_force, week_end=week_end), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="task-force-{pk}-{week_end}.pdf"'
    return response


# --- Indicators ---------------------------------------------------------------------------


@login_required
@require_GET
def indicators(request: HttpRequest) -> HttpResponse:
    access.require_reader(request.user)
    latest = selectors.latest_values(list(REGISTRY))
    rows = [
        {"indicator": ind, "latest": latest.get(code), "trend": selectors.indicator_trend(code)}
        for code, ind in REGISTRY.items()
    ]
    return render(request, "decisions/indicators.html", {"rows": rows})
