"""The evaluation pages in a real browser: a supervisor opens the months, runs the last month
(background job) and publishes it; the operator sees the score and appeals a deduction; the
supervisor decides the appeal in the queue and the month gets a new revision."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from cityops.evaluations.demo import load_demo_schemes
from cityops.evaluations.models import Appeal, Evaluation, PenaltyRecord, Period
from conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def signed_in(chromium: Any, contexts: list[Any], live_server: Any, user: Any) -> Any:
    context = chromium.new_context(locale="en-US")
    contexts.append(context)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit], form input[type=submit]").last.click()
    page.wait_for_load_state()
    return page


def test_run_publish_appeal_and_decide(
    chromium, browser_contexts, live_server, personas, small_city, shot, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    load_demo_schemes()
    # the last complete month (a month is run once it has ended); one county media exposure
    first = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    month = f"{first:%Y-%m}"
    PenaltyRecord.objects.create(
        contract=small_city.contract_a, code="media_county", occurred_on=first + dt.timedelta(4),
        recorded_by=personas.supervisor,
    )  # fmt: skip

    supervisor = signed_in(chromium, browser_contexts, live_server, personas.supervisor)
    supervisor.goto(f"{live_server.url}/evaluations/months/")
    assert supervisor.locator("#run-form input[name=month]").input_value() == month
    supervisor.locator("#run-form button[type=submit]").click()
    supervisor.wait_for_url(f"**/evaluations/months/{month}/")
    supervisor.wait_for_selector(".run--done")  # the job ran (immediate backend) with progress
    row = supervisor.locator("table.data tbody tr", has_text=small_city.contract_a.number)
    assert row.count() == 1
    shot(supervisor, "evaluation-month-run")
    supervisor.locator(f"form[action$='/months/{month}/publish/'] button").click()
    supervisor.wait_for_url(f"**/evaluations/months/{month}/")
    assert Period.objects.get(month=first).is_frozen
    evaluation = Evaluation.objects.get(contract=small_city.contract_a, is_current=True)
    assert evaluation.revision == 1

    operator = signed_in(chromium, browser_contexts, live_server, personas.operator_a)
    operator.goto(f"{live_server.url}/evaluations/mine/")
    operator.locator(f"a[href$='/evaluations/e/{evaluation.pk}/']").first.click()
    operator.wait_for_url(f"**/evaluations/e/{evaluation.pk}/")
    assert str(evaluation.score) in operator.content()
    operator.select_option("select[name=deduction]", "payment/media_county")
    operator.fill("textarea[name=reason]", "该报道所指路段不属于本标段")
    shot(operator, "evaluation-appeal-form")
    operator.locator("form[action$='/appeal/'] button[type=submit]").click()
    operator.wait_for_url("**/evaluations/appeals/*/")
    appeal = Appeal.objects.get()
    assert appeal.status == "open"
    assert appeal.filed_by == personas.operator_a

    supervisor.goto(f"{live_server.url}/evaluations/appeals/")
    supervisor.locator(f"a[href$='/evaluations/appeals/{appeal.pk}/']").click()
    supervisor.wait_for_url(f"**/evaluations/appeals/{appeal.pk}/")
    supervisor.check("input[name=decision][value=overturned]")
    supervisor.fill("textarea[name=note]", "核实属实，撤销该项扣款")
    supervisor.locator("form:has(input[name=decision]) button[type=submit]").click()
    supervisor.wait_for_url(f"**/evaluations/appeals/{appeal.pk}/")
    shot(supervisor, "evaluation-appeal-decided")
    appeal.refresh_from_db()
    assert appeal.status == "overturned"
    revised = appeal.result_revision
    assert revised is not None
    assert revised.revision == 2
    assert revised.payable == evaluation.payable + evaluation.fee * Decimal("0.10")

    # the operator sees the decision and the new revision of the month
    operator.goto(f"{live_server.url}/evaluations/appeals/{appeal.pk}/")
    assert "核实属实，撤销该项扣款" in operator.content()
    operator.goto(f"{live_server.url}/evaluations/mine/")
    assert operator.locator("table.data tbody tr", has_text="r2").count() == 1
