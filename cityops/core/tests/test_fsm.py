"""The state-machine kernel: every registered machine, its generated docs, and the writer."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from cityops.core.errors import Conflict, DomainError, PermissionDenied
from cityops.core.fsm import DOCUMENTS, Machine, fsm_transition, load_machines, render_documents
from cityops.core.models import AuditEvent
from cityops.evaluations.models import Period, PeriodStatus
from cityops.evaluations.transitions import PERIOD

MACHINES = load_machines()


class _Roles:
    def __init__(self, *roles: str) -> None:
        self.roles = set(roles)

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))


def test_every_machine_is_registered() -> None:
    names = set(MACHINES)
    assert {"case", "owners' vote", "inspection", "evaluation run", "appeal"} <= names
    assert {"evaluation month", "scheme version", "satisfaction survey"} <= names
    assert {"campaign target", "credit objection"} <= names


def test_committed_diagrams_match_the_tables() -> None:
    out = StringIO()
    call_command("fsm_diagrams", "--check", stdout=out)
    for name in DOCUMENTS:
        assert f"{name} up to date" in out.getvalue()


@pytest.mark.parametrize("machine", list(MACHINES.values()), ids=lambda m: m.name)
def test_every_status_is_reachable_and_drawn(machine: Machine) -> None:
    reached = set(machine.entry)
    for _ in machine.transitions:
        reached |= {
            str(t.target) for t in machine.transitions if t.target and set(t.sources) & reached
        }
    assert reached == {str(m.value) for m in machine.statuses}  # a new status needs a row here
    assert not [t for t in machine.transitions if set(t.sources) & set(machine.final)]
    text = render_documents()
    drawn = next(body for path, body in text.items() if path.name == machine.doc)
    for rule in machine.transitions:
        for source in rule.sources:
            if rule.target is not None:
                assert f"    {source} --> {rule.target}: {rule.by or rule.action}" in drawn


def test_rule_checked_refuses_unknown_actions_roles_and_stale_statuses() -> None:
    case = MACHINES["case"]
    with pytest.raises(DomainError) as unknown:
        case.rule_checked("teleport", status="reported", actor=None)
    assert unknown.value.code == "unknown_action"
    with pytest.raises(PermissionDenied):
        case.rule_checked("accept", status="reported", actor=_Roles("operator_staff"))
    with pytest.raises(Conflict) as stale:
        case.rule_checked("accept", status="accepted", actor=_Roles("intake_clerk"))
    assert stale.value.code == "invalid_state"
    assert case.rule_checked("accept", status="reported", actor=_Roles("intake_clerk"))


@pytest.mark.django_db
def test_the_writer_compares_and_swaps_against_the_stored_status() -> None:
    first = Period.objects.create(month=dt.date(2026, 10, 1))
    stale = Period.objects.get(pk=first.pk)  # a second writer loaded the same row
    effects: list[str] = []
    fsm_transition(machine=PERIOD, instance=first, action=PeriodStatus.PUBLISHED, actor=None,
                   audit_code="t.published",
                   on_commit=[lambda: effects.append("sent")])  # fmt: skip
    assert first.status == PeriodStatus.PUBLISHED
    # The stale copy still says "open": the UPDATE … WHERE status='open' changes nothing.
    with pytest.raises(Conflict):
        fsm_transition(machine=PERIOD, instance=stale, action=PeriodStatus.PUBLISHED,
                       actor=None, audit_code="t.published")  # fmt: skip
    assert AuditEvent.objects.filter(code="t.published").count() == 1
    event: Any = AuditEvent.objects.get(code="t.published")
    assert event.data["from"] == "open"
    assert event.data["to"] == "published"
    assert effects == []  # side effects wait for the commit (the test transaction never commits)


@pytest.mark.django_db(transaction=True)
def test_side_effects_run_after_commit() -> None:
    period = Period.objects.create(month=dt.date(2026, 9, 1))
    effects: list[str] = []
    fsm_transition(machine=PERIOD, instance=period, action=PeriodStatus.PUBLISHED, actor=None,
                   audit_code="t.published",
                   on_commit=[lambda: effects.append("sent")])  # fmt: skip
    assert effects == ["sent"]
