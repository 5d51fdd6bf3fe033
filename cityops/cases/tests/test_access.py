"""Who sees which case; reporter data masked in lists and revealed only with an audit row."""

from __future__ import annotations

import pytest

from cityops.cases.access import access_case
from cityops.cases.selectors import case_list, case_public_view, case_row
from cityops.cases.services import case_reveal_reporter, case_transition
from cityops.cases.services.payloads import Dispatch, RequestReturn
from cityops.cases.tests.conftest import EAST
from cityops.core.errors import DomainError, NotFound, PermissionDenied
from cityops.core.models import AuditEvent


def test_operator_sees_only_cases_dispatched_to_it(dispatched, personas) -> None:
    case = dispatched()
    assert access_case(case.pk, personas.operator_a).pk == case.pk
    with pytest.raises(NotFound):
        access_case(case.pk, personas.operator_b)
    assert list(case_list(user=personas.operator_b)) == []
    assert [c.pk for c in case_list(user=personas.operator_a)] == [case.pk]


def test_returned_case_leaves_the_old_unit(dispatched, personas, small_city) -> None:
    case = dispatched()
    case_transition(
        case_id=case.pk,
        action="request_return",
        actor=personas.operator_a,
        payload=RequestReturn(reason="属东片"),
    )
    case = case_transition(case_id=case.pk, action="approve_return", actor=personas.dispatcher)
    assert case.assignee_id is None
    assert case.return_count == 1
    assert case.status == "filed"
    with pytest.raises(DomainError) as exc:  # override without a reason is refused
        case_transition(
            case_id=case.pk,
            action="dispatch",
            actor=personas.dispatcher,
            payload=Dispatch(unit=small_city.operator_b),
        )
    assert getattr(exc.value, "field", None) == "reason"
    case = case_transition(
        case_id=case.pk,
        action="dispatch",
        actor=personas.dispatcher,
        payload=Dispatch(unit=small_city.operator_b.pk, reason="属东片"),
    )
    assert case.assignee_id == small_city.operator_b.pk
    with pytest.raises(NotFound):
        access_case(case.pk, personas.operator_a)
    assert access_case(case.pk, personas.operator_b).pk == case.pk


def test_territorial_officers_see_their_territory(report, personas) -> None:
    west = report()
    east = report(point=EAST)
    assert access_case(west.pk, personas.street_officer).pk == west.pk  # west street
    with pytest.raises(NotFound):
        access_case(east.pk, personas.street_officer)
    assert access_case(east.pk, personas.community_officer).pk == east.pk  # east community
    with pytest.raises(NotFound):
        access_case(west.pk, personas.community_officer)


def test_residents_see_only_their_own_reports_and_only_public_fields(report, personas) -> None:
    mine = report(source="public", actor=personas.citizen, reporter_phone="13812345678")
    other = report()
    assert access_case(mine.pk, personas.citizen).pk == mine.pk
    with pytest.raises(NotFound):
        access_case(other.pk, personas.citizen)
    view = case_public_view(mine)
    assert "13812345678" not in str(view)
    assert "reporter" not in " ".join(view)


def test_anonymous_sees_nothing(report) -> None:
    case = report()
    with pytest.raises(NotFound):
        access_case(case.pk, None)


def test_staff_list_rows_are_masked(report, personas) -> None:
    report(reporter_name="李四", reporter_phone="13912345678")
    rows = [case_row(c) for c in case_list(user=personas.dispatcher)]
    assert rows[0]["reporter_name"] == "李*"
    assert rows[0]["reporter_phone"] == "139****5678"
    assert "13912345678" not in str(rows)


@pytest.mark.parametrize("who", ["intake_clerk", "shift_lead", "dispatcher"])
def test_reveal_is_audited_each_time(report, personas, who) -> None:
    case = report(reporter_name="王五", reporter_phone="13712345678")
    actor = getattr(personas, who)
    for _ in range(2):
        revealed = case_reveal_reporter(case_id=case.pk, actor=actor, purpose="回访")
        assert (revealed.name, revealed.phone) == ("王五", "13712345678")
    audits = AuditEvent.objects.filter(code="case.reporter_revealed", target_id=str(case.pk))
    assert audits.count() == 2
    assert all(a.actor == actor for a in audits)


@pytest.mark.parametrize("who", ["inspector", "supervisor", "operator_a", "street_officer"])
def test_reveal_refused_to_other_roles(dispatched, personas, who) -> None:
    case = dispatched(reporter_phone="13712345678")
    with pytest.raises((PermissionDenied, NotFound)):
        case_reveal_reporter(case_id=case.pk, actor=getattr(personas, who))
    assert not AuditEvent.objects.filter(code="case.reporter_revealed").exists()


def test_system_admin_reveals_only_with_a_stated_purpose(report, personas, client) -> None:
    from cityops.core.errors import DomainError

    case = report(reporter_name="王五", reporter_phone="13712345678")
    for purpose in ("", "   "):
        with pytest.raises(DomainError) as excinfo:
            case_reveal_reporter(case_id=case.pk, actor=personas.admin, purpose=purpose)
        assert excinfo.value.field == "purpose"
    assert not AuditEvent.objects.filter(code="case.reporter_revealed").exists()
    revealed = case_reveal_reporter(case_id=case.pk, actor=personas.admin, purpose="数据更正申请")
    assert revealed.phone == "13712345678"
    event = AuditEvent.objects.get(code="case.reporter_revealed")
    assert event.data["purpose"] == "数据更正申请"
    # The admin site: masked on the case page, revealed through the same audited service.
    client.force_login(personas.admin)
    page = client.get(f"/admin/cases/case/{case.pk}/change/")
    assert page.status_code == 200
    assert "13712345678" not in page.content.decode()
    assert "137****5678" in page.content.decode()
    reveal = f"/admin/cases/case/{case.pk}/reveal/"
    assert client.post(reveal, {"purpose": ""}).status_code == 400
    shown = client.post(reveal, {"purpose": "数据更正申请"})
    assert "13712345678" in shown.content.decode()
    assert AuditEvent.objects.filter(code="case.reporter_revealed").count() == 2
