"""The procurement's cockpit panel: registered by this app, its figures equal the progress
selector's on known projects (one overdue, one challenged, one filed), every number opens the
project list or page (200 for the mayor's office, same counts)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from cityops.cockpit.panels import registered_panels
from cityops.cockpit.refresh import cockpit_refresh
from cityops.procurement.models import Project
from cityops.procurement.selectors import procurement_progress
from cityops.procurement.services import challenge_record
from cityops.procurement.testing import officer_ensure, project_new, project_walk

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _mid_may() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2026, 5, 15, 10, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def projects(small_city: Any) -> dict[str, Project]:
    c = small_city
    officer = officer_ensure()
    # Documents issued 3 March with the deadline on 23 March: the bids were never opened.
    stalled = project_walk(
        project_new(officer, c, number="CG-A"), officer, c.operator_a, until="issue_documents"
    )
    challenged = project_walk(
        project_new(officer, c, number="CG-B", title="环卫一体化"),
        officer,
        c.operator_a,
        until="issue_documents",
    )
    challenge_record(
        project_id=challenged.pk,
        supplier="某环境公司",
        subject="documents",
        received_on=dt.date(2026, 3, 10),
        knew_on=dt.date(2026, 3, 4),
        text="评分标准有倾向性",
        actor=officer,
    )
    filed = project_walk(
        project_new(officer, c, number="CG-C"), officer, c.operator_a, until="file_contract"
    )
    draft = project_new(officer, c, number="CG-D")
    return {"stalled": stalled, "challenged": challenged, "filed": filed, "draft": draft}


def test_the_panel_is_registered_by_procurement() -> None:
    panel = next(p for p in registered_panels() if p.name == "procurement")
    assert panel.compute == "cityops.procurement.cockpit.procurement_compute"


def test_the_snapshot_holds_the_selectors_figures(projects: dict[str, Project]) -> None:
    data = cockpit_refresh().data["panels"]["procurement"]
    progress = procurement_progress()
    assert data["total"] == progress["total"] == 4
    assert data["contracted"] == progress["contracted"] == 1
    assert data["open_challenges"] == progress["open_challenges"] == 1
    assert dict(data["by_status"]) == progress["by_status"]
    assert dict(data["by_status"])["documents_issued"] == 2
    rows = {p["number"]: p for p in data["projects"]}
    expected = {p["number"]: p for p in progress["projects"]}
    for number, row in rows.items():
        latest = expected[number]["next_latest"]
        assert row["next_latest"] == (latest.isoformat() if latest else None)
        assert row["next_step"] == expected[number]["next_step"]
        assert row["next_overdue"] == expected[number]["next_overdue"]
    assert rows["CG-A"]["next_overdue"] is True
    assert rows["CG-A"]["next_latest"] is not None
    assert rows["CG-A"]["next_latest"] < "2026-05-15"
    assert rows["CG-B"]["open_challenges"] == 1
    assert rows["CG-C"]["next_step"] is None
    assert rows["CG-C"]["attention"] is False
    assert data["overdue"] == sum(1 for p in progress["projects"] if p["next_overdue"])
    # Overdue or challenged first: what a mayor should look at.
    assert {p["number"] for p in data["projects"][:2]} == {"CG-A", "CG-B"}


def test_drill_down_answers_the_mayor_with_the_same_counts(
    projects: dict[str, Project], personas: Any
) -> None:
    data = cockpit_refresh().data["panels"]["procurement"]
    mayor = Client()
    mayor.force_login(personas.mayor)
    body = mayor.get(reverse("cockpit:page")).content.decode()
    assert "panel--procurement" in body
    links = set(re.findall(r'href="(/procurement/[^"#]*)', body))
    assert reverse("procurement:list") in links
    for project in projects.values():
        assert reverse("procurement:detail", args=[project.pk]) in links
    for url in links:
        assert mayor.get(url).status_code == 200, url
    listed = mayor.get(reverse("procurement:list"))
    shown = listed.context["progress"]
    assert shown["by_status"] == dict(data["by_status"])
    assert shown["total"] == data["total"]
    assert shown["open_challenges"] == data["open_challenges"]
    wall = mayor.get(reverse("cockpit:wall")).content.decode()
    assert "panel--procurement" in wall
