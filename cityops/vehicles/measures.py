"""Coverage as measured findings of the monthly evaluation (``evaluations.interfaces``).

Per contract and month, from the daily results (``SegmentDay``, ``PointDay``) of the work
plans of the contract's lots:

- ``mechanised_short``: percentage points by which 作业完成率 (Σ min(passes, planned) ÷ Σ planned
  passes, over every planned segment-day of sweeping, washing and watering plans) falls short
  of ``TelematicsSettings.mechanised_target`` (95 % ◐, cn-standards §3.2 "−3 per 1 % below 95 %
  on main roads": the points per unit are the scheme item's);
- ``collection_missed``: collection point-days with fewer visits than the plan requires;
- ``vehicle_alarms``: alarms raised on the contract's vehicles in the month (every kind; a
  scheme item with this code turns them into a deduction per alarm, §7 "fixed deduction per
  alarm, capped per month" — the cap is the item's).

Each comes with explained steps and a link to the page listing the segment-days and
point-days that fell short.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Least
from django.urls import reverse
from django.utils.http import urlencode

from cityops.core.periods import Period
from cityops.evaluations.interfaces import Measured
from cityops.evaluations.scoring import Step
from cityops.vehicles.models import (
    Alarm,
    PointDay,
    SegmentDay,
    TelematicsSettings,
    VehicleKind,
)

MECHANISED_KINDS = (VehicleKind.SWEEPER, VehicleKind.WASHER, VehicleKind.SPRINKLER)
ITEM_MECHANISED = "mechanised_short"
ITEM_COLLECTION = "collection_missed"
ITEM_ALARMS = "vehicle_alarms"


def _pct(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def month_url(contract_id: int, month: dt.date) -> str:
    query = urlencode({"contract": str(contract_id), "month": f"{month:%Y-%m}"})
    return f"{reverse('vehicles:coverage-month')}?{query}"


def coverage_measures(
    *, contract_ids: Sequence[int], month: dt.date
) -> Mapping[int, Sequence[Measured]]:
    period = Period.month_of(month)
    target = TelematicsSettings.current().mechanised_target
    seg = (
        SegmentDay.objects.filter(
            plan__lot__contract_id__in=contract_ids,
            plan__kind__in=MECHANISED_KINDS,
            day__gte=period.first,
            day__lte=period.last,
            planned_passes__gt=0,
        )
        .values("plan__lot__contract_id")
        .annotate(
            planned=Sum("planned_passes"),
            done=Sum(Least(F("passes"), F("planned_passes"))),
        )
        .order_by()
    )
    out: dict[int, list[Measured]] = {}
    for row in seg:
        contract_id = row["plan__lot__contract_id"]
        planned, done = int(row["planned"] or 0), int(row["done"] or 0)
        if not planned:
            continue
        rate = _pct(Decimal(done) * 100 / planned)
        short = max(Decimal(0), _pct(target - rate))
        step = Step(
            "vehicles.mechanised",
            ITEM_MECHANISED,
            {"done": str(done), "planned": str(planned), "rate": str(rate),
             "target": str(target), "short": str(short)},
        )  # fmt: skip
        out.setdefault(contract_id, []).append(
            Measured(ITEM_MECHANISED, short, (step,), month_url(contract_id, month))
        )
    points = (
        PointDay.objects.filter(
            plan__lot__contract_id__in=contract_ids,
            day__gte=period.first,
            day__lte=period.last,
            required__gt=0,
        )
        .values("plan__lot__contract_id")
        .annotate(total=Count("id"), missed=Count("id", filter=Q(visits__lt=F("required"))))
        .order_by()
    )
    for row in points:
        contract_id = row["plan__lot__contract_id"]
        missed = int(row["missed"] or 0)
        step = Step(
            "vehicles.collection",
            ITEM_COLLECTION,
            {"missed": str(missed), "total": str(int(row["total"] or 0))},
        )
        out.setdefault(contract_id, []).append(
            Measured(ITEM_COLLECTION, Decimal(missed), (step,), month_url(contract_id, month))
        )
    return out


def alarm_measures(
    *, contract_ids: Sequence[int], month: dt.date
) -> Mapping[int, Sequence[Measured]]:
    """Alarms raised per contract in the month (by the time their condition began)."""
    period = Period.month_of(month)
    tz_first, tz_next = period.bounds
    rows = (
        Alarm.objects.filter(
            contract_id__in=contract_ids, started_at__gte=tz_first, started_at__lt=tz_next
        )
        .values("contract_id", "kind")
        .annotate(n=Count("id"))
        .order_by("contract_id", "kind")
    )
    counts: dict[int, dict[str, int]] = {}
    for row in rows:
        counts.setdefault(row["contract_id"], {})[row["kind"]] = int(row["n"])
    out: dict[int, list[Measured]] = {}
    for contract_id, kinds in counts.items():
        total = sum(kinds.values())
        step = Step(
            "vehicles.alarms",
            ITEM_ALARMS,
            {"count": str(total),
             "kinds": ", ".join(f"{k} {n}" for k, n in sorted(kinds.items()))},
        )  # fmt: skip
        query = urlencode({"contract": str(contract_id), "month": f"{period.first:%Y-%m}"})
        out[contract_id] = [
            Measured(ITEM_ALARMS, Decimal(total), (step,), f"{reverse('vehicles:alarms')}?{query}")
        ]
    return out
