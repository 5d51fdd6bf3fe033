"""The ``estates_credit`` demo step rates the companies on the (generated) case history."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.urls import reverse

from cityops.cases.models import Case
from cityops.core.management.demo_steps import demo_steps
from cityops.estates.demo_credit import credit_from_history
from cityops.estates.models import CreditRecord, CreditSource
from cityops.estates.selectors import credit_history
from cityops.estates.services.credit import credit_score_of
from cityops.estates.tasks import credit_from_cases_task
from cityops.estates.tests.test_credit_job import property_case  # noqa: F401 (a fixture)

NOV_20 = dt.datetime(2026, 11, 20, 2, tzinfo=dt.UTC)


def test_the_credit_step_runs_after_the_case_history():
    names = [s.name for s in demo_steps()]
    assert names.index("estates_credit") > names.index("history") > names.index("estates")


def test_nothing_to_rate_without_a_history(small_city):
    assert "no case history" in credit_from_history()
    assert not CreditRecord.objects.exists()


def test_history_cases_change_the_grade_once_and_the_page_explains_it(
    client,
    small_city,
    personas,
    property_case,  # noqa: F811
):
    company = small_city.property_company
    for _ in range(8):
        property_case(at=dt.datetime(2026, 11, 10, 1, tzinfo=dt.UTC), late=True)
    property_case(at=dt.datetime(2026, 11, 12, 1, tzinfo=dt.UTC), reworks=2)
    Case.objects.update(client="history")  # as the history generator tags them
    assert credit_score_of(company).grade == "AA"
    with time_machine.travel(NOV_20, tick=False):
        summary = credit_from_history()
        assert "20261110-20261112" in credit_history(company)[0].cause
        score = credit_score_of(company)
    assert "AA" in summary
    assert score.grade in summary
    assert score.grade in {"A", "B", "C"}  # 9 complaints, 8 late, 2 reworks
    # A second `make demo` the next day does not count the same cases again.
    with time_machine.travel(NOV_20 + dt.timedelta(days=1), tick=False):
        assert "already rated" in credit_from_history()
        assert credit_score_of(company).score == score.score
    counted = CreditRecord.objects.filter(source=CreditSource.CASE_STATISTICS, voided=False)
    assert {r.source_ref.split(":")[0] for r in counted} == {"20261110-20261112"}
    client.force_login(personas.property_staff)
    client.cookies["django_language"] = "en"
    with time_machine.travel(NOV_20, tick=False):
        page = client.get(reverse("estates:company")).content.decode()
    assert "9 complaints" in page
    assert f"<strong>{score.grade}</strong>" in page


def test_the_scheduler_after_demo_setup_deducts_nothing_twice(
    small_city,
    property_case,  # noqa: F811
):
    """demo_setup rates the history window; the scheduler's first monthly run then rates the
    last complete month, which lies inside it: it must find those days already rated."""
    company = small_city.property_company
    for day in (1, 10, 20):
        property_case(at=dt.datetime(2026, 11, day, 1, tzinfo=dt.UTC), late=True, reworks=1)
    property_case(at=dt.datetime(2026, 12, 4, 1, tzinfo=dt.UTC))
    Case.objects.update(client="history")
    with time_machine.travel(dt.datetime(2026, 12, 5, 2, tzinfo=dt.UTC), tick=False):
        assert "2026-11-01 – 2026-12-04" in credit_from_history()
        score = credit_score_of(company).score
    with time_machine.travel(dt.datetime(2026, 12, 6, 2, tzinfo=dt.UTC), tick=False):
        result = credit_from_cases_task.enqueue()  # default: November
        assert result.return_value == {str(company.pk): 0}
        assert credit_score_of(company).score == score
