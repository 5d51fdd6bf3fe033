"""The reform panels on the big screen: both fit in the third cell of the second row, inside
1920×1080, and a number opens the staff transfer's progress page."""

from __future__ import annotations

from typing import Any

import pytest

from cityops.cockpit.refresh import cockpit_refresh
from cityops.console.tests.browser.test_journey import staff_page
from cityops.staffing.tests.conftest import Plan, make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_reform_panels_fit_the_big_screen(
    chromium: Any, browser_contexts: Any, live_server: Any, personas: Any, plan: Plan, shot: Any
) -> None:
    make_staff(plan)
    cockpit_refresh()
    wall = {"width": 1920, "height": 1080}
    page = staff_page(chromium, browser_contexts, live_server, personas.mayor, wall)
    page.goto(f"{live_server.url}/cockpit/wall/")
    shot(page, "cockpit-wall-reform")
    for name in ("staffing", "procurement"):
        box = page.locator(f".panel--{name}").bounding_box()
        assert box is not None
        assert box["x"] >= 1280  # the third column
        assert box["y"] + box["height"] <= 1080
    page.locator(".panel--staffing a.fig").first.click()
    page.wait_for_url("**/staffing/")
