"""Fixtures of the staff register: a former unit, batches, two HR officers (the second one
approves what the first recorded) and a person ready for each test."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.utils import translation

from cityops.accounts.models import Role, User
from cityops.accounts.services import user_ensure
from cityops.staffing.models import Batch, DifficultyClass, FormerUnit, StaffMember
from cityops.staffing.services import staff_create

PASSWORD = "persona-pass-123"


@dataclass
class Plan:
    unit: FormerUnit
    other_unit: FormerUnit
    easy: Batch
    hard: Batch
    hr: User
    hr2: User


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Service messages in English (pages answer in the request's language, Chinese first)."""
    with translation.override("en"):
        yield


@pytest.fixture
def plan(db: None) -> Plan:
    easy_class = DifficultyClass.objects.create(code="easy", name="易", rank=1)
    hard_class = DifficultyClass.objects.create(code="hard", name="难", rank=3)
    return Plan(
        unit=FormerUnit.objects.create(code="hw", name="环卫处", kind="sanitation"),
        other_unit=FormerUnit.objects.create(code="yl", name="园林处", kind="landscaping"),
        easy=Batch.objects.create(
            code="b1",
            name="第一批",
            difficulty=easy_class,
            planned_start=dt.date(2026, 9, 1),
            planned_end=dt.date(2026, 11, 30),
        ),
        hard=Batch.objects.create(
            code="b3",
            name="第三批",
            difficulty=hard_class,
            planned_start=dt.date(2027, 4, 1),
            planned_end=dt.date(2027, 8, 31),
        ),
        hr=user_ensure(username="hr", password=PASSWORD, role=Role.HR_OFFICER),
        hr2=user_ensure(username="hr2", password=PASSWORD, role=Role.HR_OFFICER),
    )


def make_staff(plan: Plan, **over: object) -> StaffMember:
    values: dict[str, object] = {
        "unit": plan.unit,
        "staff_no": "HW0001",
        "name": "王建国",
        "id_number": "150502198001011234",
        "birth_date": dt.date(1980, 1, 1),
        "sex": "m",
        "establishment_type": "self_funded",
        "service_start": dt.date(2000, 7, 1),
        "batch": plan.easy,
        "pay": {"岗位工资": "1800", "绩效工资": "1500"},
    }
    values.update(over)
    return staff_create(actor=plan.hr, **values)  # type: ignore[arg-type]


@pytest.fixture
def member(plan: Plan) -> StaffMember:
    return make_staff(plan)
