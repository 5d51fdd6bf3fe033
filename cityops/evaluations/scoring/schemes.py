"""The data of the scoring core: schemes, their parts, inputs and results (plain dataclasses).

Split from ``core`` (the arithmetic); both are pure, with no ORM. ``core`` re-exports every name
here, and ``cityops.evaluations.scoring`` re-exports both.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from django.utils.translation import gettext_lazy as _

ZERO = Decimal(0)
HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def q2(value: Decimal) -> Decimal:
    """Scores and money: two decimals, half-up (the rounding a person does on paper)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def q2_down(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_DOWN)


def _s(value: Decimal | int) -> str:
    return str(value)


class ScoringError(ValueError):
    """A scheme or an input is inconsistent; ``message`` is translatable user text."""

    def __init__(self, message: Any, *, code: str) -> None:
        super().__init__(str(message))
        self.message = message
        self.code = code


class DeductionRule(StrEnum):
    PER_OCCURRENCE = "per_occurrence"
    PER_M2 = "per_m2"
    PER_DAY_LATE = "per_day_late"


class MissingInput(StrEnum):
    """What a month without any input for a component (no inspection, no survey) counts as."""

    REWEIGHT = "reweight"  # left out; its weight is shared among the other components
    FULL = "full"
    ZERO = "zero"


class VetoMode(StrEnum):
    GRADE_ONLY = "grade_only"  # the score stands, the grade is the lowest band
    CAP = "cap"  # the score is capped at VetoRule.score
    ZERO = "zero"  # the score becomes 0


@dataclass(frozen=True)
class Step:
    """One explained step: ``code`` names the template, ``subject`` the item/component/band."""

    code: str
    subject: str = ""
    values: Mapping[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "subject": self.subject, "values": dict(self.values)}


# --- Scheme ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """A checklist item: ``points`` per unit of its rule, at most ``cap`` in a month."""

    code: str
    rule: DeductionRule = DeductionRule.PER_OCCURRENCE
    points: Decimal = ZERO
    cap: Decimal | None = None
    veto: bool = False

    def __post_init__(self) -> None:
        if self.points < 0 or (self.cap is not None and self.cap < 0):
            raise ScoringError(_("Points and caps cannot be negative."), code="negative_points")


@dataclass(frozen=True)
class Component:
    code: str
    weight: Decimal
    max_points: Decimal = HUNDRED
    items: tuple[Item, ...] = ()
    missing: MissingInput = MissingInput.REWEIGHT

    def __post_init__(self) -> None:
        if self.weight < 0 or self.max_points <= 0:
            raise ScoringError(
                _("A component needs a non-negative weight and a positive maximum."),
                code="bad_component",
            )
        codes = [item.code for item in self.items]
        if len(set(codes)) != len(codes):
            raise ScoringError(_("Item codes repeat within a component."), code="duplicate_item")


@dataclass(frozen=True)
class Band:
    code: str
    min_score: Decimal


@dataclass(frozen=True)
class Penalty:
    """A fixed penalty per occurrence: a share of the fee and/or an amount in CNY."""

    code: str
    percent_of_fee: Decimal = ZERO
    amount: Decimal = ZERO

    def __post_init__(self) -> None:
        if self.percent_of_fee < 0 or self.amount < 0:
            raise ScoringError(_("Penalties cannot be negative."), code="negative_penalty")


@dataclass(frozen=True)
class PaymentRule:
    """§3.3: each point below ``pass_mark`` deducts ``percent_per_point`` % of the month's fee
    (proportionally for fractions of a point), plus penalties, plus ``veto_percent`` on a veto;
    the total never exceeds ``cap_percent`` % of the fee (nor the fee itself)."""

    pass_mark: Decimal = Decimal(90)
    percent_per_point: Decimal = Decimal(5)
    penalties: tuple[Penalty, ...] = ()
    veto_percent: Decimal = ZERO
    cap_percent: Decimal | None = None

    def __post_init__(self) -> None:
        if not ZERO <= self.pass_mark <= HUNDRED or self.percent_per_point < 0:
            raise ScoringError(_("The pass mark must lie between 0 and 100."), code="bad_payment")
        if self.veto_percent < 0 or (self.cap_percent is not None and self.cap_percent < 0):
            raise ScoringError(_("Percentages cannot be negative."), code="bad_payment")
        codes = [p.code for p in self.penalties]
        if len(set(codes)) != len(codes):
            raise ScoringError(_("Penalty codes repeat."), code="duplicate_penalty")


