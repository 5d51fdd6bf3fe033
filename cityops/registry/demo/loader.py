"""Load, detect and delete the demo district: the one entry point used by commands and tests."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import ProtectedError, Q, RestrictedError
from django.utils.functional import Promise
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cityops.core.audit import audit_record
from cityops.core.errors import DomainError
from cityops.core.management.demo_steps import DEFAULT_SEED, demo_delete_hooks
from cityops.registry import models as m
from cityops.registry.demo import names
from cityops.registry.demo.assets import plan_assets
from cityops.registry.demo.catalogue import component_types_ensure
from cityops.registry.demo.contracts import contracts_write
from cityops.registry.demo.layout import plan_district
from cityops.registry.demo.organisations import FIXED, PROFESSIONAL_KEYS
from cityops.registry.demo.writer import (
    components_write,
    compounds_write,
    greens_write,
    roads_write,
    territory_write,
)
from cityops.registry.signals import bulk_registry_change

MAX_SCALE = 100.0


PHASES: tuple[tuple[str, Promise], ...] = (
    ("plan", gettext_lazy("planning")),
    ("territory", gettext_lazy("territory and organisations")),
    ("roads", gettext_lazy("road segments")),
    ("greens", gettext_lazy("green spaces")),
    ("compounds", gettext_lazy("compounds")),
    ("components", gettext_lazy("components")),
    ("contracts", gettext_lazy("contracts and lots")),
)


class DemoConflict(DomainError):
    """The demo district cannot be loaded or removed without touching real data."""

    status_code = 409
    code = "conflict"


@dataclass
class DemoSummary:
    created: bool
    seed: int
    scale: float
    counts: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    deleted: dict[str, int] = field(default_factory=dict)

    @property
    def seconds(self) -> float:
        return sum(self.timings.values())


def demo_district() -> m.District | None:
    """The demo district if loaded; DemoConflict if its code is taken by real data."""
    district = m.District.objects.filter(code=names.DISTRICT_CODE).first()
    if district is not None and not district.name.endswith(names.SUFFIX):
        raise DemoConflict(
            _(
                "District %(code)s (%(name)s) exists and is not demo data: the demo district "
                "is neither loaded nor removed."
            )
            % {"code": district.code, "name": district.name}
        )
    return district


def demo_city_exists() -> bool:
    return demo_district() is not None


def demo_city_load(
    *,
    seed: int = DEFAULT_SEED,
    scale: float = 1.0,
    reset: bool = False,
    actor: Any = None,
    progress: Callable[[str, Promise], None] | None = None,
) -> DemoSummary:
    """Build the demo district unless it exists (``reset`` deletes and rebuilds it).

    All or nothing: one transaction, one registry-version bump at the end.
    """
    if not 0 < scale <= MAX_SCALE:
        raise DomainError(
            _("The scale must be greater than 0 and at most %(max)s.") % {"max": MAX_SCALE},
            field="scale",
        )
    summary = DemoSummary(created=False, seed=seed, scale=scale)
    if demo_city_exists() and not reset:
        return summary  # before bulk_registry_change: a no-op must not bump the version
    with transaction.atomic(), bulk_registry_change():
        if reset:
            summary.deleted = demo_city_delete(actor=actor)
        _build(summary, progress)
        audit_record(
            code="registry.demo.loaded",
            target=m.District.objects.get(code=names.DISTRICT_CODE),
            actor=actor,
            summary=f"seed={seed} scale={scale}",
            data={"seed": seed, "scale": scale, "counts": summary.counts},
        )
    summary.created = True
    return summary


def _build(summary: DemoSummary, progress: Callable[[str, Promise], None] | None) -> None:
    clock = time.perf_counter()
    labels = dict(PHASES)

    def done(phase: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        summary.timings[phase] = now - clock
        clock = now
        if progress is not None:
            progress(phase, labels[phase])

    types = component_types_ensure()
    plan = plan_district(summary.seed, summary.scale)
    assets = plan_assets(plan, seed=summary.seed, property_companies=len(PROFESSIONAL_KEYS))
    done("plan")
    territory = territory_write(plan)
    done("territory")
    roads = roads_write(plan, territory)
    done("roads")
    greens = greens_write(assets, territory)
    done("greens")
    compounds = compounds_write(assets, territory)
    done("compounds")
    components = components_write(plan, assets, territory, types)
    done("components")
    lots = contracts_write(plan, territory, roads, greens, compounds)
    done("contracts")
    summary.counts = {
        "streets": len(territory.streets),
        "communities": len(territory.communities),
        "grids": len(territory.grids),
        "organisations": len(FIXED)
        + len(territory.orgs.street_offices)
        + len(territory.orgs.committees),
        "road_segments": len(roads),
        "green_spaces": len(greens),
        "compounds": len(compounds),
        "components": len(components),
        "lots": len(lots),
    }


def demo_city_delete(*, actor: Any = None) -> dict[str, int]:
    """Delete the demo registry in dependency order (PROTECT foreign keys come first).

    Apps whose demo rows point at the district delete them first through the hooks they
    registered (``core.management.demo_steps.demo_delete_hook_register``: memberships, case
    history, estates). Anything else that still points at demo rows stops the deletion with
    a DemoConflict and nothing is deleted.
    """
    district = demo_district()
    if district is None:
        return {}
    in_district = Q(street__district=district) | Q(community__street__district=district)
    org_q = Q(uscc__in=[s.uscc for s in FIXED]) | in_district
    prefix = names.CODE_PREFIX
    steps: list[tuple[str, Any]] = [
        ("contracts", m.Contract.objects.filter(number__startswith=prefix)),
        ("components", m.Component.objects.filter(code__startswith=names.DISTRICT_CODE)),
        ("compounds", m.Compound.objects.filter(code__startswith=prefix)),
        ("green_spaces", m.GreenSpace.objects.filter(code__startswith=prefix)),
        ("road_segments", m.RoadSegment.objects.filter(code__startswith=prefix)),
        ("grids", m.Grid.objects.filter(community__street__district=district)),
        ("organisations", m.Organisation.objects.filter(org_q)),
        ("communities", m.Community.objects.filter(street__district=district)),
        ("streets", m.Street.objects.filter(district=district)),
        ("districts", m.District.objects.filter(pk=district.pk)),
    ]
    counts: dict[str, int] = {}
    city = district.city
    district_pk = district.pk
    try:
        with transaction.atomic(), bulk_registry_change():
            for hook in demo_delete_hooks():
                counts.update(import_string(hook)(district))
            for label, queryset in steps:
                counts[label] = queryset.count()
                queryset.delete()
            if city.name.endswith(names.SUFFIX) and not city.districts.exists():
                city.delete()
                counts["cities"] = 1
            audit_record(
                code="registry.demo.deleted",
                target_type=m.District._meta.label_lower,
                target_id=district_pk,
                actor=actor,
                data=counts,
            )
    except (ProtectedError, RestrictedError) as exc:
        blockers = sorted({type(obj)._meta.label for obj in exc.args[1]})
        raise DemoConflict(
            _("Other records still use the demo district (%(models)s); nothing was deleted.")
            % {"models": ", ".join(blockers)}
        ) from exc
    return counts
