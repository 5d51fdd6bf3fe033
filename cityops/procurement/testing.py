"""Test helpers of the procurement app: the officer persona and a project walked to a step."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from cityops.accounts.models import Role, User
from cityops.accounts.services import user_ensure
from cityops.procurement.models import Project
from cityops.procurement.services import project_create, project_step

PASSWORD = "persona-pass-123"
D = dt.date


def officer_ensure(username: str = "buyer") -> User:
    return user_ensure(
        username=username, password=PASSWORD, role=Role.PROCUREMENT_OFFICER, display_name=username
    )


def project_new(officer: User, city: Any, *, number: str = "CG-2026-01", **kw: Any) -> Project:
    lots = [
        {
            "code": "1",
            "name": "西片道路",
            "geometry": city.lot_a.geometry,
            "road_segments": [city.road_west],
            "green_spaces": [city.green],
        }
    ]
    return project_create(
        actor=officer,
        number=number,
        title=kw.pop("title", "道路养护服务"),
        service_type=kw.pop("service_type", "municipal"),
        method=kw.pop("method", "open_tender"),
        budget=kw.pop("budget", Decimal("4800000")),
        lots=lots,
        **kw,
    )


def project_walk(project: Project, officer: User, winner: Any, *, until: str) -> Project:
    """A lawful walk in March 2026 (ordinary weeks) up to and including ``until``."""
    steps: list[tuple[str, dt.date, dict[str, Any]]] = [
        ("issue_documents", D(2026, 3, 3), {"bid_deadline": D(2026, 3, 23)}),
        ("open_bids", D(2026, 3, 23), {}),
        ("evaluate", D(2026, 3, 24), {"report_received": D(2026, 3, 25)}),
        ("decide_winner", D(2026, 3, 27), {"winner": winner, "award_amount": Decimal("4650000")}),
        ("announce_award", D(2026, 3, 30), {}),
        (
            "sign_contract",
            D(2026, 4, 20),
            {
                "contract_number": "HT-2026-01",
                "service_start": D(2026, 5, 1),
                "service_end": D(2027, 4, 30),
                "monthly_fee": Decimal("387500"),
            },
        ),
        ("publish_contract", D(2026, 4, 21), {}),
        ("file_contract", D(2026, 4, 28), {}),
    ]
    for action, on, values in steps:
        project = project_step(project_id=project.pk, action=action, on=on, actor=officer, **values)
        if action == until:
            break
    return project
