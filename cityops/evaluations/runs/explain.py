"""The explanation of a score in the reader's language: one sentence per stored step.

Steps are stored as codes and numbers (``scoring.Step``), never as text, so that an evaluation
computed once reads in Chinese or English alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

TEMPLATES: dict[str, Promise] = {
    "component.base": _("%(subject)s: starts from %(base)s points."),
    "item.per_occurrence": _("%(subject)s: %(quantity)s occurrence(s) × %(points)s = %(raw)s."),
    "item.per_m2": _("%(subject)s: %(quantity)s m² × %(points)s = %(raw)s."),
    "item.per_day_late": _("%(subject)s: %(quantity)s day(s) late × %(points)s = %(raw)s."),
    "item.capped": _("%(subject)s: capped at %(cap)s points."),
    "item.veto": _("%(subject)s is a veto item (一票否决)."),
    "component.score": _("%(subject)s: minus %(deductions)s, floored at 0 → %(score)s."),
    "component.missing.reweight": _(
        "%(subject)s: no input this month; its weight is shared by the other components."
    ),
    "component.missing.full": _("%(subject)s: no input this month; counted as full marks."),
    "component.missing.zero": _("%(subject)s: no input this month; counted as zero."),
    "component.weighted": _(
        "%(subject)s: %(score)s / %(max)s × weight %(weight)s %% = %(contribution)s."
    ),
    "scheme.total": _("Total score: %(score)s."),
    "veto.grade_only": _("Veto by %(subject)s: score %(score)s stands, grade %(grade)s."),
    "veto.cap": _("Veto by %(subject)s: score capped at %(score)s, grade %(grade)s."),
    "veto.zero": _("Veto by %(subject)s: score 0, grade %(grade)s."),
    "grade": _("Score %(score)s ≥ %(min)s: grade %(subject)s."),
    "payment.points_below": _(
        "%(below)s point(s) below the pass mark %(pass_mark)s × %(percent)s %% of the fee"
        " = %(amount)s CNY."
    ),
    "payment.penalty": _(
        "%(subject)s: %(count)s × (%(percent)s %% of the fee + %(fixed)s CNY) = %(amount)s CNY."
    ),
    "payment.veto": _("Veto: %(amount)s CNY deducted."),
    "payment.capped": _("Deductions of %(total)s CNY capped at %(cap)s CNY."),
    "payment.payable": _("Fee %(fee)s − deduction %(deduction)s = %(payable)s CNY payable."),
    "sensory.section": _(
        "Sample section: %(ratings)s rating(s) on %(sides)s side(s), C1–C4 = %(means)s → %(score)s."
    ),
    "sensory.month": _("Sensory score, mean of %(sections)s section(s): %(score)s."),
    "cases.formula": _(
        "Cases: volume (%(filed)s filed) %(volume)s + closure %(closure)s %% + on time"
        " %(on_time)s %% + rework %(rework)s %% → %(base)s."
    ),
}


def step_template_register(code: str, template: Promise) -> None:
    """Another app's step template (e.g. the vehicles app's measured findings), registered in
    its ``AppConfig.ready``."""
    TEMPLATES[code] = template


def describe_step(step: Mapping[str, Any]) -> str:
    template = TEMPLATES.get(step["code"])
    values = {"subject": step.get("subject", ""), **step.get("values", {})}
    if template is None:
        return f"{step['code']} {values}"
    return str(template) % values
