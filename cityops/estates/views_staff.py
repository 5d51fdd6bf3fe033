"""Staff pages of property management: officers, property companies, the mayor's office, and the
committee's steps of a vote. Thin adapters: scope through the selectors/access helpers (404 for
anything out of scope), validate with a form, call one service, redirect."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cityops.accounts.access import actor_for
from cityops.accounts.models import Role
from cityops.core.errors import DomainError
from cityops.estates import access, selectors
from cityops.estates.forms_staff import (
    ObjectionForm,
    PaperBallotForm,
    PlanForm,
    ProposalForm,
    ReportForm,
    ResolveForm,
)
from cityops.estates.models import (
    BallotChannel,
    Campaign,
    CampaignTarget,
    CreditRecord,
    Milestone,
    Owner,
    Proposal,
    ProposalStatus,
    TargetStatus,
)
from cityops.estates.results import reason_text, step_lines
from cityops.estates.services.campaigns import (
    milestone_done,
    progress_report_add,
    target_plan,
    target_resolve,
)
from cityops.estates.services.credit import credit_objection_raise, credit_score_of
from cityops.estates.services.votes import (
    TRANSITIONS,
    ballot_cast,
    proposal_create,
    proposal_transition,
)
from cityops.registry.models import Compound, Organisation

OFFICER_ROLES = (Role.STREET_OFFICER, Role.COMMUNITY_OFFICER, *selectors.TERRITORY_WIDE)
OVERVIEW_ROLES = (Role.MAYOR_VIEWER, Role.BUREAU_SUPERVISOR, Role.SYSTEM_ADMIN)
# The steps a committee takes on a proposal, by the button that asks for them.
PROPOSAL_STEPS = {
    "notice": ProposalStatus.NOTICED,
    "open": ProposalStatus.OPEN,
    "close": ProposalStatus.CLOSED,
    "certify": ProposalStatus.CERTIFIED,
    "cancel": ProposalStatus.CANCELLED,
}


def _require_roles(request: HttpRequest, *roles: str) -> None:
    if not actor_for(request.user).has_role(*roles):
        raise Http404(_("No such page."))


def _fail(form: Any, exc: DomainError) -> int:
    field = exc.field if exc.field in getattr(form, "fields", {}) else None
    form.add_error(field, str(exc.message))
    return int(exc.status_code)


# --- Street and community officers ----------------------------------------------------------


@login_required
@require_GET
def officer_home(request: HttpRequest) -> HttpResponse:
    _require_roles(request, *OFFICER_ROLES)
    compounds = list(selectors.territory_compounds(request.user).order_by("name")[:500])
    counts = selectors.open_complaints_by_compound(compounds)
    rows = [(c, counts.get(c.pk, 0)) for c in compounds]
    targets = list(
        selectors.territory_targets(request.user).order_by("status", "deadline", "compound__name")[
            :500
        ]
    )
    complaints = selectors.cases_in_compounds(compounds, limit=100)
    # Officers manage their territory's votes; committee members use the compound link instead
    # (checking committee seats here would cost a query per compound for the mayor's office).
    managed = [c for c in compounds if access.is_territory_officer(request.user, c)]
    return render(
        request,
        "estates/staff/officer_home.html",
        {
            "rows": rows,
            "targets": targets,
            "complaints": complaints,
            "managed": managed,
            "today": timezone.localdate(),
        },
    )


def _target_for(request: HttpRequest, pk: int) -> CampaignTarget:
    target = selectors.territory_targets(request.user).filter(pk=pk).first()
    if target is None:
        raise Http404(_("No such campaign task."))
    return target


@login_required
@require_http_methods(["GET", "POST"])
def target_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_roles(request, *OFFICER_ROLES)
    target = _target_for(request, pk)
    plan = PlanForm(
        initial={
            "chosen_model": target.chosen_model,
            "deadline": target.deadline,
        }
    )
    report, resolve = ReportForm(), ResolveForm()
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "plan":
                plan = PlanForm(request.POST)
                if not plan.is_valid():
                    status = 400
                else:
                    community = target.community or target.compound.community
                    street = target.street or (community.street if community else None)
                    if street is None:
                        raise DomainError(_("The compound has no street to answer for it."))
                    target_plan(
                        target=target,
                        chosen_model=plan.cleaned_data["chosen_model"],
                        street=street,
                        community=target.community,
                        deadline=plan.cleaned_data["deadline"],
                        milestones=plan.cleaned_data["milestones"],
                        actor=request.user,
                    )
            elif action == "milestone":
                milestone = Milestone.objects.filter(
                    pk=request.POST.get("milestone") or 0, target=target
                ).first()
                if milestone is None:
                    raise Http404(_("No such milestone."))
                milestone_done(
                    milestone=milestone, done_on=timezone.localdate(), actor=request.user
                )
            elif action == "report":
                report = ReportForm(request.POST, request.FILES)
                if not report.is_valid():
                    status = 400
                else:
                    progress_report_add(
                        target=target,
                        text=report.cleaned_data["text"],
                        evidence=report.cleaned_data["evidence"],
                        actor=request.user,
                    )
            elif action == "resolve":
                resolve = ResolveForm(request.POST)
                if not resolve.is_valid():
                    status = 400
                else:
                    target_resolve(target=target, actor=request.user, **resolve.cleaned_data)
            else:
                status = 400
        except DomainError as exc:
            form = {"plan": plan, "report": report, "resolve": resolve}.get(action, plan)
            status = _fail(form, exc)
        if status == 200:
            messages.success(request, _("Saved."))
            return redirect("estates:target", pk=target.pk)
    return render(
        request,
        "estates/staff/target.html",
        {
            "target": target,
            "milestones": list(target.milestones.order_by("due_on", "id")),
            "reports": list(target.reports.order_by("-reported_on", "-id")),
            "plan": plan,
            "report": report,
            "resolve": resolve,
            "resolved": target.status == TargetStatus.RESOLVED,
        },
        status=status,
    )


# --- Property companies ---------------------------------------------------------------------


def _companies(request: HttpRequest) -> QuerySet[Organisation]:
    companies = selectors.user_companies(request.user)
    if not companies.exists():
        raise Http404(_("No such page."))
    return companies


@login_required
@require_GET
def company_home(request: HttpRequest) -> HttpResponse:
    companies = _companies(request)
    sections = []
    for company in companies.order_by("name"):
        sections.append(
            {
                "company": company,
                "score": credit_score_of(company),
                "history": selectors.credit_history(company)[:50],
                "records": selectors.company_records(company),
                "compounds": list(
                    Compound.objects.filter(property_company=company).order_by("name")
                ),
            }
        )
    return render(
        request,
        "estates/staff/company_home.html",
        {
            "sections": sections,
            "cases": selectors.company_cases(companies, user=request.user),
            "objection_form": ObjectionForm(),
        },
    )


@login_required
@require_POST
def record_object(request: HttpRequest, pk: int) -> HttpResponse:
    record = CreditRecord.objects.filter(pk=pk, company__in=_companies(request)).first()
    if record is None:
        raise Http404(_("No such record."))
    form = ObjectionForm(request.POST)
    if form.is_valid():
        try:
            credit_objection_raise(
                record=record, reason=form.cleaned_data["reason"], actor=request.user
            )
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Your objection has been filed."))
    else:
        messages.error(request, _("Give the grounds of the objection."))
    return redirect("estates:company")


# --- Mayor's office and bureau supervisors ---------------------------------------------------


@login_required
@require_GET
def supervision(request: HttpRequest) -> HttpResponse:
    _require_roles(request, *OVERVIEW_ROLES)
    campaigns = list(Campaign.objects.order_by("-starts_on", "name"))
    campaign = next(
        (c for c in campaigns if str(c.pk) == request.GET.get("campaign")),
        campaigns[0] if campaigns else None,
    )
    progress = selectors.campaign_progress_by_street(campaign) if campaign else []
    return render(
        request,
        "estates/staff/supervision.html",
        {
            "campaigns": campaigns,
            "campaign": campaign,
            "progress": progress,
            "chart": selectors.chart_data(progress),
            "ranking": selectors.company_ranking(),
        },
    )


# --- The committee's (or officers') steps of a vote ------------------------------------------


def _managed_compound(request: HttpRequest, pk: int) -> Compound:
    compound = Compound.objects.filter(pk=pk).first()
    if compound is None or not access.can_manage_compound(request.user, compound):
        raise Http404(_("No such compound."))
    return compound


@login_required
@require_http_methods(["GET", "POST"])
def compound_votes(request: HttpRequest, pk: int) -> HttpResponse:
    compound = _managed_compound(request, pk)
    form, status = ProposalForm(), 200
    if request.method == "POST":
        form = ProposalForm(request.POST)
        if form.is_valid():
            try:
                proposal = proposal_create(
                    compound=compound, actor=request.user, **form.cleaned_data
                )
            except DomainError as exc:
                status = _fail(form, exc)
            else:
                messages.success(request, _("The proposal has been drafted."))
                return redirect("estates:manage_proposal", pk=proposal.pk)
        else:
            status = 400
    return render(
        request,
        "estates/staff/compound_votes.html",
        {
            "compound": compound,
            "proposals": list(compound.proposals.order_by("-opens_at")),  # type: ignore[attr-defined]
            "form": form,
        },
        status=status,
    )


def _owner_choices(proposal: Proposal) -> list[tuple[int, str]]:
    return [
        (o.pk, str(o)) for o in Owner.objects.filter(compound=proposal.compound).order_by("key")
    ]


@login_required
@require_http_methods(["GET", "POST"])
def manage_proposal(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = Proposal.objects.select_related("compound").filter(pk=pk).first()
    if proposal is None or not access.can_manage_compound(request.user, proposal.compound):
        raise Http404(_("No such proposal."))
    owners = _owner_choices(proposal)
    paper, status = PaperBallotForm(owners=owners), 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action in PROPOSAL_STEPS:
                proposal_transition(
                    proposal_id=proposal.pk,
                    to=PROPOSAL_STEPS[action],
                    expected=request.POST.get("expected") or None,
                    actor=request.user,
                )
            elif action == "paper":
                paper = PaperBallotForm(request.POST, request.FILES, owners=owners)
                if not paper.is_valid():
                    status = 400
                else:
                    owner = Owner.objects.get(
                        pk=paper.cleaned_data["owner"], compound=proposal.compound
                    )
                    ballot_cast(
                        proposal_id=proposal.pk,
                        owner=owner,
                        choice=paper.cleaned_data["choice"],
                        channel=BallotChannel.PAPER,
                        scan=paper.cleaned_data["scan"],
                        actor=request.user,
                    )
            else:
                status = 400
        except DomainError as exc:
            if action == "paper":
                status = _fail(paper, exc)
            else:
                messages.error(request, str(exc.message))
                return redirect("estates:manage_proposal", pk=proposal.pk)
        if status == 200:
            messages.success(request, _("Saved."))
            return redirect("estates:manage_proposal", pk=proposal.pk)
    proposal.refresh_from_db()
    totals = selectors.proposal_totals(proposal, request.user)
    labels = {
        "notice": _("Give notice"),
        "open": _("Open voting"),
        "close": _("Close and tally"),
        "certify": _("Certify the result"),
        "cancel": _("Cancel the proposal"),
    }
    steps = [(a, labels[a]) for a, to in PROPOSAL_STEPS.items() if to in _next_statuses(proposal)]
    return render(
        request,
        "estates/staff/manage_proposal.html",
        {
            "proposal": proposal,
            "steps": steps,
            "paper": paper,
            "can_enter": proposal.status == ProposalStatus.OPEN,
            "ballots": proposal.ballots.count(),  # type: ignore[attr-defined]
            "owners": len(owners),
            "totals": totals,
            "lines": step_lines(totals) if totals else [],
            "reason": reason_text(totals) if totals else "",
        },
        status=status,
    )


def _next_statuses(proposal: Proposal) -> set[str]:
    return set(TRANSITIONS.get(proposal.status, {}))
