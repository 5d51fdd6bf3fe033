"""Jobs that feed property management from other domains.

The credit job is the one place that reads case performance for the credit rating: it takes,
per property company, the figures of :mod:`cityops.cases.performance` (the definitions that
evaluations and the comprehensive evaluation use too) and hands them to
:func:`credit_case_statistics_record`, so the scoring rules stay in one service.

Each company's rated periods are remembered (:class:`CreditRatedPeriod`): a period counts only
the days no earlier-rated period covers, so overlapping periods never count a case twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from cityops.cases.performance import Grouping, case_performance
from cityops.core.periods import Period
from cityops.estates.models import CreditRatedPeriod
from cityops.estates.services.credit import credit_case_statistics_record
from cityops.registry.models import Organisation, OrganisationKind, ServiceType


@dataclass(frozen=True)
class CompanyCaseStats:
    """What the credit rating reads: ``complaints`` = cases dispatched to the company (counted
    ones), ``due``/``on_time`` and ``rework`` (failed checks), all as case performance defines
    them."""

    company_id: int
    complaints: int = 0
    due: int = 0
    on_time: int = 0
    rework: int = 0

    @property
    def on_time_rate(self) -> Decimal:
        # Nothing due means nothing handled late: the rate is full.
        if not self.due:
            return Decimal(1)
        return (Decimal(self.on_time) / Decimal(self.due)).quantize(Decimal("0.0001"))


def case_statistics(
    *, periods: Sequence[Period], company_ids: Sequence[int]
) -> dict[int, CompanyCaseStats]:
    """Per company, the figures summed over ``periods`` (which must not overlap)."""
    sums = {pk: [0, 0, 0, 0] for pk in company_ids}
    for period in periods:
        figures = case_performance(period=period, by=Grouping.ORGANISATION, keys=company_ids)
        for pk, p in figures.items():
            row = sums[int(pk)]
            for i, value in enumerate((p.to_close, p.due, p.on_time, p.reworks)):
                row[i] += value
    return {pk: CompanyCaseStats(pk, *values) for pk, values in sums.items()}


def _not_yet_rated(period: Period, rows: list[CreditRatedPeriod]) -> list[Period]:
    """The parts of ``period`` that no period rated before it covers."""
    own = next((r for r in rows if (r.first, r.last) == (period.first, period.last)), None)
    earlier = [
        Period.range(r.first, r.last)
        for r in rows
        if r is not own and (own is None or r.pk < own.pk)
    ]
    return period.minus(earlier)


def credit_update_from_cases(*, period: Period) -> dict[int, CompanyCaseStats]:
    """Rate one period's case figures into every active property company's credit.

    Idempotent per (company, period): the credit service replaces the period's earlier
    records, and days an earlier-rated period covers are left out (a period fully covered
    records nothing). A company without cases in the period gets its (empty) statistics too, so
    a rerun after cases were voided withdraws the deductions. Returns what was counted.
    """
    with transaction.atomic():
        # Locked so two runs cannot both decide that the same days are not rated yet.
        companies = list(
            Organisation.objects.select_for_update()
            .filter(kind=OrganisationKind.OPERATOR, operator_type=ServiceType.PROPERTY, active=True)
            .order_by("pk")
        )
        rated: dict[int, list[CreditRatedPeriod]] = {c.pk: [] for c in companies}
        for row in CreditRatedPeriod.objects.filter(company__in=companies).order_by("pk"):
            rated[row.company_id].append(row)
        pieces = {c.pk: tuple(_not_yet_rated(period, rated[c.pk])) for c in companies}
        stats: dict[int, CompanyCaseStats] = {}
        for parts in set(pieces.values()):
            ids = [pk for pk, p in pieces.items() if p == parts]
            stats.update(case_statistics(periods=parts, company_ids=ids))
        for company in companies:
            if not pieces[company.pk]:
                continue  # every day of it was rated before
            s = stats[company.pk]
            credit_case_statistics_record(
                company=company,
                period=period.code,
                complaints=s.complaints,
                on_time_rate=s.on_time_rate,
                rework=s.rework,
                valid_from=period.last + dt.timedelta(days=1),
            )
            CreditRatedPeriod.objects.get_or_create(
                company=company,
                first=period.first,
                last=period.last,
                defaults={"label": period.code},
            )
    return stats
