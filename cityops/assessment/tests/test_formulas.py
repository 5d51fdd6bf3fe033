"""The pure formulas of the comprehensive evaluation."""

from __future__ import annotations

from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from cityops.assessment import formulas as f
from cityops.assessment.defaults import DEFAULT_RULES

UNIT_BANDS = DEFAULT_RULES["unit"]["volume_bands"]
CLASS_1 = DEFAULT_RULES["region"]["volume_bands"]["1"]
COUNT_UP = DEFAULT_RULES["intake_clerk"]["volume_bands"]


def test_bands_of_each_kind() -> None:
    # unit 立案数分值: ≤50→10, ≤100→9, ≤200→7.5, ≤500→6, ≤1000→4, else 0 (× 10 on 0–100)
    assert [f.band_points(n, UNIT_BANDS, 0) for n in (0, 50, 51, 200, 1000, 1001)] == [
        D(100), D(100), D(90), D(75), D(40), D(0),
    ]  # fmt: skip
    # region class 1: 0→100, <3→90, <5→75, <7→60, <9→40, else 0
    assert [f.band_points(n, CLASS_1, 0) for n in (0, D("2.99"), 3, 8, 9)] == [
        D(100), D(90), D(75), D(40), D(0),
    ]  # fmt: skip
    # 受理数分值: ≥2001→100, ≥1201→90, ≥501→75, ≥301→60, ≥101→40, else 0
    assert [f.band_points(n, COUNT_UP, 0) for n in (2001, 2000, 501, 101, 100)] == [
        D(100), D(90), D(75), D(40), D(0),
    ]  # fmt: skip


def test_rates_and_grades() -> None:
    assert f.rate(1, 3) == D("33.33")
    assert f.rate(0, 0) is None
    assert f.inverse(D("7.5")) == D("92.50")
    assert f.inverse(None) is None
    grades = DEFAULT_RULES["grades"]
    assert [f.grade(D(s), grades) for s in (90, D("89.99"), 75, 60, 40, 0)] == [
        "A", "B", "B", "C", "D", "E",
    ]  # fmt: skip
    assert f.grade(None, grades) == ""


@given(
    st.dictionaries(
        st.sampled_from(["a", "b", "c", "d"]),
        st.one_of(st.none(), st.decimals(min_value=0, max_value=100, places=2)),
    ),
    st.dictionaries(st.sampled_from(["a", "b", "c", "d"]), st.integers(min_value=0, max_value=60)),
)
def test_composite_is_a_weighted_mean_within_the_values(
    values: dict[str, D | None], weights: dict[str, int]
) -> None:
    score = f.composite(values, weights)
    used = [v for k, w in weights.items() if w > 0 and (v := values.get(k)) is not None]
    if not used:
        assert score is None
    else:
        assert score is not None
        assert min(used) - D("0.01") <= score <= max(used) + D("0.01")


def test_rules_are_completed_with_the_defaults() -> None:
    merged = f.rules_validate({"unit": {"weights": {"volume_score": 0}}})
    assert merged["unit"]["weights"] == {**DEFAULT_RULES["unit"]["weights"], "volume_score": 0}
    assert merged["unit"]["volume_bands"] == UNIT_BANDS
    assert merged["grades"] == DEFAULT_RULES["grades"]
