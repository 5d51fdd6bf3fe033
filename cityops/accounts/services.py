"""Writes on users and memberships."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from cityops.accounts.models import Membership, Role, User
from cityops.core.audit import audit_record


@transaction.atomic
def user_ensure(
    *,
    username: str,
    password: str,
    role: Role | str,
    display_name: str = "",
    email: str = "",
    organisation: Any = None,
    street: Any = None,
    community: Any = None,
    actor: Any = None,
) -> User:
    """Create the user with this role and scope, or bring an existing one up to date.

    Idempotent: used by the demo loader and by administrators' scripts.
    """
    from cityops.accounts.roles import ADMIN_ROLES

    user, created = User.objects.get_or_create(username=username)
    user.display_name = display_name or user.display_name
    user.email = email or user.email
    user.is_staff = str(role) in ADMIN_ROLES
    user.is_superuser = str(role) == Role.SYSTEM_ADMIN
    user.set_password(password)
    user.save()
    membership, _ = Membership.objects.get_or_create(
        user=user, role=str(role), organisation=organisation, street=street, community=community
    )
    from django.contrib.auth.models import Group

    group = Group.objects.filter(name=f"role:{role}").first()
    if group is not None:
        user.groups.add(group)
    audit_record(
        code="account.created" if created else "account.updated",
        target=user,
        actor=actor,
        summary=f"{username} {role}",
        data={"role": str(role), "membership": membership.pk},
    )
    return user
