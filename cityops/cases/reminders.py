"""Deadline reminders: tell the unit shortly before a case's handling deadline.

Separate from the yellow-light notice (80 % of the limit used): this one fires
``CITYOPS_CASES_REMINDER_HOURS`` (default 2) calendar hours before the deadline, once per case
and deadline: the claim ``UPDATE … SET reminded_for = deadline_at`` records which deadline was
reminded, so an extension (a new deadline) gets its own reminder and a re-run or a second
worker sends nothing. Set-based like the SLA scan (one UPDATE per chunk, notices in bulk).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from cityops.cases.models import SLA_STATUSES, Case, Light
from cityops.cases.sla import Claim, claim_and_tell, teller


def reminder_lead() -> dt.timedelta:
    return dt.timedelta(hours=float(getattr(settings, "CITYOPS_CASES_REMINDER_HOURS", 2)))


def reminders_send(*, now: dt.datetime | None = None) -> int:
    """Remind the units of cases due within the lead time; returns how many cases."""
    now = now or timezone.now()
    lead = reminder_lead()
    if lead <= dt.timedelta(0):
        return 0
    due = Case.objects.filter(
        status__in=SLA_STATUSES,
        light__in=(Light.GREEN, Light.YELLOW),
        deadline_at__gt=now,
        deadline_at__lte=now + lead,
    ).filter(Q(reminded_for__isnull=True) | ~Q(reminded_for=F("deadline_at")))
    return claim_and_tell(
        due,
        [
            Claim(
                ("reminded_for = deadline_at", []),
                ("(reminded_for IS NULL OR reminded_for <> deadline_at)", []),
                teller("reminder", lambda staff: staff),
            )
        ],
    )
