"""Indicator functions on known data; snapshots; the case rate equals the read model's."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from cityops.decisions.indicators import REGISTRY, meets
from cityops.decisions.models import IndicatorSnapshot
from cityops.decisions.services.snapshots import snapshots_take
from cityops.registry.models import Compound, Contract, ManagementModel

pytestmark = pytest.mark.django_db


def test_compounds_managed_share_follows_the_registry_and_the_history(small_city: Any) -> None:
    from cityops.estates.models import CompoundManagement

    total = Compound.objects.count()
    managed = Compound.objects.exclude(management_model=ManagementModel.NONE).count()
    value = REGISTRY["compounds_managed_share"].value(dt.date(2026, 6, 1))
    assert value == (Decimal(100) * managed / total).quantize(Decimal("0.01"))
    # The unmanaged compound got a fallback manager on 1 July: counted from that day only.
    CompoundManagement.objects.create(
        compound=small_city.compound_unmanaged,
        model=ManagementModel.NONE,
        started_on=dt.date(2020, 1, 1),
        ended_on=dt.date(2026, 7, 1),
    )
    CompoundManagement.objects.create(
        compound=small_city.compound_unmanaged,
        model=ManagementModel.FALLBACK,
        company=small_city.property_company,
        started_on=dt.date(2026, 7, 1),
    )
    before = REGISTRY["compounds_managed_share"].value(dt.date(2026, 6, 30))
    after = REGISTRY["compounds_managed_share"].value(dt.date(2026, 7, 1))
    assert before is not None
    assert after is not None
    assert after > before
    assert after == (Decimal(100) * (managed + 1) / total).quantize(Decimal("0.01"))


def test_sanitation_lots_under_contract_by_day(small_city: Any) -> None:
    contract = Contract.objects.get(pk=small_city.contract_a.pk)
    day_in = contract.start_date
    expected = sum(
        c.lots.count()
        for c in Contract.objects.filter(
            service_type="sanitation", start_date__lte=day_in, end_date__gte=day_in
        )
    )
    assert REGISTRY["sanitation_lots_active"].value(day_in) == Decimal(expected)
    assert expected >= 1
    assert REGISTRY["sanitation_lots_active"].value(dt.date(1990, 1, 1)) == 0


def test_evaluation_published(small_city: Any) -> None:
    from zoneinfo import ZoneInfo

    from cityops.evaluations.models import Period, PeriodStatus

    Period.objects.create(
        month=dt.date(2026, 10, 1),
        status=PeriodStatus.PUBLISHED,
        published_at=dt.datetime(2026, 11, 5, 10, tzinfo=ZoneInfo("Asia/Shanghai")),
    )
    value = REGISTRY["evaluation_published"].value
    assert value(dt.date(2026, 11, 4)) == 0  # October's not yet published that day
    assert value(dt.date(2026, 11, 5)) == 1
    assert value(dt.date(2026, 12, 10)) == 0  # November's is not


def test_on_time_rate_is_the_case_performance_figure(
    small_city: Any, catalogue: Any, dispatched: Any
) -> None:
    from django.utils import timezone

    from cityops.cases.performance import Grouping, case_performance
    from cityops.core.periods import Period

    case = dispatched()
    day = timezone.localdate(case.deadline_at)
    period = Period.range(day - dt.timedelta(days=29), day)
    service = str(case.service_type)
    figures = case_performance(period=period, by=Grouping.SERVICE, keys=[service])[service]
    assert figures.due == 1
    value = REGISTRY[f"on_time_{service}"].value(day)
    assert value == (Decimal(100) * figures.on_time / figures.due).quantize(Decimal("0.01"))
    assert REGISTRY[f"on_time_{service}"].value(day - dt.timedelta(days=60)) is None


def test_snapshots_replace_the_days_values(small_city: Any) -> None:
    days = [dt.date(2026, 6, 1), dt.date(2026, 6, 2)]
    written = snapshots_take(days=days, codes=["sanitation_lots_active"])
    assert written == 2
    assert snapshots_take(days=days, codes=["sanitation_lots_active"]) == 2
    assert IndicatorSnapshot.objects.filter(code="sanitation_lots_active").count() == 2


def test_meets_respects_the_direction() -> None:
    assert meets(REGISTRY["compounds_managed_share"], Decimal(90), Decimal(95)) is False
    assert meets(REGISTRY["campaign_compounds_open"], Decimal(0), Decimal(0)) is True
    assert meets(REGISTRY["campaign_compounds_open"], Decimal(3), Decimal(0)) is False
    assert meets(REGISTRY["campaign_compounds_open"], None, Decimal(0)) is None


def test_staff_transferred_share_is_todays_register(db: None) -> None:
    """From the staff register (counts only): completed / everyone, today; no past values."""
    import datetime as dt

    from django.utils import timezone

    from cityops.decisions.indicators import REGISTRY
    from cityops.staffing.models import StaffStatus
    from cityops.staffing.tests.conftest import make_staff, plan

    today = timezone.localdate()
    indicator = REGISTRY["staff_transferred_share"]
    assert indicator.value(today) is None  # nobody in the register: nothing to measure
    setup = plan.__wrapped__(None)  # type: ignore[attr-defined]
    people = [make_staff(setup, staff_no=f"HW{i:04d}", id_number=f"15050219800101{i:04d}")
              for i in range(4)]  # fmt: skip
    type(people[0]).objects.filter(pk=people[0].pk).update(status=StaffStatus.COMPLETED)
    assert indicator.value(today) == Decimal("25.00")
    assert indicator.value(today - dt.timedelta(days=1)) is None
