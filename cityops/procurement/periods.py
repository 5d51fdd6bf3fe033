"""Statutory periods of government procurement (政府采购) as plain functions: no ORM.

Counting rules (decisions-and-reform.md §0, Civil Code arts. 200–203, 1259):

- a day period starts the day after its anchor: ``end = anchor + N`` (the anchor day is not
  counted); "不少于 N 日" / "N 日以上" include N, so the limit day itself is lawful;
- a calendar-day period whose last day is a statutory holiday ends on the first day after it
  (CC art. 203, roll forward); whether a plain weekend counts as such a holiday is a flag
  (``weekend_rolls``, ❓: courts usually say yes); a swapped working weekend day (调休) is a
  working day and never rolls;
- a working-day period skips weekends and holidays and counts swapped working days (the same
  calendar as the case deadlines, ``workcal``).

A rule ties one step's date (``subject``) to another's (``anchor``): ``MIN`` — the subject may
not come before the period's end (e.g. P4, bids at least 20 days after the documents);
``MAX`` — the subject may not come after it (e.g. P13, the award announced within 2 working
days); ``SAME`` — the subject falls on the anchor's day (P6, bids opened at the deadline).
The structure (which step, which anchor, which methods) lives here; the numbers, day types and
roll-forward of each code are data (``models.StatutoryPeriod``, with ``valid_from``), whose
defaults are ``DEFAULT_RULES``.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import ROUND_DOWN, Decimal
from typing import Protocol

ONE_DAY = dt.timedelta(days=1)


class Calendar(Protocol):
    """What the rules need from the working calendar (``workcal.WorkingCalendar`` fits)."""

    def is_working_day(self, day: dt.date) -> bool: ...

    def day_kind(self, day: dt.date) -> str: ...  # "workday", "weekend", "holiday", "swapped"


class DayType(enum.StrEnum):
    CALENDAR = "cd"  # 自然日 (the statute says 日 / 天)
    WORKING = "wd"  # 工作日


class Kind(enum.StrEnum):
    MIN = "min"  # subject ≥ end of the period
    MAX = "max"  # subject ≤ end of the period
    SAME = "same"  # subject on the anchor's day


class Method(enum.StrEnum):
    OPEN_TENDER = "open_tender"  # 公开招标
    INVITED_TENDER = "invited_tender"  # 邀请招标
    CONSULTATION = "competitive_consultation"  # 竞争性磋商
    NEGOTIATION = "competitive_negotiation"  # 竞争性谈判
    INQUIRY = "inquiry"  # 询价
    SINGLE_SOURCE = "single_source"  # 单一来源


TENDERS = frozenset({Method.OPEN_TENDER, Method.INVITED_TENDER})
CONSULTATIONS = frozenset({Method.CONSULTATION})
SINGLE_SOURCES = frozenset({Method.SINGLE_SOURCE})

# The dated steps of a project, in their order (the keys of a project's date mapping).
STEPS: tuple[str, ...] = (
    "intention_published",
    "documents_issued",
    "documents_until",
    "clarification",
    "bid_deadline",
    "bids_opened",
    "evaluation_ended",
    "report_received",
    "winner_decided",
    "award_announced",
    "contract_signed",
    "contract_published",
    "contract_filed",
)


@dataclass(frozen=True)
class Rule:
    code: str
    kind: Kind
    subject: str
    anchor: str
    amount: int
    day_type: DayType
    methods: frozenset[str] = frozenset()  # empty: every method
    roll_forward: bool = True  # CC art. 203, calendar days only

    def applies_to(self, method: str) -> bool:
        return not self.methods or method in self.methods


def _rule(
    code: str,
    kind: Kind,
    subject: str,
    anchor: str,
    amount: int,
    day_type: DayType,
    methods: Iterable[str] = (),
    roll_forward: bool = True,
) -> Rule:
    return Rule(code, kind, subject, anchor, amount, day_type, frozenset(methods), roll_forward)


CD, WD = DayType.CALENDAR, DayType.WORKING

# decisions-and-reform.md §3.2 (codes P1…P31 are the document's rows). ``ORD-…`` rules keep the
# steps in order (0 days, never rolled).
DEFAULT_RULES: tuple[Rule, ...] = (
    _rule("P1", Kind.MIN, "documents_issued", "intention_published", 30, CD),
    _rule("P3", Kind.MIN, "documents_until", "documents_issued", 5, WD, TENDERS),
    _rule("P9", Kind.MIN, "documents_until", "documents_issued", 5, WD, CONSULTATIONS),
    _rule("P4", Kind.MIN, "bid_deadline", "documents_issued", 20, CD, TENDERS),
    # P2: the tender notice (published with the documents) runs its full period before bids close.
    _rule("P2", Kind.MIN, "bid_deadline", "documents_issued", 5, WD, TENDERS),
    # P15: for a single source, "documents issued" is the publication of the supplier and the
    # reasons (单一来源公示); the deal may not close before its period ends.
    _rule("P15", Kind.MIN, "bid_deadline", "documents_issued", 5, WD, SINGLE_SOURCES),
    _rule("P8", Kind.MIN, "bid_deadline", "documents_issued", 10, CD, CONSULTATIONS),
    _rule("P5", Kind.MIN, "bid_deadline", "clarification", 15, CD, TENDERS),
    _rule("P10", Kind.MIN, "bid_deadline", "clarification", 5, CD, CONSULTATIONS),
    _rule("P6", Kind.SAME, "bids_opened", "bid_deadline", 0, CD),
    _rule("ORD-EVAL", Kind.MIN, "evaluation_ended", "bids_opened", 0, CD, roll_forward=False),
    _rule("ORD-REPORT", Kind.MIN, "report_received", "evaluation_ended", 0, CD, roll_forward=False),
    _rule("P11", Kind.MAX, "report_received", "evaluation_ended", 2, WD),
    _rule("ORD-WINNER", Kind.MIN, "winner_decided", "report_received", 0, CD, roll_forward=False),
    _rule("P12", Kind.MAX, "winner_decided", "report_received", 5, WD),
    _rule("ORD-AWARD", Kind.MIN, "award_announced", "winner_decided", 0, CD, roll_forward=False),
    _rule("P13", Kind.MAX, "award_announced", "winner_decided", 2, WD),
    _rule("ORD-SIGN", Kind.MIN, "contract_signed", "award_announced", 0, CD, roll_forward=False),
    _rule("P23", Kind.MAX, "contract_signed", "award_announced", 30, CD),
    _rule("ORD-PUB", Kind.MIN, "contract_published", "contract_signed", 0, CD, roll_forward=False),
    _rule("P24", Kind.MAX, "contract_published", "contract_signed", 2, WD),
    _rule("ORD-FILE", Kind.MIN, "contract_filed", "contract_signed", 0, CD, roll_forward=False),
    _rule("P25", Kind.MAX, "contract_filed", "contract_signed", 7, WD),
)

# Periods around a challenge (质疑), same counting.
CHALLENGE_DEFAULTS: dict[str, tuple[int, DayType]] = {
    "P14": (1, WD),  # award announcement period (公告期限)
    "P17": (7, WD),  # a supplier may challenge within 7 WD of knowing (P18: end of P14)
    "P19": (7, WD),  # the purchaser answers within 7 WD of receipt
    "P20": (15, WD),  # complaint to the finance department after the answer period
}

# Periods of the other remedies, same counting (decisions-and-reform.md §3.2).
REMEDY_DEFAULTS: dict[str, tuple[int, DayType]] = {
    "P16": (3, WD),  # a supplier's inquiry (询问) is answered within 3 WD of receipt
    "P21": (30, WD),  # the finance department decides a complaint within 30 WD of receipt
    "P22": (30, CD),  # the procurement is suspended during a complaint for at most 30 days
    "P27": (5, WD),  # bid bonds refunded: losers after the award notice, the winner after signing
}


# ---------------------------------------------------------------------------- counting
def is_rest_day(day: dt.date, calendar: Calendar, *, weekend_rolls: bool) -> bool:
    """A day on which a calendar-day period may not end (CC art. 203)."""
    kind = str(calendar.day_kind(day))
    return kind == "holiday" or (weekend_rolls and kind == "weekend")


def roll_forward(day: dt.date, calendar: Calendar, *, weekend_rolls: bool) -> dt.date:
    while is_rest_day(day, calendar, weekend_rolls=weekend_rolls):
        day += ONE_DAY
    return day


def add_working_days(start: dt.date, n: int, calendar: Calendar) -> dt.date:
    """The n-th working day after ``start`` (``start`` itself not counted); n = 0 → start."""
    day = start
    left = n
    while left > 0:
        day += ONE_DAY
        if calendar.is_working_day(day):
            left -= 1
    return day


def add_years(day: dt.date, years: int) -> dt.date:
    """Same day ``years`` later; 29 February → 28 February (CC art. 202)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def files_kept_until(
    *, contract_filed: dt.date | None, cancelled_on: dt.date | None, years: int
) -> dt.date | None:
    """P30: the procurement files are kept at least ``years`` from the end of the procurement
    (the contract filed, or the procedure cancelled); None while it is still running."""
    end = contract_filed or cancelled_on
    return add_years(end, years) if end is not None else None


