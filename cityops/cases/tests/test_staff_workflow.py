"""Staff workflow (issue 15): the unit's published reply, the 核实 clock, 督办 (urge)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import override_settings

from cityops.cases.models import Case, CaseEvent, Light, Status
from cityops.cases.services import (
    case_transition,
)
from cityops.cases.services.payloads import Handle, Urge
from cityops.cases.sla import sla_scan
from cityops.cases.tests.conftest import jpeg
from cityops.core.errors import Conflict, DomainError, PermissionDenied
from cityops.core.models import AuditEvent
from cityops.notifications.models import Notification
from cityops.public.selectors import public_timeline, track_updates

SH = ZoneInfo("Asia/Shanghai")


def at(h: int, mi: int = 0, day: int = 30) -> dt.datetime:
    return dt.datetime(2026, 11, day, h, mi, tzinfo=SH)  # Monday 30 November: a working day


# --- the unit's note, and the reply it chose to publish ---------------------------------------


def _replies(case: Case) -> list[str]:
    return [e["reply"] for e in track_updates(case=case) if e["reply"]]


def test_note_stays_internal_unless_published(dispatched, personas) -> None:
    case = dispatched()
    case_transition(
        case_id=case.pk,
        action="handle",
        actor=personas.operator_a,
        payload=Handle(note="内部：车辆调度", photos=[jpeg()]),
    )
    event = CaseEvent.objects.get(case=case, action="handle")
    assert event.data["note"] == "内部：车辆调度"
    assert "public_reply" not in event.data
    assert _replies(case) == []
    assert all(not e["reply"] for e in public_timeline(case=case))


def test_published_reply_defaults_to_the_note(dispatched, personas) -> None:
    case = dispatched()
    case_transition(
        case_id=case.pk,
        action="handle",
        actor=personas.operator_a,
        payload=Handle(note="已清运", photos=[jpeg()], publish_reply=True),
    )
    assert _replies(case) == ["已清运"]
    audit = AuditEvent.objects.get(code="case.handle", target_id=str(case.pk))
    assert audit.data["public_reply"] == "已清运"


def test_published_reply_may_differ_from_the_note(dispatched, personas) -> None:
    case = dispatched()
    case_transition(
        case_id=case.pk,
        action="handle",
        actor=personas.operator_a,
        payload=Handle(
            note="内部：两车次，费用另计",
            photos=[jpeg()],
            publish_reply=True,
            public_reply="  垃圾已清运，感谢您的反映。 ",
        ),
    )
    assert _replies(case) == ["垃圾已清运，感谢您的反映。"]
    assert [e["reply"] for e in public_timeline(case=case) if e["reply"]] == [
        "垃圾已清运，感谢您的反映。"
    ]


def test_a_reply_text_without_the_tick_is_not_published(dispatched, personas) -> None:
    case = dispatched()
    case_transition(
        case_id=case.pk,
        action="handle",
        actor=personas.operator_a,
        payload=Handle(note="好", photos=[jpeg()], public_reply="不应公开"),
    )
    assert _replies(case) == []


# --- the verification (核实) clock --------------------------------------------------------------


def test_public_report_gets_a_verification_clock(report, personas) -> None:
    with time_machine.travel(at(9), tick=False):
        case = report(source="public", actor=personas.citizen)
    assert case.status == Status.AWAITING_VERIFICATION
    # 2 working hours from 09:00: yellow at 80 % (1 h 36 min), red at 11:00.
    assert (case.verify_yellow_at, case.verify_by) == (at(10, 36), at(11))
    assert case.verify_light == Light.GREEN
    assert (case.shown_light, case.shown_deadline) == (Light.GREEN, at(11))
    inspector_report = report()
    assert inspector_report.verify_by is None
    assert inspector_report.verify_light == Light.NONE


def test_verification_hours_are_configurable(report, personas) -> None:
    with override_settings(CITYOPS_CASES_VERIFY_WORKING_HOURS=1), time_machine.travel(at(9)):
        case = report(source="public", actor=personas.citizen)
    assert case.verify_by == at(10)


def test_the_sla_scan_flips_the_verification_light(report, dispatched, personas) -> None:
    with time_machine.travel(at(9), tick=False):
        waiting = report(source="public", actor=personas.citizen)
        handling = dispatched()
    result = sla_scan(now=at(10, 35))
    assert (result.verify_yellow, result.verify_red) == (0, 0)
    result = sla_scan(now=at(10, 36))
    assert (result.verify_yellow, result.verify_red, result.yellow) == (1, 0, 0)
    assert Case.objects.get(pk=waiting.pk).verify_light == Light.YELLOW
    result = sla_scan(now=at(11))
    assert (result.verify_yellow, result.verify_red) == (0, 1)
    stored = Case.objects.get(pk=waiting.pk)
    assert (stored.verify_light, stored.shown_light) == (Light.RED, Light.RED)
    # The handling clock is untouched by the verification clock (and the other way round).
    assert Case.objects.get(pk=handling.pk).light == Light.GREEN
    assert stored.light == Light.NONE
    audit = AuditEvent.objects.filter(code="case.sla_scan").latest("id")
    assert audit.data["verify_red"] == 1


def test_a_report_late_for_verification_tells_the_intake_clerks_once(
    report, personas, django_capture_on_commit_callbacks
) -> None:
    with time_machine.travel(at(9), tick=False):
        case = report(source="public", actor=personas.citizen)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            result = sla_scan(now=at(11, 5))
    assert result.notified_verify == 0  # the first pass told them
    told = Notification.objects.filter(code="case.sla.verify_red")
    assert [n.recipient for n in told] == [personas.intake_clerk]
    assert AuditEvent.objects.filter(code="case.escalated.verify_red").count() == 1
    with time_machine.travel(at(11, 10), tick=False):
        case_transition(case_id=case.pk, action="confirm_report", actor=personas.inspector)
    assert Case.objects.get(pk=case.pk).escalation_level == 0


def test_verifying_freezes_the_light_and_stops_the_clock(report, personas) -> None:
    with time_machine.travel(at(9), tick=False):
        case = report(source="public", actor=personas.citizen)
    with time_machine.travel(at(10, 40), tick=False):
        case = case_transition(case_id=case.pk, action="confirm_report", actor=personas.inspector)
    stored = Case.objects.get(pk=case.pk)
    assert stored.status == Status.REPORTED
    assert stored.verify_light == Light.YELLOW  # verified in time, but in the yellow band
    assert stored.shown_light == Light.NONE  # no clock runs until dispatch
    assert CaseEvent.objects.get(case=case, action="confirm_report").data["verified_on_time"]
    assert sla_scan(now=at(12)).verify_red == 0
    assert Case.objects.get(pk=case.pk).verify_light == Light.YELLOW


# --- 督办 (urge) -------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["supervisor", "shift_lead"])
def test_urge_counts_tells_the_unit_and_is_audited(
    who, dispatched, personas, django_capture_on_commit_callbacks
) -> None:
    case = dispatched()
    with django_capture_on_commit_callbacks(execute=True):
        case = case_transition(
            case_id=case.pk,
            action="urge",
            actor=getattr(personas, who),
            payload=Urge(reason="群众反映强烈"),
        )
        case = case_transition(
            case_id=case.pk,
            action="urge",
            actor=getattr(personas, who),
            payload=Urge(reason="仍未处理"),
        )
    stored = Case.objects.get(pk=case.pk)
    assert (stored.status, stored.urge_count) == (Status.DISPATCHED, 2)
    assert stored.urged_at is not None
    events = list(CaseEvent.objects.filter(case=case, action="urge").order_by("id"))
    assert [(e.reason, e.data["urge_count"]) for e in events] == [
        ("群众反映强烈", 1),
        ("仍未处理", 2),
    ]
    assert AuditEvent.objects.filter(code="case.urge", target_id=str(case.pk)).count() == 2
    assert Notification.objects.filter(recipient=personas.operator_a, code="case.urge").count() == 2
    assert not Notification.objects.filter(recipient=personas.operator_b, code="case.urge")


def test_urge_needs_a_reason_and_the_role(dispatched, personas) -> None:
    case = dispatched()
    with pytest.raises(DomainError) as exc:
        case_transition(
            case_id=case.pk, action="urge", actor=personas.supervisor, payload=Urge(reason="  ")
        )
    assert exc.value.field == "reason"
    for who in ("dispatcher", "intake_clerk", "inspector"):
        with pytest.raises(PermissionDenied):
            case_transition(
                case_id=case.pk,
                action="urge",
                actor=getattr(personas, who),
                payload=Urge(reason="快"),
            )
    assert Case.objects.get(pk=case.pk).urge_count == 0


def test_urge_only_while_a_unit_is_at_work(report, handled, personas) -> None:
    for case in (report(), handled()):
        with pytest.raises(Conflict):
            case_transition(
                case_id=case.pk, action="urge", actor=personas.supervisor, payload=Urge(reason="快")
            )
