"""SLA scan: traffic lights as set-based SQL, then escalation (unit → dispatcher → supervisor).

Lights: two UPDATE statements per clock (``CLOCKS``: the unit's handling clock, and the 核实
clock of public reports awaiting verification) over the stored instants (workcal rule 6:
``now >= yellow_at`` ⇔ 80 % of the limit is used), however many cases are open. Escalation is
set-based too: each level reads its candidates once, claims them in chunks with one ``UPDATE …
SET escalation_level = n WHERE id IN (…) AND escalation_level < n … RETURNING …`` before
anyone is told, then writes a fixed number of rows per chunk: one inbox notice per recipient
(a digest when it names several cases), one audit row naming the chunk's cases, and one
``case_notice`` (the webhooks get each case). Every notice carries a dedupe key, so several
workers or a re-run notify once.

Level 1 (yellow: deadline reminder) tells the unit; level 2 (red) tells the unit and the
dispatchers; level 3 (red for more than ``CITYOPS_CASES_SUPERVISOR_AFTER_HOURS``) tells the
bureau supervisors. A case past both (red since longer than the threshold, below level 2) is
claimed straight to level 3 in one UPDATE and told both in the same transaction, so a pass
writes each escalated case once (``_escalate_red``). A report whose verification clock turned
red tells the intake clerks.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import BooleanField, F, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.text import format_lazy

from cityops.accounts.models import Role
from cityops.cases.models import SLA_STATUSES, Case, Light, Status
from cityops.cases.services import notices
from cityops.cases.signals import CaseRef, case_notice
from cityops.core.audit import audit_record
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
    verify_yellow: int = 0
    verify_red: int = 0
    notified_verify: int = 0


def supervisor_after() -> dt.timedelta:
    return dt.timedelta(hours=int(getattr(settings, "CITYOPS_CASES_SUPERVISOR_AFTER_HOURS", 24)))


@dataclass(frozen=True)
class Clock:
    """One deadline clock of a case: the statuses it runs in and its stored instants.

    The handling clock (the unit's 处置时限) and the verification clock (核实 of a public
    report) are flipped by the same two set-based UPDATEs (``clock_update``, every clock of
    ``CLOCKS`` on each ``sla_scan`` pass).
    """

    name: str
    statuses: tuple[str, ...]
    light: str
    yellow_at: str
    deadline_at: str
    red_since: str = ""  # the column that records when it turned red (if any)


HANDLING = Clock("handling", SLA_STATUSES, "light", "yellow_at", "deadline_at", "red_since")
VERIFICATION = Clock(
    "verification", (Status.AWAITING_VERIFICATION,), "verify_light", "verify_yellow_at",
    "verify_by",
)  # fmt: skip
CLOCKS: tuple[Clock, ...] = (HANDLING, VERIFICATION)


def clock_update(clock: Clock, now: dt.datetime) -> tuple[int, int]:
    """Flip one clock's lights with two UPDATEs; red first so a case past both instants goes
    straight red."""
    open_cases = Case.objects.filter(status__in=clock.statuses)
    red_values: dict[str, Any] = {clock.light: Light.RED}
    if clock.red_since:
        red_values[clock.red_since] = F(clock.deadline_at)
    red = open_cases.filter(
        **{f"{clock.light}__in": (Light.GREEN, Light.YELLOW), f"{clock.deadline_at}__lte": now}
    ).update(**red_values)
    yellow = open_cases.filter(**{clock.light: Light.GREEN, f"{clock.yellow_at}__lte": now}).update(
        **{clock.light: Light.YELLOW}
    )
    return yellow, red


def lights_update(now: dt.datetime) -> tuple[int, int]:
    """The handling clock's flips (yellow, red); ``sla_scan`` flips every clock."""
    return clock_update(HANDLING, now)


# An SQL fragment over the case table and its parameters.
SQL = tuple[str, list[Any]]

