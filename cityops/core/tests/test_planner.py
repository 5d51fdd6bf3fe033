"""Planner hints (``core.planner``): they change what SQLite's planner estimates, never which
rows a query returns."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Q

from cityops.core.models import AuditEvent
from cityops.core.planner import Likely, Unindexed

pytestmark = pytest.mark.django_db


@pytest.fixture
def events() -> list[AuditEvent]:
    rows = [
        AuditEvent(code=code, target_type="t", summary=str(i)) for i, code in enumerate("aabbbc")
    ]
    return AuditEvent.objects.bulk_create(rows)


def _sql(qs: object) -> str:
    sql, _params = qs.query.sql_with_params()  # type: ignore[attr-defined]
    return str(sql)


def test_a_likely_condition_selects_the_same_rows(events: list[AuditEvent]) -> None:
    plain = set(AuditEvent.objects.filter(code__in=["b", "c"]).values_list("pk", flat=True))
    hinted = AuditEvent.objects.filter(Likely(Q(code__in=["b", "c"]), 0.25))
    assert set(hinted.values_list("pk", flat=True)) == plain
    assert len(plain) == 4
    # combined with other conditions, in both directions of an OR
    either = AuditEvent.objects.filter(Q(code="a") | Likely(Q(code="c"), 0.1))
    assert sorted(e.code for e in either) == ["a", "a", "c"]
    sql = _sql(hinted)
    if connection.vendor == "sqlite":
        assert "likelihood(" in sql
        assert ", 0.25)" in sql
    else:
        assert "likelihood" not in sql


def test_an_unindexed_column_selects_the_same_rows(events: list[AuditEvent]) -> None:
    field = AuditEvent._meta.get_field("code")
    field.register_lookup(Unindexed)
    try:
        rows = AuditEvent.objects.filter(code__unindexed__in=["a", "c"])
        assert sorted(e.code for e in rows) == ["a", "a", "c"]
        sql = _sql(rows)
        if connection.vendor == "sqlite":
            assert '+"core_auditevent"."code" IN' in sql
        else:
            assert '+"core' not in sql
    finally:
        field._unregister_lookup(Unindexed)  # type: ignore[attr-defined,arg-type]


@pytest.mark.parametrize("p", [0.0, 1.0, -0.5, 2.0])
def test_a_probability_outside_zero_and_one_is_refused(p: float) -> None:
    with pytest.raises(ValueError, match="probability"):
        Likely(Q(code="a"), p)


def test_postgresql_connections_cost_random_reads_as_configured() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL planner setting")
    from django.conf import settings

    with connection.cursor() as cursor:
        cursor.execute("SHOW random_page_cost")
        shown = float(cursor.fetchone()[0])
    assert shown == float(settings.CITYOPS_PG_RANDOM_PAGE_COST) == 1.1
