"""Every case notice links to a page that opens for its recipient: the console case page for
staff, the tracking form for residents (no console access, no link with their private code)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import time_machine
from django.test import Client

from cityops.cases.models import Case
from cityops.cases.services import case_transition, notices
from cityops.cases.services.payloads import Merge
from cityops.cases.sla import sla_scan
from cityops.notifications.models import Notification

SH = ZoneInfo("Asia/Shanghai")


def follow_every_link(expected_kinds: set[str]) -> set[str]:
    """GET each notification's link as its recipient; the codes whose link answered 200."""
    opened: set[str] = set()
    for notification in Notification.objects.select_related("recipient"):
        client = Client()
        client.force_login(notification.recipient)
        answer = client.get(notification.url)
        where = (notification.code, notification.recipient, notification.url)
        assert answer.status_code == 200, where
        opened.add(notification.code)
    assert expected_kinds <= opened
    return opened


def test_every_kind_links_to_a_page_its_recipient_can_open(
    dispatched: Any, personas: Any, django_capture_on_commit_callbacks: Any
) -> None:
    case = dispatched()
    Case.objects.filter(pk=case.pk).update(reported_by=personas.citizen)  # the resident's case
    recipients = [personas.operator_a, personas.dispatcher, personas.intake_clerk, personas.citizen]
    with django_capture_on_commit_callbacks(execute=True):
        for kind, message in notices.MESSAGES.items():
            notices.send(recipients, case, f"case.{kind}", notices.title(message, case))
    kinds = {f"case.{kind}" for kind in notices.MESSAGES}
    assert follow_every_link(kinds) == kinds
    resident = Notification.objects.filter(recipient=personas.citizen).first()
    staff = Notification.objects.filter(recipient=personas.operator_a).first()
    assert resident is not None
    assert staff is not None
    assert resident.url == f"/track/?number={case.number}"
    assert staff.url == f"/console/cases/{case.pk}/"


def test_links_of_real_flows_open(
    verified: Any, report: Any, personas: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with time_machine.travel(dt.datetime(2026, 11, 30, 9, 0, tzinfo=SH), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            target = verified()
        dup = report(source="public", actor=personas.citizen)
    with django_capture_on_commit_callbacks(execute=True):
        # A resident's duplicate merged into the open case: "merged into" and then "closed".
        case_transition(
            case_id=dup.pk,
            action="merge",
            actor=personas.intake_clerk,
            payload=Merge(into=target.pk, reason="重复"),
        )
        sla_scan(now=dt.datetime(2026, 11, 30, 15, 0, tzinfo=SH))
        case_transition(case_id=target.pk, action="close", actor=personas.shift_lead)
    follow_every_link({"case.dispatch", "case.merge", "case.close"})