# What a claim returns of each case: what the notices, the audit row and the webhooks need.
CLAIMED = ("id", "number", "assignee_id", "community_id", "deadline_at")
Claimed = tuple[int, str, int | None, int | None, dt.datetime | None]


def claim(
    qs: QuerySet[Case],
    assignment: SQL,
    guard: SQL,
    limit: int,
) -> list[Claimed]:
    """Claim up to ``limit`` cases of ``qs`` with one ``UPDATE … RETURNING`` (``CLAIMED``).

    ``assignment`` and ``guard`` are (SQL, parameters) over the case table;
    the guard is re-checked by the UPDATE itself, so of two workers claiming the same rows each
    row goes to one of them (PostgreSQL re-evaluates it after the row lock; SQLite serialises
    writers). Call inside a transaction.
    """
    inner, inner_params = qs.order_by().values("pk")[:limit].query.sql_with_params()
    table = connection.ops.quote_name(Case._meta.db_table)
    returning = ", ".join(connection.ops.quote_name(c) for c in CLAIMED)
    sql = (
        f"UPDATE {table} SET {assignment[0]} WHERE id IN ({inner}) AND {guard[0]} "  # noqa: S608
        f"RETURNING {returning}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*assignment[1], *inner_params, *guard[1]])
        rows = cursor.fetchall()
    # SQLite hands datetimes back as text through a raw cursor: convert as the ORM would.
    deadline = Case._meta.get_field("deadline_at")
    convert = connection.ops.get_db_converters(deadline.get_col(Case._meta.db_table))
    out: list[Claimed] = []
    for pk, number, assignee_id, community_id, deadline_at in sorted(rows):
        for converter in convert:
            deadline_at = converter(deadline_at, deadline, connection)
        out.append((int(pk), number, assignee_id, community_id, deadline_at))
    return out


def tell_units(
    rows: list[Claimed],
    kind: str,
    recipients: Callable[[list[int]], list[int]],
    key_for: Callable[[int, dt.datetime | None], str],
    extra: dict[str, Any] | None = None,
) -> int:
    """Tell the claimed cases of one chunk: one inbox notice per recipient, one audit row and
    one ``case_notice`` for the whole chunk — a fixed number of rows and statements per chunk,
    whatever its size.

    A recipient told of one case gets the case's own notice (its title, its page, its per-case
    dedupe key, as a transition's); told of several, a digest: "37 cases are overdue", the
    numbers in the body, a link to the console list that holds them. The audit row
    ``case.escalated.<kind>`` names every case (``data.case_ids``); the case itself records its
    level (``escalation_level``, shown on its page).
    """
    if not rows:
        return 0
    staff = notices.unit_staff_ids(row[2] for row in rows)
    code = f"case.sla.{kind}"
    at = timezone.now().isoformat()
    audit_code = f"case.escalated.{kind}" if kind in ESCALATIONS else f"case.{kind}"
    by_recipient: dict[int, list[Claimed]] = {}
    for row in rows:
        for user in recipients(staff[row[2]]):
            by_recipient.setdefault(user, []).append(row)
    key_of = {row[0]: key_for(row[0], row[4]) for row in rows}
    items = []
    digest_url = notices.console_case_list_url(**notices.DIGEST_LISTS[kind])
    url_of = notices.console_case_url_maker()  # unit staff: the console page
    for user, told in by_recipient.items():
        if len(told) == 1:
            case_id, number = told[0][:2]
            title = format_lazy(notices.MESSAGES[kind], number=number)
            key = key_of[case_id]
            items.append(
                InboxNotice(user, code, title, url_of(case_id), key, "cases.case", str(case_id))
            )
            continue
        # The digest's key is the cases' own keys hashed: the same chunk told twice (a retried
        # job) is one row, another set of cases another.
        keys = "\n".join(key_of[row[0]] for row in told)
        key = f"case.sla.{kind}:digest:{hashlib.sha256(keys.encode()).hexdigest()}"
        title = notices.digest_title(kind, len(told))
        body = notices.digest_body(row[1] for row in told)
        items.append(InboxNotice(user, code, title, digest_url, key, body=body))
    inbox_many(items)
    single = rows[0] if len(rows) == 1 else None
    audit_record(
        code=audit_code,
        target_type="cases.case",
        target_id=str(single[0]) if single else "",
        summary=single[1] if single else f"{len(rows)} cases",
        data={
            **(extra or {}),
            "at": at,
            "case_ids": [row[0] for row in rows],
            "recipients": len(by_recipient),
        },
    )
    told_cases = [CaseRef(pk, number, unit, community) for pk, number, unit, community, _ in rows]
    case_notice.send(sender=Case, cases=told_cases, code=code)
    return len(rows)


ESCALATIONS = ("yellow", "red", "supervisor", "verify_red")


@dataclass(frozen=True)
class Claim:
    """One ``UPDATE … SET <assignment> … AND <guard> RETURNING`` of a chunk, and how to tell
    the cases it claimed (returns how many it told)."""

    assignment: SQL
    guard: SQL
    tell: Callable[[list[Claimed]], int]


def claim_and_tell(qs: QuerySet[Case], claims: Sequence[Claim], *, limit: int | None = None) -> int:
    """Claim the cases of ``qs`` (at most ``limit``, by default ``per_pass``) and tell them,
    ``CHUNK`` per transaction; returns how many were told.

    The candidates are read once (one scan of the table), then each chunk is claimed by
    primary key with ``qs`` and the guard re-checked, so a case changed meanwhile or claimed by
    another worker is skipped. (Claiming "the next ``CHUNK`` of ``qs``" instead rescans the
    rows already claimed each time: quadratic when a mass flip leaves 100,000s to escalate.)
    Several ``claims`` run in order on each chunk, in its one transaction: each case is
    written by the first whose guard it passes (its assignment makes the later guards fail),
    and told with the claim that wrote it — claimed and told commit together.
    """
    limit = per_pass() if limit is None else limit
    if limit <= 0:
        return 0
    candidates = list(qs.order_by().values_list("pk", flat=True)[:limit])
    told = 0
    for start in range(0, len(candidates), CHUNK):
        chunk = sorted(candidates[start : start + CHUNK])
        left = len(chunk)
        with transaction.atomic():
            for step in claims:
                rows = claim(qs.filter(among(chunk)), step.assignment, step.guard, len(chunk))
                if rows:
                    told += step.tell(rows)
                left -= len(rows)
                if not left:  # every case of the chunk is claimed: the later claims find none
                    break
    return told


def among(ids: list[int]) -> Q | RawSQL:
    """``pk IN ids``; on PostgreSQL one array parameter (``= ANY``), not 2,000 placeholders
    for the driver to splice into the statement and the server to parse."""
    if connection.vendor != "postgresql":
        return Q(pk__in=ids)
    column = f"{connection.ops.quote_name(Case._meta.db_table)}.{connection.ops.quote_name('id')}"
    # Identifiers quoted by the backend, the ids a parameter: nothing from outside is spliced.
    return RawSQL(f"{column} = ANY(%s)", [ids], output_field=BooleanField())  # noqa: S611


def _level(level: int, below: int | None = None) -> tuple[SQL, SQL]:
    """The assignment ``escalation_level = level`` and its guard (``< below``, by default
    ``< level``)."""
    guard = level if below is None else below
    return ("escalation_level = %s", [level]), ("escalation_level < %s", [guard])


def teller(
    kind: str, recipients: Callable[[list[int]], list[int]]
) -> Callable[[list[Claimed]], int]:
    """``tell_units`` of ``kind`` to ``recipients``, each case keyed by its deadline (a new
    deadline is told afresh)."""
    return lambda rows: tell_units(
        rows,
        kind,
        recipients,
        lambda pk, deadline: f"case:{pk}:{kind}:{deadline.isoformat() if deadline else ''}",
    )


def _escalate(
    qs: QuerySet[Case], level: int, kind: str, recipients: Callable[[list[int]], list[int]]
) -> int:
    """Claim every case of ``qs`` below ``level`` (in chunks), then tell and audit them."""
    assignment, guard = _level(level)
    return claim_and_tell(
        qs.filter(escalation_level__lt=level), [Claim(assignment, guard, teller(kind, recipients))]
    )


def _escalate_red(
    red: QuerySet[Case], late_since: dt.datetime, dispatchers: list[int], supervisors: list[int]
) -> tuple[int, int]:
    """Levels 2 (red: unit + dispatchers) and 3 (red since ``late_since``: supervisors), each
    case written once: returns how many were told red and how many supervisor.

    The cases red since ``late_since`` come first: claimed straight to level 3 in one UPDATE,
    those below level 2 are told both (red and supervisor), those at level 2 (told red by an
    earlier pass, or set so by an extension that left them red) the supervisors only. Then the
    other red cases below level 2 go to level 2, as many as the red level's ``per_pass`` has
    left. A case past both thresholds is thus written once, not twice (level 2, then 3).
    """
    told = {"red": 0, "supervisor": 0}
    tell_red = teller("red", lambda staff: [*staff, *dispatchers])
    tell_supervisor = teller("supervisor", lambda staff: supervisors)

    def both(rows: list[Claimed]) -> int:
        told["red"] += tell_red(rows)
        told["supervisor"] += tell_supervisor(rows)
        return len(rows)

    def supervisor_only(rows: list[Claimed]) -> int:
        told["supervisor"] += tell_supervisor(rows)
        return len(rows)

    to_three, below_two = _level(3, below=2)
    below_three = _level(3)[1]
    claim_and_tell(
        red.filter(red_since__lte=late_since, escalation_level__lt=3),
        [Claim(to_three, below_two, both), Claim(to_three, below_three, supervisor_only)],
    )
    assignment, guard = _level(2)
    told["red"] += claim_and_tell(
        red.filter(escalation_level__lt=2),
        [Claim(assignment, guard, tell_red)],
        limit=per_pass() - told["red"],
    )
    return told["red"], told["supervisor"]


def sla_scan(*, now: dt.datetime | None = None) -> ScanResult:
    """One pass; safe to run often and from several workers at once."""
    now = now or timezone.now()
    flips = {clock.name: clock_update(clock, now) for clock in CLOCKS}
    (yellow, red), (verify_yellow, verify_red) = flips["handling"], flips["verification"]
    open_cases = Case.objects.filter(status__in=SLA_STATUSES)
    dispatchers = list(notices.role_users(Role.DISPATCHER).values_list("pk", flat=True))
    supervisors = list(notices.role_users(Role.BUREAU_SUPERVISOR).values_list("pk", flat=True))
    unit = _escalate(open_cases.filter(light=Light.YELLOW), 1, "yellow", lambda staff: staff)
    dispatcher, supervisor = _escalate_red(
        open_cases.filter(light=Light.RED), now - supervisor_after(), dispatchers, supervisors
    )
    # A report late for 核实: the intake clerks (who send verification tasks to the inspectors,
    # 核实按时派发率) hear once. The level column is free while a report awaits verification
    # (no handling round yet); ``confirm_report`` clears it.
    clerks = list(notices.role_users(Role.INTAKE_CLERK).values_list("pk", flat=True))
    verify_late = _escalate(
        Case.objects.filter(status__in=VERIFICATION.statuses, verify_light=Light.RED),
        2,
        "verify_red",
        lambda staff: clerks,
    )
    if yellow or red or verify_yellow or verify_red:
        audit_record(
            code="case.sla_scan",
            target_type="cases.case",
            summary=f"yellow {yellow}, red {red}; verification {verify_yellow}/{verify_red}",
            data={
                "yellow": yellow,
                "red": red,
                "verify_yellow": verify_yellow,
                "verify_red": verify_red,
                "at": now.isoformat(),
            },
        )
    return ScanResult(
        yellow, red, unit, dispatcher, supervisor, verify_yellow, verify_red, verify_late
    )