def period_end(
    anchor: dt.date,
    amount: int,
    day_type: DayType,
    calendar: Calendar,
    *,
    roll: bool = True,
    weekend_rolls: bool = True,
) -> dt.date:
    """The last day of a period of ``amount`` days from ``anchor`` (anchor not counted)."""
    if day_type == DayType.WORKING:
        return add_working_days(anchor, amount, calendar)
    end = anchor + dt.timedelta(days=amount)
    return roll_forward(end, calendar, weekend_rolls=weekend_rolls) if roll else end


# ---------------------------------------------------------------------------- checking
@dataclass(frozen=True)
class Bound:
    """What one rule says about one step: ``earliest`` / ``latest`` lawful day."""

    rule: Rule
    anchor_date: dt.date
    earliest: dt.date | None
    latest: dt.date | None


@dataclass(frozen=True)
class Violation:
    """``rule`` is broken: ``step`` on ``day`` is out; ``lawful`` is the earliest (MIN) or
    latest (MAX) lawful day for that step (SAME: the one day). ``reverse``: the step being
    recorded is the rule's anchor and ``step`` is an already dated subject (a clarification
    that leaves the bid deadline too close: ``lawful`` is then the earliest lawful deadline)."""

    rule: Rule
    step: str
    day: dt.date
    lawful: dt.date
    anchor_date: dt.date
    reverse: bool = False


