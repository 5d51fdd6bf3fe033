"""Who sees which vehicles: the command centre and supervisors all, an operator's staff only
their own organisation's; anyone else nothing (404, never a hint that a vehicle exists)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from cityops.accounts.access import actor_for
from cityops.accounts.models import Role
from cityops.core.errors import NotFound
from cityops.vehicles.models import Alarm, Vehicle

READ_ALL_ROLES = (
    Role.SYSTEM_ADMIN, Role.MAYOR_VIEWER, Role.BUREAU_SUPERVISOR, Role.DISPATCHER,
    Role.SHIFT_LEAD, Role.INSPECTOR,
)  # fmt: skip


def may_acknowledge(user: Any) -> bool:
    from cityops.vehicles.transitions import ACKNOWLEDGERS

    return actor_for(user).has_role(*ACKNOWLEDGERS)


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


def alarms_visible_to(user: Any) -> QuerySet[Alarm]:
    """The command centre sees every alarm, an operator's staff their organisation's."""
    actor = actor_for(user)
    if actor.has_role(*READ_ALL_ROLES):
        return Alarm.objects.all()
    if actor.has_role(Role.OPERATOR_STAFF) and actor.organisation_ids:
        return Alarm.objects.filter(operator_id__in=actor.organisation_ids)
    return Alarm.objects.none()


def access_alarm(alarm_id: int, user: Any, *, for_write: bool = False) -> Alarm:
    """The alarm if ``user`` may see it (locked for a write), else 404."""
    qs = alarms_visible_to(user).filter(pk=alarm_id)
    if for_write:
        qs = qs.select_for_update()
    alarm = qs.first()
    if alarm is None:
        raise NotFound("alarm")
    return alarm
