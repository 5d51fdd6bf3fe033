"""Schemes and inputs as JSON: what an evaluation stores, and the pure re-computation from it.

A snapshot is the whole scheme version as plain data (decimals as strings). ``recompute`` scores
stored inputs with a stored snapshot, without the database: the proof that a month is
reproducible.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from cityops.evaluations import scoring as s


def _d(value: Any) -> Decimal:
    return Decimal(str(value))


def _opt(value: Any) -> Decimal | None:
    return None if value is None or value == "" else _d(value)


def core_scheme(snapshot: Mapping[str, Any]) -> s.Scheme:
    """The scoring core's scheme from a snapshot; raises ``ScoringError`` if inconsistent."""
    components = tuple(
        s.Component(
            code=c["code"],
            weight=_d(c["weight"]),
            max_points=_d(c["max_points"]),
            missing=s.MissingInput(c["missing"]),
            items=tuple(
                s.Item(
                    code=i["code"],
                    rule=s.DeductionRule(i["rule"]),
                    points=_d(i["points"]),
                    cap=_opt(i.get("cap")),
                    veto=bool(i.get("veto")),
                )
                for i in c.get("items", ())
            ),
        )
        for c in snapshot["components"]
    )
    bands = tuple(s.Band(b["code"], _d(b["min_score"])) for b in snapshot["bands"])
    pay = snapshot["payment"]
    payment = s.PaymentRule(
        pass_mark=_d(pay["pass_mark"]),
        percent_per_point=_d(pay["percent_per_point"]),
        veto_percent=_d(pay["veto_percent"]),
        cap_percent=_opt(pay.get("cap_percent")),
        penalties=tuple(
            s.Penalty(p["code"], _d(p["percent_of_fee"]), _d(p["amount"]))
            for p in pay.get("penalties", ())
        ),
    )
    veto = s.VetoRule(s.VetoMode(snapshot["veto"]["mode"]), _d(snapshot["veto"]["score"]))
    return s.Scheme(components, bands, payment, veto)


def sensory_method(config: Mapping[str, Any]) -> s.SensoryMethod:
    default = s.SensoryMethod()
    coefficients = config.get("coefficients")
    return s.SensoryMethod(
        coefficients=tuple(_d(k) for k in coefficients) if coefficients else default.coefficients,
        max_rating=int(config.get("max_rating", default.max_rating)),
    )


def case_rule(config: Mapping[str, Any]) -> s.CasePerformanceRule:
    """The §1.7 formula with any parameter overridden by the component's config."""
    default = s.CasePerformanceRule()
    bands = config.get("volume_bands")
    return s.CasePerformanceRule(
        volume_bands=(
            tuple(s.VolumeBand(int(b[0]), _d(b[1])) for b in bands)
            if bands is not None
            else default.volume_bands
        ),
        volume_else=_d(config.get("volume_else", default.volume_else)),
        closure_weight=_d(config.get("closure_weight", default.closure_weight)),
        on_time_weight=_d(config.get("on_time_weight", default.on_time_weight)),
        rework_weight=_d(config.get("rework_weight", default.rework_weight)),
        overdue_item=str(config.get("overdue_item", default.overdue_item)),
        complaint_item=str(config.get("complaint_item", default.complaint_item)),
    )


def component_inputs_json(inputs: Mapping[str, s.ComponentInput]) -> dict[str, Any]:
    return {
        code: {
            "base": None if given.base is None else str(given.base),
            "findings": {item: str(qty) for item, qty in sorted(given.findings.items())},
        }
        for code, given in sorted(inputs.items())
    }


def component_inputs(data: Mapping[str, Any]) -> dict[str, s.ComponentInput]:
    return {
        code: s.ComponentInput(
            base=_opt(given.get("base")),
            findings={item: _d(qty) for item, qty in given.get("findings", {}).items()},
        )
        for code, given in data.items()
    }


def recompute(snapshot: Mapping[str, Any], inputs: Mapping[str, Any]) -> s.Result:
    """Score stored inputs with a stored scheme snapshot (pure: no database)."""
    return s.score(
        core_scheme(snapshot),
        component_inputs(inputs["components"]),
        fee=_d(inputs["fee"]),
        penalties={code: int(n) for code, n in inputs.get("penalties", {}).items()},
    )
