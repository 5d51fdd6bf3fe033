"""The journeys a person walks, in a real browser (issue 4, "Browser tests")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cityops.cases.models import Case, Status
from cityops.cases.services.payloads import File
from cityops.console.tests.conftest import WEST, jpeg
from conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def new_page(chromium: Any, opened: list[Any], viewport: dict[str, int]) -> Any:
    context = chromium.new_context(viewport=viewport, locale="zh-CN")
    opened.append(context)
    return context.new_page()


def staff_page(
    chromium: Any,
    opened: list[Any],
    live_server: Any,
    user: Any,
    viewport: dict[str, int] = DESKTOP,
) -> Any:
    page = new_page(chromium, opened, viewport)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit], form input[type=submit]").last.click()
    page.wait_for_load_state()
    return page


def do_action(
    page: Any,
    live_server: Any,
    case: Case,
    action: str,
    status: str,
    fill: dict[str, str] | None = None,
    files: list[Path] | None = None,
) -> None:
    page.goto(f"{live_server.url}/console/cases/{case.pk}/")
    box = page.locator(f"#action-{action}")
    box.locator("summary").click()
    for name, value in (fill or {}).items():
        field = box.locator(f"[name={name}]")
        if field.get_attribute("type") == "checkbox":
            field.check()
        else:
            field.fill(value)
    if files:
        box.locator("input[name=photos]").set_input_files([str(f) for f in files])
    box.locator(f"button[data-action={action}]").click()
    page.wait_for_selector(f".status[data-status={status}]")


def test_resident_to_closure_journey(
    chromium, browser_contexts, live_server, personas, catalogue, tmp_path, shot
):
    before, after, check = (tmp_path / n for n in ("before.jpg", "after.jpg", "check.jpg"))
    before.write_bytes(jpeg("red", (640, 480)))
    after.write_bytes(jpeg("green", (640, 480)))
    check.write_bytes(jpeg("blue", (640, 480)))
    garbage = catalogue["garbage"]

    # A resident reports on a phone, with a photo.
    resident = new_page(chromium, browser_contexts, PHONE)
    # (The pin-first steps are walked in cityops/public/tests/test_resident_journey.py.)
    resident.goto(f"{live_server.url}/report/?category={garbage.pk}")
    resident.wait_for_selector("[data-report-form]")
    resident.fill("textarea[name=description]", "小区门口垃圾堆积，无人清运")
    resident.fill("input[name=lon]", str(WEST[0]))
    resident.fill("input[name=lat]", str(WEST[1]))
    resident.fill("input[name=address]", "西拉木伦大街100号")
    resident.set_input_files("input[name=photos]", str(before))
    shot(resident, "01-resident-report-phone")
    resident.locator("form[data-report-form] button[type=submit]").click()
    resident.wait_for_selector("[data-tracking-code]")
    number = resident.inner_text("[data-case-number]").strip()
    code = resident.inner_text("[data-tracking-code]").strip()
    shot(resident, "02-resident-report-done")
    case = Case.objects.get(number=number)
    assert case.status == Status.AWAITING_VERIFICATION

    inspector = staff_page(chromium, browser_contexts, live_server, personas.inspector, PHONE)
    do_action(inspector, live_server, case, "confirm_report", Status.REPORTED)
    clerk = staff_page(chromium, browser_contexts, live_server, personas.intake_clerk)
    do_action(clerk, live_server, case, "accept", Status.ACCEPTED)
    lead = staff_page(chromium, browser_contexts, live_server, personas.shift_lead)
    do_action(lead, live_server, case, "file", Status.FILED, {"condition_met": "on"})
    dispatcher = staff_page(chromium, browser_contexts, live_server, personas.dispatcher)
    dispatcher.goto(f"{live_server.url}/console/")
    assert number in dispatcher.content()
    shot(dispatcher, "03-dispatcher-home")
    do_action(dispatcher, live_server, case, "dispatch", Status.DISPATCHED)
    shot(dispatcher, "04-case-detail-dispatched")

    operator = staff_page(chromium, browser_contexts, live_server, personas.operator_a)
    operator.goto(f"{live_server.url}/console/desk/")
    assert number in operator.content()
    do_action(operator, live_server, case, "handle", Status.HANDLED, {"note": "已清运完毕"},
              [after])  # fmt: skip

    # Rework loop: the first check fails, the unit handles it again.
    do_action(
        inspector, live_server, case, "rework", Status.DISPATCHED, {"reason": "仍有残留"}, [check]
    )
    do_action(operator, live_server, case, "handle", Status.HANDLED, {"note": "已彻底清理"},
              [after])  # fmt: skip

    inspector.goto(f"{live_server.url}/console/field/")
    assert number in inspector.content()
    shot(inspector, "05-inspector-tasks-phone")
    do_action(inspector, live_server, case, "verify", Status.VERIFIED, files=[check])
    shot(inspector, "06-inspector-verified-phone")
    do_action(lead, live_server, case, "close", Status.CLOSED)
    shot(lead, "07-case-closed")
    lead.goto(f"{live_server.url}/console/cases/?status=closed")
    assert number in lead.content()
    shot(lead, "07b-case-list")

    # The resident sees it closed and rates it.
    resident.goto(f"{live_server.url}/track/")
    resident.fill("input[name=number]", number)
    resident.fill("input[name=code]", code)
    resident.locator("form button[type=submit]").first.click()
    resident.wait_for_selector("[data-status=closed]")
    resident.check("input[name=score][value='5']")
    resident.locator("form.feedback button[type=submit]").click()
    resident.wait_for_selector("p.ok")
    shot(resident, "08-resident-rated")
    resident.goto(f"{live_server.url}/public/")
    assert number in resident.content()
    shot(resident, "08b-public-list-phone")
    case.refresh_from_db()
    assert case.rework_count == 1
    assert case.feedback.score == 5


def test_operator_b_gets_404_and_language_switch(
    chromium, browser_contexts, live_server, personas, catalogue, shot
):
    from cityops.cases.services import case_report, case_transition

    case = case_report(
        source="inspector",
        category=catalogue["garbage"],
        lon=WEST[0],
        lat=WEST[1],
        address="A",
        description="x",
        actor=personas.inspector,
    )
    case_transition(case_id=case.pk, action="accept", actor=personas.intake_clerk)
    case_transition(
        case_id=case.pk, action="file", actor=personas.shift_lead, payload=File(condition_met=True)
    )
    case_transition(case_id=case.pk, action="dispatch", actor=personas.dispatcher)

    charlie = staff_page(chromium, browser_contexts, live_server, personas.operator_b)
    response = charlie.goto(f"{live_server.url}/console/cases/{case.pk}/")
    assert response.status == 404
    charlie.goto(f"{live_server.url}/console/cases/")
    assert case.number not in charlie.content()

    page = new_page(chromium, browser_contexts, PHONE)
    page.goto(f"{live_server.url}/report/")
    assert "上报城市管理问题" in page.content()
    with page.expect_navigation():
        page.select_option("#lang-select", "en")
    page.wait_for_load_state()
    assert "Report a problem in the city" in page.content()
    shot(page, "09-report-page-english")
