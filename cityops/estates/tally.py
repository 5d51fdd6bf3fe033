"""Owners' vote tally under Civil Code art. 278 (民法典 第二百七十八条). Pure: no ORM, no Django.

Counting (cn-standards §5.1): every vote needs participation of owners holding ≥ 2/3 of the
exclusive area **and** ≥ 2/3 of the owners; a major matter (items 6, 7, 8) then needs ≥ 3/4 of
the *participating* area and owners, any other matter > 1/2 of both. "以上" includes the number
itself (Civil Code art. 1259), "过半数" is strictly more than half.

Who is "one owner" is decided by the caller through ``Unit.owner_key``: one exclusive unit is one
owner, a buyer with several units is one owner, co-owners of a unit are one owner and the
developer's unsold or undelivered units are one owner together. Area is the registered
exclusive area (专有部分面积). Arithmetic is exact (``Decimal`` sums, ``Fraction`` ratios).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any


class Matter(enum.StrEnum):
    """The nine items of Civil Code art. 278, in the order of the article."""

    RULES_OF_PROCEDURE = "rules_of_procedure"  # (1) 制定和修改业主大会议事规则
    MANAGEMENT_STATUTE = "management_statute"  # (2) 制定和修改管理规约
    ELECT_COMMITTEE = "elect_committee"  # (3) 选举业主委员会或者更换业主委员会成员
    HIRE_MANAGER = "hire_manager"  # (4) 选聘和解聘物业服务企业或者其他管理人
    USE_FUND = "use_fund"  # (5) 使用建筑物及其附属设施的维修资金
    RAISE_FUND = "raise_fund"  # (6) 筹集建筑物及其附属设施的维修资金
    REBUILD = "rebuild"  # (7) 改建、重建建筑物及其附属设施
    COMMON_PARTS_USE = "common_parts_use"  # (8) 改变共有部分的用途或者利用共有部分从事经营活动
    OTHER = "other"  # (9) 有关共有和共同管理权利的其他重大事项


# Items 6, 7, 8 need 3/4; item 9 ("其他重大事项") is ordinary despite its name (art. 278 para. 2).
MAJOR_MATTERS: frozenset[Matter] = frozenset(
    {Matter.RAISE_FUND, Matter.REBUILD, Matter.COMMON_PARTS_USE}
)


class Choice(enum.StrEnum):
    AGREE = "agree"
    DISAGREE = "disagree"
    ABSTAIN = "abstain"


@dataclass(frozen=True)
class Threshold:
    """``share ≥ n/d`` when ``inclusive`` ("以上"), else ``share > n/d`` ("过半数")."""

    fraction: Fraction
    inclusive: bool

    def met(self, share: Fraction) -> bool:
        return share >= self.fraction if self.inclusive else share > self.fraction

    def at_least_as_strict_as(self, other: Threshold) -> bool:
        """Every share that meets ``self`` also meets ``other``."""
        if self.fraction != other.fraction:
            return self.fraction > other.fraction
        return other.inclusive or not self.inclusive

    def stricter(self, other: Threshold) -> Threshold:
        return self if self.at_least_as_strict_as(other) else other

    @property
    def operator(self) -> str:
        return "≥" if self.inclusive else ">"

    def to_dict(self) -> dict[str, Any]:
        return {"fraction": str(self.fraction), "inclusive": self.inclusive}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Threshold:
        return cls(Fraction(str(data["fraction"])), bool(data["inclusive"]))


TWO_THIRDS = Threshold(Fraction(2, 3), inclusive=True)
THREE_QUARTERS = Threshold(Fraction(3, 4), inclusive=True)
MORE_THAN_HALF = Threshold(Fraction(1, 2), inclusive=False)


@dataclass(frozen=True)
class Rules:
    """Thresholds as data; the defaults are the statute's. Rules of procedure may not go lower."""

    quorum_area: Threshold = TWO_THIRDS
    quorum_owners: Threshold = TWO_THIRDS
    major_area: Threshold = THREE_QUARTERS
    major_owners: Threshold = THREE_QUARTERS
    ordinary_area: Threshold = MORE_THAN_HALF
    ordinary_owners: Threshold = MORE_THAN_HALF

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name).to_dict() for name in self.__dataclass_fields__}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Rules:
        if not data:
            return cls()
        return cls(**{k: Threshold.from_dict(v) for k, v in data.items()})

    def looser_than(self, floor: Rules) -> list[str]:
        """Names of the thresholds that ``floor`` would pass and these rules would not require."""
        return [
            name
            for name in self.__dataclass_fields__
            if not getattr(self, name).at_least_as_strict_as(getattr(floor, name))
        ]

    def floored(self, floor: Rules) -> Rules:
        """These rules, each threshold raised to the floor where it is looser."""
        return Rules(
            **{
                name: getattr(self, name).stricter(getattr(floor, name))
                for name in self.__dataclass_fields__
            }
        )


# Civil Code art. 278: rules of procedure (议事规则) may be stricter, never looser. Data, so that a
# stricter local regulation can be passed as ``floor``; the tally never goes below it.
STATUTORY_FLOOR = Rules()


@dataclass(frozen=True)
class Unit:
    unit_id: str
    owner_key: str
    area: Decimal


class TallyError(ValueError):
    """The input cannot be tallied (unknown voter, negative area, …)."""


@dataclass(frozen=True)
class Step:
    """One comparison: ``numerator / denominator`` against ``threshold``."""

    code: str
    numerator: Decimal | int
    denominator: Decimal | int
    threshold: Threshold
    met: bool

    @property
    def share(self) -> Fraction:
        if not self.denominator:
            return Fraction(0)
        return Fraction(str(self.numerator)) / Fraction(str(self.denominator))

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "numerator": str(self.numerator),
            "denominator": str(self.denominator),
            "share": str(self.share),
            "threshold": self.threshold.to_dict(),
            "met": self.met,
        }


