"""Duplicate suggestions and merging (both reporters informed)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from cityops.cases.models import Status
from cityops.cases.selectors import case_duplicates
from cityops.cases.services import case_close, case_merge
from cityops.cases.tests.conftest import EAST, WEST
from cityops.core.errors import DomainError
from cityops.notifications.models import Notification


def test_suggests_open_cases_nearby_of_the_same_category(report, catalogue) -> None:
    near = report(point=(WEST[0] + 0.0001, WEST[1]))  # ≈ 8 m east
    report(point=EAST)  # far away
    report(category=catalogue["illegal_building"])  # other category
    found = case_duplicates(category=catalogue["garbage"], lon=WEST[0], lat=WEST[1])
    assert [d.case_id for d in found] == [near.pk]
    assert 5 < found[0].distance_m < 12


def test_radius_and_window_come_from_the_category(report, catalogue) -> None:
    garbage = catalogue["garbage"]  # 30 m, 24 h
    report(point=(WEST[0] + 0.0005, WEST[1]))  # ≈ 40 m
    assert case_duplicates(category=garbage, lon=WEST[0], lat=WEST[1]) == []
    garbage.duplicate_radius_m = 100
    assert len(case_duplicates(category=garbage, lon=WEST[0], lat=WEST[1])) == 1
    later = timezone.now() + dt.timedelta(hours=25)
    assert case_duplicates(category=garbage, lon=WEST[0], lat=WEST[1], at=later) == []


def test_merge_into_the_earlier_case_informs_both_reporters(
    report, personas, django_capture_on_commit_callbacks
) -> None:
    first = report(source="public", actor=personas.citizen)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=5)):
        second = report()
    with django_capture_on_commit_callbacks(execute=True):
        merged = case_merge(case_id=second.pk, into=first.pk, actor=personas.intake_clerk)
    assert merged.status == Status.MERGED
    assert merged.merged_into_id == first.pk
    assert Notification.objects.filter(recipient=personas.citizen, code="case.merged_into").exists()
    with pytest.raises(DomainError):  # never merge the earlier into the later
        case_merge(case_id=first.pk, into=second.pk, actor=personas.intake_clerk)


def test_closing_informs_reporters_of_merged_duplicates(
    verified, report, personas, django_capture_on_commit_callbacks
) -> None:
    target = verified()
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=1)):
        dup = report(source="public", actor=personas.citizen)
    # A duplicate reported after dispatch is merged by the centre into the open case.
    case_merge(case_id=dup.pk, into=target.pk, actor=personas.intake_clerk, reason="重复")
    with django_capture_on_commit_callbacks(execute=True):
        case_close(case_id=target.pk, actor=personas.shift_lead)
    assert Notification.objects.filter(recipient=personas.citizen, code="case.close").exists()
