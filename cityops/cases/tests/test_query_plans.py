"""What the case query layer tells the database's planner (``cases.query``, ``core.planner``)
changes the plan, never the cases a list holds."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from cityops.cases import search
from cityops.cases.models import OPEN_STATUSES, Case, Status
from cityops.cases.query import CaseFilter, case_filter_apply, case_text_q, status_q

pytestmark = pytest.mark.django_db


def _plan(qs: Any) -> str:
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            return " ".join(str(row[-1]) for row in cursor.fetchall())
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        return " ".join(row[0] for row in cursor.fetchall())


def test_a_number_prefix_is_an_index_range_with_exact_matches(report: Callable[..., Case]) -> None:
    cases = [report() for _ in range(3)]
    prefix = cases[0].number[:8]
    # numbers just outside the prefix's range, and one that only shares its first digits
    Case.objects.filter(pk=cases[1].pk).update(number=prefix[:-1] + "9" + "00001")
    Case.objects.filter(pk=cases[2].pk).update(number=prefix + "X")
    qs = Case.objects.filter(case_text_q(prefix))  # type: ignore[arg-type]
    want = {c.pk for c in Case.objects.all() if c.number.startswith(prefix)}
    assert set(qs.values_list("pk", flat=True)) == want
    assert cases[2].pk in want
    assert cases[1].pk not in want
    plan = _plan(qs.order_by("reported_at"))
    if connection.vendor == "sqlite":
        assert "number>? AND number<?" in plan
    else:
        assert "cases_case_number" in plan


def test_status_filters_select_the_same_cases_however_hinted(report: Callable[..., Case]) -> None:
    cases = [report() for _ in range(4)]
    Case.objects.filter(pk__in=[cases[0].pk, cases[1].pk]).update(status=Status.CLOSED)
    Case.objects.filter(pk=cases[2].pk).update(status=Status.VOIDED)
    for statuses in [(Status.CLOSED,), (Status.CLOSED, Status.VOIDED), OPEN_STATUSES]:
        got = set(Case.objects.filter(status_q(statuses)).values_list("pk", flat=True))
        assert got == {c.pk for c in Case.objects.filter(status__in=statuses)}
    closed_sql = str(Case.objects.filter(status_q((Status.CLOSED,))).query)
    open_sql = str(Case.objects.filter(status_q(OPEN_STATUSES)).query)
    if connection.vendor == "sqlite":
        # most of a history is closed: never fetched through the status index
        assert '+"cases_case"."status"' in closed_sql
        assert '+"cases_case"."status"' not in open_sql
        assert "likelihood(" in open_sql


def test_a_date_range_selects_half_open_whole_days(report: Callable[..., Case]) -> None:
    import datetime as dt

    from django.utils import timezone

    now = timezone.now()
    cases = [report() for _ in range(3)]
    for case, days in zip(cases, (0, 3, 10), strict=True):
        Case.objects.filter(pk=case.pk).update(reported_at=now - dt.timedelta(days=days))
    week = CaseFilter(reported_from=now - dt.timedelta(days=7))
    got = set(case_filter_apply(Case.objects.all(), week).values_list("pk", flat=True))
    assert got == {cases[0].pk, cases[1].pk}
    window = CaseFilter(
        reported_from=now - dt.timedelta(days=10), reported_until=now - dt.timedelta(days=3)
    )
    got = set(case_filter_apply(Case.objects.all(), window).values_list("pk", flat=True))
    assert got == {cases[2].pk}  # the start included, the end excluded


def test_a_search_for_a_common_word_skips_the_index_and_finds_the_same_cases(
    report: Callable[..., Case], monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = ["建国路8号", "新华路井盖", "和平小区", "西拉木伦路", "井盖破损"]
    cases = [report(address=t, description="垃圾") for t in texts]
    indexed = set(Case.objects.filter(case_text_q("路")).values_list("pk", flat=True))  # type: ignore[arg-type]
    # "路" is in three cases, "小区" in one: with no floor and a share of two cases, the
    # first is common, the second not (the share is of the table's highest id)
    top = max(c.pk for c in cases)
    monkeypatch.setattr(search, "COMMON_MIN_DOCS", 0)
    monkeypatch.setattr(search, "COMMON_SHARE", 2 / top)
    common = case_text_q("路")
    assert common is not None
    scanned = set(Case.objects.filter(common).values_list("pk", flat=True))
    assert scanned == indexed == {cases[0].pk, cases[1].pk, cases[3].pk}
    sql = str(Case.objects.filter(common).query)
    rare = str(Case.objects.filter(case_text_q("小区")).query)  # type: ignore[arg-type]
    if connection.vendor == "sqlite":
        assert "cases_case_fts" not in sql
        assert "cases_case_fts" in rare  # one case: under the share, still indexed
    else:  # PostgreSQL's planner judges the GIN index by its own statistics
        assert "search_terms" in sql
