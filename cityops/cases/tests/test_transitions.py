"""Every action of the table: allowed for the right role, forbidden for others, out-of-scope
operators get 404, and two actors at once: one wins, the other gets Conflict."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from cityops.cases.models import Case, CaseEvent, Status
from cityops.cases.services import PAYLOADS, case_transition, payload_for
from cityops.cases.services.payloads import Accept, File, Handle, RequestPark, Verify
from cityops.cases.tests.conftest import jpeg
from cityops.cases.transitions import RULES, TRANSITIONS
from cityops.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from cityops.core.models import AuditEvent


@dataclass(frozen=True)
class Scenario:
    setup: str  # the fixture-built starting point
    actor: str  # persona allowed to act
    forbidden: str  # persona with a role that may not act
    payload: Callable[[Any, Any], dict[str, Any]]


def _none(case: Any, city: Any) -> dict[str, Any]:
    return {}


def _reason(case: Any, city: Any) -> dict[str, Any]:
    return {"reason": "理由"}


def _later(case: Any, city: Any) -> dict[str, Any]:
    return {"reason": "需要更多时间", "new_deadline": case.deadline_at + dt.timedelta(days=3)}


def _photos(case: Any, city: Any) -> dict[str, Any]:
    return {"photos": [jpeg("blue")], "reason": "现场核查"}


SCENARIOS: dict[str, Scenario] = {
    "confirm_report": Scenario("public", "inspector", "intake_clerk", _none),
    "accept": Scenario("reported", "intake_clerk", "dispatcher", _none),
    "reject": Scenario("reported", "intake_clerk", "inspector", _reason),
    "file": Scenario("accepted", "shift_lead", "intake_clerk",
                     lambda c, s: {"condition_met": True}),
    "dispatch": Scenario("filed", "dispatcher", "shift_lead", _none),
    "request_return": Scenario("dispatched", "operator_a", "dispatcher", _reason),
    "approve_return": Scenario("return_requested", "dispatcher", "operator_a", _none),
    "refuse_return": Scenario("return_requested", "dispatcher", "shift_lead", _reason),
    "request_extension": Scenario("dispatched", "operator_a", "dispatcher", _later),
    "approve_extension": Scenario("extension_requested", "dispatcher", "operator_a", _none),
    "refuse_extension": Scenario("extension_requested", "dispatcher", "inspector", _reason),
    "request_park": Scenario("dispatched", "operator_a", "inspector", _reason),
    "approve_park": Scenario("park_requested", "dispatcher", "operator_a", _none),
    "refuse_park": Scenario("park_requested", "dispatcher", "intake_clerk", _reason),
    "resume": Scenario("parked", "dispatcher", "operator_a", _none),
    "handle": Scenario("dispatched", "operator_a", "dispatcher",
                       lambda c, s: {"note": "已清理", "photos": [jpeg()]}),
    "verify": Scenario("handled", "inspector", "operator_a", _photos),
    "rework": Scenario("handled", "inspector", "shift_lead", _photos),
    "close": Scenario("verified", "shift_lead", "inspector", _none),
    "reopen": Scenario("closed", "citizen", "inspector",
                       lambda c, s: {"reason": "还没修好"}),
    "approve_self_handled": Scenario("self_handled", "intake_clerk", "inspector", _none),
    "void": Scenario("filed", "shift_lead", "dispatcher", _reason),
    "merge": Scenario("duplicate", "intake_clerk", "inspector",
                      lambda c, s: {"into": c.merged_into_candidate}),
    "raise_urgency": Scenario("dispatched", "dispatcher", "operator_a", _reason),
    "recategorise": Scenario("accepted", "shift_lead", "inspector",
                             lambda c, s: {"reason": "分类错误", "category": c.new_category}),
}  # fmt: skip


def test_every_action_has_a_scenario() -> None:
    assert set(SCENARIOS) == set(TRANSITIONS)


def test_every_action_has_one_payload_class() -> None:
    assert set(PAYLOADS) == set(TRANSITIONS)
    assert len(set(PAYLOADS.values())) == len(PAYLOADS)


def test_payload_for_refuses_unknown_fields_and_wrong_types() -> None:
    assert payload_for("file", {"condition_met": True, "reason": None}) == File(condition_met=True)
    for action, data, field in (
        ("accept", {"note": "x"}, "note"),
        ("file", {"condition_met": "yes"}, "condition_met"),
        ("dispatch", {"unit": True}, "unit"),
        ("handle", {"photos": "photo.jpg"}, "photos"),
        ("request_extension", {"new_deadline": "tomorrow"}, "new_deadline"),
    ):
        with pytest.raises(DomainError) as err:
            payload_for(action, data)
        assert err.value.field == field
        assert err.value.status_code == 400
    assert payload_for("accept", {"note": "x"}, ignore_unknown=True) == Accept()
    with pytest.raises(DomainError):
        payload_for("fly", {})


@pytest.fixture
def build(report, dispatched, handled, verified, personas, catalogue, small_city):
    """Build a case in the starting state of a scenario."""

    def act(case: Case, action: str, who: str, **payload: Any) -> Any:
        return case_transition(
            case_id=case.pk,
            action=action,
            actor=getattr(personas, who),
            payload=payload_for(action, payload),
        )

    def make(setup: str) -> Any:
        if setup == "public":
            return report(source="public", actor=personas.citizen)
        if setup == "reported":
            return report()
        if setup == "accepted":
            case = act(report(), "accept", "intake_clerk")
            case.new_category = catalogue["illegal_building"]
            return case
        if setup == "filed":
            return act(act(report(), "accept", "intake_clerk"), "file", "shift_lead",
                       condition_met=True)  # fmt: skip
        if setup == "dispatched":
            return dispatched()
        if setup == "return_requested":
            return act(dispatched(), "request_return", "operator_a", reason="不归我们管")
        if setup == "extension_requested":
            case = dispatched()
            return act(case, "request_extension", "operator_a", reason="需要更多时间",
                       new_deadline=case.deadline_at + dt.timedelta(days=2))  # fmt: skip
        if setup == "park_requested":
            return act(dispatched(), "request_park", "operator_a", reason="需协调")
        if setup == "parked":
            case = act(dispatched(), "request_park", "operator_a", reason="需协调")
            return act(case, "approve_park", "dispatcher")
        if setup == "handled":
            return handled()
        if setup == "verified":
            return verified()
        if setup == "closed":  # a resident's own report, fixed and closed
            from cityops.cases.services import case_transition

            case = act(report(source="public", actor=personas.citizen), "confirm_report",
                       "inspector")  # fmt: skip
            act(case, "accept", "intake_clerk")
            case_transition(
                case_id=case.pk,
                action="file",
                actor=personas.shift_lead,
                payload=File(condition_met=True),
            )
            case_transition(case_id=case.pk, action="dispatch", actor=personas.dispatcher)
            case_transition(
                case_id=case.pk,
                action="handle",
                actor=personas.operator_a,
                payload=Handle(note="好", photos=[jpeg()]),
            )
            case_transition(
                case_id=case.pk,
                action="verify",
                actor=personas.inspector,
                payload=Verify(photos=[jpeg()]),
            )
            return case_transition(case_id=case.pk, action="close", actor=personas.shift_lead)
        if setup == "self_handled":
            return report(source="self_handled", photos=[jpeg()], after_photos=[jpeg("green")])
        if setup == "duplicate":
            first = report()
            second = report(description="同一处垃圾")
            second.merged_into_candidate = first.pk
            return second
        raise AssertionError(setup)

    return make


@pytest.mark.parametrize("action", sorted(SCENARIOS))
def test_allowed(action: str, build, personas, small_city) -> None:
    sc = SCENARIOS[action]
    case = build(sc.setup)
    before = case.status
    result = case_transition(
        case_id=case.pk,
        action=action,
        actor=getattr(personas, sc.actor),
        expected_version=case.version,
        payload=payload_for(action, sc.payload(case, small_city)),
    )
    rule = TRANSITIONS[action]
    assert result.status == (rule.target or before)
    stored = Case.objects.get(pk=case.pk)
    assert stored.status == result.status
    assert stored.version == case.version + 1
    event = CaseEvent.objects.filter(case=case, action=action).get()
    assert (event.from_status, event.to_status) == (before, result.status)
    assert event.actor == getattr(personas, sc.actor)
    audit = AuditEvent.objects.filter(code=f"case.{action}", target_id=str(case.pk)).get()
    assert audit.data["from"] == before
    assert audit.data["to"] == result.status


@pytest.mark.parametrize("action", sorted(SCENARIOS))
def test_forbidden_role(action: str, build, personas, small_city) -> None:
    sc = SCENARIOS[action]
    case = build(sc.setup)
    with pytest.raises(PermissionDenied):
        case_transition(
            case_id=case.pk,
            action=action,
            actor=getattr(personas, sc.forbidden),
            payload=payload_for(action, sc.payload(case, small_city)),
        )
    assert Case.objects.get(pk=case.pk).version == case.version


@pytest.mark.parametrize("action", sorted(SCENARIOS))
def test_out_of_scope_operator_gets_not_found(action: str, build, personas, small_city) -> None:
    """Operator B (charlie) never learns that operator A's cases exist."""
    sc = SCENARIOS[action]
    case = build(sc.setup)
    with pytest.raises(NotFound):
        case_transition(
            case_id=case.pk,
            action=action,
            actor=personas.operator_b,
            payload=payload_for(action, sc.payload(case, small_city)),
        )


