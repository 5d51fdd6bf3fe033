"""The case text search through the n-gram index (``cases.search``): it finds exactly what the
plain substring test finds, for Chinese and Latin text, and the database's index answers it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from hypothesis import example, given
from hypothesis import strategies as st

from cityops.cases import search
from cityops.cases.models import Case
from cityops.cases.query import case_text_q

# A small alphabet so that random texts share n-grams (the interesting case for false hits).
ALPHABET = "井盖破损路灯树abcAB12 -，。"


def test_terms_of_chinese_and_latin_runs() -> None:
    terms = search.text_terms("建国路 B12号", "井盖破损")
    assert terms.split() == [
        "建", "国", "路", "建国", "国路", "b12", "号",
        "井", "盖", "破", "损", "井盖", "盖破", "破损",
    ]  # fmt: skip
    assert search.query_terms("井盖") == ["井盖"]
    assert search.query_terms("盖") == ["盖"]
    assert search.query_terms("B12路") == ["b12", "路"]
    # one or two Latin characters give no trigram: the search scans instead
    assert search.query_terms("ab") == []
    assert search.query_terms("，。") == []


@given(st.text(alphabet=ALPHABET, max_size=40), st.data())
@example(text="ab井盖", data=None)
def test_a_substring_needs_only_terms_its_text_has(text: str, data: Any) -> None:
    """No false negatives: every n-gram of any substring is among the text's n-grams."""
    have = set(search.text_terms(text).split())
    if data is None:
        subs = [text[i:j] for i in range(len(text)) for j in range(i + 1, len(text) + 1)]
    else:
        i = data.draw(st.integers(0, len(text)))
        subs = [text[i : data.draw(st.integers(i, len(text)))]]
    for sub in subs:
        assert set(search.query_terms(sub)) <= have, sub


TEXTS = [
    ("西拉木伦大街100号", "路边暴露垃圾一堆"),
    ("建国路与新华街交叉口", "井盖破损，车辆经过有响声"),
    ("B12 Building, Jianguo Road", "Broken lamp post near gate"),
    ("和平小区3号楼", "路灯不亮"),
    ("", "绿化带树木倒伏 abc"),
]
QUERIES = [
    "井盖", "盖破", "井盖破损", "路", "灯", "路灯不亮", "破井", "垃圾一堆", "和平小区3号楼",
    "3号", "b12", "B12 Building", "ROAD", "lamp", "amp", "ab", "Jianguo Road", "街交叉",
    "倒伏 ABC", "没有的东西", "zzz", "100号", "10",
]  # fmt: skip


@pytest.fixture
def texts(report: Callable[..., Case]) -> list[Case]:
    return [report(address=a, description=d) for a, d in TEXTS]


@pytest.mark.django_db
def test_the_indexed_search_finds_what_the_substring_test_finds(texts: list[Case]) -> None:
    for q in QUERIES:
        cond = case_text_q(q)
        assert cond is not None
        got = set(Case.objects.filter(cond).values_list("pk", flat=True))
        low = q.lower()
        want = {c.pk for c in texts if low in c.address.lower() or low in c.description.lower()}
        assert got == want, q


@pytest.mark.django_db
def test_an_edited_text_is_searched_by_its_new_words(texts: list[Case]) -> None:
    case = texts[0]
    case.description = "污水外溢"
    case.save(update_fields=["description"])
    assert Case.objects.get(pk=case.pk).search_terms == search.text_terms(case.address, "污水外溢")
    found = set(Case.objects.filter(case_text_q("污水")).values_list("pk", flat=True))  # type: ignore[arg-type]
    assert found == {case.pk}
    assert not Case.objects.filter(case_text_q("垃圾一堆")).exists()  # type: ignore[arg-type]


@pytest.mark.django_db
def test_the_database_index_answers_the_search(texts: list[Case]) -> None:
    qs = Case.objects.filter(case_text_q("井盖"))  # type: ignore[arg-type]
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            plan = " ".join(str(row) for row in cursor.fetchall())
            assert "cases_case_fts VIRTUAL TABLE INDEX" in plan
        else:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql, params)
            plan = " ".join(row[0] for row in cursor.fetchall())
            assert "cases_case_search_terms" in plan


@pytest.mark.django_db
def test_the_sqlite_index_comes_back_after_the_case_table_is_rebuilt(
    report: Callable[..., Case],
) -> None:
    """SQLite drops a table's triggers when a migration rebuilds it: ``migrate``'s signal
    restores them and re-indexes every case."""
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL alters the table in place; its index stays")
    case = report(description="井盖丢失")
    with connection.cursor() as cursor:
        for sql in search.SQLITE_TEARDOWN:
            cursor.execute(sql)
    from django.apps import apps

    from cityops.cases.apps import _search_index_ensure

    _search_index_ensure(apps.get_app_config("cases"), using="default")
    assert list(Case.objects.filter(case_text_q("井盖")).values_list("pk", flat=True)) == [  # type: ignore[arg-type]
        case.pk
    ]
