"""SLA scan: traffic lights as set-based SQL, then escalation (unit → dispatcher → supervisor).

Lights: two UPDATE statements over the stored instants (workcal rule 6: ``now >= yellow_at``
⇔ 80 % of the limit is used), however many cases are open. Escalation is set-based too: each
level reads its candidates once, claims them in chunks with one ``UPDATE … SET
escalation_level = n WHERE id IN (…) AND escalation_level < n … RETURNING id`` before anyone is
told, then writes the inbox notices, the audit rows and the webhook deliveries in bulk (one
``case_notice`` per chunk); every notice carries a dedupe key, so several workers or a re-run
notify once.

Level 1 (yellow: deadline reminder) tells the unit; level 2 (red) tells the unit and the
dispatchers; level 3 (red for more than ``CITYOPS_CASES_SUPERVISOR_AFTER_HOURS``) tells the
bureau supervisors.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.text import format_lazy

from cityops.accounts.models import Role
from cityops.cases.models import SLA_STATUSES, Case, Light
from cityops.cases.services import notices
from cityops.cases.signals import CaseRef, case_notice
from cityops.core.audit import audit_record
from cityops.core.models import AuditEvent
from cityops.core.ormfast import insert_rows
from cityops.notifications.bulk import InboxNotice, inbox_many

# Cases claimed per transaction, and at most per level and pass (the next pass continues).
CHUNK = 2000


def per_pass() -> int:
    return int(getattr(settings, "CITYOPS_CASES_ESCALATIONS_PER_PASS", 100_000))


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


def claim(
    qs: QuerySet[Case],
    assignment: tuple[str, list[Any]],
    guard: tuple[str, list[Any]],
    limit: int,
) -> list[int]:
    """Claim up to ``limit`` cases of ``qs`` with one ``UPDATE … RETURNING id``.

    ``assignment`` and ``guard`` are (SQL, parameters) over the case table;
    the guard is re-checked by the UPDATE itself, so of two workers claiming the same rows each
    row goes to one of them (PostgreSQL re-evaluates it after the row lock; SQLite serialises
    writers). Call inside a transaction.
    """
    inner, inner_params = qs.order_by().values("pk")[:limit].query.sql_with_params()
    table = connection.ops.quote_name(Case._meta.db_table)
    sql = (
        f"UPDATE {table} SET {assignment[0]} WHERE id IN ({inner}) AND {guard[0]} "  # noqa: S608
        "RETURNING id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*assignment[1], *inner_params, *guard[1]])
        return [int(row[0]) for row in cursor.fetchall()]


def tell_units(
    ids: list[int],
    kind: str,
    recipients: Callable[[list[int]], list[int]],
    key_for: Callable[[int, dt.datetime | None], str],
    extra: dict[str, Any] | None = None,
) -> int:
    """Inbox notices and one audit row per claimed case, and one ``case_notice`` for the whole
    batch: a fixed number of statements per chunk, whatever its size."""
    rows = list(
        Case.objects.filter(pk__in=ids)
        .order_by()
        .values_list("id", "number", "assignee_id", "community_id", "deadline_at")
    )
    staff = notices.unit_staff_ids(row[2] for row in rows)
    code = f"case.sla.{kind}"
    at = timezone.now().isoformat()
    audit_code = f"case.escalated.{kind}" if kind in ESCALATIONS else f"case.{kind}"
    url_of = notices.console_case_url_maker()  # unit staff: the console page
    template = notices.MESSAGES[kind]
    items, audits, told = [], [], []
    for case_id, number, assignee_id, community_id, deadline_at in rows:
        users = recipients(staff[assignee_id])
        title = format_lazy(template, number=number)
        key = key_for(case_id, deadline_at)
        url = url_of(case_id)
        items += [InboxNotice(u, code, title, url, key, "cases.case", str(case_id)) for u in users]
        audits.append(
            {
                "code": audit_code,
                "target_type": "cases.case",
                "target_id": str(case_id),
                "summary": number,
                "data": {**(extra or {}), "at": at, "recipients": len(users)},
            }
        )
        told.append(CaseRef(case_id, number, assignee_id, community_id))
    inbox_many(items)
    insert_rows(AuditEvent, audits)
    if told:
        case_notice.send(sender=Case, cases=told, code=code)
    return len(rows)


ESCALATIONS = ("yellow", "red", "supervisor")


def claim_and_tell(
    qs: QuerySet[Case],
    assignment: tuple[str, list[Any]],
    guard: tuple[str, list[Any]],
    tell: Callable[[list[int]], int],
) -> int:
    """Claim the cases of ``qs`` (at most ``per_pass``) and ``tell`` them, ``CHUNK`` per
    transaction; returns how many were told.

    The candidates are read once (one scan of the table), then each chunk is claimed by
    primary key with ``qs`` and the guard re-checked, so a case changed meanwhile or claimed by
    another worker is skipped. (Claiming "the next ``CHUNK`` of ``qs``" instead rescans the
    rows already claimed each time: quadratic when a mass flip leaves 100,000s to escalate.)
    """
    candidates = list(qs.order_by().values_list("pk", flat=True)[: per_pass()])
    told = 0
    for start in range(0, len(candidates), CHUNK):
        chunk = sorted(candidates[start : start + CHUNK])
        with transaction.atomic():
            ids = claim(qs.filter(pk__in=chunk), assignment, guard, len(chunk))
            if ids:
                told += tell(ids)
    return told


def _escalate(
    qs: QuerySet[Case], level: int, kind: str, recipients: Callable[[list[int]], list[int]]
) -> int:
    """Claim every case of ``qs`` below ``level`` (in chunks), then tell and audit them."""
    return claim_and_tell(
        qs.filter(escalation_level__lt=level),
        ("escalation_level = %s", [level]),
        ("escalation_level < %s", [level]),
        lambda ids: tell_units(
            ids,
            kind,
            recipients,
            lambda pk, deadline: f"case:{pk}:{kind}:{deadline.isoformat() if deadline else ''}",
        ),
    )


def sla_scan(*, now: dt.datetime | None = None) -> ScanResult:
    """One pass; safe to run often and from several workers at once."""
    now = now or timezone.now()
    yellow, red = lights_update(now)
    open_cases = Case.objects.filter(status__in=SLA_STATUSES)
    dispatchers = list(notices.role_users(Role.DISPATCHER).values_list("pk", flat=True))
    supervisors = list(notices.role_users(Role.BUREAU_SUPERVISOR).values_list("pk", flat=True))
    unit = _escalate(open_cases.filter(light=Light.YELLOW), 1, "yellow", lambda staff: staff)
    dispatcher = _escalate(
        open_cases.filter(light=Light.RED), 2, "red", lambda staff: [*staff, *dispatchers]
    )
    supervisor = _escalate(
        open_cases.filter(light=Light.RED, red_since__lte=now - supervisor_after()),
        3,
        "supervisor",
        lambda staff: supervisors,
    )
    if yellow or red:
        audit_record(
            code="case.sla_scan",
            target_type="cases.case",
            summary=f"yellow {yellow}, red {red}",
            data={"yellow": yellow, "red": red, "at": now.isoformat()},
        )
    return ScanResult(yellow, red, unit, dispatcher, supervisor)
