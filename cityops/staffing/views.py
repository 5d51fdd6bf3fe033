"""Pages of the staff transfer register: progress (task force, mayor's office: counts; who is
blocked, masked, for the task force), the HR officer's list, person page with the step and
pay forms and the audited reveal, the CSV import, XLSX/PDF exports. Thin adapters: parse →
one service/selector → render; a refused input is a 4xx with the reason on the page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cityops.core.crypto import mask_name
from cityops.core.errors import DomainError
from cityops.registry.io.services import ImportRejected
from cityops.staffing import access
from cityops.staffing import retirement as ret
from cityops.staffing.exports import progress_pdf_bytes, progress_xlsx_bytes
from cityops.staffing.importing import staff_import
from cityops.staffing.labels import FLAG_LABELS, flag_labels
from cityops.staffing.models import Batch, FormerUnit, Option, StaffMember, StaffStatus
from cityops.staffing.rules import (
    early_leave_eligible,
    early_leave_from,
    open_ended_contract_right,
    pay_cuts,
)
from cityops.staffing.selectors import (
    StaffFilter,
    blocked_staff,
    pay_lines,
    reference_date,
    retirement_rules,
    staff_list,
    staffing_limits,
    transfer_progress,
)
from cityops.staffing.services import (
    staff_batch_set,
    staff_pay_reason_approve,
    staff_pay_reason_set,
    staff_pay_set,
    staff_reveal,
    staff_step,
)
from cityops.staffing.transitions import STAFF_TRANSFER

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAY_ROWS = 8


def _chart(progress: dict[str, Any]) -> dict[str, Any]:
    steps = [(s.value, str(s.label)) for s in StaffStatus]
    return {
        "steps": [label for _value, label in steps],
        "units": {
            "names": [u["name"] for u in progress["units"]],
            "series": [[u["steps"][v] for u in progress["units"]] for v, _label in steps],
        },
        "batches": {
            "names": [b["name"] for b in progress["batches"]],
            "series": [[b["steps"][v] for b in progress["batches"]] for v, _label in steps],
        },
    }


def _blocked_rows(user: Any) -> list[dict[str, Any]]:
    return [
        {
            "pk": m.pk,
            "ref": str(m),
            "name": mask_name(m.name),
            "unit": m.unit.name,
            "batch": m.batch.name if m.batch else "",
            "status": m.get_status_display(),
            "why": flag_labels(m.flags),
        }
        for m in blocked_staff(user=user)
    ]


@login_required
@require_GET
def progress_page(request: HttpRequest) -> HttpResponse:
    access.require_progress(request.user)
    progress = transfer_progress()
    steps = [(s.value, s.label) for s in StaffStatus]
    context = {
        "progress": progress,
        "steps": steps,
        "chart": _chart(progress),
        "flag_labels": [(FLAG_LABELS[f], n) for f, n in progress["flags"].items()],
        "option_labels": [
            (Option(k).label if k != "none" else _("not chosen yet"), n)
            for k, n in sorted(progress["options"].items())
        ],
        "blocked": _blocked_rows(request.user) if access.sees_blocked(request.user) else None,
        "hr": access.is_hr(request.user),
        "task_force": access.sees_blocked(request.user),
    }
    return render(request, "staffing/progress.html", context)


@login_required
@require_GET
def progress_xlsx(request: HttpRequest) -> HttpResponse:
    if not access.sees_blocked(request.user):
        access.require_hr(request.user)
    body = progress_xlsx_bytes(transfer_progress(), _blocked_rows(request.user))
    response = HttpResponse(body, content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="staff-transfer.xlsx"'
    return response


@login_required
@require_GET
def progress_pdf(request: HttpRequest) -> HttpResponse:
    if not access.sees_blocked(request.user):
        access.require_hr(request.user)
    body = progress_pdf_bytes(transfer_progress(), _blocked_rows(request.user))
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="staff-transfer.pdf"'
    return response


@login_required
@require_GET
def staff_list_page(request: HttpRequest) -> HttpResponse:
    access.require_hr(request.user)
    filters = StaffFilter(
        unit=request.GET.get("unit", ""),
        batch=request.GET.get("batch", ""),
        status=request.GET.get("status", ""),
        flag=request.GET.get("flag", ""),
    )
    page = Paginator(staff_list(user=request.user, filters=filters), 50).get_page(
        request.GET.get("page")
    )
    rows = [
        {"m": m, "name": mask_name(m.name), "why": flag_labels(m.flags)} for m in page.object_list
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "staffing/list.html",
        {
            "page": page,
            "rows": rows,
            "filters": filters,
            "query": query.urlencode(),
            "units": FormerUnit.objects.all(),
            "batches": Batch.objects.select_related("difficulty"),
            "statuses": StaffStatus.choices,
            "flags": list(FLAG_LABELS.items()),
        },
    )


def _detail(request: HttpRequest, member: StaffMember, **extra: Any) -> dict[str, Any]:
    rule = retirement_rules()[member.retirement_category]
    birth = member.birth_date
    limits = staffing_limits()
    on = reference_date(member)
    lines = pay_lines(member)
    cuts = {line.item for line in pay_cuts(lines)}
    window = ret.flexible_window(birth, rule)
    pay_rows = [{"item": p.item, "old": p.old, "new": p.new, "cut": p.item in cuts} for p in lines]
    pay_rows += [{"item": "", "old": "", "new": "", "cut": False}] * max(
        0, PAY_ROWS - len(pay_rows)
    )
    return {
        "m": member,
        "name": mask_name(member.name),
        "age": ret.retirement_age_months(birth, rule),
        "age_text": _("%(y)d years %(m)d months")
        % {
            "y": ret.retirement_age_months(birth, rule) // 12,
            "m": ret.retirement_age_months(birth, rule) % 12,
        },
        "window": window,
        "reference": on,
        "early_eligible": early_leave_eligible(
            retirement=member.retirement_date,
            service_start=member.service_start,
            on=on,
            limits=limits,
        ),
        "early_from": early_leave_from(
            retirement=member.retirement_date, service_start=member.service_start, limits=limits
        ),
        "open_ended": open_ended_contract_right(
            retirement=member.retirement_date, service_start=member.service_start, on=on
        ),
        "service_years": (
            ret.months_between(member.service_start, on) // 12 if member.service_start else None
        ),
        "why": flag_labels(member.flags),
        "pay_rows": pay_rows,
        "old_total": sum((p.old for p in lines), start=0),
        "new_total": sum((p.new or 0 for p in lines), start=0),
        "actions": STAFF_TRANSFER.actions_from(member.status),
        "options": [(o.value, o.label) for o in Option if o.value],
        "batches": Batch.objects.select_related("difficulty"),
        "can_approve_reason": bool(member.pay_cut_reason)
        and member.pay_cut_approved_by_id is None
        and member.pay_cut_reason_by_id != request.user.pk,
        **extra,
    }


@login_required
@require_GET
def staff_page(request: HttpRequest, pk: int) -> HttpResponse:
    member = access.access_staff(pk, request.user)
    return render(request, "staffing/staff.html", _detail(request, member))


def _act(
    request: HttpRequest, pk: int, run: Callable[[StaffMember], Any], done: str
) -> HttpResponse:
    member = access.access_staff(pk, request.user)
    try:
        run(member)
    except DomainError as exc:
        member.refresh_from_db()
        context = _detail(request, member, error=exc.message)
        return render(request, "staffing/staff.html", context, status=exc.status_code)
    messages.success(request, done)
    return redirect(reverse("staffing:staff", args=[pk]))


@login_required
@require_POST
def staff_step_post(request: HttpRequest, pk: int) -> HttpResponse:
    action = request.POST.get("action", "")
    option = request.POST.get("option", "")
    return _act(
        request,
        pk,
        lambda m: staff_step(member=m, action=action, actor=request.user, option=option),
        _("Step recorded."),
    )


@login_required
@require_POST
def staff_pay_post(request: HttpRequest, pk: int) -> HttpResponse:
    lines = [
        (
            request.POST.get(f"item_{i}", ""),
            request.POST.get(f"old_{i}", "") or "0",
            request.POST.get(f"new_{i}", ""),
        )
        for i in range(PAY_ROWS)
    ]
    return _act(
        request,
        pk,
        lambda m: staff_pay_set(member=m, lines=lines, actor=request.user),
        _("Pay saved."),
    )


@login_required
@require_POST
def staff_reason_post(request: HttpRequest, pk: int) -> HttpResponse:
    reason = request.POST.get("reason", "")
    return _act(
        request,
        pk,
        lambda m: staff_pay_reason_set(member=m, reason=reason, actor=request.user),
        _("Reason recorded; another officer must approve it."),
    )


@login_required
@require_POST
def staff_reason_approve_post(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda m: staff_pay_reason_approve(member=m, actor=request.user),
        _("Reason approved."),
    )


@login_required
@require_POST
def staff_batch_post(request: HttpRequest, pk: int) -> HttpResponse:
    code = request.POST.get("batch", "")

    def run(member: StaffMember) -> None:
        batch = Batch.objects.filter(code=code).first() if code else None
        if code and batch is None:
            raise DomainError(_("Unknown batch."), field="batch")
        staff_batch_set(member=member, batch=batch, actor=request.user)

    return _act(request, pk, run, _("Batch saved."))


@login_required
@require_POST
def staff_reveal_post(request: HttpRequest, pk: int) -> HttpResponse:
    member = access.access_staff(pk, request.user)
    try:
        values = staff_reveal(
            member=member, actor=request.user, purpose=request.POST.get("purpose", "")
        )
    except DomainError as exc:
        context = _detail(request, member, error=exc.message)
        return render(request, "staffing/staff.html", context, status=exc.status_code)
    return render(request, "staffing/staff.html", _detail(request, member, revealed=values))


@login_required
@require_http_methods(["GET", "POST"])
def import_page(request: HttpRequest) -> HttpResponse:
    access.require_hr(request.user)
    context: dict[str, Any] = {}
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        dry_run = request.POST.get("dry_run") == "1"
        if upload is None:
            context["error"] = _("Choose a CSV file.")
            status = 400
        else:
            try:
                result = staff_import(data=upload.read(), actor=request.user, dry_run=dry_run)
            except ImportRejected as exc:
                context.update(error=exc.message, issues=exc.issues)
                status = 400
            except DomainError as exc:
                context["error"] = exc.message
                status = exc.status_code
            else:
                context["result"] = result
    return render(request, "staffing/import.html", context, status=status)
