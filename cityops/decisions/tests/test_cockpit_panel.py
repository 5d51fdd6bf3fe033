"""The decisions panel of the leaders' cockpit: the same counts as the decisions list for the
mayor's office, late items with their escalation, and links a bureau leader can open."""

from __future__ import annotations

import datetime as dt
from typing import Any

import time_machine
from django.urls import reverse

from cityops.cockpit.refresh import cockpit_refresh
from cityops.decisions.selectors import decision_overview
from cityops.decisions.services import items as svc
from cityops.decisions.services.ladder_job import items_escalate
from cityops.decisions.testing import Desk
from cityops.decisions.tests.test_items import MONDAY, TZ, assign


def test_panel_counts_equal_the_overview_and_show_the_listed_item(
    desk: Desk, client: Any, personas: Any
) -> None:
    late = assign(desk)
    svc.item_sign(item_id=late.pk, actor=desk.housing_liaison, now=MONDAY)
    assign(desk, text="按时推进的事项", deadline_date=dt.date(2027, 6, 30))
    listed_at = dt.datetime(2026, 10, 13, 18, tzinfo=TZ)  # 5 working days late: 挂牌督办
    items_escalate(now=listed_at)
    with time_machine.travel(listed_at, tick=False):
        snapshot = cockpit_refresh()
        expected = decision_overview(user=desk.mayor, now=listed_at)
    panel = snapshot.data["panels"]["decisions"]
    assert panel["counts"] == expected["counts"]
    assert (panel["counts"]["late"], panel["counts"]["listed"], panel["late_total"]) == (1, 1, 1)
    assert panel["late"][0]["id"] == late.pk
    client.force_login(personas.mayor)
    body = client.get(reverse("cockpit:page")).content.decode()
    assert "panel--decisions" in body
    assert "挂牌督办" in body
    # A bureau leader sees the cockpit; the lists behind its numbers open for them too.
    client.force_login(personas.supervisor)
    assert client.get(panel["late"][0]["url"]).status_code == 200
    assert client.get(panel["url"] + "?late=1").status_code == 200
