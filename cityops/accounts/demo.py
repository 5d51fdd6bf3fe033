"""Demo users: one per role, scoped to the demo district, all with the public DEMO_PASSWORD.

Operator staff get one user per demo operator company (sanitation, landscaping, municipal,
property); the street officer is scoped to the first demo street and the community officer
to the first community of that street. ``demo_users_ensure`` is idempotent (user_ensure).
The password is public, so ``demo_setup`` refuses to run outside DEBUG unless forced.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from cityops.accounts.models import Membership, Role, User
from cityops.accounts.services import user_ensure
from cityops.core.errors import DomainError
from cityops.core.management.demo_steps import DemoTable
from cityops.registry import models as rm
from cityops.registry.demo import names
from cityops.registry.demo.loader import demo_district
from cityops.registry.demo.organisations import FIXED, OPERATORS

DEMO_PASSWORD = "cityops-demo"  # noqa: S105  (public on purpose: printed by demo_setup)
PREFIX = "demo_"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: Role
    display_name: str
    operator_key: str = ""  # organisation (OrgSpec.key) for operator staff and unit liaisons
    scope: str = ""  # "street" / "community" for territorial officers


ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("demo_admin", Role.SYSTEM_ADMIN, "系统管理员"),
    DemoAccount("demo_mayor", Role.MAYOR_VIEWER, "市领导"),
    DemoAccount("demo_supervisor", Role.BUREAU_SUPERVISOR, "城管局督查科"),
    DemoAccount("demo_clerk", Role.INTAKE_CLERK, "受理员"),
    DemoAccount("demo_shiftlead", Role.SHIFT_LEAD, "值班长"),
    DemoAccount("demo_dispatcher", Role.DISPATCHER, "派遣员"),
    DemoAccount("demo_inspector", Role.INSPECTOR, "监督员"),
    *(
        DemoAccount(
            f"{PREFIX}{spec.key}",
            Role.OPERATOR_STAFF,
            spec.short_name.removesuffix(names.SUFFIX) + "员工",
            operator_key=spec.key,
        )
        for spec in OPERATORS
    ),
    DemoAccount("demo_street", Role.STREET_OFFICER, "街道干部", scope="street"),
    DemoAccount("demo_community", Role.COMMUNITY_OFFICER, "社区干部", scope="community"),
    DemoAccount("demo_resident", Role.RESIDENT, "居民"),
    DemoAccount("demo_hr", Role.HR_OFFICER, "人社专员"),
    DemoAccount("demo_hr2", Role.HR_OFFICER, "人社复核员"),
    DemoAccount("demo_procurement", Role.PROCUREMENT_OFFICER, "采购专员"),
    # Decisions of the mayor's office (cityops.decisions): the 督查室 and the units' liaisons.
    DemoAccount("demo_duchashi", Role.SUPERVISION_SECTION, "市政府督查室"),
    DemoAccount("demo_liaison_housing", Role.UNIT_LIAISON, "住建局联络员", operator_key="housing"),
    DemoAccount("demo_liaison_urban", Role.UNIT_LIAISON, "城管局联络员", operator_key="urban"),
    DemoAccount(
        "demo_liaison_sanitation", Role.UNIT_LIAISON, "环卫处联络员", operator_key="sanitation_dept"
    ),
)


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    scope: str
    password: str


def _scope(account: DemoAccount, district: rm.District) -> dict[str, Any]:
    if account.operator_key:
        uscc = next(s.uscc for s in FIXED if s.key == account.operator_key)
        return {"organisation": rm.Organisation.objects.get(uscc=uscc)}
    street = rm.Street.objects.filter(district=district).order_by("code").first()
    if account.scope == "street":
        return {"street": street}
    if account.scope == "community":
        return {"community": rm.Community.objects.filter(street=street).order_by("code").first()}
    return {}


@transaction.atomic
def demo_users_ensure(*, actor: Any = None) -> list[User]:
    """Create or refresh every demo user; the demo district must be loaded."""
    district = demo_district()
    if district is None:
        raise DomainError(_("Load the demo district first (manage.py load_demo_city)."))
    return [
        user_ensure(
            username=a.username,
            password=DEMO_PASSWORD,
            role=a.role,
            display_name=names.demo(a.display_name),
            actor=actor,
            **_scope(a, district),
        )
        for a in ACCOUNTS
    ]


def demo_logins() -> list[DemoLogin]:
    """The logins table of the demo users that exist, in ACCOUNTS order."""
    memberships = {
        (ms.user.username, ms.role): ms
        for ms in Membership.objects.filter(
            user__username__in=[a.username for a in ACCOUNTS], active=True
        ).select_related("user", "organisation", "street", "community")
    }
    rows = []
    for a in ACCOUNTS:
        ms = memberships.get((a.username, a.role))
        if ms is None:
            continue
        place = ms.organisation or ms.community or ms.street
        if place is not None:
            scope = str(place)
        else:
            scope = "—" if a.role == Role.RESIDENT else _("whole city")
        rows.append(DemoLogin(a.username, str(a.role.label), scope, DEMO_PASSWORD))
    return rows


def setup_step(context: Any) -> str:
    """The ``users`` step of manage.py demo_setup."""
    users = demo_users_ensure()
    return _("%(n)d demo users ready.") % {"n": len(users)}


def delete_hook(district: rm.District) -> dict[str, int]:
    """Demo reset: memberships scoped to the demo organisations or territory go before the
    registry rows they point at (``demo_setup`` creates the demo users again)."""
    in_district = Q(street__district=district) | Q(community__street__district=district)
    fixed = Q(uscc__in=[s.uscc for s in FIXED])
    organisations = rm.Organisation.objects.filter(fixed | in_district)
    memberships = Membership.objects.filter(Q(organisation__in=organisations) | in_district)
    count = memberships.count()
    memberships.delete()
    return {"memberships": count}


def logins_table() -> DemoTable | None:
    """Printed by ``demo_setup`` at the end: who can log in, as what, with which password."""
    logins = demo_logins()
    if not logins:
        return None
    return DemoTable(
        header=(_("username"), _("role"), _("scope"), _("password")),
        rows=tuple((x.username, x.role, x.scope, x.password) for x in logins),
        note=_("Every demo user has the password %(password)s (demo data only).")
        % {"password": DEMO_PASSWORD},
    )
