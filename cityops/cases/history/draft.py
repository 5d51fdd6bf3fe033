"""The simulator's plain data: what intake knows of a case (``CaseSpec``) and the case it
becomes (``Draft``, its fields at ``now`` plus its ``EventDraft`` trail).

``simulate.py`` fills a ``Draft`` step by step, ``world.py`` supplies ``Actors`` and ``Limit``,
``writer.py`` turns a ``Draft`` into ``Case`` and ``CaseEvent`` rows. No ORM, no clock reads.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


def light_at(yellow_at: dt.datetime, deadline_at: dt.datetime, moment: dt.datetime) -> str:
    """``cityops.cases.deadlines.light_at`` on plain instants."""
    if moment >= deadline_at:
        return "red"
    if moment >= yellow_at:
        return "yellow"
    return "green"


@dataclass(frozen=True)
class Limit:
    amount: int
    unit: str


@dataclass(frozen=True)
class Actors:
    """User ids per role (one is drawn per step); operator staff per organisation."""

    inspectors: tuple[int, ...]
    clerks: tuple[int, ...]
    shift_leads: tuple[int, ...]
    dispatchers: tuple[int, ...]
    unit_staff: dict[int, tuple[int, ...]]


@dataclass(frozen=True)
class CaseSpec:
    """What intake knows: the report, the routing result and a unit to fall back on."""

    reported_at: dt.datetime
    source: str
    urgency: str
    limits: dict[str, Limit]  # by urgency; "normal" always present
    filing_condition: str
    routed_org_id: int | None
    alt_org_id: int | None  # where a returned case goes (or where unrouted cases go)
    reporter_id: int | None
    reliability: float  # the routed unit's: 1 = always on time, lower = later
    duplicate_of: Draft | None = None


@dataclass
class EventDraft:
    action: str
    from_status: str
    to_status: str
    at: dt.datetime
    actor_id: int | None
    reason: str = ""
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class Draft:
    """The case's fields at ``now`` and its events (same names as ``Case`` fields)."""

    spec: CaseSpec
    status: str = ""
    events: list[EventDraft] = field(default_factory=list)
    accepted_at: dt.datetime | None = None
    filed_at: dt.datetime | None = None
    dispatched_at: dt.datetime | None = None
    clock_started_at: dt.datetime | None = None
    deadline_at: dt.datetime | None = None
    yellow_at: dt.datetime | None = None
    handled_at: dt.datetime | None = None
    verified_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None
    parked_at: dt.datetime | None = None
    parked_intervals: list[list[str]] = field(default_factory=list)
    parked_total_s: int = 0
    limit_amount: int | None = None
    limit_unit: str = ""
    rework_count: int = 0
    return_count: int = 0
    extension_count: int = 0
    light: str = ""
    escalation_level: int = 0
    red_since: dt.datetime | None = None
    pending_request: dict[str, Any] = field(default_factory=dict)
    assignee_id: int | None = None
    merged: bool = False
    ended_at: dt.datetime | None = None  # time of the terminal event, if any

    @property
    def last_at(self) -> dt.datetime:
        return self.events[-1].at

    def settle(self, at: dt.datetime, supervisor_after: dt.timedelta) -> None:
        """The light and escalation the SLA scan leaves at ``at`` (it runs continuously)."""
        assert self.yellow_at is not None
        assert self.deadline_at is not None
        self.light = light_at(self.yellow_at, self.deadline_at, at)
        self.red_since = self.deadline_at if self.light == "red" else None
        level = {"green": 0, "yellow": 1, "red": 2}[self.light]
        if self.light == "red" and at - self.deadline_at >= supervisor_after:
            level = 3
        self.escalation_level = level
