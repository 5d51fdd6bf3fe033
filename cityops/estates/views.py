"""The owner's pages (phone-first): their compound, open proposals, casting a ballot."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cityops.core.errors import DomainError
from cityops.estates import access, selectors
from cityops.estates.certificate import certificate_pdf
from cityops.estates.forms import BallotForm
from cityops.estates.models import Proposal, ProposalStatus
from cityops.estates.results import reason_text, step_lines
from cityops.estates.services.votes import ballot_cast


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    compounds = list(access.owned_compounds(request.user).order_by("name"))
    if not compounds:
        raise Http404(_("You are not registered as an owner."))
    proposals = list(access.visible_proposals(request.user).order_by("compound__name", "-opens_at"))
    return render(
        request,
        "estates/home.html",
        {
            "compounds": compounds,
            "proposals": proposals,
            "now": timezone.now(),
            # A committee member lands here too: the way to the committee's pages.
            "committee_of": [c for c in compounds if access.is_committee_member(request.user, c)],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    proposal, owner = access.access_proposal_for_owner(pk, request.user)
    ballot = selectors.ballot_of_owner(proposal, owner)
    can_vote = proposal.status == ProposalStatus.OPEN and proposal.window_contains(timezone.now())
    form = BallotForm(initial={"choice": ballot.choice} if ballot else None)
    status = 200
    if request.method == "POST":
        form = BallotForm(request.POST)
        if form.is_valid():
            try:
                ballot_cast(
                    proposal_id=proposal.pk,
                    owner=owner,
                    choice=form.cleaned_data["choice"],
                    actor=request.user,
                )
            except DomainError as exc:
                form.add_error(None, str(exc.message))
                status = exc.status_code
            else:
                messages.success(request, _("Your ballot has been recorded."))
                return redirect("estates:proposal", pk=proposal.pk)
        else:
            status = 400
    totals = selectors.proposal_totals(proposal, request.user)
    return render(
        request,
        "estates/proposal.html",
        {
            "proposal": proposal,
            "ballot": ballot,
            "form": form,
            "can_vote": can_vote,
            "totals": totals,
            "steps": step_lines(totals) if totals else [],
            "reason": reason_text(totals) if totals else "",
        },
        status=status,
    )


@login_required
@require_GET
def certificate(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = Proposal.objects.select_related("compound", "certified_by").filter(pk=pk).first()
    if (
        proposal is None
        or proposal.status != ProposalStatus.CERTIFIED
        or selectors.proposal_totals(proposal, request.user) is None
    ):
        raise Http404(_("No such certificate."))
    response = HttpResponse(certificate_pdf(proposal), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="vote-{proposal.pk}.pdf"'
    return response
