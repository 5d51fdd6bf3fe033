"""Who may see what of the staff register. Individual records are the HR officer's only
(404 for everyone else, the system administrator included: least privilege); the task force
(bureau supervisor) also sees who is blocked, masked; the mayor's office sees counts."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from cityops.accounts.access import actor_for
from cityops.accounts.models import Role
from cityops.core.errors import NotFound
from cityops.staffing.models import StaffMember

TASK_FORCE_ROLES = (Role.HR_OFFICER, Role.BUREAU_SUPERVISOR)
PROGRESS_ROLES = (*TASK_FORCE_ROLES, Role.MAYOR_VIEWER, Role.SYSTEM_ADMIN)


def _roles(user: Any) -> frozenset[str]:
    # Membership roles only: a superuser flag is not a role here (personal data, §4).
    return actor_for(user).roles


def is_hr(user: Any) -> bool:
    return Role.HR_OFFICER in _roles(user)


def sees_blocked(user: Any) -> bool:
    return bool(_roles(user).intersection(TASK_FORCE_ROLES))


def sees_progress(user: Any) -> bool:
    return bool(_roles(user).intersection(PROGRESS_ROLES))


def require_hr(user: Any) -> None:
    if not is_hr(user):
        raise NotFound("")


def require_progress(user: Any) -> None:
    if not sees_progress(user):
        raise NotFound("")


def staff_scope(user: Any) -> QuerySet[StaffMember]:
    if not is_hr(user):
        return StaffMember.objects.none()
    return StaffMember.objects.all()


def access_staff(pk: int | str, user: Any, *, for_write: bool = False) -> StaffMember:
    """The staff member ``pk`` for the HR officer (locked when writing); 404 otherwise."""
    try:
        key = int(pk)
    except (TypeError, ValueError):
        raise NotFound("") from None
    qs = staff_scope(user).select_related("unit", "batch")
    if for_write:
        qs = qs.select_for_update(of=("self",))
    member = qs.filter(pk=key).first()
    if member is None:
        raise NotFound("")
    return member
