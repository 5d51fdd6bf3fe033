"""A resident on a phone: pin → category → report with a photo → number and code → the unit
fixes it → track (reply, before/after photos) → rate → "still not fixed" reopens it. axe-core
on every main public and resident page (0 serious or critical violations)."""

from __future__ import annotations

from typing import Any

import pytest

from cityops.cases.models import Case, Status
from cityops.cases.services.payloads import File, Handle, Verify
from cityops.console.tests.browser.test_console_tools import AXE, _axe
from cityops.console.tests.browser.test_journey import PHONE, new_page, staff_page
from cityops.console.tests.conftest import jpeg

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("vendor_assets"),
]


def _fix_and_close(case: Case, personas: Any) -> None:
    from cityops.cases.services import case_transition

    case_transition(case_id=case.pk, action="confirm_report", actor=personas.inspector)
    case_transition(case_id=case.pk, action="accept", actor=personas.intake_clerk)
    case_transition(
        case_id=case.pk, action="file", actor=personas.shift_lead, payload=File(condition_met=True)
    )
    case_transition(case_id=case.pk, action="dispatch", actor=personas.dispatcher)
    case_transition(
        case_id=case.pk,
        action="handle",
        actor=personas.operator_a,
        payload=Handle(note="已清运完毕", photos=[jpeg("green")]),
    )
    case_transition(
        case_id=case.pk,
        action="verify",
        actor=personas.inspector,
        payload=Verify(photos=[jpeg("blue")]),
    )
    case_transition(case_id=case.pk, action="close", actor=personas.shift_lead)


def test_resident_reports_tracks_rates_and_reopens_on_a_phone(
    chromium, browser_contexts, live_server, personas, catalogue, dispatched, tmp_path, shot
):
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `npm ci` and `python scripts/vendor_assets.py`")
    nearby = dispatched()  # an open public report close to where the resident will pin
    photo = tmp_path / "before.jpg"
    photo.write_bytes(jpeg("red", (640, 480)))
    violations: dict[str, list[dict[str, Any]]] = {}

    def audit(name: str) -> None:
        violations[name] = _axe(page, live_server)

    page = new_page(chromium, browser_contexts, PHONE)
    page.goto(f"{live_server.url}/")
    audit("home")
    page.click("[data-home-report]")
    page.wait_for_selector("[data-place-form] [data-pick-map]:not([hidden])")
    audit("report: place")
    # Tap the map: the pin lands there, the form carries its position.
    box = page.locator("[data-pick-map]").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    assert page.input_value("input[name=lon]")
    # The pin is moved onto the nearby report's spot (typing works without the map too).
    page.fill("input[name=lon]", str(nearby.lon))
    page.fill("input[name=lat]", str(nearby.lat))
    page.locator("[data-place-form] button[type=submit]").click()
    page.wait_for_selector("[data-nearby-case]")
    assert nearby.number in page.inner_text(".nearby")
    audit("report: categories and nearby")
    shot(page, "resident-01-categories-nearby")
    garbage = catalogue["garbage"]
    page.click(f"a.cat[data-category='{garbage.kind}-{garbage.code}']")
    page.wait_for_selector("[data-report-form]")
    audit("report: details")
    page.fill("textarea[name=description]", "路口垃圾桶满溢，气味很大")
    page.fill("input[name=reporter_phone]", "13900001111")
    page.set_input_files("input[name=photos]", str(photo))
    page.locator("form[data-report-form] button[type=submit]").click()
    # A duplicate suggestion, if any, is answered with "send it anyway" (photos are kept).
    page.wait_for_selector("[data-tracking-code], #duplicates .dups")
    if page.locator("#duplicates .dups").count():
        page.locator("form[data-report-form] button[type=submit]").click()
        page.wait_for_selector("[data-tracking-code]")
    audit("report: done")
    shot(page, "resident-02-number-and-code")
    number = page.inner_text("[data-case-number]").strip()
    case = Case.objects.get(number=number)
    assert case.photos.count() == 1  # the photo survived the duplicate suggestion

    _fix_and_close(case, personas)
    page.click("[data-track-link]")  # the bookmarkable tracking page
    page.wait_for_selector("[data-status=closed]")
    assert "已清运完毕" in page.inner_text("[data-reply]")
    assert page.locator(".before-after img").count() == 2
    audit("track")
    shot(page, "resident-03-track")
    page.check("input[name=score][value='4']")
    page.locator("form.feedback button[type=submit]").click()
    page.wait_for_selector("p.ok")
    page.fill("textarea[name=reason]", "第二天又堆满了")
    page.locator("form.reopen button[type=submit]").click()
    page.wait_for_selector("[data-status=dispatched]")
    shot(page, "resident-04-reopened")
    case.refresh_from_db()
    assert case.status == Status.DISPATCHED
    assert case.feedback.score == 4

    # "This is my problem too" on the report nearby (instead of a second report).
    page.goto(f"{live_server.url}/report/?lon={nearby.lon}&lat={nearby.lat}")
    page.locator(f"[data-nearby-case='{nearby.number}'] button[type=submit]").click()
    page.wait_for_selector("[data-supporters='1']")
    for name, path in (
        ("public list", "/public/"),
        ("public case", f"/public/cases/{nearby.number}/"),
        ("track form", "/track/"),
        ("subscribe", "/subscribe/"),
    ):
        page.goto(f"{live_server.url}{path}")
        audit(name)
    # A resident with a login: "my reports", and no staff menu.
    page = staff_page(chromium, browser_contexts, live_server, personas.citizen, PHONE)
    page.goto(f"{live_server.url}/my/reports/")
    assert page.locator("a[href='/console/cases/map/']").count() == 0
    audit("my reports")
    assert {k: v for k, v in violations.items() if v} == {}
