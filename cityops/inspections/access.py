"""Who may see and do what with inspections; every query is scoped through here.

Supervisors (bureau supervisor, system administrator) and the mayor's office see all
inspections; inspectors see the ones assigned to them; operators see only *submitted*
inspections of their own contracts, so an unannounced inspection (暗查) stays invisible to them
until it is submitted. Anything else is a 404.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from cityops.accounts.access import actor_for
from cityops.accounts.models import Role
from cityops.core.errors import NotFound, PermissionDenied
from cityops.inspections.models import Inspection, Status

SUPERVISOR_ROLES = (Role.BUREAU_SUPERVISOR, Role.SYSTEM_ADMIN)
READ_ALL_ROLES = (*SUPERVISOR_ROLES, Role.MAYOR_VIEWER)


def is_supervisor(user: Any) -> bool:
    return actor_for(user).has_role(*SUPERVISOR_ROLES)


def require_supervisor(user: Any) -> None:
    if not is_supervisor(user):
        raise PermissionDenied(_("Only an inspection supervisor may do this."))


def require_inspector(user: Any) -> None:
    if not actor_for(user).has_role(Role.INSPECTOR, *SUPERVISOR_ROLES):
        raise PermissionDenied(_("Only inspectors may do this."))


def inspections_visible_to(user: Any) -> QuerySet[Inspection]:
    actor = actor_for(user)
    qs = Inspection.objects.all()
    if actor.user_id is None:
        return qs.none()
    if actor.has_role(*READ_ALL_ROLES):
        return qs
    scope = Q(pk__in=[])
    if actor.has_role(Role.INSPECTOR):
        scope |= Q(inspector_id=actor.user_id)
    if actor.has_role(Role.OPERATOR_STAFF) and actor.organisation_ids:
        scope |= Q(status=Status.SUBMITTED, contract__operator_id__in=actor.organisation_ids)
    return qs.filter(scope)


def access_inspection(inspection_id: Any, user: Any, *, for_write: bool = False) -> Inspection:
    """The inspection if the user may see it, locked when ``for_write`` (inside atomic)."""
    qs = inspections_visible_to(user)
    if for_write:
        qs = qs.select_for_update(of=("self",))
    try:
        return qs.get(pk=int(inspection_id))
    except (Inspection.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("Inspection not found.")) from None


def may_edit(inspection: Inspection, user: Any) -> bool:
    """The assigned inspector (or a supervisor) until the inspection is submitted."""
    if inspection.is_submitted:
        return False
    actor = actor_for(user)
    return is_supervisor(user) or (
        actor.has_role(Role.INSPECTOR) and inspection.inspector_id == actor.user_id
    )
