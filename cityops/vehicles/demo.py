"""Demo fleet: vehicles and work plans for the demo district's sanitation lots."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from cityops.registry.models import ComponentType, Lot, ServiceType
from cityops.vehicles.models import DEFAULT_SPEED_WINDOW, Vehicle, VehicleKind, WorkPlan

SIM_PREFIX = "1470000"  # demo terminals: 1470000 + 4 digits
FLEET = (
    VehicleKind.SWEEPER, VehicleKind.WASHER, VehicleKind.SWEEPER, VehicleKind.SPRINKLER,
    VehicleKind.COMPRESSION, VehicleKind.KITCHEN_WASTE,
)  # fmt: skip


def demo_fleet_ensure(*, per_lot: int = len(FLEET)) -> tuple[int, int]:
    """Idempotent: the same vehicles (by SIM) and plans on every run."""
    lots = list(
        Lot.objects.filter(contract__service_type=ServiceType.SANITATION)
        .select_related("contract")
        .order_by("code")
    )
    bins = ComponentType.objects.filter(minor_name__contains="垃圾").order_by("pk").first()
    vehicles = plans = 0
    with transaction.atomic():
        n = 0
        for lot in lots:
            for k in range(per_lot):
                kind = FLEET[k % len(FLEET)]
                n += 1
                _vehicle, created = Vehicle.objects.update_or_create(
                    sim=f"{SIM_PREFIX}{n:04d}",
                    defaults={
                        "plate": f"蒙G{'D' if kind == VehicleKind.COMPRESSION else 'H'}{n:04d}",
                        "kind": kind,
                        "operator_id": lot.contract.operator_id,
                        "contract": lot.contract,
                        "lot": lot,
                        "protocol_version": 2019 if n % 2 else 2013,
                    },
                )
                vehicles += created
            for kind in (VehicleKind.SWEEPER, VehicleKind.WASHER):
                low, high = DEFAULT_SPEED_WINDOW[kind]
                _plan, created = WorkPlan.objects.get_or_create(
                    lot=lot,
                    kind=kind,
                    shift="night",
                    defaults={"speed_min_kmh": low, "speed_max_kmh": high},
                )
                plans += created
            if bins is not None:
                _plan, created = WorkPlan.objects.get_or_create(
                    lot=lot,
                    kind=VehicleKind.COMPRESSION,
                    shift="day",
                    defaults={
                        "window_start": "04:00",
                        "window_end": "22:00",
                        "speed_min_kmh": 0,
                        "speed_max_kmh": 40,
                        "collection_type": bins,
                        "passes_by_grade": {},
                    },
                )
                plans += created
    return vehicles, plans


def vehicles_step(context: Any) -> str:
    vehicles, plans = demo_fleet_ensure()
    total = Vehicle.objects.filter(sim__startswith=SIM_PREFIX).count()
    return _("%(total)d demo vehicles (%(new)d new), %(plans)d new work plans") % {
        "total": total,
        "new": vehicles,
        "plans": plans,
    }


def delete_hook(district: Any) -> dict[str, int]:
    """Demo delete hook: the demo fleet and the plans of the district's lots go first."""
    from cityops.vehicles.models import Position

    ids = list(Vehicle.objects.filter(sim__startswith=SIM_PREFIX).values_list("pk", flat=True))
    positions, _by = Position.objects.filter(vehicle_id__in=ids).delete()
    vehicles, _by = Vehicle.objects.filter(pk__in=ids).delete()
    # Work plans and coverage rows go with their lots (CASCADE).
    return {"vehicles.Position": positions, "vehicles.Vehicle": vehicles}
