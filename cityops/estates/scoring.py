"""Credit score of a property company (物业服务企业信用评价). Pure: no ORM.

信用得分 = 基础信用信息分 + 优良信用信息分 − 不良信用信息分 (Shandong / 烟台 schemes,
cn-standards §5.4). A record counts while ``valid_from ≤ day ≤ valid_until`` (烟台: the
information's own validity period, default one year). Good records are capped (烟台: 优良 max 40);
grade bands are data (AAA ≥ 85, AA ≥ 80, A ≥ 70, B ≥ 60, C below); a company on the black list
gets the lowest grade whatever its score (一票否决).

Case statistics become records through :func:`case_statistics_items`, so the cases app (or a
periodic job) only hands over counts.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal


class Kind(enum.StrEnum):
    BASE = "base"
    GOOD = "good"
    BAD = "bad"


@dataclass(frozen=True)
class Item:
    """One credit record as the scorer sees it. ``points`` is a magnitude (≥ 0)."""

    ref: str
    kind: Kind
    points: Decimal
    valid_from: dt.date
    valid_until: dt.date
    voided: bool = False

    def counts_on(self, day: dt.date) -> bool:
        return not self.voided and self.valid_from <= day <= self.valid_until


@dataclass(frozen=True)
class Band:
    grade: str
    min_score: Decimal | None  # None = the lowest band, catches everything below


DEFAULT_BANDS: tuple[Band, ...] = (
    Band("AAA", Decimal(85)),
    Band("AA", Decimal(80)),
    Band("A", Decimal(70)),
    Band("B", Decimal(60)),
    Band("C", None),
)


@dataclass(frozen=True)
class ScoringRules:
    default_base: Decimal = Decimal(80)  # 烟台: 基础 max 80; used when no base record is valid
    good_cap: Decimal | None = Decimal(40)  # 烟台: 优良 max 40
    bands: tuple[Band, ...] = DEFAULT_BANDS
    blacklist_forces_lowest: bool = True


@dataclass(frozen=True)
class Score:
    day: dt.date
    base: Decimal
    good: Decimal
    bad: Decimal
    score: Decimal
    grade: str
    blacklisted: bool
    counted: tuple[str, ...]
    ignored: tuple[str, ...]
    notes: tuple[str, ...] = field(default=())


def grade_for(score: Decimal, bands: Sequence[Band]) -> str:
    ordered = sorted(bands, key=lambda b: (b.min_score is None, -(b.min_score or Decimal(0))))
    for band in ordered:
        if band.min_score is None or score >= band.min_score:
            return band.grade
    raise ValueError("the grade bands need a lowest band (min_score None)")


def credit_score(
    items: Iterable[Item],
    *,
    day: dt.date,
    blacklisted: bool = False,
    rules: ScoringRules | None = None,
) -> Score:
    rules = rules or ScoringRules()
    counted: list[str] = []
    ignored: list[str] = []
    base_items: list[Item] = []
    good = Decimal(0)
    bad = Decimal(0)
    notes: list[str] = []
    for item in items:
        if item.points < 0:
            raise ValueError(f"record {item.ref}: points are a magnitude and cannot be negative")
        if not item.counts_on(day):
            ignored.append(item.ref)
            continue
        counted.append(item.ref)
        if item.kind == Kind.BASE:
            base_items.append(item)
        elif item.kind == Kind.GOOD:
            good += item.points
        else:
            bad += item.points
    # The newest valid base record is the base; older ones are superseded, not added.
    if base_items:
        latest = max(base_items, key=lambda i: (i.valid_from, i.ref))
        base = latest.points
        for item in base_items:
            if item is not latest:
                counted.remove(item.ref)
                ignored.append(item.ref)
    else:
        base = rules.default_base
        notes.append("default_base")
    if rules.good_cap is not None and good > rules.good_cap:
        good = rules.good_cap
        notes.append("good_capped")
    score = (base + good - bad).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    grade = grade_for(score, rules.bands)
    if blacklisted and rules.blacklist_forces_lowest:
        grade = grade_for(Decimal("-1e9"), rules.bands)
        notes.append("blacklisted")
    return Score(
        day=day,
        base=base,
        good=good,
        bad=bad,
        score=score,
        grade=grade,
        blacklisted=blacklisted,
        counted=tuple(counted),
        ignored=tuple(ignored),
        notes=tuple(notes),
    )


@dataclass(frozen=True)
class CaseStatsRules:
    """How case statistics of one period become records (◐ local defaults, adjust as data)."""

    per_complaint: Decimal = Decimal("0.5")
    complaints_cap: Decimal = Decimal(10)
    per_rework: Decimal = Decimal(1)
    rework_cap: Decimal = Decimal(10)
    on_time_good_at: Decimal = Decimal("0.98")  # ≥ → good record
    on_time_good_points: Decimal = Decimal(2)
    on_time_bad_below: Decimal = Decimal("0.90")  # < → bad record, 0.5 per point below
    on_time_bad_per_point: Decimal = Decimal("0.5")
    on_time_bad_cap: Decimal = Decimal(10)


@dataclass(frozen=True)
class StatItem:
    code: str  # "complaints" | "rework" | "on_time"
    kind: Kind
    points: Decimal


def case_statistics_items(
    *,
    complaints: int,
    on_time_rate: Decimal,
    rework: int,
    rules: CaseStatsRules | None = None,
) -> list[StatItem]:
    """Counts of one period → good/bad items. Zero-point items are dropped."""
    rules = rules or CaseStatsRules()
    if complaints < 0 or rework < 0:
        raise ValueError("counts cannot be negative")
    if not Decimal(0) <= on_time_rate <= Decimal(1):
        raise ValueError("the on-time rate is a share between 0 and 1")
    out: list[StatItem] = []
    complaint_pts = min(rules.per_complaint * complaints, rules.complaints_cap)
    if complaint_pts:
        out.append(StatItem("complaints", Kind.BAD, complaint_pts))
    rework_pts = min(rules.per_rework * rework, rules.rework_cap)
    if rework_pts:
        out.append(StatItem("rework", Kind.BAD, rework_pts))
    if on_time_rate >= rules.on_time_good_at:
        out.append(StatItem("on_time", Kind.GOOD, rules.on_time_good_points))
    elif on_time_rate < rules.on_time_bad_below:
        below_points = (rules.on_time_bad_below - on_time_rate) * 100
        pts = min(below_points * rules.on_time_bad_per_point, rules.on_time_bad_cap)
        out.append(StatItem("on_time", Kind.BAD, pts.quantize(Decimal("0.01"))))
    return out
