"""A small constructed case history for the comprehensive evaluation (rows written directly:
the read side is under test, and each step time must be exact)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from cityops.cases.models import Case, CaseEvent

T0 = dt.datetime(2026, 10, 5, 9, 0, tzinfo=timezone.get_current_timezone())

Step = tuple[str, str, str, int, Any]  # action, from, to, minutes after T0, actor


def build_case(number: str, *, category: Any, steps: Sequence[Step], **fields: Any) -> Case:
    def t(minutes: int | None) -> dt.datetime | None:
        return None if minutes is None else T0 + dt.timedelta(minutes=minutes)

    times = {
        k: t(fields.pop(k, None))
        for k in ("filed_at", "dispatched_at", "deadline_at", "handled_at", "closed_at")
    }
    case = Case.objects.create(
        number=number,
        category=category,
        description="测试",
        lon=122.25,
        lat=43.61,
        reported_at=T0,
        **times,
        **fields,
    )
    CaseEvent.objects.bulk_create(
        CaseEvent(
            case=case,
            action=a,
            from_status=f,
            to_status=to,
            at=T0 + dt.timedelta(minutes=m),
            actor=actor,
        )
        for a, f, to, m, actor in steps
    )
    return case


@dataclass
class History:
    cases: dict[str, Case]


@pytest.fixture
def history(small_city: Any, personas: Any, catalogue: Any) -> History:
    c, p, cat = small_city, personas, catalogue["garbage"]
    west = {"street": c.street_west, "community": c.community_west}
    east = {"street": c.street_east, "community": c.community_east}
    insp, clerk, lead, disp = p.inspector, p.intake_clerk, p.shift_lead, p.dispatcher
    cases = {
        # Inspector's report, every step on time, closed.
        "c1": build_case(
            "T1",
            category=cat,
            source="inspector",
            reported_by=insp,
            status="closed",
            assignee=c.operator_a,
            filed_at=20,
            dispatched_at=40,
            deadline_at=240,
            handled_at=120,
            closed_at=200,
            **west,
            steps=[
                ("report", "", "reported", 0, insp),
                ("accept", "reported", "accepted", 10, clerk),
                ("file", "accepted", "filed", 20, lead),
                ("dispatch", "filed", "dispatched", 40, disp),
                ("handle", "dispatched", "handled", 120, p.operator_a),
                ("verify", "handled", "verified", 180, insp),
                ("close", "verified", "closed", 200, lead),
            ],
        ),
        # Public report: late verification, late acceptance, late dispatch, late check → rework.
        "c2": build_case(
            "T2",
            category=cat,
            source="public",
            status="dispatched",
            assignee=c.operator_a,
            filed_at=160,
            dispatched_at=250,
            deadline_at=400,
            rework_count=1,
            **west,
            steps=[
                ("report", "", "awaiting_verification", 0, None),
                ("confirm_report", "awaiting_verification", "reported", 90, insp),
                ("accept", "reported", "accepted", 150, clerk),
                ("file", "accepted", "filed", 160, lead),
                ("dispatch", "filed", "dispatched", 250, disp),
                ("handle", "dispatched", "handled", 300, p.operator_a),
                ("rework", "handled", "dispatched", 500, insp),
            ],
        ),
        # Rejected, never filed.
        "c3": build_case(
            "T3",
            category=cat,
            source="inspector",
            reported_by=insp,
            status="rejected",
            **east,
            steps=[
                ("report", "", "reported", 0, insp),
                ("reject", "reported", "rejected", 5, clerk),
            ],
        ),
        # Filed, then voided.
        "c4": build_case(
            "T4",
            category=cat,
            source="inspector",
            reported_by=insp,
            status="voided",
            filed_at=10,
            **east,
            steps=[
                ("report", "", "reported", 0, insp),
                ("accept", "reported", "accepted", 5, clerk),
                ("file", "accepted", "filed", 10, lead),
                ("void", "filed", "voided", 30, lead),
            ],
        ),
        # Dispatched late to operator B, who had it returned (wrong unit).
        "c5": build_case(
            "T5",
            category=cat,
            source="inspector",
            reported_by=insp,
            status="filed",
            assignee=c.operator_b,
            filed_at=10,
            dispatched_at=100,
            deadline_at=400,
            **east,
            steps=[
                ("report", "", "reported", 0, insp),
                ("accept", "reported", "accepted", 5, clerk),
                ("file", "accepted", "filed", 10, lead),
                ("dispatch", "filed", "dispatched", 100, disp),
                ("request_return", "dispatched", "return_requested", 110, p.operator_b),
                ("approve_return", "return_requested", "filed", 120, disp),
            ],
        ),
    }
    return History(cases)
