"""Browser tests of the case map, bulk dispatch, saved filters and the accessibility audit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from cityops.cases.models import Case, Status
from cityops.cases.services import case_transition
from cityops.cases.services.payloads import File
from cityops.console.models import SavedFilter
from cityops.console.tests.browser.test_journey import DESKTOP, new_page, staff_page
from cityops.console.tests.conftest import EAST

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
AXE = Path(settings.BASE_DIR) / "var" / "vendor" / "axe-core" / "axe.min.js"


def filed(report: Any, personas: Any, **kwargs: Any) -> Case:
    case = report(**kwargs)
    case_transition(case_id=case.pk, action="accept", actor=personas.intake_clerk)
    return case_transition(
        case_id=case.pk, action="file", actor=personas.shift_lead, payload=File(condition_met=True)
    )


def test_case_map_shows_the_viewport_cases(
    chromium, browser_contexts, live_server, personas, report, shot
):
    west = report()
    east = report(point=EAST)
    page = staff_page(chromium, browser_contexts, live_server, personas.dispatcher)
    page.goto(f"{live_server.url}/console/cases/map/")
    page.wait_for_selector("#case-map[data-mode=markers]")
    assert page.locator("#case-map").get_attribute("data-count") == "2"
    # Clustered or single, every case is drawn; a cluster opens on a click.
    page.wait_for_selector(".marker-cluster, .case-marker")
    if page.locator(".marker-cluster").count():
        page.locator(".marker-cluster").first.click()
    page.locator(".case-marker").first.wait_for()
    page.locator(".leaflet-control-layers-overlays input").first.check()  # grid boundaries
    page.locator(".leaflet-overlay-pane path").nth(3).wait_for(state="attached")
    shot(page, "console-case-map")
    # A marker opens a popup whose link leads to the case.
    page.locator(".case-marker").first.click(force=True)
    link = page.locator("[data-case-link]")
    link.wait_for()
    number = link.get_attribute("data-case-link")
    assert number in {west.number, east.number}
    link.click()
    page.wait_for_url("**/console/cases/*/")
    assert number in page.locator("h1").inner_text()


def test_bulk_dispatch_and_saved_filter(
    chromium, browser_contexts, live_server, personas, report, shot
):
    cases = [filed(report, personas), filed(report, personas, point=EAST)]
    page = staff_page(chromium, browser_contexts, live_server, personas.dispatcher)
    page.goto(f"{live_server.url}/console/cases/?status=filed")
    # Save the filter, then apply it with one click from another page.
    page.fill("input[name=name]", "待派遣")
    page.locator("form.save-filter button[type=submit]").click()
    page.wait_for_selector('[data-saved-filter="待派遣"]')
    assert SavedFilter.objects.get(owner=personas.dispatcher).query == "status=filed"
    page.goto(f"{live_server.url}/console/cases/")
    page.locator('[data-saved-filter="待派遣"]').click()
    page.wait_for_url("**/console/cases/?status=filed")
    page.locator("[data-select-all]").check()
    assert page.locator("[data-pick]:checked").count() == 2
    shot(page, "console-bulk-select")
    page.locator("[data-bulk-submit]").click()
    page.wait_for_selector("[data-bulk-summary]")
    shot(page, "console-bulk-result")
    assert page.locator("[data-bulk-done] li").count() == 2
    for case in cases:
        case.refresh_from_db()
        assert case.status == Status.DISPATCHED


def test_reveal_reporter_in_place(chromium, browser_contexts, live_server, personas, report):
    case = report(reporter_name="王五", reporter_phone="13712345678", source="hotline",
                  actor=personas.intake_clerk)  # fmt: skip
    page = staff_page(chromium, browser_contexts, live_server, personas.dispatcher)
    page.goto(f"{live_server.url}/console/cases/{case.pk}/")
    assert "13712345678" not in page.content()
    page.locator("[data-reveal]").click()
    page.wait_for_selector("[data-revealed]")
    assert "13712345678" in page.locator("#reporter").inner_text()
    assert page.url.endswith(f"/console/cases/{case.pk}/")  # swapped in place (htmx)


def _axe(page: Any, live_server: Any) -> list[dict[str, Any]]:
    page.add_script_tag(url=f"{live_server.url}/static/vendor/axe-core/axe.min.js")
    result = page.evaluate(
        "axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_accessibility_of_the_main_pages(
    chromium, browser_contexts, live_server, personas, report, catalogue
):
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `npm ci` and `python scripts/vendor_assets.py`")
    case = filed(report, personas, reporter_phone="13712345678")
    staff = staff_page(chromium, browser_contexts, live_server, personas.dispatcher)
    found: dict[str, list[dict[str, Any]]] = {}
    for path in ("/console/", "/console/cases/", f"/console/cases/{case.pk}/"):
        staff.goto(f"{live_server.url}{path}")
        found[path] = _axe(staff, live_server)
    resident = new_page(chromium, browser_contexts, DESKTOP)
    for path in ("/report/", f"/report/?category={catalogue['garbage'].pk}", "/track/"):
        resident.goto(f"{live_server.url}{path}")
        found[path] = _axe(resident, live_server)
    assert {p: v for p, v in found.items() if v} == {}
