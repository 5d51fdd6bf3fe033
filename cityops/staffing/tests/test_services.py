"""The staff register's services: creation, the step table (allowed, forbidden, concurrent),
pay protection with a four-eyes reason, the early-retirement conflict, reveal and audit."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection

from cityops.accounts.models import Role
from cityops.accounts.services import user_ensure
from cityops.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from cityops.core.models import AuditEvent
from cityops.staffing.models import Batch, RetirementRule, StaffMember, StaffStatus
from cityops.staffing.services import (
    staff_batch_set,
    staff_pay_reason_approve,
    staff_pay_reason_set,
    staff_pay_set,
    staff_recompute_all,
    staff_reveal,
    staff_step,
)
from cityops.staffing.tests.conftest import PASSWORD, Plan, make_staff


def _codes(member: StaffMember) -> list[str]:
    return list(
        AuditEvent.objects.filter(target_type="staffing.staffmember", target_id=str(member.pk))
        .order_by("pk")
        .values_list("code", flat=True)
    )


def test_created_encrypted_with_retirement_date(plan: Plan, member: StaffMember) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, birth_date_text, id_number FROM staffing_staffmember")
        row = cursor.fetchone()
    assert "王建国" not in row[0]
    assert "1980" not in row[1]
    assert "150502" not in row[2]
    fresh = StaffMember.objects.get(pk=member.pk)
    assert fresh.name == "王建国"
    # Men born 1980-01 reach 63 (full new age): 2043-01-01.
    assert fresh.retirement_date == dt.date(2043, 1, 1)
    assert _codes(member) == ["staffing.staff.created"]


def test_woman_needs_a_category(plan: Plan) -> None:
    with pytest.raises(DomainError):
        make_staff(plan, sex="f")
    woman = make_staff(plan, sex="f", category="women_50", birth_date=dt.date(1980, 1, 10))
    assert woman.retirement_date == dt.date(2032, 8, 10)  # 52 y 7 m (table row 1980-01)


def test_whole_journey_operator_contract(plan: Plan, member: StaffMember) -> None:
    staff_step(member=member, action="talk", actor=plan.hr)
    with pytest.raises(DomainError):
        staff_step(member=member, action="sign", actor=plan.hr)  # no option chosen
    staff_pay_set(
        member=member,
        actor=plan.hr,
        lines=[("岗位工资", "1800", "1900"), ("绩效工资", "1500", "1500")],
    )
    staff_step(member=member, action="sign", actor=plan.hr, option="operator_contract")
    for action in ("approve", "adjust", "payroll", "insurance"):
        staff_step(member=member, action=action, actor=plan.hr)
    member.refresh_from_db()
    assert member.status == StaffStatus.COMPLETED
    assert set(member.step_dates) == {"talk", "sign", "approve", "adjust", "payroll", "insurance"}
    assert _codes(member)[-4:] == [
        "staffing.staff.approve",
        "staffing.staff.adjust",
        "staffing.staff.payroll",
        "staffing.staff.insurance",
    ]


def test_seconded_completes_without_switches(plan: Plan, member: StaffMember) -> None:
    staff_step(member=member, action="talk", actor=plan.hr)
    staff_step(member=member, action="sign", actor=plan.hr, option="seconded")
    staff_step(member=member, action="approve", actor=plan.hr)
    staff_step(member=member, action="adjust", actor=plan.hr)
    with pytest.raises(DomainError):
        staff_step(member=member, action="payroll", actor=plan.hr)
    staff_step(member=member, action="complete", actor=plan.hr)
    assert StaffMember.objects.get(pk=member.pk).status == StaffStatus.COMPLETED


def test_other_unit_switches_payroll_but_moves_no_insurance(
    plan: Plan, member: StaffMember
) -> None:
    for action, option in (("talk", ""), ("sign", "other_unit"), ("approve", ""), ("adjust", "")):
        staff_step(member=member, action=action, actor=plan.hr, option=option)
    with pytest.raises(DomainError):
        staff_step(member=member, action="complete", actor=plan.hr)  # payroll still to switch
    staff_step(member=member, action="payroll", actor=plan.hr)
    with pytest.raises(DomainError):
        staff_step(member=member, action="insurance", actor=plan.hr)
    staff_step(member=member, action="complete", actor=plan.hr)


def test_step_out_of_order_is_a_conflict(plan: Plan, member: StaffMember) -> None:
    with pytest.raises(Conflict):
        staff_step(member=member, action="approve", actor=plan.hr)
    with pytest.raises(DomainError):
        staff_step(member=member, action="teleport", actor=plan.hr)


@pytest.mark.parametrize("role", [Role.BUREAU_SUPERVISOR, Role.MAYOR_VIEWER, Role.SYSTEM_ADMIN])
def test_other_roles_never_see_a_person(plan: Plan, member: StaffMember, role: Role) -> None:
    other = user_ensure(username=f"u-{role}", password=PASSWORD, role=role)
    with pytest.raises(NotFound):
        staff_step(member=member, action="talk", actor=other)
    with pytest.raises(NotFound):
        staff_reveal(member=member, actor=other, purpose="curious")
    assert StaffMember.objects.get(pk=member.pk).status == StaffStatus.REGISTERED


def test_pay_cut_blocks_until_another_officer_approves_the_reason(
    plan: Plan, member: StaffMember
) -> None:
    staff_step(member=member, action="talk", actor=plan.hr)
    staff_pay_set(
        member=member,
        actor=plan.hr,
        lines=[("岗位工资", "1800", "2000"), ("绩效工资", "1500", "1400")],
    )
    staff_step(member=member, action="sign", actor=plan.hr, option="operator_contract")
    member.refresh_from_db()
    assert member.flags == ["pay_cut"]
    assert member.blocked
    with pytest.raises(DomainError, match="pay cut"):
        staff_step(member=member, action="approve", actor=plan.hr)
    with pytest.raises(DomainError):
        staff_pay_reason_set(member=member, reason="  ", actor=plan.hr)
    staff_pay_reason_set(member=member, reason="绩效改为按考核发放", actor=plan.hr)
    with pytest.raises(PermissionDenied):
        staff_pay_reason_approve(member=member, actor=plan.hr)  # not the author
    staff_pay_reason_approve(member=member, actor=plan.hr2)
    member.refresh_from_db()
    assert member.flags == []
    assert not member.blocked
    staff_step(member=member, action="approve", actor=plan.hr)
    assert "staffing.staff.pay_reason_approved" in _codes(member)


def test_new_figures_withdraw_an_approved_reason(plan: Plan, member: StaffMember) -> None:
    staff_pay_set(member=member, actor=plan.hr, lines=[("绩效工资", "1500", "1400")])
    staff_pay_reason_set(member=member, reason="按考核发放", actor=plan.hr)
    staff_pay_reason_approve(member=member, actor=plan.hr2)
    staff_pay_set(member=member, actor=plan.hr, lines=[("绩效工资", "1500", "1200")])
    member.refresh_from_db()
    assert member.pay_cut_approved_by_id is None
    assert member.flags == ["pay_cut"]


def test_bad_amount_is_a_domain_error(plan: Plan, member: StaffMember) -> None:
    for bad in ("abc", "-1", "NaN", "1e99"):
        with pytest.raises(DomainError):
            staff_pay_set(member=member, actor=plan.hr, lines=[("绩效工资", bad, "")])
    assert member.pay.count() == 2  # unchanged


def test_early_leave_conflict_with_the_retirement_date(plan: Plan) -> None:
    # Born 1980-01-01, retires 2043: far more than 5 years after the batch (2026-11-30).
    young = make_staff(plan, staff_no="HW0002")
    staff_step(member=young, action="talk", actor=plan.hr)
    staff_step(member=young, action="sign", actor=plan.hr, option="early_leave")
    young.refresh_from_db()
    assert young.flags == ["early_leave_forbidden"]
    with pytest.raises(DomainError, match="early retirement"):
        staff_step(member=young, action="approve", actor=plan.hr)
    # Born 1967-05-12 → 2028-01-12; 20+ years of service: eligible in the hard batch (2027-08).
    near = make_staff(
        plan,
        staff_no="HW0003",
        birth_date=dt.date(1967, 5, 12),
        service_start=dt.date(1988, 3, 1),
        batch=plan.hard,
    )
    staff_step(member=near, action="talk", actor=plan.hr)
    staff_step(member=near, action="sign", actor=plan.hr, option="early_leave")
    near.refresh_from_db()
    assert near.flags == []
    staff_step(member=near, action="approve", actor=plan.hr)


def test_batch_change_recomputes_flags(plan: Plan) -> None:
    near = make_staff(
        plan,
        staff_no="HW0004",
        birth_date=dt.date(1967, 5, 12),
        service_start=dt.date(1988, 3, 1),
        batch=plan.hard,
    )
    staff_step(member=near, action="talk", actor=plan.hr)
    staff_step(member=near, action="sign", actor=plan.hr, option="operator_contract")
    near.refresh_from_db()
    assert near.flags == []  # retires 2028-01-12, the batch ends 2027-08-31
    late = Batch.objects.create(
        code="b9",
        name="末批",
        difficulty=plan.hard.difficulty,
        planned_start=dt.date(2027, 10, 1),
        planned_end=dt.date(2028, 3, 31),
    )
    staff_batch_set(member=near, batch=late, actor=plan.hr)
    near.refresh_from_db()
    assert near.flags == ["retires_first"]


def test_rule_edit_moves_the_retirement_date(plan: Plan, member: StaffMember) -> None:
    RetirementRule.objects.filter(category="men").update(max_delay_months=24)
    assert staff_recompute_all(actor=plan.hr) == 1
    member.refresh_from_db()
    assert member.retirement_date == dt.date(2042, 1, 1)  # 62 y


def test_reveal_needs_a_purpose_and_is_audited(plan: Plan, member: StaffMember) -> None:
    with pytest.raises(DomainError):
        staff_reveal(member=member, actor=plan.hr, purpose=" ")
    values = staff_reveal(member=member, actor=plan.hr, purpose="办理社保转移")
    assert values["name"] == "王建国"
    assert values["birth_date_text"] == "1980-01-01"
    event = AuditEvent.objects.get(code="staffing.staffmember.personal_data_revealed")
    assert event.data["purpose"] == "办理社保转移"
    assert event.actor_id == plan.hr.pk


def test_batch_set(plan: Plan, member: StaffMember) -> None:
    staff_batch_set(member=member, batch=plan.hard, actor=plan.hr)
    member.refresh_from_db()
    assert member.batch_id == plan.hard.pk
    assert "staffing.staff.batch_set" in _codes(member)


@pytest.mark.django_db(transaction=True)
def test_concurrent_steps_one_wins(plan: Plan) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    member = make_staff(plan, staff_no="HW0009")
    results: list[str] = []

    def run() -> None:
        try:
            staff_step(member=member, action="talk", actor=plan.hr)
            results.append("ok")
        except Conflict:
            results.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["conflict", "ok"]
    assert AuditEvent.objects.filter(code="staffing.staff.talk").count() == 1


def test_amounts_are_stored_exactly(plan: Plan, member: StaffMember) -> None:
    staff_pay_set(member=member, actor=plan.hr, lines=[("岗位工资", "1800.5", "1800.50")])
    item = member.pay.get()
    assert item.old_amount == Decimal("1800.50") == item.new_amount


def test_without_a_batch_eligibility_is_judged_on_the_day(plan: Plan, time_machine: Any) -> None:
    # Born 1967-05-12 → retires 2028-01-12; early retirement possible from 2023-01-12.
    time_machine.move_to(dt.datetime(2022, 6, 1, 9, tzinfo=dt.UTC))
    person = make_staff(plan, staff_no="HW0020", birth_date=dt.date(1967, 5, 12),
                        service_start=dt.date(1988, 3, 1), batch=None)  # fmt: skip
    staff_step(member=person, action="talk", actor=plan.hr)
    staff_step(member=person, action="sign", actor=plan.hr, option="early_leave")
    with pytest.raises(DomainError, match="early retirement"):
        staff_step(member=person, action="approve", actor=plan.hr)
    time_machine.move_to(dt.datetime(2023, 1, 12, 9, tzinfo=dt.UTC))
    staff_step(member=person, action="approve", actor=plan.hr)
    person.refresh_from_db()
    assert person.status == StaffStatus.APPROVED
    assert person.flags == []
