"""Back office: the HR officer edits the plan data (audited, flags recomputed), reads the
register masked and reveals with a purpose; the system administrator's reveal is refused."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from cityops.accounts.models import Role
from cityops.accounts.services import user_ensure
from cityops.core.models import AuditEvent
from cityops.staffing.models import RetirementRule, StaffMember
from cityops.staffing.tests.conftest import PASSWORD, Plan

MODELS = ["formerunit", "difficultyclass", "batch", "retirementrule", "staffingsettings",
          "staffmember"]  # fmt: skip


@pytest.mark.parametrize("model", MODELS)
def test_hr_opens_every_page(plan: Plan, member: StaffMember, model: str) -> None:
    client = Client()
    client.force_login(plan.hr)
    assert client.get(reverse(f"admin:staffing_{model}_changelist")).status_code == 200


def test_register_masked_and_reveal_audited(plan: Plan, member: StaffMember) -> None:
    client = Client()
    client.force_login(plan.hr)
    page = client.get(reverse("admin:staffing_staffmember_change", args=[member.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "王建国" not in body
    assert "150502198001011234" not in body
    url = reverse("admin:staffing_staffmember_reveal", args=[member.pk])
    assert client.post(url, {"purpose": ""}).status_code == 400
    shown = client.post(url, {"purpose": "办理转移"})
    assert "150502198001011234" in shown.content.decode()
    assert (
        AuditEvent.objects.filter(code="staffing.staffmember.personal_data_revealed").count() == 1
    )


def test_system_admin_cannot_reveal(plan: Plan, member: StaffMember) -> None:
    admin = user_ensure(username="root", password=PASSWORD, role=Role.SYSTEM_ADMIN)
    client = Client()
    client.force_login(admin)
    url = reverse("admin:staffing_staffmember_reveal", args=[member.pk])
    answer = client.post(url, {"purpose": "看看"})
    assert answer.status_code == 404
    assert "王建国" not in answer.content.decode()


def test_rule_edit_in_the_back_office_recomputes(plan: Plan, member: StaffMember) -> None:
    client = Client()
    client.force_login(plan.hr)
    rule = RetirementRule.objects.get(category="men")
    url = reverse("admin:staffing_retirementrule_change", args=[rule.pk])
    form = {
        "category": "men", "old_age_years": 60, "first_birth_year": 1965,
        "first_birth_month": 1, "step_months": 4, "max_delay_months": 24,
    }  # fmt: skip
    assert client.post(url, form).status_code == 302
    member.refresh_from_db()
    assert str(member.retirement_date) == "2042-01-01"
    assert AuditEvent.objects.filter(code="staffing.retirementrule.changed").exists()
    assert AuditEvent.objects.filter(code="staffing.recomputed").exists()


def test_one_settings_row(plan: Plan) -> None:
    client = Client()
    client.force_login(plan.hr)
    assert client.get(reverse("admin:staffing_staffingsettings_add")).status_code == 403
