"""Roles: admin permission groups (synced after migrate), membership rules, actor scoping."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser, Group, Permission
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import translation

from cityops.accounts.access import actor_for
from cityops.accounts.models import Membership, Role, User
from cityops.accounts.roles import ADMIN_PERMISSIONS, REGISTRY_MODELS, sync_role_groups

pytestmark = pytest.mark.django_db


def codenames(role: Role) -> set[str]:
    group = Group.objects.get(name=f"role:{role.value}")
    return set(group.permissions.values_list("codename", flat=True))


def test_every_role_has_a_group_with_exactly_its_table_permissions() -> None:
    for role in Role:
        expected = {
            f"{action}_{model}"
            for models in ADMIN_PERMISSIONS.get(role, {}).values()
            for model, actions in models.items()
            for action in actions
        }
        assert codenames(role) == expected, role
    assert "change_grid" in codenames(Role.SYSTEM_ADMIN)
    assert codenames(Role.RESIDENT) == set()


def test_every_permission_in_the_table_exists() -> None:
    """A misspelt model in the table would silently grant nothing."""
    for role, apps in ADMIN_PERMISSIONS.items():
        for app_label, models in apps.items():
            for model, actions in models.items():
                for action in actions:
                    assert Permission.objects.filter(
                        content_type__app_label=app_label, codename=f"{action}_{model}"
                    ).exists(), (role, app_label, model, action)


def test_the_admin_table_beyond_the_registry() -> None:
    admin = codenames(Role.SYSTEM_ADMIN)
    # Catalogue and working calendar: the system admin edits everything.
    assert {"add_category", "delete_category", "change_timelimit", "add_question"} <= admin
    assert {"add_holiday", "change_swappedworkday", "change_calendaryear"} <= admin
    assert "view_calendarversion" in admin
    assert "change_calendarversion" not in admin
    assert not any(c.endswith("_scheme") for c in admin)
    supervisor = codenames(Role.BUREAU_SUPERVISOR)
    assert {f"view_{m}" for m in REGISTRY_MODELS} <= supervisor
    assert not any(c.startswith(("add_", "change_", "delete_")) and c[c.index("_") + 1 :]
                   in REGISTRY_MODELS for c in supervisor)  # fmt: skip
    # Catalogue: adjusts existing categories, never creates or deletes them.
    assert {"view_category", "change_category", "change_timelimit", "change_question"} <= supervisor
    assert not {"add_category", "delete_category"} & supervisor
    # Calendar: not the supervisor's.
    assert not any(c.endswith(("_holiday", "_swappedworkday", "_calendaryear")) for c in supervisor)
    # Evaluations: rules editable, periods / penalty records / results read only.
    assert {"add_scheme", "change_schemeitem", "delete_gradeband", "change_paymentpenalty"} <= (
        supervisor
    )
    assert "view_period" in supervisor
    assert "change_period" not in supervisor
    assert "view_evaluation" in supervisor
    assert "change_evaluation" not in supervisor
    assert "view_snowevaluation" in supervisor
    assert "change_snowevaluation" not in supervisor
    # Estates: read only, except the credit grade bands.
    assert {"view_owner", "view_proposal", "change_creditband"} <= supervisor
    assert not {"change_owner", "change_ballot", "view_ballot"} & supervisor
    # Assessment and inspection rules: the supervisor changes them; inspection records read only.
    assert {"change_assessmentrules", "change_rankingrule"} <= supervisor
    assert {"change_inspectionsettings", "change_snowdeadline"} <= supervisor
    assert {
        "view_inspection",
        "view_finding",
        "view_snowevent",
        "view_inspectionplan",
    } <= supervisor
    assert not {"add_assessmentrules", "delete_rankingrule", "delete_snowdeadline"} & supervisor
    assert not {"change_inspection", "change_finding", "change_snowevent"} & supervisor
    assert not {"change_assessmentrules", "view_inspection"} & admin
    assert codenames(Role.MAYOR_VIEWER) == {f"view_{m}" for m in REGISTRY_MODELS}


def test_migrate_restores_drifted_groups() -> None:
    group = Group.objects.get(name="role:bureau_supervisor")
    group.permissions.clear()
    Group.objects.get(name="role:resident").delete()
    call_command("migrate", verbosity=0)
    expected = {
        f"{action}_{model}"
        for models in ADMIN_PERMISSIONS[Role.BUREAU_SUPERVISOR].values()
        for model, actions in models.items()
        for action in actions
    }
    assert codenames(Role.BUREAU_SUPERVISOR) == expected
    assert Group.objects.filter(name="role:resident").exists()


def test_sync_is_idempotent() -> None:
    before = {g.name: set(g.permissions.values_list("pk", flat=True)) for g in Group.objects.all()}
    sync_role_groups()
    sync_role_groups()
    after = {g.name: set(g.permissions.values_list("pk", flat=True)) for g in Group.objects.all()}
    assert before == after


def test_personas_get_their_admin_rights(personas: Any) -> None:
    supervisor = User.objects.get(pk=personas.supervisor.pk)
    assert supervisor.is_staff
    assert not supervisor.is_superuser
    assert supervisor.has_perm("registry.view_grid")
    assert not supervisor.has_perm("registry.change_grid")
    assert not supervisor.has_perm("accounts.view_user")
    assert supervisor.has_perm("cases.change_timelimit")
    assert not supervisor.has_perm("cases.add_category")
    assert supervisor.has_perm("evaluations.change_scheme")
    assert supervisor.has_perm("evaluations.change_rankingrule")
    assert supervisor.has_perm("inspections.change_snowdeadline")
    assert supervisor.has_perm("inspections.view_inspection")
    assert not supervisor.has_perm("inspections.change_inspection")
    assert not supervisor.has_perm("workcal.change_holiday")
    assert personas.admin.is_superuser
    operator = User.objects.get(pk=personas.operator_a.pk)
    assert not operator.is_staff
    assert not operator.has_perm("registry.view_grid")


# --- Membership rules ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "field", "message"),
    [
        (Role.OPERATOR_STAFF, "organisation", "作业单位人员必须隶属于一家作业单位。"),
        (Role.STREET_OFFICER, "street", "街道工作人员必须指定所属街道。"),
        (Role.COMMUNITY_OFFICER, "community", "社区工作人员必须指定所属社区。"),
    ],
)
def test_scoped_roles_need_their_scope(
    small_city: Any, role: Role, field: str, message: str
) -> None:
    user = User.objects.create(username="someone")
    with pytest.raises(ValidationError) as raised:
        Membership(user=user, role=role).clean()
    with translation.override("zh-hans"):
        assert raised.value.message_dict == {field: [message]}
    scope = {
        "organisation": small_city.operator_a,
        "street": small_city.street_west,
        "community": small_city.community_west,
    }[field]
    Membership(user=user, role=role, **{field: scope}).full_clean()


def test_city_wide_roles_need_no_scope() -> None:
    user = User.objects.create(username="someone")
    for role in (Role.DISPATCHER, Role.INSPECTOR, Role.BUREAU_SUPERVISOR, Role.RESIDENT):
        Membership(user=user, role=role).full_clean()


# --- Actor scoping ------------------------------------------------------------------------


def test_anonymous_actor_has_no_scope() -> None:
    for user in (None, AnonymousUser()):
        actor = actor_for(user)
        assert actor.user_id is None
        assert not actor.roles
        assert not actor.is_city_wide
        assert not actor.has_role(Role.RESIDENT)


def test_operator_staff_are_scoped_to_their_organisation(personas: Any, small_city: Any) -> None:
    actor = actor_for(User.objects.get(pk=personas.operator_a.pk))
    assert actor.roles == {Role.OPERATOR_STAFF}
    assert actor.organisation_ids == {small_city.operator_a.pk}
    assert not actor.street_ids
    assert not actor.community_ids
    assert actor.has_role(Role.OPERATOR_STAFF)
    assert not actor.has_role(Role.DISPATCHER)
    assert not actor.is_city_wide


def test_territorial_officers_are_scoped_to_their_territory(personas: Any, small_city: Any) -> None:
    street = actor_for(User.objects.get(pk=personas.street_officer.pk))
    assert street.street_ids == {small_city.street_west.pk}
    assert not street.is_city_wide
    community = actor_for(User.objects.get(pk=personas.community_officer.pk))
    assert community.community_ids == {small_city.community_east.pk}
    assert not community.is_city_wide


def test_command_centre_roles_and_superusers_are_city_wide(personas: Any) -> None:
    for user in (personas.dispatcher, personas.supervisor, personas.mayor, personas.inspector):
        assert actor_for(User.objects.get(pk=user.pk)).is_city_wide
    admin = actor_for(User.objects.get(pk=personas.admin.pk))
    assert admin.is_superuser
    assert admin.has_role(Role.OPERATOR_STAFF)
    assert admin.is_city_wide


def test_memberships_add_up_and_inactive_ones_do_not_count(personas: Any, small_city: Any) -> None:
    Membership.objects.create(
        user=personas.operator_a, role=Role.COMMUNITY_OFFICER, community=small_city.community_west
    )
    Membership.objects.create(
        user=personas.operator_a,
        role=Role.OPERATOR_STAFF,
        organisation=small_city.operator_b,
        active=False,
    )
    actor = actor_for(User.objects.get(pk=personas.operator_a.pk))
    assert actor.roles == {Role.OPERATOR_STAFF, Role.COMMUNITY_OFFICER}
    assert actor.organisation_ids == {small_city.operator_a.pk}
    assert actor.community_ids == {small_city.community_west.pk}

    Membership.objects.filter(user=personas.operator_a).update(active=False)
    assert actor_for(User.objects.get(pk=personas.operator_a.pk)).roles == frozenset()


def test_actor_is_read_once_per_user_object(personas: Any, django_assert_num_queries: Any) -> None:
    user = User.objects.get(pk=personas.operator_a.pk)
    with django_assert_num_queries(1):
        first = actor_for(user)
    with django_assert_num_queries(0):
        assert actor_for(user) is first
