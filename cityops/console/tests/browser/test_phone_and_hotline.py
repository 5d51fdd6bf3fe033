"""At a phone's width (390 px): the main menu folds, tables become cards, nothing scrolls
sideways; the call centre's 12345 form files a case with an address found by typing; the
dispatch unit select is filtered by typing (issue 15, "Staff")."""

from __future__ import annotations

import pytest

from cityops.cases.models import Case, Source
from cityops.cases.services import case_transition
from cityops.cases.services.payloads import File
from cityops.console.tests.browser.test_journey import DESKTOP, PHONE, staff_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_phone_menu_and_cards(chromium, browser_contexts, live_server, personas, handled, shot):
    handled()  # a case to check: a row in the inspector's home queue
    page = staff_page(chromium, browser_contexts, live_server, personas.inspector, PHONE)
    page.goto(f"{live_server.url}/console/")
    menu = page.locator("[data-nav-menu]")
    assert menu.evaluate("m => m.open") is False  # folded on a phone
    link = menu.locator("nav a").first
    assert not link.is_visible()
    menu.locator("summary").click()
    assert link.is_visible()
    row = page.locator("table.cards tbody tr").first
    assert row.evaluate("r => getComputedStyle(r).display") == "block"
    assert page.locator("table.cards thead").evaluate("h => h.getBoundingClientRect().height") <= 1
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "phone-home-cards")
    # Wide screens keep the menu open with no "Menu" button.
    page.set_viewport_size(DESKTOP)
    page.reload()
    assert page.locator("[data-nav-menu]").evaluate("m => m.open") is True
    assert not page.locator("[data-nav-menu] > summary").is_visible()


def test_hotline_form_files_a_case_from_a_typed_address(
    chromium, browser_contexts, live_server, personas, catalogue, shot
):
    collapse = catalogue["collapse"]
    page = staff_page(chromium, browser_contexts, live_server, personas.intake_clerk, PHONE)
    page.goto(f"{live_server.url}/console/")
    page.locator("[data-nav-menu] summary").click()
    page.get_by_role("link", name="12345受理").click()
    # the auto-submit listener is attached by the page's script: wait until it has run
    page.wait_for_url("**/console/hotline/**")
    page.wait_for_load_state("load")
    page.select_option("select[name=category]", str(collapse.pk))  # auto-submits the GET form
    page.wait_for_selector("[data-hotline-form]")
    page.fill("input[name=reporter_name]", "王小明")
    page.fill("input[name=reporter_phone]", "13800138000")
    page.select_option("select[name=q_size]", "small")
    page.fill("textarea[name=description]", "来电反映路面塌陷")
    page.locator("input[name=address]").press_sequentially("建国路", delay=30)
    page.locator("[data-geo-hit]").first.click()
    assert page.input_value("input[name=lon]") != ""
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "phone-hotline-form")
    page.locator("button[type=submit].primary").click()
    page.wait_for_selector(".case-head")
    case = Case.objects.get()
    assert case.source == Source.HOTLINE
    assert case.answers == {"size": "small"}
    assert case.number in page.content()
    assert "塌陷范围：小于1平方米" in page.content()


def test_dispatch_units_are_grouped_and_filtered(
    chromium, browser_contexts, live_server, personas, report, small_city
):
    case = report()
    case_transition(case_id=case.pk, action="accept", actor=personas.intake_clerk)
    case_transition(
        case_id=case.pk, action="file", actor=personas.shift_lead, payload=File(condition_met=True)
    )
    page = staff_page(chromium, browser_contexts, live_server, personas.dispatcher)
    page.goto(f"{live_server.url}/console/cases/{case.pk}/")
    box = page.locator("#action-dispatch")
    box.locator("summary").click()
    select = box.locator("select[name=unit]")
    assert select.locator("optgroup").count() >= 2
    box.locator("input.unit-filter").fill("乙环卫")
    names = select.locator("option").all_text_contents()
    assert [n for n in names if n.strip() and not n.startswith("-")] == [str(small_city.operator_b)]
    select.select_option(str(small_city.operator_b.pk))
    box.locator("textarea[name=reason]").fill("跨片区支援")
    box.locator("button[data-action=dispatch]").click()
    page.wait_for_selector(".status[data-status=dispatched]")
    case.refresh_from_db()
    assert case.assignee_id == small_city.operator_b.pk