@dataclass(frozen=True)
class TallyResult:
    matter: Matter
    major: bool
    total_area: Decimal
    total_owners: int
    participating_area: Decimal
    participating_owners: int
    agree_area: Decimal
    agree_owners: int
    disagree_area: Decimal
    disagree_owners: int
    abstain_area: Decimal
    abstain_owners: int
    steps: tuple[Step, ...]
    passed: bool
    reason: str  # "passed" | "no_owners" | "quorum_not_met" | "approval_not_met"
    rules: Rules = field(default_factory=Rules)

    def to_dict(self) -> dict[str, Any]:
        return {
            "matter": self.matter.value,
            "major": self.major,
            "total_area": str(self.total_area),
            "total_owners": self.total_owners,
            "participating_area": str(self.participating_area),
            "participating_owners": self.participating_owners,
            "agree_area": str(self.agree_area),
            "agree_owners": self.agree_owners,
            "disagree_area": str(self.disagree_area),
            "disagree_owners": self.disagree_owners,
            "abstain_area": str(self.abstain_area),
            "abstain_owners": self.abstain_owners,
            "steps": [s.to_dict() for s in self.steps],
            "passed": self.passed,
            "reason": self.reason,
            "rules": self.rules.to_dict(),
        }


def owner_areas(units: Iterable[Unit]) -> dict[str, Decimal]:
    """Area per owner: the sum of the registered exclusive areas of the owner's units."""
    areas: dict[str, Decimal] = {}
    seen: set[str] = set()
    for unit in units:
        if unit.unit_id in seen:
            raise TallyError(f"unit {unit.unit_id} listed twice")
        if unit.area < 0:
            raise TallyError(f"unit {unit.unit_id} has a negative area")
        seen.add(unit.unit_id)
        areas[unit.owner_key] = areas.get(unit.owner_key, Decimal(0)) + unit.area
    return areas


def tally(
    *,
    units: Iterable[Unit],
    ballots: Mapping[str, Choice | str],
    matter: Matter | str,
    rules: Rules | None = None,
    floor: Rules = STATUTORY_FLOOR,
) -> TallyResult:
    areas = owner_areas(units)
    per_choice_area = {c: Decimal(0) for c in Choice}
    per_choice_owners = dict.fromkeys(Choice, 0)
    for key, raw in ballots.items():
        if key not in areas:
            raise TallyError(f"ballot from {key!r}, who owns no unit in this compound")
        choice = Choice(raw)
        per_choice_area[choice] += areas[key]
        per_choice_owners[choice] += 1
    return tally_totals(
        Totals(sum(areas.values(), Decimal(0)), len(areas), per_choice_area, per_choice_owners),
        matter=matter,
        rules=rules,
        floor=floor,
    )


@dataclass(frozen=True)
class Totals:
    """The sums a tally decides on: what ``tally`` adds up from units and ballots, or what a
    database aggregate returns for a whole compound (``votes.proposal_tally``)."""

    total_area: Decimal
    total_owners: int
    area_by_choice: Mapping[Choice, Decimal]
    owners_by_choice: Mapping[Choice, int]


def tally_totals(
    totals: Totals,
    *,
    matter: Matter | str,
    rules: Rules | None = None,
    floor: Rules = STATUTORY_FLOOR,
) -> TallyResult:
    """The steps and the outcome from the totals (``tally`` without the adding up)."""
    # Stored rules written before the floor was enforced (or edited by hand) are raised to it.
    rules = (rules or floor).floored(floor)
    matter = Matter(matter)
    major = matter in MAJOR_MATTERS
    per_choice_area = {c: totals.area_by_choice.get(c, Decimal(0)) for c in Choice}
    per_choice_owners = {c: totals.owners_by_choice.get(c, 0) for c in Choice}
    total_area, total_owners = totals.total_area, totals.total_owners
    part_area = sum(per_choice_area.values(), Decimal(0))
    part_owners = sum(per_choice_owners.values())
    agree_area = per_choice_area[Choice.AGREE]
    agree_owners = per_choice_owners[Choice.AGREE]

    def step(code: str, num: Decimal | int, den: Decimal | int, threshold: Threshold) -> Step:
        share = Fraction(str(num)) / Fraction(str(den)) if den else Fraction(0)
        return Step(code, num, den, threshold, bool(den) and threshold.met(share))

    area_rule, owners_rule = (
        (rules.major_area, rules.major_owners)
        if major
        else (rules.ordinary_area, rules.ordinary_owners)
    )
    steps = (
        step("quorum_area", part_area, total_area, rules.quorum_area),
        step("quorum_owners", part_owners, total_owners, rules.quorum_owners),
        step("approval_area", agree_area, part_area, area_rule),
        step("approval_owners", agree_owners, part_owners, owners_rule),
    )
    if not total_owners or not total_area:
        reason = "no_owners"
    elif not (steps[0].met and steps[1].met):
        reason = "quorum_not_met"
    elif not (steps[2].met and steps[3].met):
        reason = "approval_not_met"
    else:
        reason = "passed"
    return TallyResult(
        matter=matter,
        major=major,
        total_area=total_area,
        total_owners=total_owners,
        participating_area=part_area,
        participating_owners=part_owners,
        agree_area=agree_area,
        agree_owners=agree_owners,
        disagree_area=per_choice_area[Choice.DISAGREE],
        disagree_owners=per_choice_owners[Choice.DISAGREE],
        abstain_area=per_choice_area[Choice.ABSTAIN],
        abstain_owners=per_choice_owners[Choice.ABSTAIN],
        steps=steps,
        passed=reason == "passed",
        reason=reason,
        rules=rules,
    )
