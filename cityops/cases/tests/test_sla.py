"""SLA scan: set-based lights, escalation unit → dispatcher → supervisor, once only."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import time_machine
from django.core.management import call_command
from django.test import override_settings

from cityops.cases.models import Case, Light
from cityops.cases.services import case_transition
from cityops.cases.services.payloads import Handle, RequestExtension
from cityops.cases.signals import case_notice
from cityops.cases.sla import CHUNK, ScanResult, sla_scan
from cityops.cases.tasks import sla_scan_task
from cityops.cases.tests.conftest import jpeg
from cityops.core.models import AuditEvent
from cityops.notifications.models import Notification
from cityops.notifications.services import contact_point_set

SH = ZoneInfo("Asia/Shanghai")


def at(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> dt.datetime:
    return dt.datetime(y, mo, d, h, mi, tzinfo=SH)


def codes(user) -> list[str]:
    return sorted(Notification.objects.filter(recipient=user).values_list("code", flat=True))


def test_lights_and_escalation(dispatched, personas, django_capture_on_commit_callbacks) -> None:
    with time_machine.travel(at(2026, 11, 30, 9, 0), tick=False):
        case = dispatched()  # yellow 13:42 (3 h 12 min of working time), red 14:30
    with django_capture_on_commit_callbacks(execute=True):
        result = sla_scan(now=at(2026, 11, 30, 13, 41))
    assert (result.yellow, result.red) == (0, 0)
    assert Case.objects.get(pk=case.pk).light == Light.GREEN

    with django_capture_on_commit_callbacks(execute=True):
        result = sla_scan(now=at(2026, 11, 30, 13, 42))
    assert (result.yellow, result.notified_unit) == (1, 1)
    assert Case.objects.get(pk=case.pk).light == Light.YELLOW
    assert codes(personas.operator_a) == ["case.sla.yellow"]
    assert codes(personas.operator_b) == []

    with django_capture_on_commit_callbacks(execute=True):
        result = sla_scan(now=at(2026, 11, 30, 14, 30))
    stored = Case.objects.get(pk=case.pk)
    assert (result.red, result.notified_dispatcher) == (1, 1)
    assert stored.light == Light.RED
    assert stored.red_since == at(2026, 11, 30, 14, 30)
    assert "case.sla.red" in codes(personas.dispatcher)
    assert codes(personas.supervisor) == []

    with (
        override_settings(CITYOPS_CASES_SUPERVISOR_AFTER_HOURS=24),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert sla_scan(now=at(2026, 12, 1, 14, 0)).notified_supervisor == 0
        assert sla_scan(now=at(2026, 12, 1, 14, 30)).notified_supervisor == 1
    assert codes(personas.supervisor) == ["case.sla.supervisor"]
    assert AuditEvent.objects.filter(code__startswith="case.escalated.").count() == 3


def test_scan_is_idempotent(dispatched, personas, django_capture_on_commit_callbacks) -> None:
    with time_machine.travel(at(2026, 11, 30, 9, 0), tick=False):
        dispatched()
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            sla_scan(now=at(2026, 11, 30, 15, 0))
    assert codes(personas.dispatcher).count("case.sla.red") == 1
    assert Notification.objects.filter(code__startswith="case.sla.").count() == 2  # A + dispatcher


def test_straight_to_red_when_the_scan_missed_yellow(dispatched) -> None:
    with time_machine.travel(at(2026, 11, 30, 9, 0), tick=False):
        case = dispatched()
    result = sla_scan(now=at(2026, 12, 3, 9, 0))
    assert (result.yellow, result.red) == (0, 1)
    assert Case.objects.get(pk=case.pk).light == Light.RED


def test_handled_and_parked_cases_are_not_scanned(dispatched, personas) -> None:
    with time_machine.travel(at(2026, 11, 30, 9, 0), tick=False):
        case = dispatched()
        case_transition(
            case_id=case.pk,
            action="handle",
            actor=personas.operator_a,
            payload=Handle(note="完成", photos=[jpeg()]),
        )
    assert sla_scan(now=at(2026, 12, 3, 9, 0)).red == 0
    assert Case.objects.get(pk=case.pk).light == Light.GREEN


def test_command_and_task(dispatched) -> None:
    with time_machine.travel(at(2026, 11, 30, 9, 0), tick=False):
        case = dispatched()
    with time_machine.travel(at(2026, 12, 3, 9, 0), tick=False):
        out = StringIO()
        call_command("sla_scan", stdout=out)
        assert "red 1" in out.getvalue()
        result = sla_scan_task.enqueue()
        assert result.return_value is not None
        assert result.return_value["red"] == 0
    assert Case.objects.get(pk=case.pk).light == Light.RED


def test_a_chunk_is_one_digest_per_recipient_in_their_language(
    dispatched, personas, client, django_capture_on_commit_callbacks
) -> None:
    """Cases escalated together: each recipient gets one notice naming them all (title in
    their language, numbers in the body, a link to the list that holds them), one audit row
    names every case, each case page shows its escalation, and a re-run adds nothing."""
    contact_point_set(user=personas.operator_a, actor=personas.operator_a, language="en")
    with time_machine.travel(at(2026, 11, 30, 9, 0), tick=False):
        cases = [dispatched(description=f"垃圾 {k}") for k in range(3)]
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            result = sla_scan(now=at(2026, 11, 30, 15, 0))
    assert result.notified_dispatcher == 0  # the first pass told them
    numbers = sorted(c.number for c in cases)

    unit = Notification.objects.get(recipient=personas.operator_a, code="case.sla.red")
    desk = Notification.objects.get(recipient=personas.dispatcher, code="case.sla.red")
    assert unit.title == "3 cases are overdue"
    assert desk.title == "3件案件已超期"
    assert sorted(unit.body.split(", ")) == sorted(desk.body.split(", ")) == numbers
    assert unit.url == "/console/cases/?open_only=on&overdue=on&sort=deadline_at"
    assert Notification.objects.filter(recipient=personas.operator_b).count() == 0

    audit = AuditEvent.objects.get(code="case.escalated.red")
    assert sorted(audit.data["case_ids"]) == sorted(c.pk for c in cases)
    assert audit.data["recipients"] == 2

    client.force_login(personas.operator_a)
    listing = client.get(unit.url).content.decode()
    assert all(number in listing for number in numbers)
    inbox = client.get("/notifications/").content.decode()
    assert "3 cases are overdue" in inbox
    page = client.get(f"/console/cases/{cases[0].pk}/").content.decode()
    assert 'data-escalation="2"' in page
    assert "已告知责任单位和派遣员：已超期（红灯）" in page
    client.force_login(personas.dispatcher)
    assert "3件案件已超期" in client.get("/notifications/").content.decode()


def test_a_long_digest_folds_its_list_in_the_inbox(
    dispatched, personas, client, django_capture_on_commit_callbacks
) -> None:
    with time_machine.travel(at(2026, 11, 30, 9, 0), tick=False):
        for _ in range(3):
            dispatched()
    with django_capture_on_commit_callbacks(execute=True):
        sla_scan(now=at(2026, 11, 30, 15, 0))
    digest = Notification.objects.get(recipient=personas.operator_a, code="case.sla.red")
    Notification.objects.filter(pk=digest.pk).update(body=", ".join([digest.body] * 40))
    client.force_login(personas.operator_a)
    inbox = client.get("/notifications/").content.decode()
    assert "<details><summary>显示全文</summary>" in inbox


def sla_codes(user) -> list[str]:
    return [code for code in codes(user) if code.startswith("case.sla.")]


def told(kind: str) -> list[int]:
    """Every case the escalation audit rows of ``kind`` name, repeats kept."""
    rows = AuditEvent.objects.filter(code=f"case.escalated.{kind}")
    return sorted(pk for data in rows.values_list("data", flat=True) for pk in data["case_ids"])


@override_settings(CITYOPS_CASES_SUPERVISOR_AFTER_HOURS=24)
def test_straight_past_both_thresholds_tells_red_and_supervisor_once(
    dispatched, personas, django_capture_on_commit_callbacks
) -> None:
    """A case the scan finds red for longer than the supervisor threshold (here told yellow
    before, level 1) goes to level 3 in one claim: the unit and the dispatchers hear it is
    red, the supervisors that it is late, each once; a re-run tells nobody again."""
    with time_machine.travel(at(2026, 11, 30, 9, 0), tick=False):
        case = dispatched()
    with django_capture_on_commit_callbacks(execute=True):
        assert sla_scan(now=at(2026, 11, 30, 14, 0)).notified_unit == 1
    for run in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            result = sla_scan(now=at(2026, 12, 2, 9, 0))  # red since Monday 14:30
        told_now = (result.red, result.notified_dispatcher, result.notified_supervisor)
        assert told_now == ((1, 1, 1) if run == 0 else (0, 0, 0))
    assert Case.objects.get(pk=case.pk).escalation_level == 3
    assert sla_codes(personas.operator_a) == ["case.sla.red", "case.sla.yellow"]
    assert sla_codes(personas.dispatcher) == ["case.sla.red"]
    assert sla_codes(personas.supervisor) == ["case.sla.supervisor"]
    assert told("red") == told("supervisor") == [case.pk]


@override_settings(CITYOPS_CASES_SUPERVISOR_AFTER_HOURS=24)
def test_a_case_already_at_level_2_hears_only_the_supervisor(
    dispatched, personas, django_capture_on_commit_callbacks
) -> None:
    """An extension approved after its new deadline passed leaves the case red at level 2
    (the red notice is not sent for it); once red past the threshold the supervisors hear,
    the dispatchers do not."""
    with time_machine.travel(at(2026, 11, 30, 10, 0), tick=False):
        case = dispatched()
        case_transition(
            case_id=case.pk,
            action="request_extension",
            actor=personas.operator_a,
            payload=RequestExtension(new_deadline=at(2026, 12, 1, 17, 0), reason="需购置材料"),
        )
    with time_machine.travel(at(2026, 12, 1, 18, 0), tick=False):
        case_transition(case_id=case.pk, action="approve_extension", actor=personas.dispatcher)
    stored = Case.objects.get(pk=case.pk)
    assert (stored.light, stored.escalation_level) == (Light.RED, 2)
    with django_capture_on_commit_callbacks(execute=True):
        result = sla_scan(now=at(2026, 12, 2, 16, 0))  # red since Tuesday 17:00: 23 h
    assert (result.notified_dispatcher, result.notified_supervisor) == (0, 0)
    with django_capture_on_commit_callbacks(execute=True):
        result = sla_scan(now=at(2026, 12, 2, 17, 0))
    assert (result.notified_dispatcher, result.notified_supervisor) == (0, 1)
    assert Case.objects.get(pk=case.pk).escalation_level == 3
    assert sla_codes(personas.dispatcher) == []
    assert sla_codes(personas.operator_a) == []
    assert sla_codes(personas.supervisor) == ["case.sla.supervisor"]
    assert (told("red"), told("supervisor")) == ([], [case.pk])


@override_settings(CITYOPS_CASES_SUPERVISOR_AFTER_HOURS=24)
def test_a_second_scanner_between_two_chunks_tells_each_case_once(
    dispatched, django_capture_on_commit_callbacks
) -> None:
    """Two scanners over the same cases (both databases, one connection): the second runs
    while the first is telling its first chunk, so the first claims its second chunk from a
    stale candidate list. Every case is told red and supervisor once, by one of them."""
    with time_machine.travel(at(2026, 11, 30, 9, 0), tick=False):
        case = dispatched()
    fields = [f.attname for f in Case._meta.concrete_fields if f.attname != "id"]
    template = {name: getattr(case, name) for name in fields}
    Case.objects.bulk_create(
        Case(**{**template, "number": f"C{k:06d}", "idempotency_key": ""}) for k in range(CHUNK)
    )
    now = at(2026, 12, 2, 9, 0)
    second: dict[str, ScanResult | None] = {}

    def second_scanner(sender, cases, code, **kwargs) -> None:
        if code == "case.sla.supervisor" and not second:
            second["scan"] = None  # its own notices do not start a third
            second["scan"] = sla_scan(now=now)

    case_notice.connect(second_scanner)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            first = sla_scan(now=now)
    finally:
        case_notice.disconnect(second_scanner)
    assert (first.notified_dispatcher, first.notified_supervisor) == (CHUNK, CHUNK)
    assert (result := second["scan"]) is not None
    assert (result.notified_dispatcher, result.notified_supervisor) == (1, 1)
    every = sorted(Case.objects.values_list("pk", flat=True))
    assert len(every) == CHUNK + 1
    assert told("red") == told("supervisor") == every
    assert set(Case.objects.values_list("escalation_level", flat=True)) == {3}
