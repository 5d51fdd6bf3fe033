"""The residents' case map with the keyboard only: Tab to a marker, its name, Enter, axe-core."""

from __future__ import annotations

import pytest
from django.utils import translation

from cityops.cases.models import Status
from cityops.console.tests.browser.test_console_tools import AXE, _axe
from cityops.console.tests.browser.test_journey import DESKTOP, new_page
from cityops.console.tests.browser.test_map_keyboard import _open_popup_by_keyboard, _tab_to_marker
from cityops.console.tests.conftest import EAST

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("vendor_assets"),
]


def test_public_markers_work_with_the_keyboard(
    chromium, browser_contexts, live_server, personas, dispatched, report, shot
):
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `npm ci` and `python scripts/vendor_assets.py`")
    reporter = {"reporter_name": "王五", "reporter_phone": "13700002222", "source": "hotline"}
    cases = {
        c.number: c
        for c in (
            dispatched(actor=personas.intake_clerk, **reporter),
            dispatched(point=EAST, actor=personas.intake_clerk, **reporter),
        )
    }
    internal = report(point=EAST)  # not filed: not public, so not on the map
    page = new_page(chromium, browser_contexts, DESKTOP)  # a resident: no sign-in
    page.goto(f"{live_server.url}/public/")
    page.wait_for_selector("#public-map[data-loaded]")
    assert page.get_attribute("#public-map", "aria-describedby") == "public-map-keys"
    name = _tab_to_marker(page, "#public-map")
    number = next(n for n in cases if n in name)
    assert internal.number not in name
    with translation.override("zh-hans"):  # the browser asks for zh-CN
        status = str(Status.DISPATCHED.label)
    assert name == f"案件 {number}，{cases[number].category.name}，{status}"
    shot(page, "public-case-map-keyboard")
    # Enter → popup with focus on its link, Escape → back on the marker, Enter → open again.
    _open_popup_by_keyboard(page, number)
    popup = page.locator(".leaflet-popup-content").inner_text()
    assert number in popup
    assert "王五" not in popup
    assert "13700002222" not in popup
    assert _axe(page, live_server) == []  # the page with the popup open: 0 serious/critical
    page.keyboard.press("Enter")  # follows the link to the public case page
    page.wait_for_url(f"**/public/cases/{number}/")
    assert number in page.locator("h1").inner_text()
