"""The demo step on the small city with a little generated case history."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
import time_machine

from cityops.cases.catalogue_demo import CATALOGUE
from cityops.cases.history.generate import TAG
from cityops.cases.models import Category
from cityops.cases.services import case_report
from cityops.cases.services.catalogue import catalogue_load
from cityops.evaluations.models import SnowEvent
from cityops.inspections.demo import inspections_step
from cityops.inspections.models import Inspection, InspectionPlan, Kind, Status
from cityops.inspections.services.plans import plan_recheck
from cityops.inspections.tests.conftest import WEST_ROAD


@pytest.mark.django_db
def test_demo_step_plans_and_records_then_is_idempotent(small_city: Any, personas: Any) -> None:
    context = SimpleNamespace(seed=7)
    inspections_step(context)  # no case history yet: nothing to plan
    assert not InspectionPlan.objects.exists()
    catalogue_load(data=CATALOGUE)
    garbage = Category.objects.get(kind="event", code="0102")
    for when in ("2026-09-20 10:00+08:00", "2026-10-05 10:00+08:00"):
        with time_machine.travel(when, tick=False):
            case_report(
                source="inspector",
                category=garbage,
                lon=WEST_ROAD[0],
                lat=WEST_ROAD[1],
                address="x",
                description="垃圾",
                actor=personas.inspector,
                client=TAG,
            )
    inspections_step(context)
    plans = InspectionPlan.objects.all()
    # two months × three lots (two sanitation, one landscaping)
    assert plans.count() == 6
    assert all(plan_recheck(p) for p in plans)
    submitted = Inspection.objects.filter(status=Status.SUBMITTED)
    assert submitted.filter(kind=Kind.PLANNED).count() == 6
    assert submitted.filter(kind=Kind.UNANNOUNCED).count() == 4
    announced = submitted.exclude(kind=Kind.UNANNOUNCED)
    assert all(i.inspector_signature and i.operator_signature for i in announced)
    # November has history too (a winter month): one demo snowfall, its roads accepted
    with time_machine.travel("2026-11-20 10:00+08:00", tick=False):
        case_report(
            source="inspector",
            category=garbage,
            lon=WEST_ROAD[0],
            lat=WEST_ROAD[1],
            address="x",
            description="垃圾",
            actor=personas.inspector,
            client=TAG,
        )
    inspections_step(context)
    assert InspectionPlan.objects.count() == 9
    event = SnowEvent.objects.get()
    assert event.inspections.filter(status=Status.SUBMITTED).count() == 2
    inspections_step(context)
    assert InspectionPlan.objects.count() == 9
    assert SnowEvent.objects.count() == 1
    assert Inspection.objects.filter(kind=Kind.UNANNOUNCED).count() == 6
