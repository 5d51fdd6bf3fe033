"""The cockpit in a browser: the big screen at 1920×1080 (dark, nothing scrolls, charts and
heat map drawn) and the phone layout (nothing wider than the screen)."""

from __future__ import annotations

from typing import Any

import pytest

from cityops.cockpit.refresh import cockpit_refresh
from cityops.cockpit.tests.conftest import NOW
from cityops.console.tests.browser.test_journey import staff_page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("vendor_assets"),
]
WALL = {"width": 1920, "height": 1080}
PHONE = {"width": 390, "height": 844}
OVERFLOW = (
    "() => [document.documentElement.scrollWidth - window.innerWidth,"
    " document.documentElement.scrollHeight - window.innerHeight]"
)


def test_the_big_screen_fits_without_scrolling(
    chromium: Any,
    browser_contexts: Any,
    live_server: Any,
    personas: Any,
    history: Any,
    schemes: None,
    shot: Any,
) -> None:
    cockpit_refresh(now=NOW)
    page = staff_page(chromium, browser_contexts, live_server, personas.mayor, WALL)
    page.goto(f"{live_server.url}/cockpit/wall/")
    page.wait_for_selector("[data-cockpit-trend] canvas")
    page.wait_for_selector(".heat-map path.leaflet-interactive")
    shot(page, "cockpit-wall")
    assert page.evaluate(OVERFLOW) == [0, 0]
    background = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(11, 19, 32)"  # dark
    assert page.locator("#wall[hx-trigger='every 60s']").count() == 1
    # A number opens the list behind it.
    page.locator(".panel--cases table.kpi a.fig").first.click()
    page.wait_for_url("**/console/cases/?figure=*")


def test_the_phone_layout_is_one_column(
    chromium: Any,
    browser_contexts: Any,
    live_server: Any,
    personas: Any,
    history: Any,
    schemes: None,
    shot: Any,
) -> None:
    cockpit_refresh(now=NOW)
    page = staff_page(chromium, browser_contexts, live_server, personas.supervisor, PHONE)
    page.goto(f"{live_server.url}/cockpit/")
    page.wait_for_selector("[data-cockpit-trend] canvas")
    shot(page, "cockpit-phone")
    assert page.evaluate(OVERFLOW)[0] <= 0
