"""The 督办 journey in a real browser: the supervision section records a meeting and its item,
the lead unit signs and plans on a phone, the item falls late and climbs the ladder, the unit
reports completion with evidence, the section verifies, the bulletin shows it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from cityops.cockpit.refresh import cockpit_refresh
from cityops.decisions.models import DecisionItem, ItemStatus, Level
from cityops.decisions.selectors import decision_overview
from cityops.decisions.services.ladder_job import items_escalate
from cityops.decisions.testing import PASSWORD, PDF, Desk

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def signed_in(
    chromium: Any, opened: list[Any], live_server: Any, user: Any, viewport: dict[str, int]
) -> Any:
    context = chromium.new_context(viewport=viewport, locale="zh-CN")
    opened.append(context)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit], form input[type=submit]").last.click()
    page.wait_for_load_state()
    return page


def test_supervision_journey(
    chromium: Any, browser_contexts: Any, live_server: Any, desk: Desk, tmp_path: Any, shot: Any
) -> None:
    evidence = tmp_path / "evidence.pdf"
    evidence.write_bytes(PDF)
    deadline = timezone.localdate() + dt.timedelta(days=14)

    section = signed_in(chromium, browser_contexts, live_server, desk.section, DESKTOP)
    section.goto(f"{live_server.url}/decisions/meetings/")
    section.select_option("select[name=kind]", "mayor_office")
    section.fill("input[name=number]", "浏览器测试第1次")
    section.fill("input[name=held_on]", timezone.localdate().isoformat())
    section.fill("input[name=chair]", "市长")
    section.fill("input[name=minutes_number]", f"通政阅〔{timezone.localdate().year}〕7号")
    section.locator("form button[type=submit]").last.click()
    section.wait_for_selector("text=交办议定事项")
    section.fill("textarea[name=text]", "解决无物业小区问题")
    section.select_option("select[name=kind]", "campaign")
    section.select_option("select[name=lead_unit]", str(desk.housing.pk))
    section.fill("input[name=deadline_date]", deadline.isoformat())
    section.locator("form button[type=submit]").last.click()
    section.wait_for_selector("text=解决无物业小区问题")
    item = DecisionItem.objects.get(text="解决无物业小区问题")
    shot(section, "decisions-meeting")

    unit = signed_in(chromium, browser_contexts, live_server, desk.housing_liaison, PHONE)
    unit.goto(f"{live_server.url}/decisions/")
    unit.click(f"a[href='/decisions/items/{item.pk}/']")
    unit.locator("#action-sign button[type=submit]").click()
    unit.wait_for_selector("#action-plan")
    unit.fill("#action-plan textarea[name=text]", "摸底、分类施策、落实兜底物业")
    unit.locator("#action-plan button[type=submit]").click()
    unit.wait_for_selector("#action-complete")
    assert DecisionItem.objects.get(pk=item.pk).status == ItemStatus.IN_PROGRESS

    # Eight working days after the deadline the ladder has reached listed supervision.
    items_escalate(now=item.due_at + dt.timedelta(days=12))
    item.refresh_from_db()
    assert item.escalation_level >= Level.LISTED
    unit.reload()
    assert "挂牌督办" in unit.content()
    shot(unit, "decisions-listed-phone")

    unit.fill("#action-complete textarea[name=text]", "全部小区已落实物业管理")
    unit.set_input_files("#action-complete input[name=files]", str(evidence))
    unit.locator("#action-complete button[type=submit]").click()
    unit.wait_for_selector("text=evidence.pdf")

    section.goto(f"{live_server.url}/decisions/items/{item.pk}/")
    section.locator("#action-verify button[type=submit]").click()
    section.wait_for_selector("text=已办结")
    assert DecisionItem.objects.get(pk=item.pk).status == ItemStatus.DONE

    section.goto(f"{live_server.url}/decisions/bulletin/")
    assert "解决无物业小区问题" in section.content()
    shot(section, "decisions-bulletin")
    assert decision_overview(user=desk.mayor)["counts"]["done"] == 1

    # The leaders' cockpit shows it, after its refresh job: the item counted as done.
    cockpit_refresh()
    mayor = signed_in(chromium, browser_contexts, live_server, desk.mayor, DESKTOP)
    mayor.goto(f"{live_server.url}/cockpit/")
    done = mayor.locator(".panel--decisions a[href$='?status=done'] .n")
    assert done.inner_text() == "1"
    mayor.locator(".panel--decisions a[href$='?status=done']").click()
    mayor.wait_for_selector("text=解决无物业小区问题")
    shot(mayor, "decisions-cockpit")
