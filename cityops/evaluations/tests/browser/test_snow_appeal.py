"""A snow deduction appealed in a real browser: the supervisor evaluates last month's snowfall
(background job) and the month is published; the operator opens the snow result from the
month, appeals the clearing delay with a reason; the supervisor overturns it partly in the
appeals queue; the operator sees the decision, the new snow revision and what changed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from cityops.evaluations.demo import load_demo_schemes
from cityops.evaluations.models import Appeal, Evaluation, SnowEvaluation
from cityops.evaluations.runs.month import evaluate_month, period_publish
from cityops.evaluations.tests.browser.test_evaluation_pages import signed_in
from cityops.evaluations.tests.test_snow_events import accept
from cityops.inspections.models import Inspection
from cityops.inspections.services.inspections import FindingInput
from cityops.inspections.services.snow import deadline_at, snow_acceptance_plan, snow_event_create
from cityops.registry.models import RoadClass

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TZ = timezone.get_fixed_timezone(8 * 60)
EVENT = "上月中雪"


def last_month_snowfall(personas: Any, small_city: Any) -> tuple[Any, dt.date]:
    """A snowfall on the 10th of the last complete month (relative to today, so the month can
    be published now and the appeal window is open); road west (lot A) accepted 30 h after its
    clearing deadline with 5 places without black surface, road east (lot B) on time."""
    first = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    day = first + dt.timedelta(days=9)
    event = snow_event_create(
        name=EVENT,
        started_at=dt.datetime(day.year, day.month, day.day, 2, tzinfo=TZ),
        ended_at=dt.datetime(day.year, day.month, day.day, 20, tzinfo=TZ),
        level="moderate",
        actor=personas.supervisor,
        # explicit: a transactional test may run after another one flushed the migration's
        # default deadlines
        deadlines={c: {"clear_hours": 24, "haul_hours": 48} for c in RoadClass.values},
    )
    snow_acceptance_plan(event_id=event.pk, actor=personas.supervisor)
    west = event.inspections.get(road_segment=small_city.road_west)
    east = event.inspections.get(road_segment=small_city.road_east)
    accept(personas, west, [FindingInput("acceptance", "no_black_surface", Decimal(5))])
    accept(personas, east, [])
    clear_by = deadline_at(event, small_city.road_west.road_class, "clear")
    assert clear_by is not None
    Inspection.objects.filter(pk=west.pk).update(finished_at=clear_by + dt.timedelta(hours=30))
    Inspection.objects.filter(pk=east.pk).update(finished_at=event.ended_at)
    return event, first


def test_snow_deduction_appealed_and_partly_overturned(
    chromium, browser_contexts, live_server, personas, small_city, shot, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    load_demo_schemes()
    event, first = last_month_snowfall(personas, small_city)

    # the supervisor evaluates the event (a background job, immediate in tests)
    supervisor = signed_in(chromium, browser_contexts, live_server, personas.supervisor)
    supervisor.goto(f"{live_server.url}/inspections/snow/{event.pk}/")
    supervisor.get_by_role("button", name="Evaluate this event").click()
    supervisor.wait_for_url(f"**/inspections/snow/{event.pk}/")
    supervisor.wait_for_selector("[data-snow-run=done]")
    snow = SnowEvaluation.objects.get(contract=small_city.contract_a, is_current=True)
    assert snow.revision == 1
    assert snow.deduction > 0
    row = supervisor.locator(f"tr:has(a[href$='/evaluations/snow/{snow.pk}/'])")
    assert row.count() == 1
    assert small_city.contract_a.number in row.inner_text()
    assert str(snow.score) in row.inner_text()
    shot(supervisor, "snow-event-evaluated")

    # the month carries the event's payment line and is published (today: window open)
    evaluate_month(month=first)
    period_publish(month=first, actor=personas.supervisor)
    month = Evaluation.objects.get(contract=small_city.contract_a, is_current=True)
    assert [line["id"] for line in month.inputs["snow_events"]] == [snow.pk]

    # the operator opens the snow result from the month and appeals the clearing delay
    operator = signed_in(chromium, browser_contexts, live_server, personas.operator_a)
    operator.goto(f"{live_server.url}/evaluations/e/{month.pk}/")
    operator.locator(f"a[href$='/evaluations/snow/{snow.pk}/']").first.click()
    operator.wait_for_url(f"**/evaluations/snow/{snow.pk}/")
    assert EVENT in operator.content()
    assert str(snow.deduction) in operator.content()
    operator.select_option("select[name=deduction]", "clearing/clear_late")
    operator.fill("textarea[name=reason]", "主干道封闭施工，次日方可进场")
    shot(operator, "snow-appeal-form")
    operator.locator(f"form[action$='/snow/{snow.pk}/appeal/'] button[type=submit]").click()
    operator.wait_for_url("**/evaluations/appeals/*/")
    appeal = Appeal.objects.get()
    assert (appeal.status, appeal.snow_evaluation_id, appeal.evaluation_id) == (
        "open",
        snow.pk,
        month.pk,
    )
    assert appeal.quantity == Decimal("2.00")  # derived: 30 h after the deadline
    assert appeal.filed_by == personas.operator_a

    # the supervisor finds it in the queue (named by the event) and overturns it partly
    supervisor.goto(f"{live_server.url}/evaluations/appeals/")
    queued = supervisor.locator("table.data tbody tr", has_text=EVENT)
    assert queued.count() == 1
    queued.locator(f"a[href$='/evaluations/appeals/{appeal.pk}/']").click()
    supervisor.wait_for_url(f"**/evaluations/appeals/{appeal.pk}/")
    assert "主干道封闭施工，次日方可进场" in supervisor.content()
    supervisor.check("input[name=decision][value=partly]")
    supervisor.fill("input[name=adjusted_quantity]", "3")  # above the contested 2: refused
    supervisor.fill("textarea[name=note]", "封路一天属实")
    supervisor.locator("form:has(input[name=decision]) button[type=submit]").click()
    supervisor.wait_for_load_state()
    assert supervisor.locator(".errors").count() >= 1
    appeal.refresh_from_db()
    assert appeal.status == "open"
    supervisor.check("input[name=decision][value=partly]")
    supervisor.fill("input[name=adjusted_quantity]", "1")
    supervisor.fill("textarea[name=note]", "封路一天属实")
    supervisor.locator("form:has(input[name=decision]) button[type=submit]").click()
    supervisor.wait_for_url(f"**/evaluations/appeals/{appeal.pk}/")
    supervisor.wait_for_selector("text=封路一天属实")
    shot(supervisor, "snow-appeal-decided")
    appeal.refresh_from_db()
    assert appeal.status == "partly"
    assert appeal.adjusted_quantity == Decimal("1")
    snow2, month2 = appeal.result_snow_revision, appeal.result_revision
    assert snow2 is not None
    assert month2 is not None
    assert (snow2.revision, month2.revision) == (2, 2)
    assert snow2.score == Decimal("92.00")  # clearing 95 (70 %) + acceptance 85 (30 %)
    assert snow2.deduction < snow.deduction
    assert month2.payable == month.payable + snow.deduction - snow2.deduction

    # the operator sees the decision, follows it to the new snow revision and the diff
    operator.goto(f"{live_server.url}/evaluations/appeals/{appeal.pk}/")
    assert "封路一天属实" in operator.content()
    assert operator.locator(".status").first.inner_text() == "Deduction reduced"
    operator.get_by_role("link", name="See snow revision 2 and what changed").click()
    operator.wait_for_url(f"**/evaluations/snow/{snow.pk}/diff/{snow2.pk}/")
    assert "清雪超时（每路段每超1天）" in operator.content()  # the item by its name, not its code
    assert "clearing/clear_late" not in operator.content()
    shot(operator, "snow-appeal-diff")
    operator.goto(f"{live_server.url}/evaluations/snow/{snow2.pk}/")
    assert "92.00" in operator.content()
    assert operator.locator("text=(replaced)").count() == 0  # r2 is current
    assert operator.locator(f"a[href$='/evaluations/snow/{snow.pk}/']").count() >= 1
    operator.goto(f"{live_server.url}/evaluations/mine/")
    assert operator.locator("table.data tbody tr", has_text="r2").count() == 1

    # operator B plays charlie: neither the snow result nor the appeal exists for them
    other = signed_in(chromium, browser_contexts, live_server, personas.operator_b)
    response = other.goto(f"{live_server.url}/evaluations/snow/{snow2.pk}/")
    assert response is not None
    assert response.status == 404
    response = other.goto(f"{live_server.url}/evaluations/appeals/{appeal.pk}/")
    assert response is not None
    assert response.status == 404
