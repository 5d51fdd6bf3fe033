"""Supervisor pages for the other inputs of the run: penalty records, satisfaction surveys
(answers entered by staff), the policy numbers; and the residents' online survey form."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.db.models import Avg, Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cityops.core.audit import audit_record
from cityops.core.clientip import client_ip
from cityops.core.errors import DomainError
from cityops.core.ratelimit import Rate, rate_limit_hit, too_many_requests
from cityops.evaluations.forms import (
    AnswerForm,
    PenaltyRecordForm,
    PolicyForm,
    PublicAnswerForm,
    SurveyForm,
)
from cityops.evaluations.models import PenaltyRecord, Survey, SurveyStatus
from cityops.evaluations.surveys.services import (
    policy_get,
    policy_update,
    survey_answer_add,
    survey_close,
    survey_create,
)
from cityops.evaluations.views_common import form_error, supervisor_required

# Answers one address may give to one online survey per hour (a household, not a flood).
ANSWERS_PER_HOUR = 3


@supervisor_required
@require_http_methods(["GET", "POST"])
def penalties_view(request: HttpRequest) -> HttpResponse:
    form = PenaltyRecordForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            with transaction.atomic():
                record = form.save(commit=False)
                record.recorded_by = request.user
                record.save()
                audit_record(
                    code="evaluation.penalty.recorded", target=record, actor=request.user,
                    summary=f"{record.contract} {record.code} {record.occurred_on}",
                )  # fmt: skip
            messages.success(request, _("The penalty is recorded."))
            return redirect("evaluations:penalties")
        status = 400
    records = PenaltyRecord.objects.select_related("contract", "recorded_by")[:200]
    return render(
        request, "evaluations/penalties.html", {"form": form, "records": records}, status=status
    )


@supervisor_required
@require_http_methods(["GET", "POST"])
def surveys_view(request: HttpRequest) -> HttpResponse:
    form = SurveyForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            survey = survey_create(
                contract=form.cleaned_data["contract"], month=form.cleaned_data["month"],
                title=form.cleaned_data["title"], sample_size=form.cleaned_data["sample_size"],
                online=form.cleaned_data["online"], actor=request.user,
            )  # fmt: skip
            return redirect("evaluations:survey", survey_id=survey.pk)
        status = 400
    surveys = Survey.objects.select_related("contract").annotate(
        n=Count("answers"), mean=Avg("answers__rating")
    )[:200]
    return render(
        request, "evaluations/surveys.html", {"form": form, "surveys": surveys}, status=status
    )


@supervisor_required
@require_http_methods(["GET", "POST"])
def survey_view(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = get_object_or_404(Survey.objects.select_related("contract"), pk=survey_id)
    form = AnswerForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                survey_answer_add(
                    survey_id=survey.pk, rating=form.cleaned_data["rating"],
                    comment=form.cleaned_data["comment"],
                    respondent=form.cleaned_data["respondent"], actor=request.user, online=False,
                )  # fmt: skip
            except DomainError as exc:
                status = form_error(form, exc)
            else:
                messages.success(request, _("The answer is saved."))
                return redirect("evaluations:survey", survey_id=survey.pk)
        else:
            status = 400
    return render(
        request,
        "evaluations/survey.html",
        {"survey": survey, "form": form, "answers": survey.answers.all()[:500],
         "link": request.build_absolute_uri(
             reverse("evaluations:public-survey", args=[survey.token]))},
        status=status,
    )  # fmt: skip


@supervisor_required
@require_POST
def survey_close_view(request: HttpRequest, survey_id: int) -> HttpResponse:
    get_object_or_404(Survey, pk=survey_id)
    try:
        survey_close(survey_id=survey_id, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect("evaluations:survey", survey_id=survey_id)


@require_http_methods(["GET", "POST"])
def public_survey_view(request: HttpRequest, token: str) -> HttpResponse:
    """Residents answer without a login, through the survey's unguessable link."""
    survey = get_object_or_404(Survey.objects.select_related("contract"), token=token, online=True)
    form = PublicAnswerForm(request.POST or None)
    status, thanks, wait = 200, False, None
    if survey.status != SurveyStatus.OPEN:
        form = None  # type: ignore[assignment]
    elif request.method == "POST":
        wait = rate_limit_hit(
            scope=f"survey:{survey.pk}", ident=client_ip(request), rate=Rate(ANSWERS_PER_HOUR, 3600)
        )
        if wait:
            form.add_error(None, _("Too many answers from this address; try again later."))
        elif form.is_valid():
            try:
                survey_answer_add(
                    survey_id=survey.pk, rating=form.cleaned_data["rating"],
                    comment=form.cleaned_data["comment"], respondent="", actor=None, online=True,
                )  # fmt: skip
                thanks = True
            except DomainError as exc:
                status = form_error(form, exc)
        else:
            status = 400
    response = render(
        request, "evaluations/public_survey.html",
        {"survey": survey, "form": form, "thanks": thanks}, status=status,
    )  # fmt: skip
    return too_many_requests(response, wait) if wait else response


@supervisor_required
@require_http_methods(["GET", "POST"])
def policy_view(request: HttpRequest) -> HttpResponse:
    policy = policy_get()
    form = PolicyForm(request.POST or None, instance=policy)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            policy_update(actor=request.user, **{f: form.cleaned_data[f] for f in form.fields})
            messages.success(request, _("The policy is saved."))
            return redirect("evaluations:policy")
        status = 400
    return render(request, "evaluations/policy.html", {"form": form}, status=status)
