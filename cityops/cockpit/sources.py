"""The operators' and the property panels: read from the apps that own the figures.

Operators: the latest *published* month of the evaluation (考评) — scores, grades, payment
effect and the red/black lists exactly as ``evaluations.reports.ranking`` ranks them (the
mayor's office sees published months only, so the shared snapshot holds nothing more).
Property: the newest improvement campaign's progress by street, the credit grades of the
property companies and the owners' votes held this year (``estates.selectors``).
Run by the refresh job only.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from cityops.core.periods import Period
from cityops.estates import selectors as estates
from cityops.estates.models import Campaign, Proposal, ProposalStatus
from cityops.evaluations.models import Period as EvaluationPeriod
from cityops.evaluations.models import PeriodStatus
from cityops.evaluations.ranking.selectors import month_ranking

HELD = (ProposalStatus.CLOSED, ProposalStatus.CERTIFIED)


def operators_compute(*, now: dt.datetime) -> dict[str, Any]:
    month = (
        EvaluationPeriod.objects.filter(status=PeriodStatus.PUBLISHED, evaluations__isnull=False)
        .order_by("-month")
        .first()
    )
    if month is None:
        return {"month": "", "services": []}
    services = []
    for group in month_ranking(month):
        entries = [
            {
                "evaluation": e.evaluation.pk,
                "rank": e.rank,
                "contract": e.evaluation.contract.number,
                "operator": e.evaluation.contract.operator.name,
                "score": str(e.evaluation.score),
                "grade": e.evaluation.grade,
                "grade_name": e.evaluation.grade_name,
                "fee": str(e.evaluation.fee),
                "deduction": str(e.evaluation.deduction),
                "payable": str(e.evaluation.payable),
                "listed": e.listed,
            }
            for e in group.entries
        ]
        services.append(
            {
                "service": group.service_type,
                "entries": entries,
                "fee": str(sum(e.evaluation.fee for e in group.entries)),
                "deduction": str(sum(e.evaluation.deduction for e in group.entries)),
            }
        )
    return {"month": f"{month.month:%Y-%m}", "services": services}


def votes_held_q(period: Period) -> Q:
    """Owners' votes held in the period: closed (or certified) with the close in the period."""
    start, end = period.bounds
    return Q(status__in=HELD, closes_at__gte=start, closes_at__lt=end)


def property_compute(*, now: dt.datetime) -> dict[str, Any]:
    today = timezone.localdate(now)
    campaign = (
        Campaign.objects.filter(starts_on__lte=today).order_by("-starts_on", "-id").first()
        or Campaign.objects.order_by("starts_on", "id").first()
    )
    progress = estates.campaign_progress_by_street(campaign, today=today) if campaign else []
    ranking = estates.company_ranking(day=today)
    year = Period.year(today.year)
    votes = Proposal.objects.filter(votes_held_q(year)).aggregate(
        held=Count("id"), passed=Count("id", filter=Q(passed=True))
    )
    return {
        "campaign": (
            {"id": campaign.pk, "name": campaign.name, "ends_on": campaign.ends_on.isoformat()}
            if campaign
            else None
        ),
        "streets": [
            {
                "street": r.street_name,
                "targeted": r.targeted,
                "planned": r.planned,
                "resolved": r.resolved,
                "overdue": r.overdue,
            }
            for r in progress
        ],
        "grades": list(Counter(r.grade for r in ranking).items()),  # best grade first
        "companies": [
            {
                "id": r.company.pk,
                "name": r.company.name,
                "grade": r.grade,
                "score": str(r.score),
                "blacklisted": r.blacklisted,
            }
            for r in ranking
        ],
        "votes": {
            "period": str(year),
            "held": votes["held"],
            "passed": votes["passed"],
            "open": Proposal.objects.filter(status=ProposalStatus.OPEN).count(),
        },
    }
