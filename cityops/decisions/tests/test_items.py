"""The 督办 workflow through its services: each transition allowed, forbidden and concurrent;
working-time deadlines; the escalation ladder; extensions; the document guard; scoping."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from cityops.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from cityops.core.models import AuditEvent
from cityops.decisions.models import (
    DecisionItem,
    ExtensionStatus,
    ItemEscalation,
    ItemKind,
    ItemStatus,
    Level,
)
from cityops.decisions.services import items as svc
from cityops.decisions.services.documents import document_create
from cityops.decisions.services.ladder_job import items_escalate
from cityops.decisions.testing import Desk, pdf_file
from cityops.notifications.models import Notification

TZ = ZoneInfo("Asia/Shanghai")
MONDAY = dt.datetime(2026, 9, 14, 9, 0, tzinfo=TZ)

pytestmark = pytest.mark.django_db


def assign(desk: Desk, **kwargs: Any) -> DecisionItem:
    values: dict[str, Any] = {
        "meeting": desk.meeting,
        "text": "出台《关于加强和改进住宅小区物业管理工作的实施意见》",
        "kind": ItemKind.OTHER,
        "lead_unit": desk.housing,
        "co_units": [desk.urban],
        "leader": "副市长",
        "deadline_date": dt.date(2026, 9, 30),
        "actor": desk.section,
        "now": MONDAY,
    }
    values.update(kwargs)
    return svc.item_create(**values)


def to_progress(desk: Desk, item: DecisionItem) -> None:
    svc.item_sign(item_id=item.pk, actor=desk.housing_liaison, now=MONDAY)
    svc.item_plan(item_id=item.pk, text="工作方案", actor=desk.housing_liaison, now=MONDAY)


def test_assignment_sets_working_time_limits_and_tells_the_units(
    desk: Desk, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        item = assign(desk)
    assert item.status == ItemStatus.ASSIGNED
    # 8 working hours from Monday 09:00 (08:30–12:00, 13:30–17:30): 7 h on Monday, Tuesday 09:30.
    assert item.sign_due_at == dt.datetime(2026, 9, 15, 9, 30, tzinfo=TZ)
    assert item.due_at == dt.datetime(2026, 10, 1, 0, 0, tzinfo=TZ)  # 30 Sep ends at 24:00
    assert Notification.objects.filter(recipient=desk.housing_liaison).count() == 1
    assert Notification.objects.filter(recipient=desk.urban_liaison).count() == 1
    assert AuditEvent.objects.filter(code="decision.item.assigned", target_id=str(item.pk)).exists()


def test_a_deadline_in_working_days_skips_the_holiday(desk: Desk) -> None:
    # From Wednesday 30 Sep 17:30, 3 working days: the National Day week (1–7 Oct) is skipped.
    start = dt.datetime(2026, 9, 30, 17, 30, tzinfo=TZ)
    item = assign(desk, deadline_date=None, deadline_working_days=3, now=start)
    # Working days used: 8 Oct, 9 Oct, 10 Oct (Saturday, 调休 working day).
    assert item.due_at == dt.datetime(2026, 10, 10, 17, 30, tzinfo=TZ)


def test_the_whole_path_to_done(desk: Desk) -> None:
    item = assign(desk)
    to_progress(desk, item)
    svc.item_report_progress(
        item_id=item.pk,
        text="已起草",
        percent_done=40,
        files=[pdf_file("draft.pdf")],
        actor=desk.housing_liaison,
    )
    svc.item_complete(
        item_id=item.pk, text="已印发", files=[pdf_file()], actor=desk.housing_liaison
    )
    svc.item_verify(item_id=item.pk, actor=desk.section)
    item.refresh_from_db()
    assert item.status == ItemStatus.DONE
    assert item.done_at is not None
    kinds = list(item.reports.values_list("kind", flat=True))
    assert kinds == ["plan", "progress", "completion"]
    assert item.reports.get(kind="progress").attachments.count() == 1
    codes = set(
        AuditEvent.objects.filter(
            target_id=str(item.pk), code__startswith="decision.item"
        ).values_list("code", flat=True)
    )
    assert {
        "decision.item.sign",
        "decision.item.plan",
        "decision.item.report",
        "decision.item.complete",
        "decision.item.verify",
    } <= codes


def test_returned_with_a_reason_goes_back_to_the_unit(desk: Desk) -> None:
    item = assign(desk)
    to_progress(desk, item)
    svc.item_complete(item_id=item.pk, text="完成", files=[pdf_file()], actor=desk.housing_liaison)
    with pytest.raises(DomainError):
        svc.item_return(item_id=item.pk, reason=" ", actor=desk.section)
    svc.item_return(item_id=item.pk, reason="证据不足", actor=desk.section)
    item.refresh_from_db()
    assert (item.status, item.status_reason) == (ItemStatus.IN_PROGRESS, "证据不足")


def test_completion_needs_evidence_and_files_are_judged_by_content(desk: Desk) -> None:
    item = assign(desk)
    to_progress(desk, item)
    with pytest.raises(DomainError, match="evidence"):
        svc.item_complete(item_id=item.pk, text="完成", files=[], actor=desk.housing_liaison)
    fake = SimpleUploadedFile("evidence.pdf", b"MZ not a pdf", content_type="application/pdf")
    with pytest.raises(DomainError):
        svc.item_complete(item_id=item.pk, text="完成", files=[fake], actor=desk.housing_liaison)
    assert DecisionItem.objects.get(pk=item.pk).status == ItemStatus.IN_PROGRESS


def test_forbidden_steps(desk: Desk, personas: Any) -> None:
    item = assign(desk)
    # The co-unit's liaison sees the item but may not sign for it.
    with pytest.raises(PermissionDenied):
        svc.item_sign(item_id=item.pk, actor=desk.urban_liaison)
    # The section does not sign for units; the unit does not verify.
    with pytest.raises(PermissionDenied):
        svc.item_sign(item_id=item.pk, actor=desk.section)
    # Out of order: verify before completion is a conflict.
    with pytest.raises(Conflict):
        svc.item_verify(item_id=item.pk, actor=desk.section)
    # Anyone else does not even see it.
    for outsider in (personas.operator_a, personas.dispatcher, personas.citizen):
        with pytest.raises(NotFound):
            svc.item_sign(item_id=item.pk, actor=outsider)
    assert DecisionItem.objects.get(pk=item.pk).status == ItemStatus.ASSIGNED


def test_a_document_item_is_done_only_when_the_document_is_issued(desk: Desk) -> None:
    document = document_create(title="实施意见", drafting_unit=desk.housing, actor=desk.section)
    item = assign(desk, kind=ItemKind.DOCUMENT, document=document)
    to_progress(desk, item)
    svc.item_complete(
        item_id=item.pk, text="已报送", files=[pdf_file()], actor=desk.housing_liaison
    )
    with pytest.raises(DomainError, match="not issued"):
        svc.item_verify(item_id=item.pk, actor=desk.section)


def test_suspend_resume_and_cancel_by_a_later_meeting(desk: Desk) -> None:
    item = assign(desk)
    to_progress(desk, item)
    # Parked from Tuesday 09:00 to Thursday 09:00: two working days do not count.
    svc.item_suspend(
        item_id=item.pk,
        reason="等待上级政策",
        actor=desk.section,
        now=dt.datetime(2026, 9, 15, 9, tzinfo=TZ),
    )
    items_escalate(now=dt.datetime(2026, 10, 20, 9, tzinfo=TZ))  # parked: never escalated
    assert DecisionItem.objects.get(pk=item.pk).escalation_level == Level.NONE
    svc.item_resume(item_id=item.pk, actor=desk.section, now=dt.datetime(2026, 9, 17, 9, tzinfo=TZ))
    item.refresh_from_db()
    # Due at the end of 30 September (after work): two working days later, the end of
    # 9 October's working time (1–7 October are holidays, the 8th and 9th are working days).
    assert item.due_at == dt.datetime(2026, 10, 9, 17, 30, tzinfo=TZ)
    assert item.suspended_at is None
    svc.item_cancel(
        item_id=item.pk, reason="第15次会议调整", meeting=desk.meeting, actor=desk.section
    )
    item.refresh_from_db()
    assert item.status == ItemStatus.CANCELLED
    assert item.cancelled_by == desk.meeting
    with pytest.raises(Conflict):
        svc.item_resume(item_id=item.pk, actor=desk.section)


def test_the_ladder_climbs_in_working_time_and_each_rung_once(
    desk: Desk, django_capture_on_commit_callbacks: Any
) -> None:
    item = assign(desk)
    svc.item_sign(item_id=item.pk, actor=desk.housing_liaison, now=MONDAY)
    steps = [
        (dt.datetime(2026, 9, 22, 9, tzinfo=TZ), Level.NONE),  # 6 working days left
        (dt.datetime(2026, 9, 28, 9, tzinfo=TZ), Level.REMINDER),  # 3 left
        (dt.datetime(2026, 10, 6, 9, tzinfo=TZ), Level.NOTICE),  # late in the holiday
        (dt.datetime(2026, 10, 13, 18, tzinfo=TZ), Level.LISTED),  # 5 working days late
        (dt.datetime(2026, 10, 27, 18, tzinfo=TZ), Level.INTERVIEW),  # 15
    ]
    for now, expected in steps:
        with django_capture_on_commit_callbacks(execute=True):
            items_escalate(now=now)
            items_escalate(now=now)  # a second run the same minute does nothing more
        item.refresh_from_db()
        assert item.escalation_level == expected, now
    assert list(ItemEscalation.objects.filter(item=item).values_list("level", flat=True)) == [
        1,
        2,
        3,
        4,
    ]
    listed = ItemEscalation.objects.get(item=item, level=Level.LISTED)
    assert listed.late_working_days == Decimal(5)
    # Listed supervision reaches the mayor's office.
    assert Notification.objects.filter(recipient=desk.mayor, code="decision.escalated").exists()
    svc.item_interview_record(item_id=item.pk, record="约谈住建局局长", actor=desk.section)
    assert ItemEscalation.objects.filter(item=item, record="约谈住建局局长").exists()


def test_an_approved_extension_moves_the_deadline_and_resets_the_ladder(desk: Desk) -> None:
    item = assign(desk)
    to_progress(desk, item)
    items_escalate(now=dt.datetime(2026, 9, 28, 9, tzinfo=TZ))
    with pytest.raises(DomainError):
        svc.extension_request(
            item_id=item.pk, until=dt.date(2026, 9, 1), reason="x", actor=desk.housing_liaison
        )
    request = svc.extension_request(
        item_id=item.pk,
        until=dt.date(2026, 12, 31),
        reason="需履行采购程序",
        actor=desk.housing_liaison,
    )
    with pytest.raises(PermissionDenied):
        svc.extension_decide(request_id=request.pk, approve=True, actor=desk.housing_liaison)
    svc.extension_decide(request_id=request.pk, approve=True, actor=desk.section)
    item.refresh_from_db()
    request.refresh_from_db()
    assert request.status == ExtensionStatus.APPROVED
    assert item.due_at == dt.datetime(2027, 1, 1, 0, 0, tzinfo=TZ)
    assert item.escalation_level == Level.NONE
    second = svc.extension_request(
        item_id=item.pk, until=dt.date(2027, 3, 31), reason="再延", actor=desk.housing_liaison
    )
    with pytest.raises(DomainError):
        svc.extension_decide(request_id=second.pk, approve=False, reason="", actor=desk.section)
    svc.extension_decide(request_id=second.pk, approve=False, reason="不予延期", actor=desk.section)
    item.refresh_from_db()
    assert item.due_at == dt.datetime(2027, 1, 1, 0, 0, tzinfo=TZ)


def test_a_liaison_sees_only_their_units_items(desk: Desk, small_city: Any) -> None:
    from cityops.decisions.access import access_item, items_visible_to

    own = assign(desk)
    other = assign(desk, lead_unit=desk.urban, co_units=[])
    assert set(items_visible_to(desk.housing_liaison)) == {own}
    assert set(items_visible_to(desk.urban_liaison)) == {own, other}  # co-unit of the first
    with pytest.raises(NotFound):
        access_item(other.pk, desk.housing_liaison)
    assert set(items_visible_to(desk.mayor)) == {own, other}


def test_with_time_machine_the_default_deadline_is_twenty_days(desk: Desk) -> None:
    with time_machine.travel(MONDAY, tick=False):
        item = assign(desk, deadline_date=None, now=None)
    assert item.due_at == dt.datetime(2026, 10, 5, 0, 0, tzinfo=TZ)  # 14 Sep + 20 days, 24:00


@pytest.mark.django_db(transaction=True)
def test_concurrent_signs_one_wins(desk: Desk) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's")
    item = assign(desk)
    errors: list[BaseException] = []

    def sign() -> None:
        try:
            svc.item_sign(item_id=item.pk, actor=desk.housing_liaison)
        except Conflict as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sign) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(errors) == 1
    assert AuditEvent.objects.filter(code="decision.item.sign", target_id=str(item.pk)).count() == 1


def test_a_stale_status_is_a_conflict(desk: Desk) -> None:
    """The compare-and-swap: a writer holding the old status loses (SQLite and PostgreSQL)."""
    from cityops.accounts.access import actor_for
    from cityops.core.fsm import fsm_transition
    from cityops.decisions.transitions import ITEM

    item = assign(desk)
    stale = DecisionItem.objects.get(pk=item.pk)
    svc.item_sign(item_id=item.pk, actor=desk.housing_liaison)
    with pytest.raises(Conflict):
        fsm_transition(
            machine=ITEM,
            instance=stale,
            action="sign",
            actor=desk.housing_liaison,
            roles=actor_for(desk.housing_liaison),
            guards={"lead_unit": lambda: None},
            audit_code="decision.item.sign",
        )
