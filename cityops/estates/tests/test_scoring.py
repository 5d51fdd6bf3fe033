import datetime as dt
import itertools
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cityops.estates import scoring
from cityops.estates.scoring import Band, Item, Kind

DAY = dt.date(2026, 6, 1)


def item(
    ref: str,
    kind: str,
    points: object,
    start: dt.date = dt.date(2026, 1, 1),
    end: dt.date = dt.date(2026, 12, 31),
    voided: bool = False,
) -> Item:
    return Item(ref, Kind(kind), Decimal(str(points)), start, end, voided)


@pytest.mark.parametrize(
    ("score", "grade"),
    [
        ("85", "AAA"),
        ("84.99", "AA"),
        ("80", "AA"),
        ("79.99", "A"),
        ("70", "A"),
        ("69.99", "B"),
        ("60", "B"),
        ("59.99", "C"),
        ("-20", "C"),
        ("120", "AAA"),
    ],
)
def test_grade_band_edges(score, grade):
    assert scoring.grade_for(Decimal(score), scoring.DEFAULT_BANDS) == grade


def test_default_base_good_minus_bad():
    s = scoring.credit_score([item("g", "good", 6), item("b", "bad", "1.5")], day=DAY)
    assert (s.base, s.good, s.bad, s.score, s.grade) == (
        Decimal(80),
        Decimal(6),
        Decimal("1.5"),
        Decimal("84.50"),
        "AA",
    )
    assert "default_base" in s.notes


def test_validity_window_is_inclusive_and_voided_records_do_not_count():
    items = [
        item("first", "good", 5, start=DAY),
        item("last", "good", 1, end=DAY),
        item("expired", "bad", 50, end=DAY - dt.timedelta(days=1)),
        item("future", "bad", 50, start=DAY + dt.timedelta(days=1)),
        item("void", "bad", 50, voided=True),
    ]
    s = scoring.credit_score(items, day=DAY)
    assert set(s.counted) == {"first", "last"}
    assert set(s.ignored) == {"expired", "future", "void"}
    assert s.score == Decimal("86.00")
    assert s.grade == "AAA"


def test_newest_base_record_wins_and_good_is_capped():
    items = [
        item("old", "base", 60, start=dt.date(2026, 1, 1)),
        item("new", "base", 75, start=dt.date(2026, 3, 1)),
        *[item(f"g{i}", "good", 15) for i in range(4)],
    ]
    s = scoring.credit_score(items, day=DAY)
    assert s.base == 75
    assert s.good == 40
    assert "good_capped" in s.notes
    assert "old" in s.ignored
    assert "new" in s.counted


def test_blacklist_forces_the_lowest_grade():
    s = scoring.credit_score([item("g", "good", 10)], day=DAY, blacklisted=True)
    assert s.score == Decimal("90.00")
    assert s.grade == "C"
    custom = scoring.ScoringRules(blacklist_forces_lowest=False)
    assert scoring.credit_score([], day=DAY, blacklisted=True, rules=custom).grade == "AA"


def test_configurable_bands():
    bands = (Band("4A", Decimal(140)), Band("A", Decimal(85)), Band("B", None))
    rules = scoring.ScoringRules(default_base=Decimal(90), bands=bands, good_cap=None)
    assert scoring.credit_score([item("g", "good", 60)], day=DAY, rules=rules).grade == "4A"
    assert scoring.credit_score([item("b", "bad", 6)], day=DAY, rules=rules).grade == "B"


def test_negative_points_are_refused():
    with pytest.raises(ValueError, match="magnitude"):
        scoring.credit_score([item("x", "bad", -1)], day=DAY)


def test_exhaustive_small_combinations_obey_the_formula():
    # Every combination of 0–3 good and 0–3 bad records of 0, 2.5 and 7 points.
    values = [Decimal(0), Decimal("2.5"), Decimal(7)]
    for goods in itertools.product(values, repeat=3):
        for bads in itertools.product(values, repeat=3):
            items = [item(f"g{i}", "good", v) for i, v in enumerate(goods)]
            items += [item(f"b{i}", "bad", v) for i, v in enumerate(bads)]
            s = scoring.credit_score(items, day=DAY)
            assert s.score == 80 + min(sum(goods), 40) - sum(bads)
            assert s.grade == scoring.grade_for(s.score, scoring.DEFAULT_BANDS)


@settings(deadline=None)  # a busy CI core must not fail a correct test
@given(st.lists(st.decimals(min_value=0, max_value=30, places=2), max_size=8))
def test_adding_a_bad_record_never_raises_the_score(points):
    items = [item(f"b{i}", "bad", p) for i, p in enumerate(points)]
    before = scoring.credit_score(items, day=DAY)
    after = scoring.credit_score([*items, item("new", "bad", 1)], day=DAY)
    assert after.score < before.score


def test_case_statistics_become_records():
    out = scoring.case_statistics_items(complaints=3, on_time_rate=Decimal("0.85"), rework=2)
    assert [(i.code, i.kind, i.points) for i in out] == [
        ("complaints", Kind.BAD, Decimal("1.5")),
        ("rework", Kind.BAD, Decimal(2)),
        ("on_time", Kind.BAD, Decimal("2.50")),
    ]
    good = scoring.case_statistics_items(complaints=0, on_time_rate=Decimal("0.98"), rework=0)
    assert [(i.code, i.kind) for i in good] == [("on_time", Kind.GOOD)]
    middle = scoring.case_statistics_items(complaints=0, on_time_rate=Decimal("0.90"), rework=0)
    assert middle == []
    capped = scoring.case_statistics_items(complaints=100, on_time_rate=Decimal(0), rework=100)
    assert [i.points for i in capped] == [10, 10, 10]
    with pytest.raises(ValueError, match="share"):
        scoring.case_statistics_items(complaints=0, on_time_rate=Decimal("1.5"), rework=0)
    with pytest.raises(ValueError, match="negative"):
        scoring.case_statistics_items(complaints=-1, on_time_rate=Decimal(1), rework=0)
