"""Who may see which case. Every read and write of one case starts with ``access_case``.

- Command centre, inspectors, supervisors and the mayor's office see every case.
- Operator staff (and department staff) see the cases currently dispatched to their unit.
- Street / community officers see the cases in their territory.
- Residents see the cases they reported themselves (and only their public fields).
Anything else is "not found" (404), never "forbidden": a case's existence is not revealed.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any, NamedTuple

from django.core.exceptions import EmptyResultSet
from django.db import router
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from cityops.accounts.access import Actor, actor_for
from cityops.accounts.models import Role
from cityops.cases.models import Case
from cityops.core.errors import NotFound
from cityops.core.ormfast import PreparedGet
from cityops.core.planner import Likely

# Roles that may see the reporter's full name and phone (each reveal is audited).
REVEAL_ROLES: tuple[str, ...] = (Role.INTAKE_CLERK, Role.SHIFT_LEAD, Role.DISPATCHER)


# The share of the case table a scope holds, for the planner (``core.planner``): a unit
# handles a part of the city's cases, a resident a handful of them. (A street's or community's
# share is what the planner's own statistics say: their values are evenly spread.)
UNIT_SHARE = 0.1
OWN_REPORTS_SHARE = 0.0001


def case_scope_q(actor: Actor) -> Q | None:
    """A filter for the cases the actor may see; None means every case."""
    if actor.user_id is None:
        return Q(pk__in=[])
    if actor.is_city_wide:
        return None
    q = Q(pk__in=[])
    if actor.has_role(Role.OPERATOR_STAFF) and actor.organisation_ids:
        q |= Q(Likely(Q(assignee_id__in=actor.organisation_ids), UNIT_SHARE))
    if actor.has_role(Role.STREET_OFFICER) and actor.street_ids:
        q |= Q(street_id__in=actor.street_ids)
    if actor.has_role(Role.COMMUNITY_OFFICER) and actor.community_ids:
        q |= Q(community_id__in=actor.community_ids)
    if actor.has_role(Role.RESIDENT):
        q |= Q(Likely(Q(reported_by_id=actor.user_id), OWN_REPORTS_SHARE))
    return q


def cases_visible_to(user: Any) -> QuerySet[Case]:
    q = case_scope_q(actor_for(user))
    qs = Case.objects.all()
    return qs if q is None else qs.filter(q)


_DEFERRED_ON_WRITE = ("reporter_name", "reporter_phone")


class _AccessKey(NamedTuple):
    for_write: bool
    q: Q | None  # the actor's scope (Q objects hash and compare by content)


def _build_access(alias: str, key: Hashable) -> QuerySet[Case]:
    assert isinstance(key, _AccessKey)
    for_write, q = key
    qs = Case.objects.using(alias).select_related("category")
    if q is not None:
        qs = qs.filter(q)
    if for_write:
        # Writers never need the reporter's encrypted fields (two decryptions per open);
        # reading one later on the returned case loads it then.
        qs = qs.select_for_update(of=("self",)).defer(*_DEFERRED_ON_WRITE)
    return qs


# ``access_case`` queries compiled once per database, lock mode and scope (core.ormfast): a
# case is opened by every transition, and compiling the ORM query cost more than running it.
_ACCESS = PreparedGet(_build_access)


def access_case(case_id: int, user: Any, *, for_write: bool = False) -> Case:
    """The case (with its category) if the user may see it, locked when ``for_write``.

    Call ``for_write=True`` inside ``transaction.atomic``. The query is the ORM's, compiled
    once per scope and reused with the new primary key (same SQL, same row mapping). A case
    opened for writing has its encrypted reporter fields deferred (loaded when first read).
    """
    try:
        pk = int(case_id)
    except (ValueError, TypeError):
        raise NotFound(_("Case not found.")) from None
    q = case_scope_q(actor_for(user))
    alias = router.db_for_write(Case) if for_write else router.db_for_read(Case)
    try:
        case = _ACCESS.get(alias, _AccessKey(for_write, q), pk)
    except EmptyResultSet:  # a scope that matches nothing (anonymous, no scope at all)
        raise NotFound(_("Case not found.")) from None
    if case is None:
        raise NotFound(_("Case not found."))
    return case


def is_public_viewer(user: Any) -> bool:
    """Residents see only the public fields of their own reports."""
    actor = actor_for(user)
    return actor.roles == frozenset({Role.RESIDENT}) and not actor.is_superuser


def may_reveal_reporter(user: Any) -> bool:
    return actor_for(user).has_role(*REVEAL_ROLES, Role.SYSTEM_ADMIN)


def reveal_needs_purpose(user: Any) -> bool:
    """The system administrator (and a superuser) has no case work that needs the reporter:
    a reveal is allowed only with a stated purpose, which the audit event keeps."""
    actor = actor_for(user)
    return actor.is_superuser or not actor.roles.intersection(REVEAL_ROLES)
