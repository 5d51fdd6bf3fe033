"""Pure scoring core of the monthly evaluation (考评): plain data in, plain data out, no ORM.

A scheme is weighted components; each component starts from a base score (its maximum, or a
measured score such as the road-cleaning sensory score or the case-performance formula) and
loses points through checklist items (扣分). Veto items (一票否决) force the lowest grade. The
payment rule turns the score into a payment deduction (扣款) on the month's fee.

Every number here arrives as data (see ``models``: versioned, editable schemes); the defaults
below are the sources' values from ``cn-standards.md`` §1.7 and §3.3 and are only used to build
the demo schemes. Rounding is explicit: scores and money to 0.01, half-up, except the payment cap,
which is rounded down so that the deduction can never exceed it.

Every function also returns ``steps``: the explanation, one structured row per arithmetic step,
rendered in the user's language by ``explain.describe_step``.
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


# --- Scoring --------------------------------------------------------------------------------


def score_item(item: Item, quantity: Decimal) -> tuple[ItemResult, list[Step]]:
    if quantity < 0:
        raise ScoringError(_("A quantity cannot be negative."), code="negative_quantity")
    raw = item.points * quantity
    capped = item.cap is not None and raw > item.cap
    deduction = item.cap if capped and item.cap is not None else raw
    steps = [
        Step(
            f"item.{item.rule.value}",
            item.code,
            {"quantity": _s(quantity), "points": _s(item.points), "raw": _s(raw)},
        )
    ]
    if capped:
        steps.append(Step("item.capped", item.code, {"cap": _s(deduction)}))
    result = ItemResult(item.code, quantity, raw, deduction, capped, item.veto and quantity > 0)
    if result.veto:
        steps.append(Step("item.veto", item.code))
    return result, steps


def score_component(
    component: Component, given: ComponentInput
) -> tuple[Decimal, tuple[ItemResult, ...], list[Step]]:
    """Base minus the item deductions, floored at zero; rounded to 0.01."""
    unknown = set(given.findings) - {item.code for item in component.items}
    if unknown:
        raise ScoringError(
            _("Findings for items the scheme does not have: %(codes)s")
            % {"codes": ", ".join(sorted(unknown))},
            code="unknown_item",
        )
    base = component.max_points if given.base is None else given.base
    if not ZERO <= base <= component.max_points:
        raise ScoringError(_("A measured score lies outside the component's scale."), code="base")
    steps = [Step("component.base", component.code, {"base": _s(base)})]
    results: list[ItemResult] = []
    for item in component.items:
        quantity = given.findings.get(item.code, ZERO)
        if quantity == 0 and not item.veto:
            continue
        result, item_steps = score_item(item, quantity)
        results.append(result)
        steps.extend(item_steps)
    total = sum((r.deduction for r in results), ZERO)
    score = q2(max(ZERO, base - total))
    steps.append(
        Step("component.score", component.code, {"deductions": _s(total), "score": _s(score)})
    )
    return score, tuple(results), steps


def grade_for(scheme: Scheme, score: Decimal) -> Band:
    for band in scheme.bands_desc:
        if score >= band.min_score:
            return band
    return scheme.veto_band  # only for a negative score, which score() never produces


def score(
    scheme: Scheme,
    inputs: Mapping[str, ComponentInput],
    *,
    fee: Decimal,
    penalties: Mapping[str, int] | None = None,
) -> Result:
    """The month: components → weighted score → veto → grade → payment."""
    unknown = set(inputs) - {c.code for c in scheme.components}
    if unknown:
        raise ScoringError(
            _("Inputs for components the scheme does not have: %(codes)s")
            % {"codes": ", ".join(sorted(unknown))},
            code="unknown_component",
        )
    steps: list[Step] = []
    scored: list[tuple[Component, bool, Decimal, Decimal, tuple[ItemResult, ...]]] = []
    for component in scheme.components:
        given = inputs.get(component.code)
        if given is not None:
            value, items, component_steps = score_component(component, given)
            steps.extend(component_steps)
            base = component.max_points if given.base is None else given.base
            scored.append((component, True, base, value, items))
            continue
        steps.append(Step(f"component.missing.{component.missing.value}", component.code))
        if component.missing is MissingInput.REWEIGHT:
            scored.append((component, False, ZERO, ZERO, ()))
        else:
            full = component.missing is MissingInput.FULL
            value = component.max_points if full else ZERO
            scored.append((component, True, value, value, ()))

    total_weight = sum((c.weight for c, present, *_rest in scored if present), ZERO)
    if total_weight == 0:
        raise ScoringError(_("No component of the scheme has an input."), code="no_input")
    components: list[ComponentResult] = []
    raw_total = ZERO
    for component, present, base, value, items in scored:
        weight = component.weight * HUNDRED / total_weight if present else ZERO
        contribution = value / component.max_points * weight
        raw_total += contribution
        components.append(
            ComponentResult(
                component.code, present, base, value, q2(weight), q2(contribution), items
            )
        )
        if present:
            steps.append(
                Step(
                    "component.weighted",
                    component.code,
                    {
                        "score": _s(value),
                        "max": _s(component.max_points),
                        "weight": _s(q2(weight)),
                        "contribution": _s(q2(contribution)),
                    },
                )
            )
    total = q2(raw_total)
    steps.append(Step("scheme.total", "", {"score": _s(total)}))

    veto_items = tuple(i.code for c in components for i in c.items if i.veto)
    vetoed = bool(veto_items)
    if vetoed:
        if scheme.veto.mode is VetoMode.ZERO:
            total = ZERO
        elif scheme.veto.mode is VetoMode.CAP:
            total = min(total, q2(scheme.veto.score))
        band = scheme.veto_band
        steps.append(
            Step(
                f"veto.{scheme.veto.mode.value}",
                ", ".join(veto_items),
                {"score": _s(total), "grade": band.code},
            )
        )
    else:
        band = grade_for(scheme, total)
        steps.append(Step("grade", band.code, {"score": _s(total), "min": _s(band.min_score)}))

    pay = payment(scheme.payment, fee=fee, score=total, penalties=penalties or {}, vetoed=vetoed)
    steps.extend(pay.steps)
    return Result(total, band.code, vetoed, veto_items, tuple(components), pay, tuple(steps))


def payment(
    rule: PaymentRule,
    *,
    fee: Decimal,
    score: Decimal,
    penalties: Mapping[str, int],
    vetoed: bool = False,
) -> PaymentResult:
    if fee < 0:
        raise ScoringError(_("The monthly fee cannot be negative."), code="fee")
    by_code = {p.code: p for p in rule.penalties}
    unknown = set(penalties) - set(by_code)
    if unknown:
        raise ScoringError(
            _("Penalties the scheme does not have: %(codes)s")
            % {"codes": ", ".join(sorted(unknown))},
            code="unknown_penalty",
        )
    steps: list[Step] = []
    below = max(ZERO, rule.pass_mark - score)
    score_deduction = q2(fee * below * rule.percent_per_point / HUNDRED)
    steps.append(
        Step(
            "payment.points_below",
            "",
            {
                "pass_mark": _s(rule.pass_mark),
                "below": _s(below),
                "percent": _s(rule.percent_per_point),
                "amount": _s(score_deduction),
            },
        )
    )
    penalty_deduction = ZERO
    for penalty in rule.penalties:
        count = penalties.get(penalty.code, 0)
        if count < 0:
            raise ScoringError(_("A count cannot be negative."), code="negative_quantity")
        if count == 0:
            continue
        each = fee * penalty.percent_of_fee / HUNDRED + penalty.amount
        amount = q2(each * count)
        penalty_deduction += amount
        steps.append(
            Step(
                "payment.penalty",
                penalty.code,
                {
                    "count": _s(count),
                    "percent": _s(penalty.percent_of_fee),
                    "fixed": _s(penalty.amount),
                    "amount": _s(amount),
                },
            )
        )
    veto_deduction = q2(fee * rule.veto_percent / HUNDRED) if vetoed else ZERO
    if veto_deduction:
        steps.append(Step("payment.veto", "", {"amount": _s(veto_deduction)}))
    total = score_deduction + penalty_deduction + veto_deduction
    cap = fee if rule.cap_percent is None else min(fee, fee * rule.cap_percent / HUNDRED)
    cap = q2_down(cap)
    deduction = min(total, cap)
    if total > cap:
        steps.append(Step("payment.capped", "", {"total": _s(total), "cap": _s(cap)}))
    payable = fee - deduction
    steps.append(
        Step(
            "payment.payable",
            "",
            {"fee": _s(fee), "deduction": _s(deduction), "payable": _s(payable)},
        )
    )
    return PaymentResult(
        fee, score_deduction, penalty_deduction, veto_deduction, cap, deduction, payable,
        tuple(steps),
    )  # fmt: skip
