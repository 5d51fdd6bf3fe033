"""An inspector walks the phone form in a real browser: pin, findings, canvas signatures."""

from __future__ import annotations

from typing import Any

import pytest

from cityops.evaluations.demo import load_demo_schemes
from cityops.inspections.models import Inspection, Status
from cityops.inspections.services.plans import inspection_assign, plan_draw
from cityops.inspections.tests.conftest import OCT
from conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


def sign(page: Any, who: str) -> None:
    canvas = page.locator(f"canvas[data-signature={who}]")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 60)
    page.mouse.down()
    for k in range(1, 12):
        page.mouse.move(box["x"] + 20 + 20 * k, box["y"] + 60 + (15 if k % 2 else -15))
    page.mouse.up()


def test_inspector_submits_with_a_pin_and_two_signatures(
    chromium, browser_contexts, live_server, personas, small_city, shot, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    load_demo_schemes()
    plan = plan_draw(lot_id=small_city.lot_a.pk, month=OCT, actor=personas.supervisor, seed=1)
    row = Inspection.objects.get(plan=plan)
    inspection_assign(
        inspection_ids=[row.pk], inspector_id=personas.inspector.pk, actor=personas.supervisor
    )
    context = chromium.new_context(viewport=PHONE, locale="zh-CN", has_touch=False)
    browser_contexts.append(context)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", personas.inspector.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit], form input[type=submit]").last.click()
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/inspections/{row.pk}/form/")
    page.locator("[data-inspection-map]").click()  # no GPS in the test browser: a pin
    assert page.locator("input[name=position_source]").input_value() == "pin"
    page.fill("input[name=q-roadway-exposed_garbage]", "2")
    page.fill("input[name=operator_signer]", "李四")
    sign(page, "inspector")
    sign(page, "operator")
    shot(page, "inspection-form-phone")
    page.locator("button[name=submit]").click()
    page.wait_for_load_state()
    errors = page.locator(".errors")
    assert errors.count() == 0, errors.first.inner_text()
    page.wait_for_url(f"**/inspections/{row.pk}/")
    row.refresh_from_db()
    assert row.status == Status.SUBMITTED
    assert row.position_source == "pin"
    assert row.lon is not None
    assert row.findings.get().quantity == 2
    with row.inspector_signature.open("rb") as fh:
        assert fh.read(8) == b"\x89PNG\r\n\x1a\n"
    assert row.operator_signature.name
