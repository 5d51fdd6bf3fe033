"""The housing bureau's desk: run improvement campaigns, keep the companies' credit records,
decide objections, keep the black list; plus the scoped evidence downloads.

Thin adapters like ``views_staff``: roles and scope first (404 for anything out of scope),
a form validates, one service decides, then redirect."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cityops.accounts.access import actor_for
from cityops.accounts.models import Role
from cityops.core.errors import DomainError
from cityops.estates import access, selectors
from cityops.estates.forms_desk import (
    BlacklistForm,
    CampaignForm,
    CreditRecordForm,
    DecisionForm,
    TargetAddForm,
    property_companies,
)
from cityops.estates.models import (
    BlacklistEntry,
    Campaign,
    CreditObjection,
    CreditRecord,
    ObjectionStatus,
    ProgressReport,
)
from cityops.estates.services.campaigns import campaign_create, campaign_target_add
from cityops.estates.services.credit import (
    blacklist_add,
    blacklist_lift,
    credit_objection_decide,
    credit_record_add,
    credit_score_of,
)
from cityops.estates.views_staff import OVERVIEW_ROLES, _fail, _require_roles

RUNNERS = access.SUPERVISING_ROLES  # bureau supervisors and administrators run campaigns
KEEPERS = (Role.BUREAU_SUPERVISOR,)  # the credit services accept supervisors only


# --- Campaigns -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def campaigns(request: HttpRequest) -> HttpResponse:
    _require_roles(request, *OVERVIEW_ROLES)
    can_run = actor_for(request.user).has_role(*RUNNERS)
    form, status = CampaignForm(), 200
    if request.method == "POST":
        if not can_run:
            raise Http404(_("No such page."))
        form = CampaignForm(request.POST)
        if not form.is_valid():
            status = 400
        else:
            data = form.cleaned_data
            try:
                campaign = campaign_create(
                    name=data["name"],
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                    description=data["description"],
                    compounds=list(data["compounds"]),
                    actor=request.user,
                )
            except DomainError as exc:
                status = _fail(form, exc)
            else:
                messages.success(request, _("The campaign has been started."))
                return redirect("estates:campaign", pk=campaign.pk)
    rows = [
        (c, selectors.campaign_totals(c))
        for c in Campaign.objects.order_by("-starts_on", "name")[:100]
    ]
    return render(
        request,
        "estates/desk/campaigns.html",
        {"rows": rows, "form": form, "can_run": can_run},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_roles(request, *OVERVIEW_ROLES)
    campaign = Campaign.objects.filter(pk=pk).first()
    if campaign is None:
        raise Http404(_("No such campaign."))
    can_run = actor_for(request.user).has_role(*RUNNERS)
    form, status = TargetAddForm(campaign_id=campaign.pk), 200
    if request.method == "POST":
        if not can_run:
            raise Http404(_("No such page."))
        form = TargetAddForm(request.POST, campaign_id=campaign.pk)
        if not form.is_valid():
            status = 400
        else:
            try:
                campaign_target_add(
                    campaign=campaign, compound=form.cleaned_data["compound"], actor=request.user
                )
            except DomainError as exc:
                status = _fail(form, exc)
            else:
                messages.success(request, _("The compound has been added to the list."))
                return redirect("estates:campaign", pk=campaign.pk)
    targets = list(
        campaign.targets.select_related("compound", "street", "community").order_by(  # type: ignore[attr-defined]
            "street__name", "status", "compound__name"
        )
    )
    return render(
        request,
        "estates/desk/campaign.html",
        {
            "campaign": campaign,
            "targets": targets,
            "totals": selectors.campaign_totals(campaign),
            "form": form,
            "can_run": can_run,
            "today": timezone.localdate(),
        },
        status=status,
    )


# --- Credit ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def credit_desk(request: HttpRequest) -> HttpResponse:
    _require_roles(request, *KEEPERS)
    record_form, black_form, status = CreditRecordForm(), BlacklistForm(), 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "record":
                record_form = CreditRecordForm(request.POST, request.FILES)
                if not record_form.is_valid():
                    status = 400
                else:
                    record = credit_record_add(actor=request.user, **record_form.cleaned_data)
                    messages.success(
                        request,
                        _("Recorded; the score of %(c)s was recomputed.") % {"c": record.company},
                    )
            elif action == "blacklist":
                black_form = BlacklistForm(request.POST)
                if not black_form.is_valid():
                    status = 400
                else:
                    blacklist_add(actor=request.user, **black_form.cleaned_data)
                    messages.success(request, _("The company is on the black list."))
            elif action == "lift":
                entry = BlacklistEntry.objects.filter(pk=request.POST.get("entry") or 0).first()
                if entry is None:
                    raise Http404(_("No such entry."))
                blacklist_lift(entry=entry, actor=request.user)
                messages.success(request, _("Removed from the black list."))
            else:
                status = 400
        except DomainError as exc:
            form = black_form if action == "blacklist" else record_form
            if action == "lift":
                messages.error(request, str(exc.message))
                return redirect("estates:credit_desk")
            status = _fail(form, exc)
        if status == 200:
            return redirect("estates:credit_desk")
    today = timezone.localdate()
    return render(
        request,
        "estates/desk/credit.html",
        {
            "objections": list(
                CreditObjection.objects.filter(status=ObjectionStatus.PENDING)
                .select_related("record__company", "raised_by")
                .order_by("created_at")
            ),
            "decided": list(
                CreditObjection.objects.exclude(status=ObjectionStatus.PENDING)
                .select_related("record__company", "decided_by")
                .order_by("-decided_at")[:20]
            ),
            "blacklist": list(
                BlacklistEntry.objects.filter(Q(lifted_on__isnull=True) | Q(lifted_on__gt=today))
                .select_related("company")
                .order_by("-listed_on")
            ),
            "ranking": selectors.company_ranking(),
            "record_form": record_form,
            "black_form": black_form,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def objection_decide(request: HttpRequest, pk: int) -> HttpResponse:
    _require_roles(request, *KEEPERS)
    objection = (
        CreditObjection.objects.select_related("record__company", "raised_by").filter(pk=pk).first()
    )
    if objection is None:
        raise Http404(_("No such objection."))
    form, status = DecisionForm(), 200
    if request.method == "POST":
        form = DecisionForm(request.POST)
        if not form.is_valid():
            status = 400
        else:
            try:
                credit_objection_decide(
                    objection=objection,
                    upheld=form.cleaned_data["decision"] == "uphold",
                    note=form.cleaned_data["note"],
                    actor=request.user,
                )
            except DomainError as exc:
                status = _fail(form, exc)
            else:
                messages.success(request, _("The objection has been decided."))
                return redirect("estates:credit_desk")
    return render(
        request,
        "estates/desk/objection.html",
        {
            "objection": objection,
            "record": objection.record,
            "pending": objection.status == ObjectionStatus.PENDING,
            "form": form,
        },
        status=status,
    )


@login_required
@require_GET
def company_credit(request: HttpRequest, pk: int) -> HttpResponse:
    """One company's credit file for the bureau and the mayor's office."""
    _require_roles(request, *OVERVIEW_ROLES)
    company = property_companies().filter(pk=pk).first()
    if company is None:
        raise Http404(_("No such company."))
    return render(
        request,
        "estates/desk/company.html",
        {
            "company": company,
            "score": credit_score_of(company),
            "history": selectors.credit_history(company)[:100],
            "records": selectors.company_records(company),
            "can_keep": actor_for(request.user).has_role(*KEEPERS),
        },
    )


# --- Evidence downloads (never through a guessable public media URL) --------------------------


def _file_response(field: Any) -> FileResponse:
    if not field:
        raise Http404(_("No evidence."))
    try:
        handle = field.open("rb")
    except (OSError, ValidationError) as exc:
        raise Http404(_("No evidence.")) from exc
    name = str(field.name).rsplit("/", 1)[-1]
    return FileResponse(handle, as_attachment=True, filename=name)


@login_required
@require_GET
def record_evidence(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A credit record's evidence: the company itself, the bureau and the mayor's office."""
    records = CreditRecord.objects.filter(pk=pk)
    if not actor_for(request.user).has_role(*OVERVIEW_ROLES):
        records = records.filter(company__in=selectors.user_companies(request.user))
    record = records.first()
    if record is None:
        raise Http404(_("No such record."))
    return _file_response(record.evidence)


@login_required
@require_GET
def report_evidence(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A campaign progress report's evidence: whoever sees the campaign task."""
    report = (
        ProgressReport.objects.filter(pk=pk, target__in=selectors.territory_targets(request.user))
        .only("evidence")
        .first()
    )
    if report is None:
        raise Http404(_("No such report."))
    return _file_response(report.evidence)
