from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cityops.estates import tally
from cityops.estates.models import Matter as ModelMatter
from cityops.estates.tally import Choice, Matter, TallyError, Unit


def units_equal(n: int, area: str = "100") -> list[Unit]:
    return [Unit(f"u{i}", f"o{i}", Decimal(area)) for i in range(n)]


def test_nine_matters_and_major_items_follow_art_278():
    assert len(Matter) == 9
    assert {m.value for m in Matter} == set(ModelMatter.values)
    assert {Matter.RAISE_FUND, Matter.REBUILD, Matter.COMMON_PARTS_USE} == tally.MAJOR_MATTERS
    assert Matter.USE_FUND not in tally.MAJOR_MATTERS  # 使用 is ordinary since the Civil Code


def test_exactly_two_thirds_participation_passes():
    result = tally.tally(
        units=units_equal(3), ballots={"o0": "agree", "o1": "agree"}, matter=Matter.HIRE_MANAGER
    )
    assert result.steps[0].share == Fraction(2, 3)
    assert result.passed
    assert result.reason == "passed"


def test_just_below_two_thirds_area_fails_quorum():
    units = [
        Unit("a", "a", Decimal("100")),
        Unit("b", "b", Decimal("100")),
        Unit("c", "c", Decimal("100.01")),
    ]
    result = tally.tally(units=units, ballots={"a": "agree", "b": "agree"}, matter="hire_manager")
    assert not result.steps[0].met
    assert result.steps[1].met
    assert result.reason == "quorum_not_met"


def test_exactly_three_quarters_passes_major():
    result = tally.tally(
        units=units_equal(4),
        ballots={"o0": "agree", "o1": "agree", "o2": "agree", "o3": "disagree"},
        matter=Matter.RAISE_FUND,
    )
    assert result.major
    assert result.steps[2].share == Fraction(3, 4)
    assert result.passed


def test_just_below_three_quarters_fails_major_but_passes_ordinary():
    ballots = {f"o{i}": "agree" for i in range(5)} | {"o5": "disagree", "o6": "disagree"}
    major = tally.tally(units=units_equal(7), ballots=ballots, matter=Matter.REBUILD)
    ordinary = tally.tally(units=units_equal(7), ballots=ballots, matter=Matter.OTHER)
    assert major.reason == "approval_not_met"
    assert ordinary.passed


def test_exactly_half_fails_ordinary():
    result = tally.tally(
        units=units_equal(4),
        ballots={"o0": "agree", "o1": "agree", "o2": "disagree", "o3": "abstain"},
        matter=Matter.USE_FUND,
    )
    assert result.steps[2].share == Fraction(1, 2)
    assert not result.passed
    assert result.reason == "approval_not_met"


def test_abstentions_count_as_participating_but_not_agreeing():
    result = tally.tally(
        units=units_equal(3), ballots={"o0": "agree", "o1": "abstain"}, matter="hire_manager"
    )
    assert result.participating_owners == 2
    assert result.abstain_owners == 1
    assert result.steps[1].met  # quorum reached thanks to the abstention
    assert not result.steps[3].met  # 1/2 is not more than half


def test_buyer_of_several_units_and_developer_count_once_with_their_area():
    units = [
        Unit("1", "buyer", Decimal("80")),
        Unit("2", "buyer", Decimal("70")),
        Unit("3", "x", Decimal("90")),
        Unit("4", "dev", Decimal("60")),
        Unit("5", "dev", Decimal("60")),
    ]
    result = tally.tally(units=units, ballots={"buyer": "agree", "dev": "agree"}, matter="other")
    assert result.total_owners == 3
    assert result.total_area == Decimal("360")
    assert result.participating_area == Decimal("270")
    assert result.passed


def test_area_and_headcount_must_both_pass():
    # One big owner agrees, two small ones disagree: area yes, headcount no.
    units = [
        Unit("a", "a", Decimal("1000")),
        Unit("b", "b", Decimal("10")),
        Unit("c", "c", Decimal("10")),
    ]
    ballots = {"a": "agree", "b": "disagree", "c": "disagree"}
    result = tally.tally(units=units, ballots=ballots, matter="hire_manager")
    assert result.steps[2].met
    assert not result.steps[3].met
    assert not result.passed


def test_empty_register_and_bad_input():
    assert tally.tally(units=[], ballots={}, matter="other").reason == "no_owners"
    with pytest.raises(TallyError):
        tally.tally(units=units_equal(1), ballots={"stranger": "agree"}, matter="other")
    with pytest.raises(TallyError):
        tally.tally(units=[Unit("a", "a", Decimal(1))] * 2, ballots={}, matter="other")
    with pytest.raises(ValueError, match="maybe"):
        tally.tally(units=units_equal(1), ballots={"o0": "maybe"}, matter="other")


