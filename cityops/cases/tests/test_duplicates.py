"""Duplicate suggestions and merging (both reporters informed)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from cityops.cases.models import Case, CaseEvent, Status
from cityops.cases.selectors import case_duplicates
from cityops.cases.services import case_transition
from cityops.cases.services.payloads import Merge, Void
from cityops.cases.tests.conftest import EAST, WEST
from cityops.core.errors import DomainError
from cityops.core.models import AuditEvent
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
        merged = case_transition(
            case_id=second.pk,
            action="merge",
            actor=personas.intake_clerk,
            payload=Merge(into=first.pk),
        )
    assert merged.status == Status.MERGED
    assert merged.merged_into_id == first.pk
    assert Notification.objects.filter(recipient=personas.citizen, code="case.merged_into").exists()
    with pytest.raises(DomainError):  # never merge the earlier into the later
        case_transition(
            case_id=first.pk,
            action="merge",
            actor=personas.intake_clerk,
            payload=Merge(into=second.pk),
        )


def test_closing_informs_reporters_of_merged_duplicates(
    verified, report, personas, django_capture_on_commit_callbacks
) -> None:
    target = verified()
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=1)):
        dup = report(source="public", actor=personas.citizen)
    # A duplicate reported after dispatch is merged by the centre into the open case.
    case_transition(
        case_id=dup.pk,
        action="merge",
        actor=personas.intake_clerk,
        payload=Merge(into=target.pk, reason="重复"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        case_transition(case_id=target.pk, action="close", actor=personas.shift_lead)
    assert Notification.objects.filter(recipient=personas.citizen, code="case.close").exists()


def _two_duplicates(report: Any, personas: Any) -> tuple[Case, Case, Case]:
    """Three reports of one problem: the second and third merged into the second-earliest."""
    earliest = report()
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=1)):
        middle = report()
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=2)):
        late = report(source="public", actor=personas.citizen)
    case_transition(
        case_id=late.pk,
        action="merge",
        actor=personas.intake_clerk,
        payload=Merge(into=middle.pk, reason="重复"),
    )
    return earliest, middle, late


def test_merging_a_case_carries_its_duplicates_to_the_new_target(report, personas) -> None:
    earliest, middle, late = _two_duplicates(report, personas)
    case_transition(
        case_id=middle.pk,
        action="merge",
        actor=personas.intake_clerk,
        payload=Merge(into=earliest.pk, reason="重复"),
    )
    late.refresh_from_db()
    assert late.status == Status.MERGED
    assert late.merged_into_id == earliest.pk  # never left pointing at a merged case
    event = CaseEvent.objects.filter(case=late).latest("id")
    assert event.action == "merge"
    assert event.data == {"into": earliest.number, "carried_from": middle.number}
    assert AuditEvent.objects.filter(code="case.merge", target_id=str(late.pk)).count() == 2
    assert not Case.objects.filter(merged_into__status=Status.MERGED).exists()


def test_voiding_a_case_voids_its_duplicates_with_the_reason(report, personas) -> None:
    _earliest, middle, late = _two_duplicates(report, personas)
    case_transition(
        case_id=middle.pk, action="void", actor=personas.shift_lead, payload=Void(reason="误报")
    )
    late.refresh_from_db()
    assert late.status == Status.VOIDED
    assert late.merged_into_id == middle.pk  # the history still shows where it went
    event = CaseEvent.objects.filter(case=late).latest("id")
    assert (event.from_status, event.to_status, event.reason) == ("merged", "voided", "误报")
    assert AuditEvent.objects.filter(code="case.void", target_id=str(late.pk)).exists()
