"""Pure formulas of the comprehensive evaluation: rates, bands, composites, grades, rule checks.

No ORM here: the indicator queries hand plain counts to these functions.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from cityops.assessment.defaults import DEFAULT_RULES
from cityops.core.errors import DomainError

HUNDRED = Decimal(100)
CENT = Decimal("0.01")
OBJECTS = ("region", "unit", "inspector", "intake_clerk", "dispatcher", "shift_lead")


def q2(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def rate(numerator: int, denominator: int) -> Decimal | None:
    """numerator / denominator in % (2 decimals); None without a denominator."""
    if denominator <= 0:
        return None
    return q2(Decimal(numerator) * HUNDRED / Decimal(denominator))


def inverse(value: Decimal | None) -> Decimal | None:
    """The score of a rate where less is better (返工率, 监督举报率): 100 − rate, at least 0."""
    return None if value is None else max(q2(HUNDRED - value), Decimal(0))


def band_points(value: Decimal | int, bands: Sequence[Mapping[str, Any]], other: Any) -> Decimal:
    """The points of the first band ``value`` falls in (``min`` ≥, ``max`` ≤, ``below`` <)."""
    v = Decimal(value)
    for band in bands:
        if "min" in band and v >= Decimal(str(band["min"])):
            return Decimal(str(band["points"]))
        if "max" in band and v <= Decimal(str(band["max"])):
            return Decimal(str(band["points"]))
        if "below" in band and v < Decimal(str(band["below"])):
            return Decimal(str(band["points"]))
    return Decimal(str(other))


def composite(values: Mapping[str, Decimal | None], weights: Mapping[str, Any]) -> Decimal | None:
    """Σ weight × value / Σ weight over the weighted indicators that have a value."""
    total = Decimal(0)
    weight_sum = Decimal(0)
    for code, weight in weights.items():
        w = Decimal(str(weight))
        value = values.get(code)
        if w <= 0 or value is None:
            continue
        total += w * value
        weight_sum += w
    if weight_sum == 0:
        return None
    return q2(total / weight_sum)


def grade(score: Decimal | None, grades: Sequence[Mapping[str, Any]]) -> str:
    if score is None:
        return ""
    for band in sorted(grades, key=lambda b: Decimal(str(b["min"])), reverse=True):
        if score >= Decimal(str(band["min"])):
            return str(band["code"])
    return str(grades[-1]["code"]) if grades else ""


def _number(value: Any, where: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (ArithmeticError, ValueError) as exc:
        raise DomainError(
            _("%(where)s: %(value)r is not a number.") % {"where": where, "value": value},
            code="rules",
        ) from exc
    if not number.is_finite() or number < 0:
        raise DomainError(
            _("%(where)s: %(value)s must be zero or more.") % {"where": where, "value": value},
            code="rules",
        )
    return number


def _check_bands(bands: Any, where: str) -> None:
    if not isinstance(bands, list):
        raise DomainError(_("%(where)s: bands are a list.") % {"where": where}, code="rules")
    for band in bands:
        keys = {"min", "max", "below"} & set(band if isinstance(band, dict) else ())
        if len(keys) != 1 or "points" not in band:
            raise DomainError(
                _("%(where)s: each band has points and one of min, max or below.")
                % {"where": where},
                code="rules",
            )
        _number(band[keys.pop()], where)
        _number(band["points"], where)


def _deep_merge(base: dict[str, Any], change: dict[str, Any]) -> dict[str, Any]:
    """Objects merge key by key (a weight left out keeps its default); lists are replaced."""
    for key, value in change.items():
        if isinstance(base.get(key), dict) and isinstance(value, dict):
            _deep_merge(base[key], value)
        else:
            base[key] = value
    return base


def rules_validate(data: Any) -> dict[str, Any]:
    """The rules completed with the defaults for missing keys; a DomainError on bad values."""
    if not isinstance(data, dict):
        raise DomainError(_("The rules are a JSON object."), code="rules")
    for key in data:
        if key not in DEFAULT_RULES:
            raise DomainError(_("Unknown rule section: %(key)s.") % {"key": key}, code="rules")
    merged = _deep_merge(copy.deepcopy(DEFAULT_RULES), data)
    for where, limit in merged["step_limits_minutes"].items():
        _number(limit, f"step_limits_minutes.{where}")
    for band in merged["grades"]:
        if not isinstance(band, dict) or "code" not in band:
            raise DomainError(_("Each grade has a code and a minimum."), code="rules")
        _number(band.get("min"), "grades")
    for obj in OBJECTS:
        section = merged[obj]
        if not isinstance(section.get("weights"), dict):
            raise DomainError(_("%(where)s: weights are missing.") % {"where": obj}, code="rules")
        known = set(DEFAULT_RULES[obj]["weights"])
        for code, weight in section["weights"].items():
            if code not in known:
                raise DomainError(
                    _("%(where)s: unknown indicator %(code)s.") % {"where": obj, "code": code},
                    code="rules",
                )
            _number(weight, f"{obj}.weights.{code}")
        if sum(Decimal(str(w)) for w in section["weights"].values()) <= 0:
            raise DomainError(
                _("%(where)s: at least one weight must be positive.") % {"where": obj},
                code="rules",
            )
        bands = section.get("volume_bands")
        if isinstance(bands, dict):
            for area_class, class_bands in bands.items():
                _check_bands(class_bands, f"{obj}.volume_bands.{area_class}")
        elif bands is not None:
            _check_bands(bands, f"{obj}.volume_bands")
    return merged