@dataclass(frozen=True)
class Window:
    """The lawful days of one step given the recorded dates (None: unbounded)."""

    step: str
    earliest: dt.date | None
    latest: dt.date | None
    bounds: tuple[Bound, ...]

    @property
    def impossible(self) -> bool:
        return self.earliest is not None and self.latest is not None and self.earliest > self.latest


def bound(
    rule: Rule, anchor_date: dt.date, calendar: Calendar, *, weekend_rolls: bool = True
) -> Bound:
    end = period_end(
        anchor_date,
        rule.amount,
        rule.day_type,
        calendar,
        roll=rule.roll_forward,
        weekend_rolls=weekend_rolls,
    )
    if rule.kind == Kind.MIN:
        return Bound(rule, anchor_date, end, None)
    if rule.kind == Kind.MAX:
        return Bound(rule, anchor_date, None, end)
    return Bound(rule, anchor_date, anchor_date, anchor_date)


def window(
    step: str,
    dates: Mapping[str, dt.date | None],
    *,
    method: str,
    rules: Iterable[Rule],
    calendar: Calendar,
    weekend_rolls: bool = True,
) -> Window:
    """Earliest and latest lawful day for ``step`` from the anchors already recorded."""
    bounds = tuple(
        bound(rule, anchor_date, calendar, weekend_rolls=weekend_rolls)
        for rule in rules
        if rule.subject == step
        and rule.applies_to(method)
        and (anchor_date := dates.get(rule.anchor)) is not None
    )
    earliest = max((b.earliest for b in bounds if b.earliest is not None), default=None)
    latest = min((b.latest for b in bounds if b.latest is not None), default=None)
    return Window(step, earliest, latest, bounds)


