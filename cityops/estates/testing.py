"""Small owner registers for tests and benchmarks (not demo data: see load_demo_estates)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.utils import timezone

from cityops.accounts.models import Role, User
from cityops.accounts.services import user_ensure
from cityops.estates.models import Owner, Proposal, Unit
from cityops.estates.services.votes import proposal_create, proposal_transition
from cityops.registry.models import Compound

PASSWORD = "owner-pass-12345"


def make_register(
    compound: Compound,
    areas: Sequence[Decimal | int | str],
    *,
    developer_areas: Sequence[Decimal | int | str] = (),
    prefix: str = "O",
) -> list[Owner]:
    """One owner per entry of ``areas`` (one unit each); developer units share one owner."""
    owners = Owner.objects.bulk_create(
        Owner(compound=compound, key=f"{prefix}{i:05d}", name=f"业主{i}", phone="13800000000")
        for i in range(len(areas))
    )
    units = [
        Unit(compound=compound, building="1", room=f"{prefix}{i:05d}", area=Decimal(a), owner=o)
        for i, (o, a) in enumerate(zip(owners, areas, strict=True))
    ]
    if developer_areas:
        dev = Owner.objects.create(
            compound=compound, key="DEVELOPER", name="开发商", is_developer=True
        )
        units += [
            Unit(
                compound=compound,
                building="D",
                room=str(i),
                area=Decimal(a),
                owner=dev,
                developer_held=True,
            )
            for i, a in enumerate(developer_areas)
        ]
    Unit.objects.bulk_create(units)
    return owners


def owner_user(owner: Owner, username: str | None = None) -> User:
    user = user_ensure(
        username=username or f"owner-{owner.compound_id}-{owner.key}",
        password=PASSWORD,
        role=Role.RESIDENT,
    )
    owner.user = user
    owner.save(update_fields=["user"])
    return user


def open_proposal(
    compound: Compound, *, matter: str = "hire_manager", actor: Any = None, **extra: Any
) -> Proposal:
    """A proposal noticed 16 days ago (travelling back in time), open now for 7 days."""
    import time_machine

    now = timezone.now()
    with time_machine.travel(now - dt.timedelta(days=16), tick=False):
        proposal = proposal_create(
            compound=compound,
            matter=matter,
            title=extra.pop("title", "续聘物业服务企业"),
            text=extra.pop("text", "是否续聘现物业服务企业三年。"),
            opens_at=now - dt.timedelta(minutes=1),
            closes_at=now + dt.timedelta(days=7),
            actor=actor,
            **extra,
        )
        proposal_transition(proposal_id=proposal.pk, to="noticed", actor=actor)
    return proposal_transition(proposal_id=proposal.pk, to="open", actor=actor)
