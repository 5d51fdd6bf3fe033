"""The residents' case map with the keyboard only: Tab to a marker, its name, Enter, axe-core;
its legend names the colours in words."""

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
    # The legend says in words what each colour means (not colour alone), with the markers'
    # own dots; the browser asks for zh-CN.
    legend = page.get_by_role("list", name="地图图例")
    assert legend.is_visible()
    spoken = legend.get_by_role("listitem").evaluate_all(  # the text outside aria-hidden
        "els => els.map(e => [...e.childNodes].filter(n => !(n.closest && n.closest("
        "'[aria-hidden]'))).map(n => n.textContent).join('').trim())"
    )
    assert spoken == [
        "橙色圆点：处理中的案件",
        "绿色圆点：已结案的案件",
        "带数字的圆圈：附近有这么多件案件（请放大查看）",
    ]
    swatches = legend.locator(".case-marker").evaluate_all("els => els.map(e => e.className)")
    assert swatches == ["case-marker case-marker--open", "case-marker case-marker--closed"]
    name = _tab_to_marker(page, "#public-map")
    # A case being handled wears the legend's "being handled" dot.
    assert "case-marker--open" in page.evaluate("document.activeElement.className")
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
