"""Project-wide fixtures: a tiny known city and the personas every permission test uses.

Operator B plays *charlie*: the one who must always be refused (404) on operator A's records.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from cityops.accounts.models import Role, User
from cityops.accounts.services import user_ensure
from cityops.registry.testing import SmallCity, build_small_city

# Property tests judge answers, never speed: a loaded CI machine (or xdist sharing the cores)
# must not fail them on "too slow" or deadlines.
# The gate (`make test`, CI) draws the same examples on every run (derandomize): a red run names a
# defect of the change under test, not one a random draw happened to find in old code that day.
# `make fuzz` searches with fresh random examples (and many more of them); whatever it finds
# becomes a fixed example (@example) or a fix, then lands through the gate.
_PROPERTY = settings(
    deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
settings.register_profile("cityops", _PROPERTY, derandomize=True)
settings.register_profile("fuzz", _PROPERTY, max_examples=500)
settings.load_profile(os.environ.get("CITYOPS_HYPOTHESIS", "cityops"))

PASSWORD = "persona-pass-123"

# Shared fixtures of the cases domain (catalogue, photos, cases per workflow state).
# (pytest allows plugins only here, at the root: each app's shared fixtures are listed.)
pytest_plugins = [
    "cityops.cases.testing",
    "cityops.core.testing_browser",
    "cityops.decisions.testing",
]


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings: None) -> None:
    """pytest-django's settings (a test database per xdist worker), each database a copy of a
    migrated template instead of a migration run of its own (cityops.core.testing_db)."""
    from cityops.core.testing_db import template_databases_install

    template_databases_install()


@pytest.fixture(autouse=True)
def _registry_version_reread() -> None:
    """Each test's first point lookup reads the registry version again: a flush between
    transactional tests sends no signal, and the index may hold the previous test's rows."""
    from cityops.registry.spatial import registry_index_expire

    registry_index_expire()


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Every test starts with an empty cache: rate-limit counters and cached lookups of one
    test never decide another's answer (the order of tests, and xdist, must not matter)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def small_city(db: None) -> SmallCity:
    return build_small_city()


@dataclass
class Personas:
    admin: User
    mayor: User
    supervisor: User
    intake_clerk: User
    shift_lead: User
    dispatcher: User
    inspector: User
    operator_a: User
    operator_b: User
    landscaper: User
    property_staff: User
    street_officer: User
    community_officer: User
    citizen: User


@pytest.fixture
def personas(small_city: SmallCity) -> Personas:
    c = small_city

    def mk(username: str, role: Role, **scope: Any) -> User:
        return user_ensure(
            username=username, password=PASSWORD, role=role, display_name=username, **scope
        )

    return Personas(
        admin=mk("admin", Role.SYSTEM_ADMIN),
        mayor=mk("mayor", Role.MAYOR_VIEWER),
        supervisor=mk("supervisor", Role.BUREAU_SUPERVISOR),
        intake_clerk=mk("clerk", Role.INTAKE_CLERK),
        shift_lead=mk("shiftlead", Role.SHIFT_LEAD),
        dispatcher=mk("dispatcher", Role.DISPATCHER),
        inspector=mk("inspector", Role.INSPECTOR),
        operator_a=mk("opa", Role.OPERATOR_STAFF, organisation=c.operator_a),
        operator_b=mk("opb", Role.OPERATOR_STAFF, organisation=c.operator_b),
        landscaper=mk("greenco", Role.OPERATOR_STAFF, organisation=c.landscaper),
        property_staff=mk("propco", Role.OPERATOR_STAFF, organisation=c.property_company),
        street_officer=mk("streetofficer", Role.STREET_OFFICER, street=c.street_west),
        community_officer=mk(
            "communityofficer", Role.COMMUNITY_OFFICER, community=c.community_east
        ),
        citizen=mk("citizen", Role.RESIDENT),
    )
