"""The cockpit pages: who sees them, what they show, how many queries they cost."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.urls import reverse

from cityops.cases.models import Case
from cityops.cockpit.models import Snapshot
from cityops.cockpit.refresh import KEEP, cockpit_refresh
from cityops.cockpit.tests.conftest import NOW
from cityops.core.scheduler import job_run
from cityops.evaluations.tests.conftest import at

PAGES = ("cockpit:page", "cockpit:wall", "cockpit:wall-body")


@pytest.fixture
def refreshed(history: dict[str, Case], schemes: None) -> Snapshot:
    return cockpit_refresh(now=NOW)


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("who", ["mayor", "supervisor"])
def test_viewers_see_the_cockpit(
    client: Any, personas: Any, refreshed: Snapshot, name: str, who: str
) -> None:
    client.force_login(getattr(personas, who))
    with time_machine.travel(NOW, tick=False):
        response = client.get(reverse(name))
    assert response.status_code == 200
    body = response.content.decode()
    assert "/console/cases/?figure=late&amp;period=2026-10&amp;service=sanitation" in body
    assert 'id="cockpit-heat-data"' in body


@pytest.mark.parametrize("name", [*PAGES, "cockpit:votes"])
@pytest.mark.parametrize(
    "who",
    [
        "dispatcher",
        "shift_lead",
        "inspector",
        "operator_a",
        "street_officer",
        "property_staff",
        "citizen",
    ],
)
def test_everyone_else_gets_404(client: Any, personas: Any, name: str, who: str) -> None:
    client.force_login(getattr(personas, who))
    assert client.get(reverse(name), {"period": "2026"}).status_code == 404


def test_anonymous_is_sent_to_sign_in(client: Any, db: None) -> None:
    response = client.get(reverse("cockpit:page"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_before_the_first_refresh_the_page_says_so(client: Any, personas: Any) -> None:
    client.force_login(personas.mayor)
    response = client.get(reverse("cockpit:page"))
    assert response.status_code == 200
    assert b"cockpit_refresh" in response.content
    assert response.context["panels_html"] == ""


def test_the_page_never_reads_the_case_table(
    client: Any,
    personas: Any,
    refreshed: Snapshot,
    django_assert_max_num_queries: Any,
    django_assert_num_queries: Any,
) -> None:
    client.force_login(personas.mayor)
    client.get(reverse("cockpit:page"))  # warm the session and the per-process caches
    for name in PAGES:
        with django_assert_max_num_queries(8) as ctx:
            assert client.get(reverse(name)).status_code == 200
        sql = " ".join(q["sql"] for q in ctx.captured_queries)
        assert "cases_case" not in sql
        assert "cockpit_snapshot" in sql


def test_the_nav_links_the_cockpit_for_viewers_only(client: Any, personas: Any) -> None:
    client.force_login(personas.mayor)
    assert reverse("cockpit:page").encode() in client.get(reverse("console:home")).content
    client.force_login(personas.dispatcher)
    assert reverse("cockpit:page").encode() not in client.get(reverse("console:home")).content


def test_the_wall_polls_its_body(client: Any, personas: Any, refreshed: Snapshot) -> None:
    client.force_login(personas.mayor)
    body = client.get(reverse("cockpit:wall"), {"every": "30"}).content.decode()
    assert 'hx-trigger="every 30s"' in body
    assert client.get(reverse("cockpit:wall"), {"every": "1"}).context["every"] == 15
    assert client.get(reverse("cockpit:wall"), {"every": "x"}).context["every"] == 60


def test_the_scheduled_job_refreshes_and_prunes(history: Any) -> None:
    for _ in range(KEEP + 2):
        with time_machine.travel(NOW, tick=False):
            job_run("cockpit_refresh")
    assert Snapshot.objects.count() == KEEP
    newest = Snapshot.objects.first()
    assert newest is not None
    assert newest.data["panels"]["cases"]["month"]["period"] == "2026-10"


def test_votes_page(client: Any, personas: Any) -> None:
    client.force_login(personas.mayor)
    assert client.get(reverse("cockpit:votes"), {"period": "2026"}).status_code == 200
    assert client.get(reverse("cockpit:votes"), {"period": "9999"}).status_code == 400
    assert client.get(reverse("cockpit:votes"), {"period": "soon"}).status_code == 400


def test_the_console_list_refuses_a_bad_figure(client: Any, personas: Any) -> None:
    client.force_login(personas.dispatcher)
    url = reverse("console:case-list")
    for params in (
        {"figure": "everything", "period": "2026-10"},
        {"figure": "late", "period": "2026-13"},
    ):
        response = client.get(url, params)
        assert response.status_code == 200
        assert response.context["form"].errors
    # A figure alone counts this month; the API takes months, quarters and years only.
    assert client.get("/api/v1/cases/", {"figure": "late"}).status_code == 200
    for period in ("2026-13", "2026-11-01..2026-11-30", "9999"):
        api = client.get("/api/v1/cases/", {"figure": "late", "period": period})
        assert api.status_code == 400, period
        assert api.json()["field"] == "period"


def test_a_month_evaluated_shows_in_the_operators_panel(
    client: Any, personas: Any, history: Any, schemes: None
) -> None:
    from cityops.evaluations.runs.month import evaluate_month, period_publish

    october = at(2026, 10, 1).date()
    with time_machine.travel(at(2026, 11, 5, 9, 0), tick=False):
        evaluate_month(month=october, actor=personas.supervisor)
        period_publish(month=october, actor=personas.supervisor)
        snapshot = cockpit_refresh()
    operators = snapshot.data["panels"]["operators"]
    assert operators["month"] == "2026-10"
    entry = operators["services"][0]["entries"][0]
    client.force_login(personas.mayor)
    body = client.get(reverse("cockpit:page")).content.decode()
    assert reverse("ranking:detail", args=[entry["evaluation"]]) in body
    assert client.get(reverse("ranking:detail", args=[entry["evaluation"]])).status_code == 200
