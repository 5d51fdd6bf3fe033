"""Who may see which case. Every read and write of one case starts with ``access_case``.

- Command centre, inspectors, supervisors and the mayor's office see every case.
- Operator staff (and department staff) see the cases currently dispatched to their unit.
- Street / community officers see the cases in their territory.
- Residents see the cases they reported themselves (and only their public fields).
Anything else is "not found" (404), never "forbidden": a case's existence is not revealed.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from cityops.accounts.access import Actor, actor_for
from cityops.accounts.models import Role
from cityops.cases.models import Case
from cityops.core.errors import NotFound

# Roles that may see the reporter's full name and phone (each reveal is audited).
REVEAL_ROLES: tuple[str, ...] = (Role.INTAKE_CLERK, Role.SHIFT_LEAD, Role.DISPATCHER)


def case_scope_q(actor: Actor) -> Q | None:
    """A filter for the cases the actor may see; None means every case."""
    if actor.user_id is None:
        return Q(pk__in=[])
    if actor.is_city_wide:
        return None
    q = Q(pk__in=[])
    if actor.has_role(Role.OPERATOR_STAFF) and actor.organisation_ids:
        q |= Q(assignee_id__in=actor.organisation_ids)
    if actor.has_role(Role.STREET_OFFICER) and actor.street_ids:
        q |= Q(street_id__in=actor.street_ids)
    if actor.has_role(Role.COMMUNITY_OFFICER) and actor.community_ids:
        q |= Q(community_id__in=actor.community_ids)
    if actor.has_role(Role.RESIDENT):
        q |= Q(reported_by_id=actor.user_id)
    return q


def cases_visible_to(user: Any) -> QuerySet[Case]:
    q = case_scope_q(actor_for(user))
    qs = Case.objects.all()
    return qs if q is None else qs.filter(q)


def access_case(case_id: int, user: Any, *, for_write: bool = False) -> Case:
    """The case if the user may see it, locked (``select_for_update``) when ``for_write``.

    Call ``for_write=True`` inside ``transaction.atomic``.
    """
    qs = cases_visible_to(user).select_related("category")
    if for_write:
        qs = qs.select_for_update(of=("self",))
    try:
        # .get() rather than .first(): no ORDER BY to compile or run for a primary-key lookup.
        return qs.get(pk=case_id)
    except (Case.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("Case not found.")) from None


def is_public_viewer(user: Any) -> bool:
    """Residents see only the public fields of their own reports."""
    actor = actor_for(user)
    return actor.roles == frozenset({Role.RESIDENT}) and not actor.is_superuser


def may_reveal_reporter(user: Any) -> bool:
    return actor_for(user).has_role(*REVEAL_ROLES)
