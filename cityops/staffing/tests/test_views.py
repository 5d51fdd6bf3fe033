"""Pages: who sees what (404 for others), the step and pay forms, the reveal, the import,
the exports and the counts-only selector for the cockpit."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from cityops.accounts.models import Role, User
from cityops.accounts.services import user_ensure
from cityops.core.models import AuditEvent
from cityops.staffing.models import StaffMember, StaffStatus
from cityops.staffing.selectors import transfer_progress
from cityops.staffing.services import staff_pay_set, staff_step
from cityops.staffing.tests.conftest import PASSWORD, Plan, make_staff


def login(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def other(role: Role) -> User:
    return user_ensure(username=f"x-{role}", password=PASSWORD, role=role)


@pytest.fixture
def blocked(plan: Plan, member: StaffMember) -> StaffMember:
    staff_step(member=member, action="talk", actor=plan.hr)
    staff_pay_set(member=member, actor=plan.hr, lines=[("绩效工资", "1500", "1000")])
    staff_step(member=member, action="sign", actor=plan.hr, option="operator_contract")
    member.refresh_from_db()
    return member


def test_hr_walks_a_person_through_the_page(plan: Plan, member: StaffMember) -> None:
    client = login(plan.hr)
    url = reverse("staffing:staff", args=[member.pk])
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "王*" in body
    assert "王建国" not in body
    assert "2043-01-01" in body
    step = reverse("staffing:staff-step", args=[member.pk])
    assert client.post(step, {"action": "talk"}).status_code == 302
    refused = client.post(step, {"action": "sign", "option": ""})
    assert refused.status_code == 400
    assert client.post(step, {"action": "sign", "option": "seconded"}).status_code == 302
    assert client.post(step, {"action": "talk"}).status_code == 409  # stale page
    member.refresh_from_db()
    assert member.status == StaffStatus.SIGNED
    assert member.option == "seconded"


def test_pay_form_flags_a_cut_and_bad_amount_is_400(plan: Plan, member: StaffMember) -> None:
    client = login(plan.hr)
    url = reverse("staffing:staff-pay", args=[member.pk])
    form = {"item_0": "岗位工资", "old_0": "1800", "new_0": "1700"}
    assert client.post(url, form).status_code == 302
    member.refresh_from_db()
    assert member.flags == ["pay_cut"]
    page = client.get(reverse("staffing:staff", args=[member.pk])).content.decode()
    assert 'class="cut"' in page
    assert client.post(url, {**form, "new_0": "lots"}).status_code == 400


def test_reveal_on_the_page_is_audited(plan: Plan, member: StaffMember) -> None:
    client = login(plan.hr)
    url = reverse("staffing:staff-reveal", args=[member.pk])
    assert client.post(url, {"purpose": ""}).status_code == 400
    page = client.post(url, {"purpose": "核对身份"})
    assert page.status_code == 200
    assert "150502198001011234" in page.content.decode()
    assert AuditEvent.objects.filter(code__endswith="personal_data_revealed").count() == 1


@pytest.mark.parametrize(
    "role", [Role.BUREAU_SUPERVISOR, Role.MAYOR_VIEWER, Role.SYSTEM_ADMIN, Role.OPERATOR_STAFF]
)
def test_person_pages_are_404_for_other_roles(plan: Plan, member: StaffMember, role: Role) -> None:
    if role == Role.OPERATOR_STAFF:
        user = User.objects.create_user("op", password=PASSWORD)
    else:
        user = other(role)
    client = login(user)
    assert client.get(reverse("staffing:staff", args=[member.pk])).status_code == 404
    assert client.get(reverse("staffing:staff-list")).status_code == 404
    assert (
        client.post(
            reverse("staffing:staff-reveal", args=[member.pk]), {"purpose": "x"}
        ).status_code
        == 404
    )
    assert client.get(reverse("staffing:import")).status_code == 404


def test_progress_counts_for_mayor_names_for_task_force(plan: Plan, blocked: StaffMember) -> None:
    make_staff(plan, staff_no="HW0002", unit=plan.other_unit)
    mayor = login(other(Role.MAYOR_VIEWER)).get(reverse("staffing:progress"))
    assert mayor.status_code == 200
    body = mayor.content.decode()
    assert 'id="blocked"' not in body
    assert "王*" not in body
    supervisor = login(other(Role.BUREAU_SUPERVISOR)).get(reverse("staffing:progress"))
    body = supervisor.content.decode()
    assert 'id="blocked"' in body
    assert "王*" in body
    assert "王建国" not in body
    assert "待遇降低且理由未经批准" in body
    assert login(other(Role.INSPECTOR)).get(reverse("staffing:progress")).status_code == 404


def test_list_filters(plan: Plan, blocked: StaffMember) -> None:
    make_staff(plan, staff_no="HW0002")
    client = login(plan.hr)
    everyone = client.get(reverse("staffing:staff-list"))
    assert everyone.content.decode().count("/staffing/staff/") >= 2
    only = client.get(reverse("staffing:staff-list"), {"flag": "pay_cut"}).content.decode()
    assert "HW0001" in only
    assert "HW0002" not in only


def test_selector_counts_only(plan: Plan, blocked: StaffMember) -> None:
    make_staff(plan, staff_no="YL0001", unit=plan.other_unit, batch=None)
    progress = transfer_progress()
    assert progress["total"] == 2
    assert progress["blocked"] == 1
    assert progress["unbatched"] == 1
    assert progress["flags"]["pay_cut"] == 1
    units = {u["code"]: u for u in progress["units"]}
    assert units["hw"]["steps"]["signed"] == 1
    assert units["yl"]["steps"]["registered"] == 1
    assert "王建国" not in repr(progress)


def test_exports(plan: Plan, blocked: StaffMember) -> None:
    client = login(other(Role.BUREAU_SUPERVISOR))
    xlsx = client.get(reverse("staffing:export-xlsx"))
    assert xlsx.status_code == 200
    book = load_workbook(io.BytesIO(xlsx.content))
    rows = list(book.worksheets[2].iter_rows(values_only=True))
    assert rows[1][0] == "hw-HW0001"
    assert rows[1][1] == "王**"
    pdf = client.get(reverse("staffing:report-pdf"))
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    assert login(other(Role.MAYOR_VIEWER)).get(reverse("staffing:export-xlsx")).status_code == 404


def test_import_page_lists_row_errors(plan: Plan) -> None:
    client = login(plan.hr)
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = b"unit,staff_no,name,sex,birth_date,establishment_type\nhw,HW1,A,m,1970-99-01,contract\n"
    page = client.post(reverse("staffing:import"), {"file": SimpleUploadedFile("s.csv", data)})
    assert page.status_code == 400
    assert "第 2 行" in page.content.decode()
    good = b"unit,staff_no,name,sex,birth_date,establishment_type\nhw,HW1,A,m,1970-01-01,contract\n"
    page = client.post(reverse("staffing:import"), {"file": SimpleUploadedFile("s.csv", good)})
    assert page.status_code == 200
    assert StaffMember.objects.filter(staff_no="HW1").exists()
    assert client.post(reverse("staffing:import"), {}).status_code == 400


def test_step_dates_use_the_local_day(plan: Plan, member: StaffMember, time_machine) -> None:  # type: ignore[no-untyped-def]
    time_machine.move_to(
        dt.datetime(2026, 12, 6, 23, 30, tzinfo=dt.UTC)
    )  # 07:30 next day in Shanghai
    staff_step(member=member, action="talk", actor=plan.hr)
    member.refresh_from_db()
    assert member.step_dates == {"talk": "2026-12-07"}


def test_pages_query_counts_do_not_grow_with_people(
    plan: Plan, blocked: StaffMember, django_assert_max_num_queries: Any
) -> None:
    for n in range(2, 30):
        make_staff(plan, staff_no=f"HW{n:04d}", batch=plan.hard if n % 2 else plan.easy)
    client = login(plan.hr)
    client.get(reverse("staffing:progress"))  # warm the session and the actor
    with django_assert_max_num_queries(14):
        assert client.get(reverse("staffing:progress")).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(reverse("staffing:staff-list")).status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get(reverse("staffing:staff", args=[blocked.pk])).status_code == 200