def check(
    step: str,
    day: dt.date,
    dates: Mapping[str, dt.date | None],
    *,
    method: str,
    rules: Iterable[Rule],
    calendar: Calendar,
    weekend_rolls: bool = True,
) -> list[Violation]:
    """Every rule that recording ``step`` on ``day`` would break, given the other dates.

    Checks the rules where ``step`` is the subject (its anchors are recorded) and the rules
    where it is the anchor of a step already dated (a late clarification breaks P5 against
    the bid deadline already set).
    """
    rules = tuple(rules)
    out: list[Violation] = []
    own = window(
        step, dates, method=method, rules=rules, calendar=calendar, weekend_rolls=weekend_rolls
    )
    for b in own.bounds:
        if b.earliest is not None and day < b.earliest:
            out.append(Violation(b.rule, step, day, b.earliest, b.anchor_date))
        elif b.latest is not None and day > b.latest:
            out.append(Violation(b.rule, step, day, b.latest, b.anchor_date))
    for rule in rules:
        subject_day = dates.get(rule.subject)
        if rule.anchor != step or subject_day is None or not rule.applies_to(method):
            continue
        b = bound(rule, day, calendar, weekend_rolls=weekend_rolls)
        if b.earliest is not None and subject_day < b.earliest:
            out.append(Violation(rule, rule.subject, subject_day, b.earliest, day, reverse=True))
        elif b.latest is not None and subject_day > b.latest:
            out.append(Violation(rule, rule.subject, subject_day, b.latest, day, reverse=True))
    return out


def earliest_deadline(
    dates: Mapping[str, dt.date | None],
    *,
    method: str,
    rules: Iterable[Rule],
    calendar: Calendar,
    weekend_rolls: bool = True,
) -> dt.date | None:
    """The earliest lawful bid/response deadline (P4/P8 and P5/P10 after a clarification):
    what the system proposes when a clarification comes too late for the current deadline."""
    return window(
        "bid_deadline",
        dates,
        method=method,
        rules=rules,
        calendar=calendar,
        weekend_rolls=weekend_rolls,
    ).earliest


def rules_with(
    overrides: Mapping[str, tuple[int, DayType, bool]], base: Iterable[Rule] = DEFAULT_RULES
) -> tuple[Rule, ...]:
    """``base`` with amount, day type and roll-forward replaced per code (the data table)."""
    out = []
    for rule in base:
        if rule.code in overrides:
            amount, day_type, roll = overrides[rule.code]
            rule = replace(rule, amount=amount, day_type=day_type, roll_forward=roll)
        out.append(rule)
    return tuple(out)


# ---------------------------------------------------------------------------- challenges
@dataclass(frozen=True)
class ChallengeDates:
    announcement_ends: dt.date | None  # P14: end of the award announcement period
    challenge_until: dt.date | None  # P17 counted from P18's "should have known"
    answer_due: dt.date | None  # P19
    complaint_until: dt.date | None  # P20


