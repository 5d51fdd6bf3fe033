"""A small constructed case history for the comprehensive evaluation (rows written directly:
the read side is under test, and each step time must be exact).

``CASES`` is the history as data; ``build_case`` writes one entry. A step names its actor by
persona (``Personas`` attribute); the case's status is where its trail ends, each event's
``from_status`` the previous step's status, and ``reported_by`` the actor of the report.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.utils import timezone

from cityops.cases.models import Case, CaseEvent

T0 = dt.datetime(2026, 10, 5, 9, 0, tzinfo=timezone.get_current_timezone())

Step = tuple[str, str, int, str | None]  # action, status it leads to, minutes after T0, persona


def intake(accept: int, file: int) -> list[Step]:
    """An inspector's report, accepted and filed (受理, 立案) ``accept``/``file`` minutes in."""
    return [
        ("report", "reported", 0, "inspector"),
        ("accept", "accepted", accept, "intake_clerk"),
        ("file", "filed", file, "shift_lead"),
    ]


@dataclass(frozen=True)
class Spec:
    number: str
    source: str
    side: str  # "west" or "east": the street and community of the small city
    steps: Sequence[Step]
    times: dict[str, int] = field(default_factory=dict)  # Case time field → minutes after T0
    assignee: str = ""  # "operator_a" / "operator_b" (organisations of the small city)
    rework_count: int = 0


CASES = {
    # Inspector's report, every step on time, closed.
    "c1": Spec(
        "T1",
        "inspector",
        "west",
        [
            *intake(10, 20),
            ("dispatch", "dispatched", 40, "dispatcher"),
            ("handle", "handled", 120, "operator_a"),
            ("verify", "verified", 180, "inspector"),
            ("close", "closed", 200, "shift_lead"),
        ],
        {
            "filed_at": 20,
            "dispatched_at": 40,
            "deadline_at": 240,
            "handled_at": 120,
            "closed_at": 200,
        },
        assignee="operator_a",
    ),
    # Public report: late verification, late acceptance, late dispatch, late check → rework.
    "c2": Spec(
        "T2",
        "public",
        "west",
        [
            ("report", "awaiting_verification", 0, None),
            ("confirm_report", "reported", 90, "inspector"),
            ("accept", "accepted", 150, "intake_clerk"),
            ("file", "filed", 160, "shift_lead"),
            ("dispatch", "dispatched", 250, "dispatcher"),
            ("handle", "handled", 300, "operator_a"),
            ("rework", "dispatched", 500, "inspector"),
        ],
        {"filed_at": 160, "dispatched_at": 250, "deadline_at": 400},
        assignee="operator_a",
        rework_count=1,
    ),
    # Rejected, never filed.
    "c3": Spec(
        "T3",
        "inspector",
        "east",
        [("report", "reported", 0, "inspector"), ("reject", "rejected", 5, "intake_clerk")],
    ),
    # Filed, then voided.
    "c4": Spec(
        "T4",
        "inspector",
        "east",
        [*intake(5, 10), ("void", "voided", 30, "shift_lead")],
        {"filed_at": 10},
    ),
    # Dispatched late to operator B, who had it returned (wrong unit).
    "c5": Spec(
        "T5",
        "inspector",
        "east",
        [
            *intake(5, 10),
            ("dispatch", "dispatched", 100, "dispatcher"),
            ("request_return", "return_requested", 110, "operator_b"),
            ("approve_return", "filed", 120, "dispatcher"),
        ],
        {"filed_at": 10, "dispatched_at": 100, "deadline_at": 400},
        assignee="operator_b",
    ),
}


def build_case(spec: Spec, *, category: Any, city: Any, personas: Any) -> Case:
    def at(minutes: int) -> dt.datetime:
        return T0 + dt.timedelta(minutes=minutes)

    actors = [getattr(personas, who) if who else None for _a, _to, _m, who in spec.steps]
    case = Case.objects.create(
        number=spec.number,
        category=category,
        description="测试",
        lon=122.25,
        lat=43.61,
        reported_at=T0,
        source=spec.source,
        status=spec.steps[-1][1],
        reported_by=actors[0],
        assignee=getattr(city, spec.assignee) if spec.assignee else None,
        street=getattr(city, f"street_{spec.side}"),
        community=getattr(city, f"community_{spec.side}"),
        rework_count=spec.rework_count,
        **{name: at(minutes) for name, minutes in spec.times.items()},
    )
    before = ["", *(to for _a, to, _m, _w in spec.steps[:-1])]
    CaseEvent.objects.bulk_create(
        CaseEvent(case=case, action=a, from_status=f, to_status=to, at=at(m), actor=actor)
        for (a, to, m, _w), f, actor in zip(spec.steps, before, actors, strict=True)
    )
    return case


@dataclass
class History:
    cases: dict[str, Case]


@pytest.fixture
def history(small_city: Any, personas: Any, catalogue: Any) -> History:
    cat = catalogue["garbage"]
    return History(
        {
            key: build_case(spec, category=cat, city=small_city, personas=personas)
            for key, spec in CASES.items()
        }
    )
