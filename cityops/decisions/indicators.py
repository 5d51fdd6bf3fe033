"""Linked indicators: the platform's own data that measures a decision, one function each.

Every indicator is ``value(day) -> Decimal | None`` (None: nothing to measure that day), as of
the end of ``day``. ``REGISTRY`` is the list a decision item may link to (``IndicatorLink``);
``snapshots_take`` stores each day's values (``IndicatorSnapshot``) for the trends, run daily by
the ``indicator_snapshots`` job. The case on-time rate comes from the one read model of case
performance (``cases.performance``), so it equals the evaluation's for the same period.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cityops.cases.performance import Grouping, case_performance
from cityops.core.periods import Period
from cityops.registry.models import Compound, Contract, Lot, ManagementModel, ServiceType
from cityops.staffing.selectors import transfer_progress

HUNDRED = Decimal(100)
WINDOW_DAYS = 30  # the case rates are over the 30 days ending with the day


@dataclass(frozen=True)
class Indicator:
    code: str
    label: str | Promise
    unit: str  # "%" or "" (a count)
    higher_is_better: bool
    value: Callable[[dt.date], Decimal | None]
    doc: str


def _pct(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (HUNDRED * part / whole).quantize(Decimal("0.01"))


def compounds_managed_share(day: dt.date) -> Decimal | None:
    """Share of residential compounds under some management (not 无物业) at the end of ``day``:
    the estates management history when a compound has one, else its registry model."""
    from cityops.estates.models import CompoundManagement

    total = Compound.objects.count()
    history = CompoundManagement.objects.filter(started_on__lte=day).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=day)
    )
    with_history = set(CompoundManagement.objects.values_list("compound_id", flat=True))
    managed = set(history.exclude(model=ManagementModel.NONE).values_list("compound_id", flat=True))
    managed |= set(
        Compound.objects.exclude(pk__in=with_history)
        .exclude(management_model=ManagementModel.NONE)
        .values_list("pk", flat=True)
    )
    return _pct(len(managed), total)


def campaign_compounds_open(day: dt.date) -> Decimal | None:
    """No-management compounds targeted by an improvement campaign and not resolved by ``day``."""
    from cityops.estates.models import CampaignTarget

    targets = CampaignTarget.objects.filter(campaign__starts_on__lte=day)
    if not targets.exists():
        return None
    open_ = targets.filter(Q(resolved_on__isnull=True) | Q(resolved_on__gt=day)).count()
    return Decimal(open_)


def sanitation_lots_under_contract(day: dt.date) -> Decimal | None:
    """Sanitation lots whose contract is in force on ``day`` (the integrated contract)."""
    active = Contract.objects.filter(
        service_type=ServiceType.SANITATION, start_date__lte=day, end_date__gte=day
    )
    return Decimal(Lot.objects.filter(contract__in=active).count())


def evaluation_published(day: dt.date) -> Decimal | None:
    """1 when the monthly evaluation of the month before ``day``'s month is published, else 0."""
    from cityops.evaluations.models import Period as EvaluationMonth
    from cityops.evaluations.models import PeriodStatus

    first = day.replace(day=1)
    previous = (first - dt.timedelta(days=1)).replace(day=1)
    published = EvaluationMonth.objects.filter(
        month=previous, status=PeriodStatus.PUBLISHED, published_at__date__lte=day
    ).exists()
    return Decimal(1 if published else 0)


def staff_transferred_share(day: dt.date) -> Decimal | None:
    """Share of the former units' staff whose transfer is completed (人员划转: every step done),
    from the staff register. The register keeps the current step only, so the value exists for
    today and the daily snapshots build the trend from the day this indicator is linked."""
    if day < timezone.localdate():
        return None
    progress = transfer_progress()
    completed = sum(unit["completed"] for unit in progress["units"])
    total = sum(unit["total"] for unit in progress["units"])
    return _pct(completed, total)


def _on_time_rate(service: str) -> Callable[[dt.date], Decimal | None]:
    def rate(day: dt.date) -> Decimal | None:
        period = Period.range(day - dt.timedelta(days=WINDOW_DAYS - 1), day)
        figures = case_performance(period=period, by=Grouping.SERVICE, keys=[service])[service]
        return _pct(figures.on_time, figures.due)

    rate.__doc__ = (
        f"On-time rate (按时处置数 / 应处置数) of {service} cases due in the {WINDOW_DAYS} days "
        "ending with the day, from cases.performance."
    )
    return rate


_ITEMS = [
    Indicator(
        "compounds_managed_share",
        _("Compounds under management"),
        "%",
        True,
        compounds_managed_share,
        compounds_managed_share.__doc__ or "",
    ),
    Indicator(
        "campaign_compounds_open",
        _("No-management compounds still open in a campaign"),
        "",
        False,
        campaign_compounds_open,
        campaign_compounds_open.__doc__ or "",
    ),
    Indicator(
        "sanitation_lots_active",
        _("Sanitation lots under an active contract"),
        "",
        True,
        sanitation_lots_under_contract,
        sanitation_lots_under_contract.__doc__ or "",
    ),
    Indicator(
        "staff_transferred_share",
        _("Staff transfer completed"),
        "%",
        True,
        staff_transferred_share,
        staff_transferred_share.__doc__ or "",
    ),
    Indicator(
        "evaluation_published",
        _("Monthly evaluation published"),
        "",
        True,
        evaluation_published,
        evaluation_published.__doc__ or "",
    ),
]
for _service, _label in (
    (ServiceType.SANITATION, _("Case on-time rate: sanitation")),
    (ServiceType.MUNICIPAL, _("Case on-time rate: municipal facilities")),
    (ServiceType.LANDSCAPING, _("Case on-time rate: landscaping")),
    (ServiceType.PROPERTY, _("Case on-time rate: property management")),
):
    _fn = _on_time_rate(str(_service))
    _ITEMS.append(Indicator(f"on_time_{_service}", _label, "%", True, _fn, _fn.__doc__ or ""))

REGISTRY: dict[str, Indicator] = {i.code: i for i in _ITEMS}


def meets(indicator: Indicator, value: Decimal | None, target: Decimal) -> bool | None:
    """Whether ``value`` reaches ``target`` in the indicator's good direction (None: unknown)."""
    if value is None:
        return None
    return value >= target if indicator.higher_is_better else value <= target
