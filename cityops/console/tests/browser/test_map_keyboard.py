"""The staff case map with the keyboard only: Tab to markers and clusters, Enter, axe-core."""

from __future__ import annotations

from typing import Any

import pytest

from cityops.console.tests.browser.test_console_tools import AXE, _axe
from cityops.console.tests.browser.test_journey import staff_page
from cityops.console.tests.conftest import EAST

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ACTIVE = "document.activeElement"


def _tab_to_marker(page: Any, map_selector: str = "#case-map") -> str:
    """Focus the map, Tab to the first marker (Enter on clusters until a case marker).
    Also drives the residents' map (cityops/public/tests): the same markers (map-kit.js)."""
    for _ in range(6):
        page.focus(map_selector)
        page.keyboard.press("Tab")
        classes = page.evaluate(f"{ACTIVE}.className")
        assert "leaflet-marker-icon" in classes, classes  # markers come first in Tab order
        assert page.evaluate(f"{ACTIVE}.getAttribute('role')") == "button"
        if "case-marker" in classes:
            return str(page.evaluate(f"{ACTIVE}.textContent"))
        count = page.evaluate(f"{ACTIVE}.querySelector('[aria-hidden]').textContent")
        assert count in page.evaluate(f"{ACTIVE}.textContent")  # named "N cases …: zoom in"
        loaded = page.get_attribute(map_selector, "data-loaded")
        page.keyboard.press("Enter")  # a cluster zooms in; the map then loads the new view
        page.wait_for_function(
            "([sel, n]) => { const m = document.querySelector(sel);"
            " return m.dataset.loaded !== n && !m.classList.contains('leaflet-zoom-anim'); }",
            arg=[map_selector, loaded],
        )
    raise AssertionError("no case marker reached with the keyboard")


def _open_popup_by_keyboard(page: Any, number: str) -> None:
    """On a focused case marker (with a visible focus ring): Enter opens its popup with focus
    on the link, Escape closes it and focus is back on the marker, Enter opens it again (left
    open and faded in: axe measures contrast as drawn)."""
    assert page.evaluate(f"getComputedStyle({ACTIVE}).outlineStyle") != "none"
    page.keyboard.press("Enter")
    page.wait_for_function(f"() => {ACTIVE}.hasAttribute('data-case-link')")
    assert page.evaluate(f"{ACTIVE}.getAttribute('data-case-link')") == number
    page.keyboard.press("Escape")
    page.wait_for_function(f"() => {ACTIVE}.classList.contains('case-marker')")
    page.keyboard.press("Enter")
    page.wait_for_function(f"() => {ACTIVE}.hasAttribute('data-case-link')")
    page.wait_for_function(
        "() => getComputedStyle(document.querySelector('.leaflet-popup')).opacity === '1'"
    )


def test_case_markers_work_with_the_keyboard(
    chromium, browser_contexts, live_server, personas, report, shot
):
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `npm ci` and `python scripts/vendor_assets.py`")
    cases = {c.number: c for c in (report(), report(point=EAST))}
    page = staff_page(chromium, browser_contexts, live_server, personas.dispatcher)
    page.goto(f"{live_server.url}/console/cases/map/")
    page.wait_for_selector("#case-map[data-loaded]")
    assert page.get_attribute("#case-map", "data-mode") == "markers"
    name = _tab_to_marker(page)
    number = next(n for n in cases if n in name)
    case = cases[number]
    assert case.category.name in name
    shot(page, "console-case-map-keyboard")
    _open_popup_by_keyboard(page, number)
    assert _axe(page, live_server) == []
    page.keyboard.press("Enter")  # follows the link
    page.wait_for_url(f"**/console/cases/{case.pk}/")
    assert number in page.locator("h1").inner_text()