@pytest.mark.parametrize("action", sorted(SCENARIOS))
def test_concurrent_second_actor_gets_conflict(action: str, build, personas, small_city) -> None:
    """Both read version v; the first acts; the second (same version) is refused."""
    sc = SCENARIOS[action]
    case = build(sc.setup)
    seen = case.version
    payload = payload_for(action, sc.payload(case, small_city))
    case_transition(case_id=case.pk, action=action, actor=getattr(personas, sc.actor),
                    expected_version=seen, payload=payload)  # fmt: skip
    with pytest.raises(Conflict):
        case_transition(case_id=case.pk, action=action, actor=getattr(personas, sc.actor),
                        expected_version=seen,
                        payload=payload_for(action, sc.payload(case, small_city)))  # fmt: skip
    assert CaseEvent.objects.filter(case=case, action=action).count() == 1


def test_repeating_an_action_without_version_is_a_state_conflict(dispatched, personas) -> None:
    case = dispatched()
    park = RequestPark(reason="x")
    case_transition(case_id=case.pk, action="request_park", actor=personas.operator_a, payload=park)
    with pytest.raises(Conflict) as exc:
        case_transition(
            case_id=case.pk, action="request_park", actor=personas.operator_a, payload=park
        )
    assert exc.value.code == "invalid_state"


def test_rules_name_existing_statuses_and_roles() -> None:
    from cityops.accounts.models import Role

    for rule in RULES:
        assert set(rule.sources) <= set(Status.values)
        assert rule.target is None or rule.target in Status.values
        assert set(rule.roles) <= set(Role.values)


def test_superuser_time_is_aware(dispatched) -> None:
    case = dispatched()
    assert timezone.is_aware(case.deadline_at)