def test_result_round_trips_and_rules_are_data():
    strict = tally.Rules(quorum_owners=tally.Threshold(Fraction(4, 5), inclusive=True))
    result = tally.tally(
        units=units_equal(3), ballots={"o0": "agree", "o1": "agree"}, matter="other", rules=strict
    )
    assert result.reason == "quorum_not_met"
    data = result.to_dict()
    assert data["steps"][1]["threshold"] == {"fraction": "4/5", "inclusive": True}
    assert tally.Rules.from_dict(data["rules"]) == strict


# --- properties --------------------------------------------------------------------------

areas = st.decimals(min_value="0.01", max_value="500", places=2)
choices = st.sampled_from([None, Choice.AGREE, Choice.DISAGREE, Choice.ABSTAIN])


@st.composite
def elections(draw):
    n = draw(st.integers(min_value=1, max_value=30))
    owners = draw(st.lists(st.integers(min_value=0, max_value=n - 1), min_size=n, max_size=n))
    units = [Unit(f"u{i}", f"o{o}", draw(areas)) for i, o in enumerate(owners)]
    keys = sorted({u.owner_key for u in units})
    ballots = {}
    for key in keys:
        c = draw(choices)
        if c is not None:
            ballots[key] = c
    matter = draw(st.sampled_from(list(Matter)))
    return units, ballots, matter


@settings(deadline=None)  # a busy CI core must not fail a correct test
@given(elections(), st.data())
def test_turning_disagree_into_agree_never_breaks_a_pass(election, data):
    units, ballots, matter = election
    against = [k for k, c in ballots.items() if c == Choice.DISAGREE]
    if not against:
        return
    key = data.draw(st.sampled_from(against))
    before = tally.tally(units=units, ballots=ballots, matter=matter)
    after = tally.tally(units=units, ballots={**ballots, key: Choice.AGREE}, matter=matter)
    assert after.participating_area == before.participating_area
    assert after.passed or not before.passed


@settings(deadline=None)  # a busy CI core must not fail a correct test
@given(elections())
def test_adding_a_non_participant_never_increases_approval(election):
    units, ballots, matter = election
    before = tally.tally(units=units, ballots=ballots, matter=matter)
    more = [*units, Unit("new", "newcomer", Decimal("1.00"))]
    after = tally.tally(units=more, ballots=ballots, matter=matter)
    assert after.passed <= before.passed
    assert after.steps[0].share <= before.steps[0].share
    assert after.steps[2].share == before.steps[2].share


@settings(deadline=None)  # a busy CI core must not fail a correct test
@given(elections())
def test_totals_are_consistent(election):
    units, ballots, matter = election
    r = tally.tally(units=units, ballots=ballots, matter=matter)
    assert r.participating_owners == len(ballots)
    assert r.agree_owners + r.disagree_owners + r.abstain_owners == r.participating_owners
    assert r.agree_area + r.disagree_area + r.abstain_area == r.participating_area
    assert r.total_area == sum((u.area for u in units), Decimal(0))
    assert r.passed == all(s.met for s in r.steps)


@settings(deadline=None)  # a busy CI core must not fail a correct test
@given(st.integers(min_value=1, max_value=40))
def test_exact_thresholds_for_any_size(k):
    # 3k owners, 2k take part: exactly 2/3, passes; 4k participants, 3k agree: exactly 3/4.
    r = tally.tally(
        units=units_equal(3 * k), ballots={f"o{i}": "agree" for i in range(2 * k)}, matter="other"
    )
    assert r.passed
    ballots = {f"o{i}": ("agree" if i < 3 * k else "disagree") for i in range(4 * k)}
    assert tally.tally(units=units_equal(4 * k), ballots=ballots, matter="rebuild").passed
    half = {f"o{i}": ("agree" if i < k else "disagree") for i in range(2 * k)}
    assert not tally.tally(units=units_equal(2 * k), ballots=half, matter="other").passed


def test_rules_looser_than_the_statute_are_named_and_raised_at_the_tally():
    loose = tally.Rules(
        quorum_owners=tally.Threshold(Fraction(1, 2), inclusive=True),
        ordinary_area=tally.Threshold(Fraction(1, 2), inclusive=True),  # "half" is not "过半数"
    )
    assert loose.looser_than(tally.STATUTORY_FLOOR) == ["quorum_owners", "ordinary_area"]
    stricter = tally.Rules(major_area=tally.Threshold(Fraction(4, 5), inclusive=False))
    assert stricter.looser_than(tally.STATUTORY_FLOOR) == []
    assert stricter.floored(tally.STATUTORY_FLOOR) == stricter
    # 1 of 2 owners (half the area) takes part: the loose rules would let this pass.
    result = tally.tally(units=units_equal(2), ballots={"o0": "agree"}, matter="other", rules=loose)
    assert result.reason == "quorum_not_met"
    assert result.rules == tally.STATUTORY_FLOOR
