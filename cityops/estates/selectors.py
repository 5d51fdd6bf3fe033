"""Reads of property management, scoped by the acting user."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from shapely.geometry import Point

from cityops.accounts.access import actor_for
from cityops.accounts.models import Role
from cityops.cases.access import cases_visible_to
from cityops.cases.models import OPEN_STATUSES, Case
from cityops.core.geo import GeometryError, to_shape
from cityops.estates import access
from cityops.estates.models import (
    Ballot,
    Campaign,
    CampaignTarget,
    Committee,
    CommitteeKind,
    CommitteeMember,
    CreditRecord,
    CreditScoreChange,
    Owner,
    Proposal,
    ProposalStatus,
    TargetStatus,
)
from cityops.estates.services.credit import credit_rules, credit_score_of
from cityops.registry.models import Compound, Organisation, OrganisationKind, ServiceType

RESULT_VISIBLE = (ProposalStatus.CLOSED, ProposalStatus.CERTIFIED)


def ballot_of_owner(proposal: Proposal, owner: Owner) -> Ballot | None:
    return Ballot.objects.filter(proposal=proposal, owner=owner).first()


def proposal_totals(proposal: Proposal, user: Any) -> dict[str, Any] | None:
    """Totals are public to the compound's owners (and its managers) once voting closed."""
    if proposal.status not in RESULT_VISIBLE:
        return None
    allowed = access.owner_for(user, proposal.compound) is not None or access.can_manage_compound(
        user, proposal.compound
    )
    return proposal.result_data if allowed else None


def proposal_choices(proposal: Proposal, user: Any) -> list[Ballot]:
    """Individual choices: only the committee, and only where the rules of procedure say so.

    Raises nothing; an empty list means "not for you" (the owner sees their own ballot through
    :func:`ballot_of_owner`).
    """
    if not proposal.committee_sees_choices or not access.is_committee_member(
        user, proposal.compound
    ):
        return []
    return list(Ballot.objects.filter(proposal=proposal).select_related("owner"))


@dataclass(frozen=True)
class StreetProgress:
    street_id: int | None
    street_name: str
    targeted: int
    planned: int
    resolved: int
    overdue: int


def campaign_progress_by_street(
    campaign: Campaign, *, today: dt.date | None = None
) -> list[StreetProgress]:
    """One row per responsible street: targeted (all), planned, resolved, overdue."""
    today = today or timezone.localdate()
    open_ = ~Q(status=TargetStatus.RESOLVED)
    rows = (
        CampaignTarget.objects.filter(campaign=campaign)
        .values("street_id", "street__name")
        .annotate(
            targeted=Count("id"),
            planned=Count("id", filter=Q(status=TargetStatus.PLANNED)),
            resolved=Count("id", filter=Q(status=TargetStatus.RESOLVED)),
            overdue=Count("id", filter=open_ & Q(deadline__lt=today)),
        )
        .order_by("street__name")
    )
    return [
        StreetProgress(
            street_id=r["street_id"],
            street_name=r["street__name"] or "",
            targeted=r["targeted"],
            planned=r["planned"],
            resolved=r["resolved"],
            overdue=r["overdue"],
        )
        for r in rows
    ]


def campaign_totals(campaign: Campaign, *, today: dt.date | None = None) -> StreetProgress:
    """The whole campaign in one row (the street columns summed)."""
    rows = campaign_progress_by_street(campaign, today=today)
    return StreetProgress(
        street_id=None,
        street_name="",
        targeted=sum(r.targeted for r in rows),
        planned=sum(r.planned for r in rows),
        resolved=sum(r.resolved for r in rows),
        overdue=sum(r.overdue for r in rows),
    )


def committees_filing_overdue(*, today: dt.date | None = None) -> list[Committee]:
    today = today or timezone.localdate()
    return list(
        Committee.objects.filter(
            kind=CommitteeKind.OWNERS,
            ended_on__isnull=True,
            filed_on__isnull=True,
            filing_due_on__lt=today,
        ).select_related("compound")
    )


@dataclass(frozen=True)
class RankingRow:
    company: Organisation
    score: Any
    grade: str
    blacklisted: bool


def company_ranking(*, day: dt.date | None = None) -> list[RankingRow]:
    companies = Organisation.objects.filter(
        kind=OrganisationKind.OPERATOR, operator_type=ServiceType.PROPERTY, active=True
    )
    rows = []
    for company in companies:
        s = credit_score_of(company, day=day)
        rows.append(RankingRow(company, s.score, s.grade, s.blacklisted))
    # By grade first (a black-listed company has the lowest grade whatever its score), then score.
    order = {band.grade: i for i, band in enumerate(credit_rules().bands)}
    return sorted(rows, key=lambda r: (order.get(r.grade, len(order)), -r.score, r.company.name))


def credit_history(company: Organisation) -> list[CreditScoreChange]:
    return list(
        CreditScoreChange.objects.filter(company=company)
        .select_related("record")
        .order_by("-created_at", "-id")
    )


# --- Staff pages: street/community officers, property companies, the mayor's office ----------

TERRITORY_WIDE = (Role.SYSTEM_ADMIN, Role.BUREAU_SUPERVISOR, Role.MAYOR_VIEWER)


