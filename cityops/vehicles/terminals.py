"""The gateway's view of the vehicle register (read in the gateway's database thread)."""

from __future__ import annotations

from django.db import close_old_connections, transaction
from django.utils import timezone

from cityops.core.audit import audit_record
from cityops.vehicles.gateway import Terminal
from cityops.vehicles.models import Vehicle


class DbDirectory:
    """Terminals by SIM from ``Vehicle`` rows (reloaded periodically by the gateway)."""

    def load(self) -> dict[str, Terminal]:
        close_old_connections()
        rows = Vehicle.objects.values_list(
            "pk", "sim", "auth_code", "work_item", "work_mask", "active"
        )
        return {
            sim: Terminal(pk, sim, code, item, mask, active)
            for pk, sim, code, item, mask, active in rows
        }

    def set_auth_code(self, *, vehicle_id: int, code: str, model: str, terminal_id: str) -> None:
        """0x0100 accepted: a new authentication code for the terminal (audited)."""
        close_old_connections()
        with transaction.atomic():
            vehicle = Vehicle.objects.select_for_update().get(pk=vehicle_id)
            vehicle.auth_code = code
            vehicle.terminal_model = model[:30]
            vehicle.terminal_id = terminal_id[:30]
            vehicle.registered_at = timezone.now()
            vehicle.save(
                update_fields=[
                    "auth_code", "terminal_model", "terminal_id", "registered_at", "updated_at",
                ]
            )  # fmt: skip
            audit_record(
                code="vehicle.terminal_registered",
                target=vehicle,
                actor=None,
                summary=vehicle.plate,
                data={"model": vehicle.terminal_model, "terminal_id": vehicle.terminal_id},
            )
