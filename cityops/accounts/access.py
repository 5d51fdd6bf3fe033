"""Who the acting user is, in domain terms. Every selector scopes its query through these."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cityops.accounts.models import Membership, Role


@dataclass(frozen=True)
class Actor:
    """The roles and scopes of one user, read once per request."""

    user_id: int | None
    roles: frozenset[str] = frozenset()
    organisation_ids: frozenset[int] = frozenset()
    street_ids: frozenset[int] = frozenset()
    community_ids: frozenset[int] = frozenset()
    is_superuser: bool = False
    memberships: tuple[Membership, ...] = field(default=(), compare=False, repr=False)

    def has_role(self, *roles: str) -> bool:
        return self.is_superuser or bool(self.roles.intersection(roles))

    @property
    def is_city_wide(self) -> bool:
        """Roles that see the whole district (command centre, supervisors, mayor's office)."""
        return self.has_role(
            Role.SYSTEM_ADMIN,
            Role.MAYOR_VIEWER,
            Role.BUREAU_SUPERVISOR,
            Role.INTAKE_CLERK,
            Role.SHIFT_LEAD,
            Role.DISPATCHER,
            Role.INSPECTOR,
        )


def actor_for(user: Any) -> Actor:
    if user is None or not getattr(user, "is_authenticated", False):
        return Actor(user_id=None)
    cached = getattr(user, "_cityops_actor", None)
    if isinstance(cached, Actor):
        return cached
    memberships = tuple(Membership.objects.filter(user_id=user.pk, active=True))
    actor = Actor(
        user_id=user.pk,
        roles=frozenset(ms.role for ms in memberships),
        organisation_ids=frozenset(ms.organisation_id for ms in memberships if ms.organisation_id),
        street_ids=frozenset(ms.street_id for ms in memberships if ms.street_id),
        community_ids=frozenset(ms.community_id for ms in memberships if ms.community_id),
        is_superuser=bool(user.is_superuser),
        memberships=memberships,
    )
    user._cityops_actor = actor
    return actor


def operator_staff(organisation_id: int) -> list[Any]:
    """The active operator staff of one organisation (who hears of its alarms, appeals, …)."""
    from django.contrib.auth import get_user_model

    ids = Membership.objects.filter(
        role=Role.OPERATOR_STAFF, organisation_id=organisation_id, active=True,
        user__is_active=True,
    ).values("user_id")  # fmt: skip
    return list(get_user_model().objects.filter(pk__in=ids))
