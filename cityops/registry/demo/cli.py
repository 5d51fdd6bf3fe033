"""Console helpers shared by load_demo_city and demo_setup: a tqdm bar and a summary line."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from tqdm import tqdm

from cityops.core.errors import DomainError
from cityops.core.management.demo_steps import DemoContext
from cityops.registry.demo.loader import (
    PHASES,
    DemoSummary,
    demo_city_exists,
    demo_city_load,
)


def load_with_progress(
    *, seed: int, scale: float, reset: bool, stream: Any, show: bool = True
) -> DemoSummary:
    """Run the loader with a progress bar over its phases; domain errors → CommandError."""
    try:
        if demo_city_exists() and not reset:
            return DemoSummary(created=False, seed=seed, scale=scale)
        with tqdm(total=len(PHASES), file=stream, disable=not show, unit="phase") as bar:

            def progress(phase: str, label: Promise) -> None:
                bar.set_description(str(label))
                bar.update(1)

            return demo_city_load(seed=seed, scale=scale, reset=reset, progress=progress)
    except DomainError as exc:
        raise CommandError(str(exc.message)) from exc


def _counts(counts: dict[str, int]) -> str:
    """ "街道 6, 社区 32, …" with each layer's translated plural name."""
    from django.apps import apps

    # Every app's models: the delete hooks of other apps report their rows too.
    labels = {
        model._meta.model_name: str(model._meta.verbose_name_plural) for model in apps.get_models()
    }
    aliases = {"cities": "city", "districts": "district", "streets": "street"}
    aliases |= {"communities": "community", "grids": "grid", "organisations": "organisation"}
    aliases |= {"road_segments": "roadsegment", "green_spaces": "greenspace"}
    aliases |= {"compounds": "compound", "components": "component", "contracts": "contract"}
    aliases |= {"lots": "lot", "memberships": "membership"}
    return ", ".join(f"{labels.get(aliases.get(k, k), k)} {v}" for k, v in counts.items())


def describe(summary: DemoSummary) -> str:
    if not summary.created:
        return _(
            "The demo district already exists; nothing was changed (use --reset to rebuild it)."
        )
    counts = _counts(summary.counts)
    return _(
        "Demo district loaded (seed %(seed)s, scale %(scale)s) in %(seconds).1f s: %(counts)s."
    ) % {
        "seed": summary.seed,
        "scale": summary.scale,
        "seconds": summary.seconds,
        "counts": counts,
    }


def describe_deleted(summary: DemoSummary) -> str:
    counts = _counts(summary.deleted)
    return _("Deleted the previous demo district: %(counts)s.") % {"counts": counts}


def city_step(context: DemoContext) -> str:
    """``demo_setup`` step "city": the demo district, with a progress bar over its phases."""
    summary = load_with_progress(
        seed=context.seed,
        scale=context.scale,
        reset=context.reset,
        stream=context.progress_stream,
        show=context.show_progress,
    )
    return describe(summary)
