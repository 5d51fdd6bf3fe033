"""The statutory periods over the real 2025/2026 schedules (pure core, no database).

Spring Festival 2026: holidays 15–23 February, Saturdays 14 and 28 February are working days.
National Day 2025: holidays 1–8 October, Sunday 28 September and Saturday 11 October work.
National Day 2026: holidays 1–7 October (Mid-Autumn 25–27 September), Sunday 20 September
and Saturday 10 October work.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cityops.procurement import periods as p
from cityops.workcal.tests.helpers import real_calendar

CAL = real_calendar()
D = dt.date
TENDER = p.Method.OPEN_TENDER.value
CONSULT = p.Method.CONSULTATION.value


def violations(step: str, day: dt.date, method: str = TENDER, **dates: dt.date) -> list[str]:
    found = p.check(step, day, dates, method=method, rules=p.DEFAULT_RULES, calendar=CAL)
    return [f"{v.rule.code}:{v.lawful}" for v in found]


# ----------------------------------------------------------------- counting (CC arts. 201–203)
def test_start_day_is_not_counted_and_the_limit_day_itself_is_lawful() -> None:
    issued = D(2026, 3, 3)  # Tuesday; + 20 = Monday 23 March, a working day
    assert p.period_end(issued, 20, p.CD, CAL) == D(2026, 3, 23)
    assert violations("bid_deadline", D(2026, 3, 23), documents_issued=issued) == []  # 以上
    assert violations("bid_deadline", D(2026, 3, 22), documents_issued=issued) == ["P4:2026-03-23"]


def test_twenty_days_ending_inside_spring_festival_roll_to_the_first_day_after() -> None:
    issued = D(2026, 1, 27)  # + 20 = Monday 16 February, a holiday
    assert violations("bid_deadline", D(2026, 2, 20), documents_issued=issued) == ["P4:2026-02-24"]
    assert violations("bid_deadline", D(2026, 2, 23), documents_issued=issued) == ["P4:2026-02-24"]
    assert violations("bid_deadline", D(2026, 2, 24), documents_issued=issued) == []


def test_a_period_ending_on_a_swapped_working_saturday_does_not_roll() -> None:
    issued = D(2026, 1, 25)  # + 20 = Saturday 14 February, a 调休 working day
    assert p.period_end(issued, 20, p.CD, CAL) == D(2026, 2, 14)
    assert violations("bid_deadline", D(2026, 2, 14), documents_issued=issued) == []
    assert violations("bid_deadline", D(2026, 2, 13), documents_issued=issued) == ["P4:2026-02-14"]


def test_a_plain_weekend_rolls_forward_only_under_the_flag() -> None:
    issued = D(2026, 3, 1)  # + 20 = Saturday 21 March
    assert p.period_end(issued, 20, p.CD, CAL, weekend_rolls=True) == D(2026, 3, 23)
    assert p.period_end(issued, 20, p.CD, CAL, weekend_rolls=False) == D(2026, 3, 21)
    found = p.check(
        "bid_deadline",
        D(2026, 3, 21),
        {"documents_issued": issued},
        method=TENDER,
        rules=p.DEFAULT_RULES,
        calendar=CAL,
        weekend_rolls=False,
    )
    assert found == []


def test_national_day_2026_and_the_mid_autumn_holiday() -> None:
    # + 20 from 11 September = 1 October: rolls over the whole week to Thursday 8 October.
    assert violations("bid_deadline", D(2026, 10, 7), documents_issued=D(2026, 9, 11)) == [
        "P4:2026-10-08"
    ]
    # Consultation (P8, 10 days) from 15 September = 25 September (Mid-Autumn) → 28 September.
    assert violations("bid_deadline", D(2026, 9, 25), CONSULT, documents_issued=D(2026, 9, 15)) == [
        "P8:2026-09-28"
    ]
    assert (
        violations("bid_deadline", D(2026, 9, 28), CONSULT, documents_issued=D(2026, 9, 15)) == []
    )


def test_ten_days_is_enough_for_a_consultation_but_not_for_a_tender() -> None:
    issued = D(2026, 3, 3)
    assert violations("bid_deadline", D(2026, 3, 13), CONSULT, documents_issued=issued) == []
    assert violations("bid_deadline", D(2026, 3, 13), TENDER, documents_issued=issued) == [
        "P4:2026-03-23"
    ]


# ----------------------------------------------------------------- working-day periods
def test_documents_available_five_working_days_over_spring_festival() -> None:
    # Issued Thursday 12 February 2026: 13, 14 (调休 Saturday), 24, 25, 26 February (P3).
    issued = D(2026, 2, 12)
    assert violations("documents_until", D(2026, 2, 26), documents_issued=issued) == []
    assert violations("documents_until", D(2026, 2, 25), documents_issued=issued) == [
        "P3:2026-02-26"
    ]


def test_award_within_two_working_days_across_national_day_2025() -> None:
    # Decided Tuesday 30 September: 1–8 October off, so Thursday 9 and Friday 10 October.
    assert violations("award_announced", D(2025, 10, 10), winner_decided=D(2025, 9, 30)) == []
    assert violations("award_announced", D(2025, 10, 11), winner_decided=D(2025, 9, 30)) == [
        "P13:2025-10-10"
    ]


def test_the_swapped_sunday_counts_as_a_working_day() -> None:
    # Decided Friday 26 September 2025: Sunday 28 is day 1, Monday 29 is day 2.
    assert violations("award_announced", D(2025, 9, 29), winner_decided=D(2025, 9, 26)) == []
    assert violations("award_announced", D(2025, 9, 30), winner_decided=D(2025, 9, 26)) == [
        "P13:2025-09-29"
    ]


def test_contract_published_within_two_working_days_across_spring_festival() -> None:
    # Signed Friday 13 February 2026: Saturday 14 (调休) is day 1, Tuesday 24 is day 2.
    signed = D(2026, 2, 13)
    assert p.add_working_days(signed, 2, CAL) == D(2026, 2, 24)
    assert violations("contract_published", D(2026, 2, 24), contract_signed=signed) == []
    assert violations("contract_published", D(2026, 2, 25), contract_signed=signed) == [
        "P24:2026-02-24"
    ]


def test_contract_within_thirty_days_ending_in_the_holiday_week() -> None:
    announced = D(2025, 9, 5)  # + 30 = Sunday 5 October, a holiday → Thursday 9 October
    assert violations("contract_signed", D(2025, 10, 9), award_announced=announced) == []
    assert violations("contract_signed", D(2025, 10, 10), award_announced=announced) == [
        "P23:2025-10-09"
    ]
    # Exactly 30 days on an ordinary working day is lawful, 31 is not.
    announced = D(2026, 3, 3)  # + 30 = Thursday 2 April
    assert violations("contract_signed", D(2026, 4, 2), award_announced=announced) == []
    assert violations("contract_signed", D(2026, 4, 3), award_announced=announced) == [
        "P23:2026-04-02"
    ]


def test_steps_keep_their_order() -> None:
    assert violations("contract_signed", D(2026, 3, 2), award_announced=D(2026, 3, 3)) == [
        "ORD-SIGN:2026-03-03"
    ]


def test_bids_are_opened_on_the_deadline() -> None:
    assert violations("bids_opened", D(2026, 3, 23), bid_deadline=D(2026, 3, 23)) == []
    assert violations("bids_opened", D(2026, 3, 24), bid_deadline=D(2026, 3, 23)) == [
        "P6:2026-03-23"
    ]


# ----------------------------------------------------------------- clarifications (P5, P10)
def test_a_clarification_exactly_fifteen_days_before_the_deadline_is_lawful() -> None:
    dates = {"documents_issued": D(2026, 3, 3), "bid_deadline": D(2026, 3, 23)}
    assert violations("clarification", D(2026, 3, 8), TENDER, **dates) == []
    # One day later the deadline must move: the earliest lawful one is 9 + 15 = 24 March.
    assert violations("clarification", D(2026, 3, 9), TENDER, **dates) == ["P5:2026-03-24"]
    proposal = p.earliest_deadline(
        {**dates, "clarification": D(2026, 3, 9)},
        method=TENDER,
        rules=p.DEFAULT_RULES,
        calendar=CAL,
    )
    assert proposal == D(2026, 3, 24)


def test_the_proposed_deadline_after_a_late_clarification_skips_spring_festival() -> None:
    dates = {"documents_issued": D(2026, 1, 12), "bid_deadline": D(2026, 2, 10)}
    # 1 February + 15 = 16 February (holiday) → 24 February.
    assert violations("clarification", D(2026, 2, 1), TENDER, **dates) == ["P5:2026-02-24"]
    proposal = p.earliest_deadline(
        {**dates, "clarification": D(2026, 2, 1)},
        method=TENDER,
        rules=p.DEFAULT_RULES,
        calendar=CAL,
    )
    assert proposal == D(2026, 2, 24)


def test_the_proposal_is_never_earlier_than_the_twenty_day_rule() -> None:
    # A clarification on the issue day needs 15 days, but P4 still needs 20.
    dates = {"documents_issued": D(2026, 3, 3), "clarification": D(2026, 3, 3)}
    assert p.earliest_deadline(dates, method=TENDER, rules=p.DEFAULT_RULES, calendar=CAL) == D(
        2026, 3, 23
    )


def test_consultation_clarification_needs_five_days() -> None:
    dates = {"documents_issued": D(2026, 3, 3), "bid_deadline": D(2026, 3, 16)}
    assert violations("clarification", D(2026, 3, 11), CONSULT, **dates) == []
    assert violations("clarification", D(2026, 3, 12), CONSULT, **dates) == ["P10:2026-03-17"]


# ----------------------------------------------------------------- challenges (P14–P20)
def test_challenge_window_after_an_award_announced_before_national_day() -> None:
    when = p.challenge_dates(
        award_announced=D(2025, 9, 30),
        knew_on=None,
        received_on=D(2025, 10, 17),
        periods=p.CHALLENGE_DEFAULTS,
        calendar=CAL,
    )
    assert when.announcement_ends == D(2025, 10, 9)  # 1 working day
    # 7 working days from 9 October: 10, 11 (调休 Saturday), 13, 14, 15, 16, 17.
    assert when.challenge_until == D(2025, 10, 17)
    # Answer within 7 working days of 17 October: 20–24, 27, 28.
    assert when.answer_due == D(2025, 10, 28)
    assert when.complaint_until == p.add_working_days(D(2025, 10, 28), 15, CAL)


# ----------------------------------------------------------------- the data table
def test_numbers_come_from_the_data_table() -> None:
    rules = p.rules_with({"P4": (25, p.CD, True)})
    found = p.check(
        "bid_deadline",
        D(2026, 3, 23),
        {"documents_issued": D(2026, 3, 3)},
        method=TENDER,
        rules=rules,
        calendar=CAL,
    )
    assert [(v.rule.code, v.lawful) for v in found] == [("P4", D(2026, 3, 30))]
    rules = p.rules_with({"P13": (2, p.CD, False)})  # as calendar days: ends 2 October
    found = p.check(
        "award_announced",
        D(2025, 10, 9),
        {"winner_decided": D(2025, 9, 30)},
        method=TENDER,
        rules=rules,
        calendar=CAL,
    )
    assert [(v.rule.code, v.lawful) for v in found] == [("P13", D(2025, 10, 2))]


def test_rules_for_tenders_do_not_apply_to_single_source() -> None:
    # Only the single-source publication period (P15) bounds the deal, not P2/P4.
    assert violations(
        "bid_deadline",
        D(2026, 3, 4),
        p.Method.SINGLE_SOURCE.value,
        documents_issued=D(2026, 3, 3),
    ) == ["P15:2026-03-10"]


# ----------------------------------------------------------------- properties
days = st.dates(min_value=D(2024, 1, 1), max_value=D(2026, 10, 31))


@given(days, st.integers(min_value=1, max_value=40))
def test_a_rolled_calendar_period_ends_on_a_working_day_at_or_after_start_plus_n(
    start: dt.date, n: int
) -> None:
    end = p.period_end(start, n, p.CD, CAL)
    assert end >= start + dt.timedelta(days=n)
    assert CAL.is_working_day(end)
    # Every day skipped was a rest day.
    day = start + dt.timedelta(days=n)
    while day < end:
        assert not CAL.is_working_day(day)
        day += dt.timedelta(days=1)


@given(days, st.integers(min_value=0, max_value=20))
def test_n_working_days_contain_exactly_n_working_days(start: dt.date, n: int) -> None:
    end = p.add_working_days(start, n, CAL)
    counted = sum(
        CAL.is_working_day(start + dt.timedelta(days=k)) for k in range(1, (end - start).days + 1)
    )
    assert counted == n
    assert n == 0 or CAL.is_working_day(end)


@given(days, st.integers(min_value=0, max_value=40))
def test_min_rule_lawful_exactly_from_its_earliest_day(issued: dt.date, extra: int) -> None:
    earliest = p.period_end(issued, 20, p.CD, CAL)
    day = issued + dt.timedelta(days=extra)
    found = violations("bid_deadline", day, documents_issued=issued)
    assert (found == []) == (day >= earliest)


@pytest.mark.parametrize("code", [r.code for r in p.DEFAULT_RULES])
def test_every_rule_has_a_text(code: str) -> None:
    from cityops.procurement.texts import RULE_TITLES

    assert code in RULE_TITLES