def challenge_dates(
    *,
    award_announced: dt.date | None,
    knew_on: dt.date | None,
    received_on: dt.date | None,
    periods: Mapping[str, tuple[int, DayType]],
    calendar: Calendar,
    weekend_rolls: bool = True,
) -> ChallengeDates:
    """The challenge window and the answer deadline.

    ``knew_on``: the day the supplier knew or should have known of the harm; for the result
    that is the end of the award announcement period (P18), the default when it is not given.
    """

    def end(code: str, anchor: dt.date | None) -> dt.date | None:
        if anchor is None:
            return None
        amount, day_type = periods[code]
        return period_end(anchor, amount, day_type, calendar, weekend_rolls=weekend_rolls)

    announcement_ends = end("P14", award_announced)
    known = knew_on or announcement_ends
    answer_due = end("P19", received_on)
    return ChallengeDates(
        announcement_ends=announcement_ends,
        challenge_until=end("P17", known),
        answer_due=answer_due,
        complaint_until=end("P20", answer_due),
    )


# ---------------------------------------------------------------------------- other remedies
@dataclass(frozen=True)
class ComplaintDates:
    decision_due: dt.date  # P21: the finance department's decision
    suspension_until: dt.date | None  # P22: the last day of a suspension (None: not suspended)


def inquiry_answer_due(
    *,
    received_on: dt.date,
    periods: Mapping[str, tuple[int, DayType]],
    calendar: Calendar,
    weekend_rolls: bool = True,
) -> dt.date:
    """P16: the last day to answer a supplier's inquiry (询问)."""
    amount, day_type = periods["P16"]
    return period_end(received_on, amount, day_type, calendar, weekend_rolls=weekend_rolls)


def complaint_dates(
    *,
    received_on: dt.date,
    suspended_on: dt.date | None,
    excluded_days: int = 0,
    periods: Mapping[str, tuple[int, DayType]],
    calendar: Calendar,
    weekend_rolls: bool = True,
) -> ComplaintDates:
    """P21 and P22 for a complaint (投诉) received by the finance department.

    ``excluded_days``: working days spent on testing, expert opinions or corrections, which
    the decision period does not count (实施条例 art. 58): they move the decision day on.
    The suspension is a maximum (``不超过``): it is not rolled forward over holidays.
    """
    amount, day_type = periods["P21"]
    decision_due = period_end(
        received_on, amount + max(excluded_days, 0), day_type, calendar, weekend_rolls=weekend_rolls
    )
    suspension_until = None
    if suspended_on is not None:
        s_amount, s_type = periods["P22"]
        suspension_until = period_end(
            suspended_on, s_amount, s_type, calendar, roll=False, weekend_rolls=weekend_rolls
        )
    return ComplaintDates(decision_due=decision_due, suspension_until=suspension_until)


# ---------------------------------------------------------------------------- limits in percent
def percent_cap(base: Decimal, percent: Decimal) -> Decimal:
    """The largest amount that is at most ``percent`` % of ``base`` (P26 bid bond of the
    budget, P28 performance bond of the contract amount), to the fen, rounded down."""
    return (base * percent / Decimal(100)).quantize(Decimal("0.01"), rounding=ROUND_DOWN)


@dataclass(frozen=True)
class BondRefunds:
    losers_by: dt.date | None  # P27: from the award notice (issued with the announcement)
    winner_by: dt.date | None  # P27: from the contract signing


def bond_refund_dates(
    *,
    award_announced: dt.date | None,
    contract_signed: dt.date | None,
    periods: Mapping[str, tuple[int, DayType]],
    calendar: Calendar,
    weekend_rolls: bool = True,
) -> BondRefunds:
    """P27: the last days to refund the bid bonds (None until the anchor is recorded)."""
    amount, day_type = periods["P27"]

    def end(anchor: dt.date | None) -> dt.date | None:
        if anchor is None:
            return None
        return period_end(anchor, amount, day_type, calendar, weekend_rolls=weekend_rolls)

    return BondRefunds(losers_by=end(award_announced), winner_by=end(contract_signed))
