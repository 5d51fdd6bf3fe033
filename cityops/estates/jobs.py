"""Jobs that feed property management from other domains.

The monthly credit job is the one place that reads case records for the credit rating: it counts,
set-based, what the cases app routed to each property company and hands the counts to
:func:`credit_case_statistics_record`, so the scoring rules stay in one service.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from cityops.cases.models import Case, Status
from cityops.estates.services.credit import credit_case_statistics_record
from cityops.registry.models import Organisation, OrganisationKind, ServiceType

# Cases that never reached the company do not count against it.
NOT_COUNTED = (Status.REJECTED, Status.VOIDED, Status.MERGED)


@dataclass(frozen=True)
class CompanyCaseStats:
    company_id: int
    complaints: int
    handled: int
    on_time: int
    rework: int

    @property
    def on_time_rate(self) -> Decimal:
        # Nothing handled means nothing handled late: the rate is full.
        if not self.handled:
            return Decimal(1)
        return (Decimal(self.on_time) / Decimal(self.handled)).quantize(Decimal("0.0001"))


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    """``"2026-10"`` → (2026-10-01, 2026-10-31)."""
    if not re.fullmatch(r"\d{4}-\d{2}", month):
        raise ValueError(month)
    start = dt.date(int(month[:4]), int(month[5:]), 1)
    nxt = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return start, nxt - dt.timedelta(days=1)


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def case_statistics(*, period_start: dt.date, period_end: dt.date) -> dict[int, CompanyCaseStats]:
    """Per property company, one query: complaints reported in the period, cases handled in the
    period and how many of those before their deadline, and the reworks of the period's cases."""
    lo, hi = _aware(period_start), _aware(period_end + dt.timedelta(days=1))
    reported = Q(reported_at__gte=lo, reported_at__lt=hi)
    handled = Q(handled_at__gte=lo, handled_at__lt=hi)
    rows = (
        Case.objects.filter(
            routed_org__kind=OrganisationKind.OPERATOR,
            routed_org__operator_type=ServiceType.PROPERTY,
        )
        .exclude(status__in=NOT_COUNTED)
        .filter(reported | handled)
        .values("routed_org_id")
        .annotate(
            complaints=Count("id", filter=reported),
            handled=Count("id", filter=handled),
            on_time=Count("id", filter=handled & Q(deadline_at__gte=F("handled_at"))),
            rework=Sum("rework_count", filter=reported, default=0),
        )
    )
    return {
        r["routed_org_id"]: CompanyCaseStats(
            company_id=r["routed_org_id"],
            complaints=r["complaints"],
            handled=r["handled"],
            on_time=r["on_time"],
            rework=r["rework"] or 0,
        )
        for r in rows
    }


def credit_update_from_cases(
    *, period_start: dt.date, period_end: dt.date, period: str = ""
) -> dict[int, CompanyCaseStats]:
    """Record one period's case statistics for every active property company.

    Idempotent per (company, period): the credit service replaces the period's earlier records.
    A company without cases in the period gets its (empty) statistics too, so a rerun after
    cases were voided withdraws the deductions.
    """
    period = period or (
        period_start.strftime("%Y-%m")
        if (period_start.day == 1 and month_bounds(period_start.strftime("%Y-%m"))[1] == period_end)
        else f"{period_start:%Y%m%d}-{period_end:%Y%m%d}"
    )
    stats = case_statistics(period_start=period_start, period_end=period_end)
    companies = Organisation.objects.filter(
        kind=OrganisationKind.OPERATOR, operator_type=ServiceType.PROPERTY, active=True
    ).order_by("pk")
    out: dict[int, CompanyCaseStats] = {}
    for company in companies:
        s = stats.get(company.pk) or CompanyCaseStats(company.pk, 0, 0, 0, 0)
        credit_case_statistics_record(
            company=company,
            period=period,
            complaints=s.complaints,
            on_time_rate=s.on_time_rate,
            rework=s.rework,
            valid_from=period_end + dt.timedelta(days=1),
        )
        out[company.pk] = s
    return out
