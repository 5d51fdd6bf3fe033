"""SLA scan: traffic lights as set-based SQL, then escalation (unit → dispatcher → supervisor).

Lights: two UPDATE statements over the stored instants (workcal rule 6: ``now >= yellow_at``
⇔ 80 % of the limit is used), however many cases are open. Escalation: each step is claimed
per case with a conditional UPDATE (``escalation_level < n``) before anyone is told, and
every notification carries a dedupe key, so several workers or a re-run notify once.

Level 1 (yellow: deadline reminder) tells the unit; level 2 (red) tells the unit and the
dispatchers; level 3 (red for more than ``CITYOPS_CASES_SUPERVISOR_AFTER_HOURS``) tells the
bureau supervisors.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from cityops.accounts.models import Role, User
from cityops.cases.models import SLA_STATUSES, Case, Light
from cityops.cases.services import notices
from cityops.core.audit import audit_record

BATCH = 500


@dataclass(frozen=True)
class ScanResult:
    yellow: int
    red: int
    notified_unit: int
    notified_dispatcher: int
    notified_supervisor: int


def supervisor_after() -> dt.timedelta:
    return dt.timedelta(hours=int(getattr(settings, "CITYOPS_CASES_SUPERVISOR_AFTER_HOURS", 24)))


def lights_update(now: dt.datetime) -> tuple[int, int]:
    """Flip lights with two UPDATEs; red first so a case past both instants goes straight red."""
    open_cases = Case.objects.filter(status__in=SLA_STATUSES)
    red = open_cases.filter(light__in=(Light.GREEN, Light.YELLOW), deadline_at__lte=now).update(
        light=Light.RED, red_since=F("deadline_at")
    )
    yellow = open_cases.filter(light=Light.GREEN, yellow_at__lte=now).update(light=Light.YELLOW)
    return yellow, red


def _escalate(qs: QuerySet[Case], level: int, kind: str, recipients: Any, now: dt.datetime) -> int:
    told = 0
    staff_cache: dict[int | None, list[User]] = {}
    rows = qs.filter(escalation_level__lt=level).values_list(
        "id", "number", "assignee_id", "deadline_at"
    )[:BATCH]
    for case_id, number, assignee_id, deadline_at in rows:
        with transaction.atomic():
            claimed = Case.objects.filter(
                pk=case_id, escalation_level__lt=level, status__in=SLA_STATUSES
            ).update(escalation_level=level)
            if not claimed:
                continue  # another worker took this step
            case = Case(pk=case_id, number=number, assignee_id=assignee_id)
            if assignee_id not in staff_cache:
                staff_cache[assignee_id] = list(notices.unit_staff(assignee_id))
            users = recipients(staff_cache[assignee_id])
            key = f"case:{case_id}:{kind}:{deadline_at.isoformat() if deadline_at else ''}"
            notices.send(
                users, case, f"case.sla.{kind}", notices.title(notices.MESSAGES[kind], case),
                dedupe=key,
            )  # fmt: skip
            audit_record(
                code=f"case.escalated.{kind}",
                target=case,
                summary=number,
                data={"level": level, "at": now.isoformat(), "recipients": len(users)},
            )
            told += 1
    return told


def sla_scan(*, now: dt.datetime | None = None) -> ScanResult:
    """One pass; safe to run often and from several workers at once."""
    now = now or timezone.now()
    yellow, red = lights_update(now)
    open_cases = Case.objects.filter(status__in=SLA_STATUSES)
    dispatchers = list(notices.role_users(Role.DISPATCHER))
    supervisors = list(notices.role_users(Role.BUREAU_SUPERVISOR))
    unit = _escalate(open_cases.filter(light=Light.YELLOW), 1, "yellow", lambda staff: staff, now)
    dispatcher = _escalate(
        open_cases.filter(light=Light.RED), 2, "red", lambda staff: [*staff, *dispatchers], now
    )
    supervisor = _escalate(
        open_cases.filter(light=Light.RED, red_since__lte=now - supervisor_after()),
        3,
        "supervisor",
        lambda staff: supervisors,
        now,
    )
    if yellow or red:
        audit_record(
            code="case.sla_scan",
            target_type="cases.case",
            summary=f"yellow {yellow}, red {red}",
            data={"yellow": yellow, "red": red, "at": now.isoformat()},
        )
    return ScanResult(yellow, red, unit, dispatcher, supervisor)
