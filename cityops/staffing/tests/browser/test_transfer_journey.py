"""The HR officer walks one person through the transfer in a real browser, then the task
force's progress page draws its charts and counts the person as completed."""

from __future__ import annotations

from typing import Any

import pytest

from cityops.staffing.models import StaffMember, StaffStatus
from cityops.staffing.tests.conftest import PASSWORD, Plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit], form input[type=submit]").last.click()
    page.wait_for_load_state()


def step(page: Any, action: str) -> None:
    page.locator(f"button[name=step][value={action}]").click()
    page.wait_for_load_state()
    errors = page.locator("p.error[role=alert]")
    assert errors.count() == 0, errors.first.inner_text()


def test_one_staff_transfer(
    chromium: Any, browser_contexts: list[Any], live_server: Any, plan: Plan, member: StaffMember,
    shot: Any,
) -> None:  # fmt: skip
    context = chromium.new_context(locale="zh-CN")
    browser_contexts.append(context)
    page = context.new_page()
    login(page, live_server.url, plan.hr.username)
    page.goto(f"{live_server.url}/staffing/staff/")
    page.locator("#staff a", has_text=str(member)).click()
    page.wait_for_load_state()
    assert "2043-01-01" in page.locator("#retirement").inner_text()
    step(page, "talk")
    # The agreed pay: one item lower → the page marks it and approval is refused.
    page.fill("input[name=new_0]", "1800")
    page.fill("input[name=new_1]", "1400")
    page.locator("form[action$='/pay/'] button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#pay tr.cut").count() == 1
    page.select_option("select[name=option]", "operator_contract")
    step(page, "sign")
    page.locator("button[name=step][value=approve]").click()
    page.wait_for_load_state()
    assert "待遇降低" in page.locator("p.error[role=alert]").inner_text()
    # Back to equal pay: the flag goes, approval passes, then the closing steps.
    page.fill("input[name=new_1]", "1500")
    page.locator("form[action$='/pay/'] button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#flags").count() == 0
    for action in ("approve", "adjust", "payroll", "insurance"):
        step(page, action)
    shot(page, "staffing-person-completed")
    member.refresh_from_db()
    assert member.status == StaffStatus.COMPLETED
    page.goto(f"{live_server.url}/staffing/")
    page.wait_for_selector("#staffing-units canvas")
    assert page.locator("#by-unit tbody tr").first.locator("td").nth(2).inner_text() == "1"
