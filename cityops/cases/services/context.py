"""The state of one transition while it runs: the locked case, the rule, the actor, the input."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from cityops.accounts.access import Actor
from cityops.cases.models import Case
from cityops.cases.services.payloads import Payload
from cityops.cases.transitions import Rule


@dataclass
class TransitionContext:
    case: Case
    rule: Rule
    user: Any
    actor: Actor
    now: dt.datetime
    payload: Payload  # the action's dataclass (services/payloads.py)
    reason: str = ""
    # Facts for the CaseEvent / audit rows (JSON-serialisable).
    data: dict[str, Any] = field(default_factory=dict)
    # (photo kind, processed images) validated by the guards, stored after the update.
    photos: list[tuple[str, list[Any]]] = field(default_factory=list)
    # Resolved objects the guards found (unit to dispatch to, merge target, new category).
    resolved: dict[str, Any] = field(default_factory=dict)
