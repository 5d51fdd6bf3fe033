"""manage.py demo_setup: refuses without DEBUG, loads the district and one user per role."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import QuerySet
from django.utils import translation

from cityops.accounts.demo import ACCOUNTS, DEMO_PASSWORD, demo_logins
from cityops.accounts.models import Membership, Role, User
from cityops.core.management.demo_steps import demo_steps
from cityops.registry import models as m
from cityops.registry.demo import names

MINE = ("city", "users")
# Steps added by other apps are tested by those apps; these tests cover city and users.
OTHERS = [arg for step in demo_steps() if step.name not in MINE for arg in ("--skip", step.name)]
SMALL = ("--scale", "0.1", "--no-progress")
DEMO_USERS = [a.username for a in ACCOUNTS]


def run(*args: str, only_mine: bool = True) -> str:
    out = StringIO()
    extra = OTHERS if only_mine else []
    with translation.override("en"):
        call_command("demo_setup", *args, *extra, stdout=out, stderr=StringIO())
    return out.getvalue()


def demo_users() -> QuerySet[User]:
    return User.objects.filter(username__in=DEMO_USERS)


def demo_memberships() -> QuerySet[Membership]:
    return Membership.objects.filter(user__username__in=DEMO_USERS)


@pytest.mark.django_db
def test_refuses_without_debug_and_writes_nothing(settings) -> None:
    settings.DEBUG = False
    users = User.objects.count()
    with pytest.raises(CommandError, match="--force"):
        run(*SMALL)
    assert User.objects.count() == users
    assert not m.District.objects.exists()


@pytest.mark.django_db
def test_sets_up_city_and_one_user_per_role_then_is_idempotent(settings) -> None:
    settings.DEBUG = True
    out = run(*SMALL)
    assert m.District.objects.filter(code=names.DISTRICT_CODE).exists()
    for account in ACCOUNTS:
        assert account.username in out
    assert DEMO_PASSWORD in out
    assert "http://127.0.0.1:8000/admin/" in out
    roles = set(demo_memberships().values_list("role", flat=True))
    assert roles == {r.value for r in Role}

    users, memberships = demo_users().count(), demo_memberships().count()
    grids = m.Grid.objects.count()
    out = run(*SMALL)
    assert "--reset" in out
    assert (demo_users().count(), demo_memberships().count(), m.Grid.objects.count()) == (
        users,
        memberships,
        grids,
    )


@pytest.mark.django_db
def test_demo_users_have_the_right_scopes(settings) -> None:
    settings.DEBUG = True
    run(*SMALL)
    admin = User.objects.get(username="demo_admin")
    assert admin.is_superuser
    assert admin.is_staff
    assert admin.check_password(DEMO_PASSWORD)
    staff = demo_memberships().filter(role=Role.OPERATOR_STAFF).select_related("organisation")
    orgs = {ms.organisation for ms in staff if ms.organisation is not None}
    operators = set(m.Organisation.objects.filter(kind=m.OrganisationKind.OPERATOR))
    assert orgs == operators  # one staff user for each operator company
    assert {o.operator_type for o in orgs} >= {"sanitation", "landscaping", "municipal", "property"}
    street = demo_memberships().get(role=Role.STREET_OFFICER).street
    community = demo_memberships().get(role=Role.COMMUNITY_OFFICER).community
    assert street is not None
    assert street.district.code == names.DISTRICT_CODE
    assert community is not None
    assert community.street_id == street.pk
    resident = demo_memberships().get(role=Role.RESIDENT)
    assert (resident.organisation, resident.street, resident.community) == (None, None, None)
    assert not User.objects.get(username="demo_resident").is_staff
    table = {row.username: row for row in demo_logins()}
    assert table["demo_street"].scope == street.name
    assert table["demo_hw1"].scope.endswith(names.SUFFIX)


@pytest.mark.django_db
def test_force_runs_without_debug_and_skip_leaves_a_step_out(settings) -> None:
    settings.DEBUG = False
    out = run(*SMALL, "--force", "--skip", "users")
    assert m.District.objects.exists()
    assert not demo_users().exists()
    assert DEMO_PASSWORD not in out
    assert "[demo users] skipped" in out
    assert {step.name for step in demo_steps()} >= {"city", "users"}


@pytest.mark.django_db
def test_users_without_the_district_is_a_clear_error(settings) -> None:
    settings.DEBUG = True
    with pytest.raises(CommandError, match="load_demo_city"):
        run(*SMALL, "--skip", "city")
    assert not demo_users().exists()


@pytest.mark.slow
@pytest.mark.django_db
def test_every_registered_step_runs_and_is_idempotent(settings) -> None:
    settings.DEBUG = True
    first = run(*SMALL, only_mine=False)
    second = run(*SMALL, only_mine=False)
    with translation.override("en"):
        labels = [f"[{step.description}]" for step in demo_steps()]
    assert all(label in first and label in second for label in labels)
    assert demo_users().count() == len(ACCOUNTS)
