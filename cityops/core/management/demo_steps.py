"""The steps of ``manage.py demo_setup``: each app registers its own in ``AppConfig.ready``.

A step is ``callable(context: DemoContext) -> str`` (a one-line summary), named by a dotted
path so that registering imports nothing heavy. Each step must be idempotent: ``make demo``
runs them all on every start, in the order of their ``order`` number (the district first, the
evaluations last); ``--skip NAME`` lets users leave one out. To add one, call
``demo_step_register(DemoStep(...))`` in the app's ``ready()``.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _

DEFAULT_SEED = 2026  # the demo district, its users and its history are all drawn from it


def scale_value(value: str) -> float:
    """``--scale`` of the demo commands: a number (the loader checks its range)."""
    try:
        return float(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            _("The scale must be a number, not %(value)r.") % {"value": value}
        ) from exc


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
    order: int


_STEPS: dict[str, DemoStep] = {}


def demo_step_register(step: DemoStep) -> None:
    """Add an app's step (idempotent: registering the same name again replaces it)."""
    _STEPS[step.name] = step


def demo_steps() -> tuple[DemoStep, ...]:
    """Every registered step, in running order."""
    return tuple(sorted(_STEPS.values(), key=lambda step: (step.order, step.name)))


_DELETE_HOOKS: dict[str, int] = {}


def demo_delete_hook_register(path: str, *, order: int) -> None:
    """An app whose demo rows point at the demo district registers how to delete them.

    ``path`` names ``hook(district) -> dict[str, int]`` (rows deleted per label); the registry's
    ``demo_city_delete`` runs every hook, lowest ``order`` first, before it deletes the district.
    """
    _DELETE_HOOKS[path] = order


def demo_delete_hooks() -> tuple[str, ...]:
    return tuple(sorted(_DELETE_HOOKS, key=lambda path: (_DELETE_HOOKS[path], path)))


@dataclass(frozen=True)
class DemoTable:
    """A table ``demo_setup`` prints at the end (e.g. the demo logins)."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    note: str = ""


_TABLES: dict[str, int] = {}


def demo_table_register(path: str, *, order: int) -> None:
    """``path`` names ``table() -> DemoTable | None``, printed after the steps."""
    _TABLES[path] = order


def demo_tables() -> tuple[str, ...]:
    return tuple(sorted(_TABLES, key=lambda path: (_TABLES[path], path)))
