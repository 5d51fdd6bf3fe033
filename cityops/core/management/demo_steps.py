"""The steps of ``manage.py demo_setup``, in order: the one place where demo loaders plug in.

A step is a dotted path to ``callable(context: DemoContext) -> str`` (a one-line summary).
Each step must be idempotent: ``make demo`` runs them all on every start. To add one (e.g. a
cases history), append a ``DemoStep`` here; ``--skip NAME`` then lets users leave it out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cityops.estates.demo_credit import STEP_DESCRIPTION as ESTATES_CREDIT


@dataclass(frozen=True)
class DemoContext:
    seed: int
    scale: float
    reset: bool
    progress_stream: Any
    show_progress: bool


@dataclass(frozen=True)
class DemoStep:
    name: str
    description: Promise
    run: str


DEMO_STEPS: tuple[DemoStep, ...] = (
    DemoStep("city", _("demo district"), "cityops.core.management.demo_steps.city_step"),
    DemoStep("users", _("demo users"), "cityops.accounts.demo.setup_step"),
    DemoStep("estates", _("property management"), "cityops.estates.demo.setup_step"),
    DemoStep("open311", _("Open311 demo key"), "cityops.open311.demo.setup_step"),
    DemoStep("history", _("case history"), "cityops.cases.history.demo.history_step"),
    DemoStep("estates_credit", ESTATES_CREDIT, "cityops.estates.demo_credit.credit_step"),
    DemoStep(
        "inspections",
        _("inspection plans and inspections"),
        "cityops.inspections.demo.inspections_step",
    ),
    DemoStep(
        "evaluations",
        _("monthly evaluation: two months run, one published, an open appeal"),
        "cityops.evaluations.demo_run.evaluations_step",
    ),
)


def city_step(context: DemoContext) -> str:
    from cityops.registry.demo.cli import describe, load_with_progress

    summary = load_with_progress(
        seed=context.seed,
        scale=context.scale,
        reset=context.reset,
        stream=context.progress_stream,
        show=context.show_progress,
    )
    return describe(summary)
