"""The staff transfer's cockpit panel: registered by this app, its figures equal the progress
selector's, every number opens the progress page (200 for the mayor's office, same counts),
no names in the snapshot."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from cityops.cockpit.panels import registered_panels
from cityops.cockpit.refresh import cockpit_refresh
from cityops.staffing.models import StaffMember
from cityops.staffing.selectors import transfer_progress
from cityops.staffing.services import staff_pay_set, staff_step
from cityops.staffing.tests.conftest import Plan, make_staff


@pytest.fixture
def register(plan: Plan, member: StaffMember) -> Plan:
    """Three people in two units: one blocked by a pay cut, one talked to, one registered."""
    staff_step(member=member, action="talk", actor=plan.hr)
    staff_pay_set(member=member, actor=plan.hr, lines=[("绩效工资", "1500", "1000")])
    staff_step(member=member, action="sign", actor=plan.hr, option="operator_contract")
    talked = make_staff(plan, staff_no="HW0002", name="李秀英", id_number="150502198502021236")
    staff_step(member=talked, action="talk", actor=plan.hr)
    make_staff(
        plan,
        unit=plan.other_unit,
        staff_no="YL0001",
        name="张伟",
        id_number="150502197903031238",
        batch=None,
    )
    return plan


def test_the_panel_is_registered_by_staffing() -> None:
    panel = next(p for p in registered_panels() if p.name == "staffing")
    assert panel.compute == "cityops.staffing.cockpit.staffing_compute"


def test_the_snapshot_holds_the_selectors_counts_and_no_names(register: Plan) -> None:
    snapshot = cockpit_refresh()
    data = snapshot.data["panels"]["staffing"]
    progress = transfer_progress()
    assert (data["total"], data["completed"], data["blocked"], data["unbatched"]) == (3, 0, 1, 1)
    assert data["total"] == progress["total"]
    assert data["blocked"] == progress["blocked"]
    assert data["flags"] == progress["flags"]
    assert data["flags"]["pay_cut"] == 1
    assert {u["code"]: (u["total"], u["blocked"]) for u in data["units"]} == {
        u["code"]: (u["total"], u["blocked"]) for u in progress["units"]
    }
    assert {u["code"]: u["total"] for u in data["units"]} == {"hw": 2, "yl": 1}
    stored = json.dumps(snapshot.data, ensure_ascii=False)
    for name in ("王建国", "李秀英", "张伟", "150502"):
        assert name not in stored


def test_drill_down_answers_the_mayor_with_the_same_counts(register: Plan, personas: Any) -> None:
    cockpit_refresh()
    mayor = Client()
    mayor.force_login(personas.mayor)
    page = mayor.get(reverse("cockpit:page"))
    body = page.content.decode()
    assert "panel--staffing" in body
    progress_url = reverse("staffing:progress")
    assert f'href="{progress_url}#why-blocked"' in body
    drill = mayor.get(progress_url)
    assert drill.status_code == 200
    shown = drill.context["progress"]
    data = cockpit_refresh().data["panels"]["staffing"]
    assert (shown["total"], shown["completed"], shown["blocked"]) == (
        data["total"],
        data["completed"],
        data["blocked"],
    )
    assert 'id="why-blocked"' in drill.content.decode()
    wall = mayor.get(reverse("cockpit:wall")).content.decode()
    assert "panel--staffing" in wall
    assert "王建国" not in body + wall


def test_others_do_not_see_the_cockpit(register: Plan, personas: Any) -> None:
    cockpit_refresh()
    client = Client()
    client.force_login(personas.operator_b)
    assert client.get(reverse("cockpit:page")).status_code == 404
