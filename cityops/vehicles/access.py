"""Who sees which vehicles: the command centre and supervisors all, an operator's staff only
their own organisation's; anyone else nothing (404, never a hint that a vehicle exists)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from cityops.accounts.access import actor_for
from cityops.accounts.models import Role
from cityops.core.errors import NotFound
from cityops.vehicles.models import Vehicle

READ_ALL_ROLES = (
    Role.SYSTEM_ADMIN, Role.MAYOR_VIEWER, Role.BUREAU_SUPERVISOR, Role.DISPATCHER,
    Role.SHIFT_LEAD, Role.INSPECTOR,
)  # fmt: skip


def may_see_vehicles(user: Any) -> bool:
    actor = actor_for(user)
    return actor.has_role(*READ_ALL_ROLES) or (
        actor.has_role(Role.OPERATOR_STAFF) and bool(actor.organisation_ids)
    )


def vehicles_visible_to(user: Any) -> QuerySet[Vehicle]:
    actor = actor_for(user)
    if actor.has_role(*READ_ALL_ROLES):
        return Vehicle.objects.all()
    if actor.has_role(Role.OPERATOR_STAFF) and actor.organisation_ids:
        return Vehicle.objects.filter(operator_id__in=actor.organisation_ids)
    return Vehicle.objects.none()


def access_vehicle(vehicle_id: int, user: Any) -> Vehicle:
    vehicle = vehicles_visible_to(user).filter(pk=vehicle_id).first()
    if vehicle is None:
        raise NotFound("vehicle")
    return vehicle