@dataclass(frozen=True)
class VetoRule:
    mode: VetoMode = VetoMode.GRADE_ONLY
    score: Decimal = ZERO


@dataclass(frozen=True)
class Scheme:
    components: tuple[Component, ...]
    bands: tuple[Band, ...]
    payment: PaymentRule = field(default_factory=PaymentRule)
    veto: VetoRule = field(default_factory=VetoRule)

    def __post_init__(self) -> None:
        if not self.components:
            raise ScoringError(_("A scheme needs at least one component."), code="no_components")
        codes = [c.code for c in self.components]
        if len(set(codes)) != len(codes):
            raise ScoringError(_("Component codes repeat."), code="duplicate_component")
        if sum((c.weight for c in self.components), ZERO) != HUNDRED:
            raise ScoringError(_("Component weights must add up to 100."), code="weights")
        mins = [b.min_score for b in self.bands]
        if not mins or min(mins) != ZERO or len(set(mins)) != len(mins):
            raise ScoringError(
                _("Grade bands need distinct minimum scores, the lowest being 0."), code="bands"
            )
        if len({b.code for b in self.bands}) != len(self.bands):
            raise ScoringError(_("Grade codes repeat."), code="duplicate_band")

    @property
    def bands_desc(self) -> tuple[Band, ...]:
        return tuple(sorted(self.bands, key=lambda b: b.min_score, reverse=True))

    @property
    def veto_band(self) -> Band:
        return self.bands_desc[-1]


DEFAULT_BANDS: tuple[Band, ...] = (
    Band("excellent", Decimal(90)),
    Band("good", Decimal(80)),
    Band("pass", Decimal(70)),
    Band("fail", ZERO),
)


# --- Inputs and results ------------------------------------------------------------------


@dataclass(frozen=True)
class ComponentInput:
    """``base``: a measured score on the component's scale (None = its maximum);
    ``findings``: item code → quantity (occurrences, m² or days late) summed over the month."""

    base: Decimal | None = None
    findings: Mapping[str, Decimal] = field(default_factory=dict)


@dataclass(frozen=True)
class ItemResult:
    code: str
    quantity: Decimal
    raw: Decimal
    deduction: Decimal
    capped: bool
    veto: bool


@dataclass(frozen=True)
class ComponentResult:
    code: str
    present: bool
    base: Decimal
    score: Decimal
    weight: Decimal
    contribution: Decimal
    items: tuple[ItemResult, ...]


@dataclass(frozen=True)
class PaymentResult:
    fee: Decimal
    score_deduction: Decimal
    penalty_deduction: Decimal
    veto_deduction: Decimal
    cap: Decimal
    deduction: Decimal
    payable: Decimal
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class Result:
    score: Decimal
    grade: str
    vetoed: bool
    veto_items: tuple[str, ...]
    components: tuple[ComponentResult, ...]
    payment: PaymentResult
    steps: tuple[Step, ...]

    @property
    def deduction(self) -> Decimal:
        return self.payment.deduction

    @property
    def payable(self) -> Decimal:
        return self.payment.payable

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (decimals as strings), stored with the month's evaluation."""
        return {
            "score": _s(self.score),
            "grade": self.grade,
            "vetoed": self.vetoed,
            "veto_items": list(self.veto_items),
            "deduction": _s(self.deduction),
            "payable": _s(self.payable),
            "components": [
                {
                    "code": c.code,
                    "present": c.present,
                    "base": _s(c.base),
                    "score": _s(c.score),
                    "weight": _s(c.weight),
                    "contribution": _s(c.contribution),
                    "items": [
                        {
                            "code": i.code,
                            "quantity": _s(i.quantity),
                            "raw": _s(i.raw),
                            "deduction": _s(i.deduction),
                            "capped": i.capped,
                            "veto": i.veto,
                        }
                        for i in c.items
                    ],
                }
                for c in self.components
            ],
            "payment": {
                "fee": _s(self.payment.fee),
                "score_deduction": _s(self.payment.score_deduction),
                "penalty_deduction": _s(self.payment.penalty_deduction),
                "veto_deduction": _s(self.payment.veto_deduction),
                "cap": _s(self.payment.cap),
                "deduction": _s(self.payment.deduction),
                "payable": _s(self.payment.payable),
            },
            "steps": [s.as_dict() for s in self.steps],
        }
