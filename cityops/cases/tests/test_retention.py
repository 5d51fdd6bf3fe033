"""PIPL retention: a reporter's contact data is erased a configurable time after the case
closes; the case, its history and its SMS rows stay."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import override_settings

from cityops.cases.models import Case
from cityops.cases.retention import reporter_contacts_erase
from cityops.cases.services import case_transition
from cityops.core.models import AuditEvent
from cityops.notifications.models import PhoneMessage

SH = ZoneInfo("Asia/Shanghai")
PHONE = "13812345678"


@pytest.fixture
def closed(verified, personas, django_capture_on_commit_callbacks):
    def make(when: dt.datetime, phone: str = PHONE) -> Case:
        with time_machine.travel(when, tick=False):
            case = verified(
                source="hotline",
                actor=personas.intake_clerk,
                reporter_phone=phone,
                reporter_name="张三",
            )
            with django_capture_on_commit_callbacks(execute=True):
                return case_transition(case_id=case.pk, action="close", actor=personas.shift_lead)

    return make


def test_contact_data_is_erased_after_the_retention_time_and_audited(closed) -> None:
    old = closed(dt.datetime(2025, 1, 10, 10, tzinfo=SH))
    recent = closed(dt.datetime(2025, 12, 1, 10, tzinfo=SH), phone="13900001111")
    assert PhoneMessage.objects.filter(target_id=str(old.pk)).exclude(phone_token="").exists()
    with time_machine.travel(dt.datetime(2026, 1, 20, tzinfo=SH), tick=False):
        assert reporter_contacts_erase() == 1
        assert reporter_contacts_erase() == 0  # idempotent: nothing left, no second event
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.reporter_name, old.reporter_phone, old.reporter_phone_index) == ("", "", "")
    assert old.reporter_erased_at is not None
    assert old.status == "closed"
    assert old.events.exists()
    assert PhoneMessage.objects.get(target_id=str(old.pk)).phone_token == ""
    assert recent.reporter_phone == "13900001111"
    assert recent.reporter_erased_at is None
    assert PhoneMessage.objects.get(target_id=str(recent.pk)).phone_token != ""
    event = AuditEvent.objects.get(code="case.reporter_erased")
    assert event.data["case_ids"] == [old.pk]


def test_open_cases_are_never_erased(verified, personas) -> None:
    with time_machine.travel(dt.datetime(2025, 1, 10, 10, tzinfo=SH), tick=False):
        case = verified(source="hotline", actor=personas.intake_clerk, reporter_phone=PHONE)
    with time_machine.travel(dt.datetime(2026, 1, 20, tzinfo=SH), tick=False):
        assert reporter_contacts_erase() == 0
    case.refresh_from_db()
    assert case.reporter_phone == PHONE


def test_zero_days_disables_and_batches_cover_everything(closed) -> None:
    cases = [
        closed(dt.datetime(2025, 1, 10, 10 + i, tzinfo=SH), phone=f"139111100{i}") for i in range(3)
    ]
    with time_machine.travel(dt.datetime(2026, 6, 1, tzinfo=SH), tick=False):
        with override_settings(CITYOPS_REPORTER_RETENTION_DAYS=0):
            assert reporter_contacts_erase() == 0
        assert Case.objects.filter(reporter_erased_at__isnull=True).count() == 3
        assert reporter_contacts_erase(batch=2) == 3
    assert AuditEvent.objects.filter(code="case.reporter_erased").count() == 2
    assert [c.reporter_phone for c in Case.objects.filter(pk__in=[c.pk for c in cases])] == [""] * 3
