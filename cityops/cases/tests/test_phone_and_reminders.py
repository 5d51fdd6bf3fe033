"""SMS to phone-only reporters on close / merge, and the deadline reminder job."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import override_settings

from cityops.cases.models import Case
from cityops.cases.reminders import reminders_send
from cityops.cases.services import case_transition
from cityops.cases.services.payloads import Merge, RequestExtension
from cityops.core.models import AuditEvent, OutboxStatus
from cityops.core.outbox import outbox_retry
from cityops.notifications.backends import SmsBackend
from cityops.notifications.models import Notification, PhoneMessage

SH = ZoneInfo("Asia/Shanghai")
SENT: list[tuple[str, str]] = []
HERE = "cityops.cases.tests.test_phone_and_reminders"


class RecordingSms(SmsBackend):
    """Stands in for the SMS gateway (an outside boundary)."""

    def send(self, phone: str, text: str) -> None:
        SENT.append((phone, text))


class BrokenSms(SmsBackend):
    def send(self, phone: str, text: str) -> None:
        raise ConnectionError("gateway down")


@pytest.fixture(autouse=True)
def _sms() -> object:
    SENT.clear()
    with override_settings(CITYOPS_SMS_BACKEND=f"{HERE}.RecordingSms"):
        yield


def at(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> dt.datetime:
    return dt.datetime(y, mo, d, h, mi, tzinfo=SH)


def hotline(personas, phone: str) -> dict[str, object]:
    return {"source": "hotline", "actor": personas.intake_clerk, "reporter_phone": phone}


def test_hotline_caller_gets_an_sms_when_the_case_closes(
    verified, personas, django_capture_on_commit_callbacks
) -> None:
    case = verified(**hotline(personas, "13812345678"))
    with django_capture_on_commit_callbacks(execute=True):
        case_transition(case_id=case.pk, action="close", actor=personas.shift_lead)
    assert len(SENT) == 1
    assert SENT[0][0] == "13812345678"
    assert case.number in SENT[0][1]
    message = PhoneMessage.objects.get()
    assert message.status == OutboxStatus.SENT
    assert message.target_id == str(case.pk)
    # Stored as the encrypted token copied from the case, never the number in clear.
    assert "13812345678" not in message.phone_token
    with connection.cursor() as cur:
        cur.execute("SELECT reporter_phone FROM cases_case WHERE id = %s", [case.pk])
        assert cur.fetchone()[0] == message.phone_token


def test_reporters_with_an_account_and_cases_without_phone_get_no_sms(
    verified, personas, django_capture_on_commit_callbacks
) -> None:
    resident = verified(reporter_phone="13812345678")  # reported by the inspector: has a phone
    plain = verified()
    with django_capture_on_commit_callbacks(execute=True):
        case_transition(case_id=plain.pk, action="close", actor=personas.shift_lead)
    assert SENT == []
    with django_capture_on_commit_callbacks(execute=True):
        case_transition(case_id=resident.pk, action="close", actor=personas.shift_lead)
    assert [phone for phone, _text in SENT] == ["13812345678"]


def test_merge_tells_the_duplicate_caller_and_close_tells_both(
    report, verified, personas, django_capture_on_commit_callbacks
) -> None:
    first = report(**hotline(personas, "13800000001"))
    dup = report(**hotline(personas, "13800000002"))
    with django_capture_on_commit_callbacks(execute=True):
        case_transition(
            case_id=dup.pk,
            action="merge",
            actor=personas.intake_clerk,
            payload=Merge(into=first.pk),
        )
    assert [phone for phone, _text in SENT] == ["13800000002"]
    assert dup.number in SENT[0][1]
    # Merging twice is impossible; re-running the notice is de-duplicated.
    from cityops.cases.services import notices

    with django_capture_on_commit_callbacks(execute=True):
        notices.phone_reporters_tell(Case.objects.get(pk=dup.pk), "merge", with_duplicates=False)
    assert len(SENT) == 1
    assert PhoneMessage.objects.count() == 1


def test_failed_sms_is_retried_with_backoff(
    verified, personas, django_capture_on_commit_callbacks
) -> None:
    case = verified(**hotline(personas, "13812345678"))
    with (
        override_settings(CITYOPS_SMS_BACKEND=f"{HERE}.BrokenSms"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        case_transition(case_id=case.pk, action="close", actor=personas.shift_lead)
    message = PhoneMessage.objects.get()
    assert message.next_attempt_at is not None  # the first backoff step (60 s by default)
    assert (message.status, message.attempts) == (OutboxStatus.FAILED, 1)
    assert "gateway down" in message.last_error
    assert outbox_retry(now=message.next_attempt_at - dt.timedelta(seconds=1)) == 0
    assert outbox_retry(now=message.next_attempt_at) == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.SENT, 2)
    assert [("13812345678", message.text)] == SENT


# --- deadline reminders ---------------------------------------------------------------------


def reminders(user) -> int:
    return Notification.objects.filter(recipient=user, code="case.sla.reminder").count()


def test_reminder_once_per_case_and_deadline(dispatched, personas) -> None:
    with time_machine.travel(at(2026, 11, 30, 9, 0), tick=False):
        case = dispatched()  # deadline 14:30 the same day (see test_sla)
    stored = Case.objects.get(pk=case.pk)
    assert stored.deadline_at == at(2026, 11, 30, 14, 30)
    with override_settings(CITYOPS_CASES_REMINDER_HOURS=2):
        assert reminders_send(now=at(2026, 11, 30, 12, 29)) == 0  # 2 h 1 min before
        assert reminders_send(now=at(2026, 11, 30, 12, 31)) == 1
        assert reminders_send(now=at(2026, 11, 30, 13, 0)) == 0  # once per deadline
        assert reminders_send(now=at(2026, 11, 30, 14, 31)) == 0  # past the deadline
    assert reminders(personas.operator_a) == 1
    assert reminders(personas.operator_b) == 0
    assert Case.objects.get(pk=case.pk).reminded_for == stored.deadline_at
    assert AuditEvent.objects.filter(code="case.reminder", target_id=str(case.pk)).count() == 1

    # An approved extension is a new deadline: it gets its own reminder.
    new_deadline = at(2026, 12, 2, 17, 0)
    with time_machine.travel(at(2026, 11, 30, 13, 0), tick=False):
        case_transition(
            case_id=case.pk,
            action="request_extension",
            actor=personas.operator_a,
            payload=RequestExtension(new_deadline=new_deadline, reason="材料"),
        )
        case_transition(case_id=case.pk, action="approve_extension", actor=personas.dispatcher)
    assert Case.objects.get(pk=case.pk).deadline_at == new_deadline
    with override_settings(CITYOPS_CASES_REMINDER_HOURS=2):
        assert reminders_send(now=at(2026, 12, 2, 15, 30)) == 1
        assert reminders_send(now=at(2026, 12, 2, 16, 0)) == 0
    assert reminders(personas.operator_a) == 2


def test_reminders_off_and_chunked_passes(dispatched, personas) -> None:
    with time_machine.travel(at(2026, 11, 30, 9, 0), tick=False):
        cases = [dispatched() for _ in range(3)]
    with override_settings(CITYOPS_CASES_REMINDER_HOURS=0):
        assert reminders_send(now=at(2026, 11, 30, 13, 0)) == 0
    with override_settings(CITYOPS_CASES_ESCALATIONS_PER_PASS=2):
        assert reminders_send(now=at(2026, 11, 30, 13, 0)) == 2  # capped per pass
        assert reminders_send(now=at(2026, 11, 30, 13, 1)) == 1  # the next pass continues
        assert reminders_send(now=at(2026, 11, 30, 13, 2)) == 0
    # The first pass told two cases: one digest naming both; the second pass one case: its
    # own notice. (Before digests this was one row per case: 3.)
    digest, single = Notification.objects.filter(
        recipient=personas.operator_a, code="case.sla.reminder"
    ).order_by("id")
    named = digest.body.split(", ")
    assert len(named) == 2
    assert "2" in digest.title
    last = next(c for c in cases if c.number not in named)
    assert {*named, last.number} == {c.number for c in cases}
    assert (single.target_id, single.url) == (str(last.pk), f"/console/cases/{last.pk}/")
    assert last.number in single.title
