"""Measured base scores feeding the scoring core: the road-cleaning sensory method (§3.1) and the
case-performance formula (按时处置率, 返工率, 结案率). Pure functions, plain data, no ORM; every
weight and coefficient arrives as data (defaults ◐ from ``cn-standards.md``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from cityops.evaluations.scoring.schemes import (
    HUNDRED,
    ZERO,
    ComponentInput,
    ScoringError,
    Step,
    _s,
    q2,
)

# --- Road cleaning: the sensory method (§3.1) -------------------------------------------------


@dataclass(frozen=True)
class SensoryMethod:
    """C = 6·C1 + 6·C2 + 4·C3 + 4·C4, each Ci rated 0–5 (◐, CJJ/T 126 revision draft)."""

    coefficients: tuple[Decimal, ...] = (Decimal(6), Decimal(6), Decimal(4), Decimal(4))
    max_rating: int = 5

    @property
    def max_score(self) -> Decimal:
        return sum(self.coefficients, ZERO) * self.max_rating


@dataclass(frozen=True)
class SensoryRating:
    """One inspector's ratings of one side of one 300 m sample section."""

    side: str
    inspector: str
    ratings: tuple[int, ...]


def sensory_section_score(
    ratings: Sequence[SensoryRating], method: SensoryMethod = SensoryMethod()
) -> tuple[Decimal, tuple[Decimal, ...], list[Step]]:
    """Ci = mean over the sides of the mean over that side's inspectors; C = Σ kᵢ·Ci."""
    if not ratings:
        raise ScoringError(_("A sample section needs at least one rating."), code="no_ratings")
    width = len(method.coefficients)
    by_side: dict[str, list[tuple[int, ...]]] = {}
    for rating in ratings:
        if len(rating.ratings) != width or not all(
            0 <= r <= method.max_rating for r in rating.ratings
        ):
            raise ScoringError(
                _("Each rating has one value per item, from 0 to the maximum."), code="rating"
            )
        by_side.setdefault(rating.side, []).append(rating.ratings)
    side_means = [
        [Decimal(sum(col)) / len(rows) for col in zip(*rows, strict=True)]
        for rows in by_side.values()
    ]
    means = tuple(
        sum((side[i] for side in side_means), ZERO) / len(side_means) for i in range(width)
    )
    value = q2(sum((k * c for k, c in zip(method.coefficients, means, strict=True)), ZERO))
    steps = [
        Step(
            "sensory.section",
            "",
            {
                "sides": _s(len(side_means)),
                "ratings": _s(len(ratings)),
                "means": " / ".join(_s(q2(m)) for m in means),
                "score": _s(value),
            },
        )
    ]
    return value, means, steps


def sensory_score(
    sections: Sequence[Sequence[SensoryRating]], method: SensoryMethod = SensoryMethod()
) -> tuple[Decimal, list[Step]]:
    """The month's sensory score: the mean of its sample sections, on a 0–100 scale."""
    if not sections:
        raise ScoringError(_("No sample section was rated."), code="no_ratings")
    steps: list[Step] = []
    values: list[Decimal] = []
    for section in sections:
        value, _means, section_steps = sensory_section_score(section, method)
        values.append(value)
        steps.extend(section_steps)
    scale = HUNDRED / method.max_score
    result = q2(sum(values, ZERO) / len(values) * scale)
    steps.append(Step("sensory.month", "", {"sections": _s(len(values)), "score": _s(result)}))
    return result, steps


# --- Case performance (§1.7 专业部门 formula as the default) ---------------------------------


@dataclass(frozen=True)
class CaseCounts:
    """Counts for one operator and month, from the case history (see ``selectors``)."""

    filed: int = 0  # 立案数: cases dispatched to the operator in the month
    due: int = 0  # 应处置数: cases whose deadline fell in the month
    handled_on_time: int = 0  # 按时处置数: of those, handled by the deadline
    handled: int = 0  # 处置数: handled in the month
    reworks: int = 0  # 返工数: failed checks on cases handled in the month
    to_close: int = 0  # 应结案数
    closed: int = 0  # 结案数
    overdue: int = 0  # 超期处置数
    verified_complaints: int = 0  # verified public complaints not fixed in time

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


@dataclass(frozen=True)
class VolumeBand:
    max_count: int
    points: Decimal


@dataclass(frozen=True)
class CasePerformanceRule:
    """立案数分值 + 结案率×30 % + 按时处置率×30 % + (100 − 返工率)×30 % (◐ §1.7); the overdue
    and complaint counts become findings of the component's items of the same codes."""

    volume_bands: tuple[VolumeBand, ...] = (
        VolumeBand(50, Decimal(10)),
        VolumeBand(100, Decimal(9)),
        VolumeBand(200, Decimal("7.5")),
        VolumeBand(500, Decimal(6)),
        VolumeBand(1000, Decimal(4)),
    )
    volume_else: Decimal = ZERO
    closure_weight: Decimal = Decimal(30)
    on_time_weight: Decimal = Decimal(30)
    rework_weight: Decimal = Decimal(30)
    overdue_item: str = "overdue"
    complaint_item: str = "verified_complaint"

    def __post_init__(self) -> None:
        best = max([self.volume_else, *(b.points for b in self.volume_bands)])
        weights = self.closure_weight + self.on_time_weight + self.rework_weight
        if best + weights != HUNDRED or min(self.volume_else, weights) < 0:
            raise ScoringError(
                _("The case-performance formula must add up to 100 at best."), code="case_rule"
            )


def _rate(numerator: int, denominator: int, *, empty: Decimal) -> Decimal:
    if denominator <= 0:
        return empty
    return min(HUNDRED, max(ZERO, Decimal(numerator) * HUNDRED / denominator))


def case_performance(
    counts: CaseCounts, rule: CasePerformanceRule = CasePerformanceRule()
) -> tuple[ComponentInput, list[Step]]:
    """The component input: the formula as base, overdue and complaints as findings.

    With nothing due (or handled, or to close) the rate counts as met: an operator is not
    penalised for a month without cases.
    """
    volume = rule.volume_else
    for band in sorted(rule.volume_bands, key=lambda b: b.max_count):
        if counts.filed <= band.max_count:
            volume = band.points
            break
    closure = _rate(counts.closed, counts.to_close, empty=HUNDRED)
    on_time = _rate(counts.handled_on_time, counts.due, empty=HUNDRED)
    rework = _rate(counts.reworks, counts.handled, empty=ZERO)
    base = q2(
        volume
        + closure * rule.closure_weight / HUNDRED
        + on_time * rule.on_time_weight / HUNDRED
        + (HUNDRED - rework) * rule.rework_weight / HUNDRED
    )
    steps = [
        Step(
            "cases.formula",
            "",
            {
                "filed": _s(counts.filed),
                "volume": _s(volume),
                "closure": _s(q2(closure)),
                "on_time": _s(q2(on_time)),
                "rework": _s(q2(rework)),
                "base": _s(base),
            },
        )
    ]
    findings: dict[str, Decimal] = {}
    if counts.overdue:
        findings[rule.overdue_item] = Decimal(counts.overdue)
    if counts.verified_complaints:
        findings[rule.complaint_item] = Decimal(counts.verified_complaints)
    return ComponentInput(base=base, findings=findings), steps
