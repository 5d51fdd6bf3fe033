"""Turn a stored tally (``Proposal.result``) into translated, printable steps."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

STEP_LABELS: dict[str, Promise] = {
    "quorum_area": _("Participation by area (participating area / total area)"),
    "quorum_owners": _("Participation by owners (participating owners / all owners)"),
    "approval_area": _("Approval by area (agreeing area / participating area)"),
    "approval_owners": _("Approval by owners (agreeing owners / participating owners)"),
}
REASONS: dict[str, Promise] = {
    "passed": _("Passed: participation and approval both reached."),
    "no_owners": _("Not passed: the register has no owners or no area."),
    "quorum_not_met": _("Not passed: too few owners took part."),
    "approval_not_met": _("Not passed: too few participants agreed."),
}


@dataclass(frozen=True)
class StepLine:
    label: str
    numerator: str
    denominator: str
    percent: str
    rule: str
    met: bool


def _percent(share: Fraction) -> str:
    value = Decimal(share.numerator) / Decimal(share.denominator) * 100
    return f"{value.quantize(Decimal('0.01'))}%"


def step_lines(result: dict[str, Any]) -> list[StepLine]:
    lines = []
    for step in result.get("steps", []):
        threshold = step["threshold"]
        op = "≥" if threshold["inclusive"] else ">"
        lines.append(
            StepLine(
                label=str(STEP_LABELS.get(step["code"], step["code"])),
                numerator=step["numerator"],
                denominator=step["denominator"],
                percent=_percent(Fraction(step["share"])),
                rule=f"{op} {threshold['fraction']}",
                met=bool(step["met"]),
            )
        )
    return lines


def reason_text(result: dict[str, Any]) -> str:
    return str(REASONS.get(result.get("reason", ""), ""))
