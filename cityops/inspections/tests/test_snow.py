"""Snowfall events: default deadlines as data, acceptance inspections feeding the source."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from typing import Any

import pytest
from django.utils import timezone

from cityops.core.errors import DomainError, PermissionDenied
from cityops.inspections.models import SnowDeadline
from cityops.inspections.services.inspections import (
    FindingInput,
    inspection_record,
    inspection_submit,
)
from cityops.inspections.services.plans import inspection_assign
from cityops.inspections.services.snow import deadline_at, snow_acceptance_plan, snow_event_create
from cityops.inspections.sources import monthly_inspections
from cityops.inspections.tests.conftest import png

pytestmark = pytest.mark.usefixtures("schemes")
TZ = timezone.get_fixed_timezone(8 * 60)


def event(personas: Any, **extra: Any) -> Any:
    return snow_event_create(
        name="十一月中雪",
        started_at=dt.datetime(2026, 11, 10, 2, tzinfo=TZ),
        ended_at=dt.datetime(2026, 11, 10, 20, tzinfo=TZ),
        level="moderate",
        actor=personas.supervisor,
        **extra,
    )


def test_deadlines_come_from_editable_defaults(personas: Any) -> None:
    SnowDeadline.objects.filter(level="moderate", road_class="main").update(clear_hours=3)
    e = event(personas, deadlines={"branch": {"clear_hours": 10, "haul_hours": 100}})
    assert e.deadlines["main"]["clear_hours"] == 3
    assert e.deadlines["secondary"] == {"clear_hours": 6, "haul_hours": 144}
    assert e.deadlines["branch"] == {"clear_hours": 10, "haul_hours": 100}
    assert deadline_at(e, "main", "clear") == dt.datetime(2026, 11, 10, 23, tzinfo=TZ)
    with pytest.raises(DomainError):
        event(personas, deadlines={"motorway": {"clear_hours": 1, "haul_hours": 2}})
    with pytest.raises(PermissionDenied):
        snow_event_create(
            name="x",
            started_at=e.started_at,
            ended_at=e.ended_at,
            level="light",
            actor=personas.inspector,
        )


def test_acceptance_findings_reach_the_monthly_source(personas: Any, small_city: Any) -> None:
    e = event(personas)
    assert snow_acceptance_plan(event_id=e.pk, actor=personas.supervisor) == 2
    assert snow_acceptance_plan(event_id=e.pk, actor=personas.supervisor) == 0  # once per road
    west = e.inspections.get(road_segment=small_city.road_west)
    inspection_assign(
        inspection_ids=[west.pk], inspector_id=personas.inspector.pk, actor=personas.supervisor
    )
    inspection_record(
        inspection_id=west.pk,
        actor=personas.inspector,
        findings=[
            FindingInput("acceptance", "no_black_surface", D(2)),
            FindingInput("clearing", "clear_late", D(1)),
        ],
        operator_signer="王五",
    )
    inspection_submit(
        inspection_id=west.pk,
        actor=personas.inspector,
        inspector_signature=png(),
        operator_signature=png(),
    )
    got = monthly_inspections(contract_ids=[small_city.contract_a.pk], month=dt.date(2026, 11, 1))
    a = got[small_city.contract_a.pk]
    assert a.findings["acceptance"] == {"no_black_surface": D(2)}
    assert a.findings["clearing"] == {"clear_late": D(1)}
    assert a.evidence["acceptance"] == {"no_black_surface": [west.pk]}
