"""What each role may do in the Django admin, as data. Synced into auth Groups after migrate.

Business permissions (who may file or dispatch a case, who sees which records) live in the
domain access helpers; these groups only govern the admin back office.
"""

from __future__ import annotations

from typing import Any

from cityops.accounts.models import Role

REGISTRY_MODELS = (
    "city",
    "district",
    "street",
    "community",
    "grid",
    "organisation",
    "roadsegment",
    "greenspace",
    "componenttype",
    "component",
    "compound",
    "contract",
    "lot",
)

# role -> {app_label: {model: actions}}
ADMIN_PERMISSIONS: dict[str, dict[str, dict[str, tuple[str, ...]]]] = {
    Role.SYSTEM_ADMIN: {
        "registry": {model: ("view", "add", "change", "delete") for model in REGISTRY_MODELS},
        "accounts": {
            "user": ("view", "add", "change"),
            "membership": ("view", "add", "change", "delete"),
        },
        "core": {"auditevent": ("view",)},
    },
    Role.BUREAU_SUPERVISOR: {
        "registry": {model: ("view",) for model in REGISTRY_MODELS},
    },
    Role.MAYOR_VIEWER: {
        "registry": {model: ("view",) for model in REGISTRY_MODELS},
    },
}

# Roles whose users may open the admin site at all.
ADMIN_ROLES = frozenset(ADMIN_PERMISSIONS)


def sync_role_groups(**kwargs: Any) -> None:
    """Create one auth Group per role and give it exactly the permissions in the table."""
    from django.contrib.auth.models import Group, Permission

    for role in Role:
        group, _ = Group.objects.get_or_create(name=f"role:{role.value}")
        wanted = ADMIN_PERMISSIONS.get(role, {})
        perms: list[Permission] = []
        for app_label, models in wanted.items():
            for model, actions in models.items():
                codenames = [f"{action}_{model}" for action in actions]
                perms.extend(
                    Permission.objects.filter(
                        content_type__app_label=app_label, codename__in=codenames
                    )
                )
        group.permissions.set(perms)
