"""What the pages of a stored result share, whichever subject it evaluates: a contract's month
(``Evaluation``) or its work in one snowfall event (``SnowEvaluation``).

Filing an appeal against one of the result's deductions and comparing two of its revisions were
written twice, once per subject (``appeals.views`` and ``snow.views``); the pages keep their URLs
and names and call these. A subject differs only in how its revisions are grouped (period or
event, with the contract: ``subjects.subject_key``), the service that files its appeal and the
page that shows it. Items and appeals are shown in the scheme's words (``item_name``), not its
codes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from cityops.core.errors import DomainError
from cityops.evaluations.appeals.services import deductions_of, revision_diff
from cityops.evaluations.forms import AppealForm
from cityops.evaluations.models import Appeal
from cityops.evaluations.subjects import Result, subject_key
from cityops.evaluations.views_common import form_error


class ResultPage(Protocol):
    def __call__(
        self, request: HttpRequest, evaluation: Any, form: AppealForm | None, status: int = 200
    ) -> HttpResponse: ...


def item_name(evaluation: Result, component: str, item: str) -> str:
    """An item in the scheme's words (component · item, or the penalty), not its codes."""
    snap = evaluation.scheme_snapshot
    for c in snap["components"]:
        for i in c["items"]:
            if (c["code"], i["code"]) == (component, item):
                return f"{c['name']} · {i['name']}"
    for p in snap["payment"]["penalties"]:
        if p["code"] == item:
            return str(p["name"])
    return f"{component}/{item}"


def appeals_named(appeals: Any) -> list[Appeal]:
    """The appeals with ``item_name`` (the scheme's words, not its internal codes)."""
    rows = list(appeals)
    for a in rows:
        a.item_name = item_name(  # type: ignore[attr-defined]
            a.snow_evaluation or a.evaluation, a.component, a.item
        )
    return rows


def diff_named(diff: dict[str, Any], evaluation: Result) -> dict[str, Any]:
    """A revision diff whose items carry their names (for the page)."""
    for i in diff.get("items", []):
        i["name"] = item_name(evaluation, i["component"], i["item"])
    return diff


def appeal_form(result: Result, data: Any = None, files: Any = None) -> AppealForm:
    """The form offers the result's deductions, one per item (``component/item``)."""
    choices = [
        (f"{d.component}/{d.item}", f"{d.name} ({d.quantity} → −{d.deduction})")
        for d in deductions_of(result)
    ]
    return AppealForm(data, files, choices=choices)


def appeal_file_response(
    request: HttpRequest, result: Result, *, page: ResultPage, file: Callable[..., Appeal]
) -> HttpResponse:
    """Validate the form, call the subject's filing service (``file(result_id, …)``); a bad
    form or a refused appeal shows the page again with the error (400/409), never a 500."""
    form = appeal_form(result, request.POST, request.FILES)
    if not form.is_valid():
        return page(request, result, form, status=400)
    component, item = form.target()
    try:
        appeal = file(
            result.pk, component=component, item=item, reason=form.cleaned_data["reason"],
            files=form.cleaned_data["evidence"], actor=request.user,
        )  # fmt: skip
    except DomainError as exc:
        return page(request, result, form, status=form_error(form, exc))
    messages.success(request, _("Your appeal is filed."))
    return redirect("evaluations:appeal", appeal_id=appeal.pk)


def diff_response(
    request: HttpRequest,
    a: Result,
    b: Result,
    *,
    template: str,
) -> HttpResponse:
    """Two revisions of the same result, older first; revisions of different results: 404."""
    if subject_key(a) != subject_key(b):
        raise Http404
    old, new = (a, b) if a.revision < b.revision else (b, a)
    return render(
        request,
        template,
        {"old": old, "new": new, "diff": diff_named(revision_diff(old, new), new)},
    )
