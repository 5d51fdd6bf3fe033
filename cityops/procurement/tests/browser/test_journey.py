"""One procurement walked to its award in a real browser (issue 17, "browser journeys").

The dates are counted back from today on the working calendar (no time travel: the browser's
clock would drop the session cookie), and the officer takes the lawful deadline the refusal
names.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone

from cityops.procurement.models import Project, Status
from cityops.procurement.testing import PASSWORD, officer_ensure
from cityops.registry.models import Organisation, OrganisationKind
from cityops.workcal.selectors import get_calendar

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _working_before(day: dt.date) -> dt.date:
    cal = get_calendar()
    while not cal.is_working_day(day):
        day -= dt.timedelta(days=1)
    return day


def test_officer_walks_a_tender_to_its_award(
    chromium: Any, browser_contexts: list[Any], live_server: Any, small_city: Any, shot: Any
) -> None:
    officer = officer_ensure()
    winner = Organisation.objects.filter(kind=OrganisationKind.OPERATOR).order_by("name").first()
    assert winner is not None
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    browser_contexts.append(context)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", officer.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit], form input[type=submit]").last.click()
    page.wait_for_load_state()

    page.goto(f"{live_server.url}/procurement/")
    page.fill("input[name=number]", "CG-B-1")
    page.fill("input[name=title]", "环卫一体化服务")
    page.select_option("select[name=service_type]", "sanitation")
    page.select_option("select[name=method]", "open_tender")
    page.fill("input[name=budget]", "32000000")
    page.fill("textarea[name=lots]", "1 中心城区")
    page.get_by_role("button", name="创建").click()
    page.wait_for_selector("#project-status")
    project = Project.objects.get(number="CG-B-1")

    today = timezone.localdate()
    issued = _working_before(today - dt.timedelta(days=40))

    def step(action: str, on: dt.date, **fields: str) -> Any:
        form = page.locator(f"form[data-action={action}]")
        form.locator("input[name=on]").fill(on.isoformat())
        for name, value in fields.items():
            target = form.locator(f"[name={name}]")
            if target.evaluate("e => e.tagName") == "SELECT":
                target.select_option(value)
            else:
                target.fill(value)
        form.locator("button[type=submit]").click()
        page.wait_for_load_state()
        return form

    # Too short a tender period: refused, naming the rule and the earliest lawful day.
    step("issue_documents", issued, bid_deadline=(issued + dt.timedelta(days=10)).isoformat())
    error = page.locator("#step-error").inner_text()
    assert "P4" in error
    lawful = re.search(r"\d{4}-\d{2}-\d{2}", error.split("P4", 1)[1])
    assert lawful is not None
    deadline = dt.date.fromisoformat(lawful.group(0))
    assert deadline >= issued + dt.timedelta(days=20)
    shot(page, "procurement-refused")
    step("issue_documents", issued, bid_deadline=deadline.isoformat())
    assert page.locator("#project-status").inner_text() == "采购文件已发出"

    step("open_bids", deadline)
    step("evaluate", deadline, report_received=deadline.isoformat())
    step("decide_winner", deadline, winner=str(winner.pk), award_amount="31000000")
    # The page shows the last lawful day for announcing the award before it happens.
    assert page.locator("tr[data-step=award_announced] .marker--last").count() == 1
    step("announce_award", deadline)
    assert page.locator("#project-status").inner_text() == "中标结果已公告"
    shot(page, "procurement-awarded")
    project.refresh_from_db()
    assert project.status == Status.AWARD_ANNOUNCED
    assert project.winner == winner
