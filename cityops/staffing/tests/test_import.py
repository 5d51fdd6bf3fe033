"""CSV import of the staff list: all rows or none, every problem listed with its row."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cityops.accounts.models import Role
from cityops.accounts.services import user_ensure
from cityops.core.errors import DomainError
from cityops.core.models import AuditEvent
from cityops.registry.io.services import ImportRejected
from cityops.staffing.importing import staff_import
from cityops.staffing.models import StaffMember
from cityops.staffing.tests.conftest import PASSWORD, Plan

HEADER = (
    "unit,staff_no,name,id_number,sex,retirement_category,birth_date,establishment_type,post,"
    "service_start,batch,pay:岗位工资,pay:绩效工资\n"
)
GOOD = (
    "hw,HW0101,李秀英,150502197501011234,女,工人,1975-01-20,自收自支,保洁员,1995-03-01,b1,1700,1400\n"
    "yl,YL0001,张伟,,m,,1970-01-05,fully_funded,养护工,1990-07-01,,1900,\n"
)


def test_good_file_imports_every_row(plan: Plan) -> None:
    result = staff_import(data=("\ufeff" + HEADER + GOOD).encode(), actor=plan.hr)
    assert result.created == 2
    woman = StaffMember.objects.get(staff_no="HW0101")
    assert woman.retirement_category == "women_50"
    assert woman.batch == plan.easy
    assert str(woman.retirement_date) == "2025-02-20"  # 50 y 1 m (first affected month)
    assert sorted(woman.pay.values_list("item", flat=True)) == ["岗位工资", "绩效工资"]
    man = StaffMember.objects.get(staff_no="YL0001")
    assert list(man.pay.values_list("item", "old_amount")) == [("岗位工资", Decimal(1900))]
    assert AuditEvent.objects.filter(code="staffing.imported").count() == 1


def test_dry_run_writes_nothing(plan: Plan) -> None:
    result = staff_import(data=(HEADER + GOOD).encode(), actor=plan.hr, dry_run=True)
    assert result.dry_run
    assert result.created == 2
    assert not StaffMember.objects.exists()


def test_row_errors_are_all_listed_and_nothing_is_written(plan: Plan) -> None:
    bad = (
        HEADER
        + GOOD
        + "xx,XX1,某人,,m,,1970-01-05,fully_funded,,,,,\n"  # row 4: unknown unit
        + "hw,HW0102,某人,,f,,1970-13-05,bogus,,,b7,abc,\n"  # row 5: category, date, type, batch
        + "hw,HW0101,重复,,m,,1970-01-05,contract,,,,,\n"  # row 6: repeats row 2
    )
    with pytest.raises(ImportRejected) as info:
        staff_import(data=bad.encode(), actor=plan.hr)
    found = {(issue.where, issue.field) for issue in info.value.issues}
    assert ("row 4", "unit") in found
    assert {("row 5", "birth_date"), ("row 5", "establishment_type"), ("row 5", "batch")} <= found
    assert ("row 6", "staff_no") in found
    assert not StaffMember.objects.exists()


def test_a_service_refusal_is_a_row_error(plan: Plan) -> None:
    # A woman without a category and a bad amount are caught when writing: row errors too.
    data = HEADER + "hw,HW0200,某人,,f,,1980-01-05,contract,,,,12x,\n"
    with pytest.raises(ImportRejected) as info:
        staff_import(data=data.encode(), actor=plan.hr)
    assert info.value.issues[0].where == "row 2"
    assert not StaffMember.objects.exists()


def test_missing_column_and_not_csv(plan: Plan) -> None:
    with pytest.raises(ImportRejected) as info:
        staff_import(data=b"unit,name\nhw,x\n", actor=plan.hr)
    assert {i.field for i in info.value.issues} >= {"staff_no", "sex", "birth_date"}
    with pytest.raises(ImportRejected):
        staff_import(data=b"\xff\xfe\x00bad", actor=plan.hr)


def test_only_hr_imports(plan: Plan) -> None:
    other = user_ensure(username="sup", password=PASSWORD, role=Role.BUREAU_SUPERVISOR)
    with pytest.raises(DomainError):
        staff_import(data=(HEADER + GOOD).encode(), actor=other)


def test_command(plan: Plan, tmp_path: Path) -> None:
    good = tmp_path / "staff.csv"
    good.write_bytes((HEADER + GOOD).encode())
    out = io.StringIO()
    call_command("import_staff", str(good), "--dry-run", stdout=out)
    assert "2" in out.getvalue()
    assert not StaffMember.objects.exists()
    call_command("import_staff", str(good), "--user", plan.hr.username, stdout=out)
    assert StaffMember.objects.count() == 2
    with pytest.raises(CommandError, match="HW0101"):
        call_command("import_staff", str(good), stdout=out)  # the same rows again
