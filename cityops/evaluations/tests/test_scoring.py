"""The pure scoring core: worked examples for every branch, then properties (hypothesis)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cityops.evaluations import scoring as s

GARBAGE = s.Item("exposed_garbage", s.DeductionRule.PER_OCCURRENCE, D(2), cap=D(10))
WEEDS = s.Item("weeds", s.DeductionRule.PER_M2, D("0.5"))
LATE = s.Item("replant_late", s.DeductionRule.PER_DAY_LATE, D(3), cap=D(9))
FIRE = s.Item("safety_accident", veto=True)


def scheme(**kwargs: object) -> s.Scheme:
    values: dict[str, object] = {
        "components": (
            s.Component("road", D(60), items=(GARBAGE, WEEDS, FIRE)),
            s.Component("cases", D(40), max_points=D(20), items=(LATE,)),
        ),
        "bands": s.DEFAULT_BANDS,
        "payment": s.PaymentRule(
            penalties=(
                s.Penalty("complaint_unfixed", percent_of_fee=D(2)),
                s.Penalty("media_county", percent_of_fee=D(10)),
                s.Penalty("media_city", percent_of_fee=D(20)),
                s.Penalty("wages_unpaid", amount=D(5000)),
            ),
            cap_percent=D(30),
        ),
    }
    values.update(kwargs)
    return s.Scheme(**values)  # type: ignore[arg-type]


FEE = D("100000.00")


def test_worked_example_explains_every_step() -> None:
    result = s.score(
        scheme(),
        {
            "road": s.ComponentInput(findings={"exposed_garbage": D(3), "weeds": D(4)}),
            "cases": s.ComponentInput(base=D(18), findings={"replant_late": D(5)}),
        },
        fee=FEE,
        penalties={"complaint_unfixed": 1},
    )
    # road: 100 − 6 − 2 = 92 → 92 × 0.6 = 55.2; cases: 18 − min(15, 9) = 9 → 9/20 × 40 = 18
    assert result.components[0].score == D("92.00")
    assert result.components[1].items[0].capped
    assert result.components[1].score == D("9.00")
    assert result.score == D("73.20")
    assert result.grade == "pass"
    # (90 − 73.2) × 5 % = 84 % of the fee, + 2 % → capped at 30 %
    assert result.payment.score_deduction == D("84000.00")
    assert result.payment.penalty_deduction == D("2000.00")
    assert result.deduction == D("30000.00")
    assert result.payable == D("70000.00")
    codes = [step.code for step in result.steps]
    for code in (
        "component.base",
        "item.per_occurrence",
        "item.per_m2",
        "item.per_day_late",
        "item.capped",
        "component.score",
        "component.weighted",
        "scheme.total",
        "grade",
        "payment.points_below",
        "payment.penalty",
        "payment.capped",
        "payment.payable",
    ):
        assert code in codes
    data = result.as_dict()
    assert data["score"] == "73.20"
    assert data["components"][1]["items"][0]["capped"] is True
    assert data["payment"]["payable"] == "70000.00"


def test_full_marks_pay_the_fee() -> None:
    result = s.score(scheme(), {"road": s.ComponentInput(), "cases": s.ComponentInput()}, fee=FEE)
    assert (result.score, result.grade, result.deduction, result.payable) == (
        D("100.00"),
        "excellent",
        D("0.00"),
        FEE,
    )


def test_component_floors_at_zero() -> None:
    many = s.Item("many", points=D(30))
    sch = scheme(components=(s.Component("road", D(100), items=(many,)),))
    result = s.score(sch, {"road": s.ComponentInput(findings={"many": D(5)})}, fee=FEE)
    assert result.score == D("0.00")
    assert result.grade == "fail"


@pytest.mark.parametrize(
    ("mode", "expected"),
    [(s.VetoMode.GRADE_ONLY, D("100.00")), (s.VetoMode.CAP, D("59.00")), (s.VetoMode.ZERO, 0)],
)
def test_veto_forces_the_lowest_grade(mode: s.VetoMode, expected: D) -> None:
    sch = scheme(veto=s.VetoRule(mode, D(59)), payment=s.PaymentRule(veto_percent=D(10)))
    road = s.ComponentInput(findings={"safety_accident": D(1)})
    result = s.score(sch, {"road": road, "cases": s.ComponentInput()}, fee=FEE)
    assert result.vetoed
    assert result.veto_items == ("safety_accident",)
    assert result.grade == "fail"
    assert result.score == expected
    assert result.payment.veto_deduction == D("10000.00")
    assert f"veto.{mode.value}" in [step.code for step in result.steps]
    assert "payment.veto" in [step.code for step in result.steps]


def test_a_veto_item_without_occurrence_does_nothing() -> None:
    result = s.score(scheme(), {"road": s.ComponentInput(), "cases": s.ComponentInput()}, fee=FEE)
    assert not result.vetoed
    assert result.components[0].items[0].code == "safety_accident"


@pytest.mark.parametrize(
    ("missing", "score"),
    [(s.MissingInput.REWEIGHT, D("100.00")), (s.MissingInput.FULL, D("100.00")),
     (s.MissingInput.ZERO, D("60.00"))],
)  # fmt: skip
def test_missing_component_policy(missing: s.MissingInput, score: D) -> None:
    sch = scheme(
        components=(
            s.Component("road", D(60)),
            s.Component("survey", D(40), missing=missing),
        )
    )
    result = s.score(sch, {"road": s.ComponentInput()}, fee=FEE)
    assert result.score == score
    assert result.components[1].present is (missing is not s.MissingInput.REWEIGHT)
    assert f"component.missing.{missing.value}" in [step.code for step in result.steps]


def test_no_input_at_all_is_an_error() -> None:
    with pytest.raises(s.ScoringError) as err:
        s.score(scheme(), {}, fee=FEE)
    assert err.value.code == "no_input"


@pytest.mark.parametrize(
    ("call", "code"),
    [
        (lambda: s.score(scheme(), {"nope": s.ComponentInput()}, fee=FEE), "unknown_component"),
        (
            lambda: s.score(scheme(), {"road": s.ComponentInput(findings={"x": D(1)})}, fee=FEE),
            "unknown_item",
        ),
        (lambda: s.score(scheme(), {"road": s.ComponentInput(base=D(101))}, fee=FEE), "base"),
        (
            lambda: s.score(
                scheme(), {"road": s.ComponentInput(findings={"weeds": D(-1)})}, fee=FEE
            ),
            "negative_quantity",
        ),
        (
            lambda: s.score(scheme(), {"road": s.ComponentInput()}, fee=FEE, penalties={"x": 1}),
            "unknown_penalty",
        ),
        (
            lambda: s.score(
                scheme(), {"road": s.ComponentInput()}, fee=FEE, penalties={"media_city": -1}
            ),
            "negative_quantity",
        ),
        (lambda: s.score(scheme(), {"road": s.ComponentInput()}, fee=D(-1)), "fee"),
    ],
)
def test_bad_inputs_are_refused(call: object, code: str) -> None:
    with pytest.raises(s.ScoringError) as err:
        call()  # type: ignore[operator]
    assert err.value.code == code


@pytest.mark.parametrize(
    ("build", "code"),
    [
        (lambda: s.Item("x", points=D(-1)), "negative_points"),
        (lambda: s.Item("x", cap=D(-1)), "negative_points"),
        (lambda: s.Component("x", D(-1)), "bad_component"),
        (lambda: s.Component("x", D(1), max_points=D(0)), "bad_component"),
        (lambda: s.Component("x", D(1), items=(s.Item("a"), s.Item("a"))), "duplicate_item"),
        (lambda: s.Penalty("p", percent_of_fee=D(-1)), "negative_penalty"),
        (lambda: s.Penalty("p", amount=D(-1)), "negative_penalty"),
        (lambda: s.PaymentRule(pass_mark=D(101)), "bad_payment"),
        (lambda: s.PaymentRule(pass_mark=D(-1)), "bad_payment"),
        (lambda: s.PaymentRule(percent_per_point=D(-1)), "bad_payment"),
        (lambda: s.PaymentRule(veto_percent=D(-1)), "bad_payment"),
        (lambda: s.PaymentRule(cap_percent=D(-1)), "bad_payment"),
        (
            lambda: s.PaymentRule(penalties=(s.Penalty("p"), s.Penalty("p"))),
            "duplicate_penalty",
        ),
        (lambda: scheme(components=()), "no_components"),
        (
            lambda: scheme(components=(s.Component("a", D(50)), s.Component("a", D(50)))),
            "duplicate_component",
        ),
        (lambda: scheme(components=(s.Component("a", D(50)),)), "weights"),
        (lambda: scheme(bands=()), "bands"),
        (lambda: scheme(bands=(s.Band("a", D(10)),)), "bands"),
        (lambda: scheme(bands=(s.Band("a", D(0)), s.Band("b", D(0)))), "bands"),
        (lambda: scheme(bands=(s.Band("a", D(0)), s.Band("a", D(50)))), "duplicate_band"),
        (
            lambda: s.CasePerformanceRule(closure_weight=D(40)),
            "case_rule",
        ),
        (
            lambda: s.CasePerformanceRule(
                volume_bands=(), volume_else=D(-10), closure_weight=D(50), on_time_weight=D(60)
            ),
            "case_rule",
        ),
    ],
)
def test_inconsistent_schemes_are_refused(build: object, code: str) -> None:
    with pytest.raises(s.ScoringError) as err:
        build()  # type: ignore[operator]
    assert err.value.code == code


def test_grade_bands_and_the_unreachable_negative() -> None:
    sch = scheme()
    assert [s.grade_for(sch, D(v)).code for v in (100, 90, D("89.99"), 80, 70, D("69.99"), 0)] == [
        "excellent",
        "excellent",
        "good",
        "good",
        "pass",
        "fail",
        "fail",
    ]
    assert s.grade_for(sch, D(-1)).code == "fail"


def test_fixed_amount_penalties_and_uncapped_rule() -> None:
    rule = s.PaymentRule(penalties=(s.Penalty("wages", amount=D("5000")),))
    pay = s.payment(
        rule,
        fee=FEE,
        score=D(95),
        penalties={
            "wages": 2,
        },
    )
    assert (pay.penalty_deduction, pay.cap, pay.deduction) == (D("10000.00"), FEE, D("10000.00"))


def test_payment_never_exceeds_the_fee() -> None:
    pay = s.payment(s.PaymentRule(), fee=FEE, score=D(0), penalties={})
    assert pay.deduction == FEE
    assert pay.payable == 0


# --- Sensory method -------------------------------------------------------------------------


def rating(side: str, who: str, *values: int) -> s.SensoryRating:
    return s.SensoryRating(side, who, tuple(values))


def test_sensory_formula_averages_inspectors_then_sides() -> None:
    section = [
        rating("a", "x", 5, 5, 5, 5),
        rating("a", "y", 3, 5, 5, 5),  # side a: C1 = 4
        rating("b", "x", 4, 4, 3, 2),  # side b: C1 = 4, C2 = 4, C3 = 3, C4 = 2
    ]
    value, means, steps = s.sensory_section_score(section)
    assert means == (D(4), D("4.5"), D(4), D("3.5"))
    # 6·4 + 6·4.5 + 4·4 + 4·3.5
    assert value == D("81.00")
    assert steps[0].code == "sensory.section"
    month, month_steps = s.sensory_score([section, [rating("a", "x", 5, 5, 5, 5)]])
    assert month == D("90.50")
    assert month_steps[-1].code == "sensory.month"


def test_sensory_scale_follows_the_coefficients() -> None:
    method = s.SensoryMethod(coefficients=(D(1), D(1)), max_rating=5)
    month, _steps = s.sensory_score([[rating("a", "x", 5, 0)]], method)
    assert month == D("50.00")


@pytest.mark.parametrize(
    "sections",
    [[], [[]], [[rating("a", "x", 6, 5, 5, 5)]], [[rating("a", "x", 5, 5, 5)]],
     [[rating("a", "x", -1, 5, 5, 5)]]],
)  # fmt: skip
def test_sensory_refuses_bad_ratings(sections: list[list[s.SensoryRating]]) -> None:
    with pytest.raises(s.ScoringError):
        s.sensory_score(sections)


# --- Case performance -----------------------------------------------------------------------


def test_case_performance_formula() -> None:
    counts = s.CaseCounts(
        filed=120, due=10, handled_on_time=8, handled=10, reworks=1, to_close=10, closed=9,
        overdue=2, verified_complaints=1,
    )  # fmt: skip
    given_, steps = s.case_performance(counts)
    # 7.5 + 90 % × 30 + 80 % × 30 + (100 − 10) % × 30
    assert given_.base == D("85.50")
    assert given_.findings == {"overdue": D(2), "verified_complaint": D(1)}
    assert steps[0].values["volume"] == "7.5"
    assert counts.as_dict()["filed"] == 120


def test_a_month_without_cases_is_full_marks() -> None:
    given_, _steps = s.case_performance(s.CaseCounts())
    assert given_.base == D("100.00")
    assert given_.findings == {}


def test_many_cases_and_reworks_clamp() -> None:
    counts = s.CaseCounts(filed=5000, handled=2, reworks=7, due=3, to_close=1)
    given_, _steps = s.case_performance(counts)
    assert given_.base == D("0.00")


# --- Properties -----------------------------------------------------------------------------

quantities = st.decimals(min_value=0, max_value=50, places=1)
points = st.decimals(min_value=0, max_value=20, places=1)
caps = st.one_of(st.none(), st.decimals(min_value=0, max_value=40, places=1))
fees = st.decimals(min_value=0, max_value=1_000_000, places=2)
scores_ = st.decimals(min_value=0, max_value=100, places=2)


@st.composite
def schemes_and_inputs(draw: st.DrawFn) -> tuple[s.Scheme, dict[str, s.ComponentInput]]:
    n = draw(st.integers(1, 3))
    cuts = sorted(draw(st.lists(st.integers(0, 100), min_size=n - 1, max_size=n - 1)))
    weights = [b - a for a, b in zip([0, *cuts], [*cuts, 100], strict=True)]
    components = []
    inputs = {}
    for index, weight in enumerate(weights):
        items = tuple(
            s.Item(
                f"i{j}",
                draw(st.sampled_from(list(s.DeductionRule))),
                draw(points),
                draw(caps),
                veto=draw(st.booleans()) and j == 0,
            )
            for j in range(draw(st.integers(0, 3)))
        )
        max_points = draw(st.sampled_from([D(10), D(20), D(100)]))
        components.append(s.Component(f"c{index}", D(weight), max_points, items))
        if draw(st.booleans()) or index == 0:
            inputs[f"c{index}"] = s.ComponentInput(
                base=draw(st.one_of(st.none(), st.decimals(0, max_points, places=2))),
                findings={item.code: draw(quantities) for item in items if draw(st.booleans())},
            )
    veto = s.VetoRule(draw(st.sampled_from(list(s.VetoMode))), draw(scores_))
    payment = s.PaymentRule(
        pass_mark=draw(scores_),
        percent_per_point=draw(st.decimals(0, 20, places=1)),
        penalties=(s.Penalty("p", draw(st.decimals(0, 30, places=1)), draw(points)),),
        veto_percent=draw(st.decimals(0, 50, places=1)),
        cap_percent=draw(st.one_of(st.none(), st.decimals(0, 150, places=1))),
    )
    sch = s.Scheme(tuple(components), s.DEFAULT_BANDS, payment, veto)
    if all(weights[int(code[1:])] == 0 for code in inputs):
        inputs = {c.code: s.ComponentInput() for c in components}
    return sch, inputs


@settings(max_examples=60, deadline=None)
@given(schemes_and_inputs(), fees, st.integers(0, 5))
def test_property_caps_floors_vetoes_and_payment(
    case: tuple[s.Scheme, dict[str, s.ComponentInput]], fee: D, n: int
) -> None:
    sch, inputs = case
    result = s.score(sch, inputs, fee=fee, penalties={"p": n})
    assert D(0) <= result.score <= D(100)
    for component in result.components:
        spec = next(c for c in sch.components if c.code == component.code)
        assert D(0) <= component.score <= spec.max_points
        for item in component.items:
            cap = next(i.cap for i in spec.items if i.code == item.code)
            assert cap is None or item.deduction <= cap
            assert item.deduction <= item.raw
    if result.vetoed:
        assert result.grade == sch.veto_band.code
    pay = result.payment
    assert D(0) <= pay.deduction <= pay.cap <= fee
    if sch.payment.cap_percent is not None:
        assert pay.deduction <= fee * sch.payment.cap_percent / 100
    assert pay.payable == fee - pay.deduction


@settings(max_examples=60, deadline=None)
@given(schemes_and_inputs(), st.data())
def test_property_more_deductions_never_raise_the_score(
    case: tuple[s.Scheme, dict[str, s.ComponentInput]], data: st.DataObject
) -> None:
    sch, inputs = case
    before = s.score(sch, inputs, fee=FEE)
    code = data.draw(st.sampled_from(sorted(inputs)))
    spec = next(c for c in sch.components if c.code == code)
    if not spec.items:
        return
    item = data.draw(st.sampled_from(spec.items))
    extra = data.draw(st.decimals(min_value=0, max_value=10, places=1))
    old = inputs[code]
    findings = dict(old.findings)
    findings[item.code] = findings.get(item.code, D(0)) + extra
    more = dict(inputs)
    more[code] = s.ComponentInput(base=old.base, findings=findings)
    after = s.score(sch, more, fee=FEE)
    assert after.score <= before.score
    assert after.deduction >= before.deduction


@settings(max_examples=60, deadline=None)
@given(scores_, scores_)
def test_property_bands_are_monotone(a: D, b: D) -> None:
    sch = scheme()
    rank = {band.code: i for i, band in enumerate(reversed(sch.bands_desc))}
    low, high = sorted((a, b))
    assert rank[s.grade_for(sch, low).code] <= rank[s.grade_for(sch, high).code]


@settings(max_examples=60, deadline=None)
@given(scores_, scores_, fees)
def test_property_lower_score_never_pays_more(a: D, b: D, fee: D) -> None:
    rule = s.PaymentRule(cap_percent=D(30))
    low, high = sorted((a, b))
    pay_low = s.payment(rule, fee=fee, score=low, penalties={})
    pay_high = s.payment(rule, fee=fee, score=high, penalties={})
    assert pay_low.payable <= pay_high.payable
    assert pay_low.deduction <= q_cap(fee)


def q_cap(fee: D) -> D:
    return s.q2_down(fee * D("0.3"))
