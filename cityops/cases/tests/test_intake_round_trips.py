"""What one report and its accept and file cost the database: statements and commits, pinned
per database.

Like ``assertNumQueries``, but the commits count too (each is a disk flush on PostgreSQL and
SQLite alike): the test fails when someone adds a query or a transaction to the intake path.
Runs outside a test transaction, so that commits are real.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction

from cityops.cases.models import Case, CaseEvent
from cityops.cases.services import case_transition
from cityops.cases.services.payloads import File
from cityops.core.models import AuditEvent

pytestmark = pytest.mark.django_db(transaction=True)


@dataclass
class Trips:
    statements: list[str] = field(default_factory=list)  # what the code sent, in order
    commits: int = 0  # transactions committed: COMMITs, and writes run in autocommit mode


@contextmanager
def counted() -> Iterator[Trips]:
    trips = Trips()
    conn = connections[DEFAULT_DB_ALIAS]
    commit = conn.commit

    def counting_commit() -> None:
        trips.commits += 1
        commit()

    def wrapper(execute: Callable[..., Any], sql: str, *args: Any) -> Any:
        words = sql.split(None, 1)
        verb = words[0].upper() if words else ""
        if verb.startswith("BEGIN"):  # SQLite's BEGIN IMMEDIATE (PostgreSQL's is implicit)
            return execute(sql, *args)
        trips.statements.append(verb)
        if not connection.in_atomic_block and verb != "SELECT":
            trips.commits += 1  # a write in autocommit mode is its own transaction
        return execute(sql, *args)

    conn.commit = counting_commit  # type: ignore[method-assign]
    try:
        with conn.execute_wrapper(wrapper):
            yield trips
    finally:
        del conn.commit  # the class's method again


# One report of a category without questions' answers to check, by an inspector, no photos:
# PostgreSQL: the category's questions, the day's number (``UPDATE … RETURNING``, its own
# short transaction: ``reserve_early``), then case + event + audit row in one statement
# (``insert_linked``) which is its own transaction. SQLite: one transaction, one INSERT each.
EXPECTED = {
    "postgresql": (["SELECT", "UPDATE", "WITH"], 2),
    "sqlite": (["SELECT", "UPDATE", "INSERT", "INSERT", "INSERT"], 1),
}


def test_one_report_pins_its_statements_and_commits(report) -> None:
    report()  # the day's counter row exists; registry index and catalogue are warm
    with counted() as trips:
        case = report()
    assert (trips.statements, trips.commits) == EXPECTED[connection.vendor]
    stored = Case.objects.get(pk=case.pk)
    assert stored.number == case.number
    assert stored.tracking_hash == case.tracking_hash
    assert list(CaseEvent.objects.filter(case=case).values_list("action", "to_status")) == [
        ("report", "reported")
    ]
    audit = AuditEvent.objects.get(code="case.report", target_id=str(case.pk))
    assert audit.summary.startswith(case.number)


def test_a_keyed_report_adds_only_its_replay_lookup(report) -> None:
    report()
    with counted() as trips:
        first = report(idempotency_key="k-1")
    statements, commits = EXPECTED[connection.vendor]
    assert (trips.statements, trips.commits) == (["SELECT", *statements], commits)
    with counted() as trips:
        again = report(idempotency_key="k-1")
    assert (trips.statements, trips.commits) == (["SELECT"], 0)
    assert again.pk == first.pk
    assert again.replayed


def test_a_report_in_the_callers_transaction_commits_with_it(report) -> None:
    """Inside a caller's transaction the report writes within it (the caller commits)."""
    report()
    with counted() as trips, transaction.atomic():
        case = report()
        assert trips.commits == 0
    assert trips.commits == 1
    assert CaseEvent.objects.filter(case=case).count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's commit setting")
def test_the_unflushed_number_commit_leaves_the_session_flushing(report) -> None:
    """The number's own transaction skips the disk flush (``intake._bump``); that setting is
    local to it: the session's later commits, the case's included, wait for the disk."""
    with connection.cursor() as cursor:
        # The test settings turn the flush off for the whole session (config/settings/test.py):
        # turn it on as production has it, then check the reports leave it on.
        cursor.execute("SET synchronous_commit = on")
        try:
            first, second = report(), report()
            cursor.execute("SHOW synchronous_commit")
            assert cursor.fetchone() == ("on",)
        finally:
            cursor.execute("RESET synchronous_commit")
    assert int(second.number[-5:]) == int(first.number[-5:]) + 1


# One transition without photos (accept, file), its actor's roles already read: the locked read
# of the case, then the compare-and-swap UPDATE with its event and audit row. PostgreSQL: one
# ``WITH`` statement (``ormfast.cas_update_linked``; with the implicit BEGIN and the COMMIT,
# 4 round trips where there were 6); SQLite: one statement each. After the accept's commit the
# residents' subscriptions ask whether anyone follows the community (one SELECT).
TRANSITION = {
    "postgresql": ["SELECT", "WITH"],
    "sqlite": ["SELECT", "UPDATE", "INSERT", "INSERT"],
}


def test_accept_and_file_pin_their_statements_and_commits(report, personas) -> None:
    def accept_and_file(case: Case) -> None:
        case_transition(case_id=case.pk, action="accept", actor=personas.intake_clerk)
        case_transition(
            case_id=case.pk, action="file", actor=personas.shift_lead,
            payload=File(condition_met=True),
        )  # fmt: skip

    accept_and_file(report())  # the actors' roles are read once per user object
    case = report()
    with counted() as accepted:
        case_transition(case_id=case.pk, action="accept", actor=personas.intake_clerk)
    with counted() as filed:
        case_transition(
            case_id=case.pk, action="file", actor=personas.shift_lead,
            payload=File(condition_met=True),
        )  # fmt: skip
    statements = TRANSITION[connection.vendor]
    assert (accepted.statements, accepted.commits) == ([*statements, "SELECT"], 1)
    assert (filed.statements, filed.commits) == (statements, 1)
    stored = Case.objects.get(pk=case.pk)
    assert (stored.status, stored.version) == ("filed", 3)
    assert stored.accepted_at is not None
    assert stored.filed_at is not None
    events = {e.action: e for e in CaseEvent.objects.filter(case=case)}
    assert sorted(events) == ["accept", "file", "report"]
    assert events["file"].data["filing_condition"] == case.category.filing_condition
    for action, (source, target) in {"accept": ("reported", "accepted"),
                                     "file": ("accepted", "filed")}.items():  # fmt: skip
        audit = AuditEvent.objects.get(code=f"case.{action}", target_id=str(case.pk))
        assert audit.target_type == "cases.case"
        assert audit.actor_id == events[action].actor_id
        assert audit.data["event"] == events[action].pk  # the audit row names its event
        assert (audit.data["from"], audit.data["to"], audit.data["photos"]) == (source, target, [])
        assert (events[action].from_status, events[action].to_status) == (source, target)