def territory_compounds(user: Any) -> QuerySet[Compound]:
    """Compounds a street or community officer answers for; every compound for supervisors."""
    actor = actor_for(user)
    qs = Compound.objects.select_related("community", "property_company")
    if actor.has_role(*TERRITORY_WIDE):
        return qs
    q = Q(pk__in=[])
    if actor.has_role(Role.STREET_OFFICER):
        q |= Q(community__street_id__in=actor.street_ids)
    if actor.has_role(Role.COMMUNITY_OFFICER):
        q |= Q(community_id__in=actor.community_ids)
    return qs.filter(q)


def territory_targets(user: Any) -> QuerySet[CampaignTarget]:
    """Campaign targets the officer's street or community is responsible for."""
    actor = actor_for(user)
    qs = CampaignTarget.objects.select_related("campaign", "compound", "street", "community")
    if actor.has_role(*TERRITORY_WIDE):
        return qs
    q = Q(pk__in=[])
    if actor.has_role(Role.STREET_OFFICER):
        q |= Q(street_id__in=actor.street_ids)
    if actor.has_role(Role.COMMUNITY_OFFICER):
        q |= Q(community_id__in=actor.community_ids)
    return qs.filter(q)


def user_companies(user: Any) -> QuerySet[Organisation]:
    """The property companies the user works for (operator staff)."""
    actor = actor_for(user)
    if not actor.has_role(Role.OPERATOR_STAFF):
        return Organisation.objects.none()
    return Organisation.objects.filter(
        pk__in=actor.organisation_ids,
        kind=OrganisationKind.OPERATOR,
        operator_type=ServiceType.PROPERTY,
    )


def cases_in_compounds(
    compounds: Sequence[Compound], *, open_only: bool = False, limit: int = 200
) -> list[tuple[Case, Compound]]:
    """Cases whose point lies inside one of the compounds (cases keep a point, not a compound):
    a bounding-box filter in SQL, then the exact polygon test in Python."""
    shapes = []
    for c in compounds:
        try:
            shapes.append((c, to_shape(c.geometry)))
        except GeometryError:
            continue
    if not shapes:
        return []
    minx = min(s.bounds[0] for _, s in shapes)
    miny = min(s.bounds[1] for _, s in shapes)
    maxx = max(s.bounds[2] for _, s in shapes)
    maxy = max(s.bounds[3] for _, s in shapes)
    qs = Case.objects.filter(lon__gte=minx, lon__lte=maxx, lat__gte=miny, lat__lte=maxy)
    if open_only:
        qs = qs.filter(status__in=OPEN_STATUSES)
    out: list[tuple[Case, Compound]] = []
    for case in qs.select_related("category").order_by("-reported_at")[: limit * 5]:
        point = Point(case.lon, case.lat)
        for compound, shape_ in shapes:
            if shape_.covers(point):
                out.append((case, compound))
                break
        if len(out) >= limit:
            break
    return out


def open_complaints_by_compound(compounds: Sequence[Compound]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for _case, compound in cases_in_compounds(compounds, open_only=True, limit=10_000):
        counts[compound.pk] = counts.get(compound.pk, 0) + 1
    return counts


def company_cases(companies: QuerySet[Organisation], *, user: Any, limit: int = 200) -> list[Case]:
    """The companies' cases that the user may open (``cases.access``): a case routed to the
    company but rejected or merged before dispatch is not the company's to see (it would
    answer 404), so it is not listed either."""
    return list(
        cases_visible_to(user)
        .filter(Q(routed_org__in=companies) | Q(assignee__in=companies))
        .select_related("category")
        .order_by("-reported_at")[:limit]
    )


def company_records(company: Organisation) -> list[CreditRecord]:
    return list(
        CreditRecord.objects.filter(company=company)
        .prefetch_related("objections")
        .order_by("voided", "-valid_from", "-id")
    )


def chart_data(rows: Sequence[StreetProgress]) -> dict[str, Any]:
    """Series for the progress bar chart (read by static/estates/progress-chart.js)."""
    return {
        "streets": [r.street_name or "—" for r in rows],
        "targeted": [r.targeted for r in rows],
        "planned": [r.planned for r in rows],
        "resolved": [r.resolved for r in rows],
        "overdue": [r.overdue for r in rows],
    }


def committee_compounds(user: Any) -> list[tuple[int, str]]:
    """(compound id, name) of the active committees the user sits on."""
    if not getattr(user, "is_authenticated", False):
        return []
    rows = (
        CommitteeMember.objects.filter(
            user_id=user.pk,
            committee__ended_on__isnull=True,
            committee__term_ends_on__gte=timezone.localdate(),
        )
        .values_list("committee__compound_id", "committee__compound__name")
        .distinct()
        .order_by("committee__compound__name")
    )
    return list(rows)


def user_is_estates_member(user: Any) -> bool:
    """An owner, or a member of an active committee: the people whose home page is /estates/."""
    if not getattr(user, "is_authenticated", False):
        return False
    return Owner.objects.filter(user_id=user.pk).exists() or bool(committee_compounds(user))
