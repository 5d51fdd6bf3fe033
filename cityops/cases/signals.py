"""Events other apps may listen to (webhooks, residents' subscriptions). Sent inside the
transaction of the change: receivers must defer side effects with ``transaction.on_commit``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from django.dispatch import Signal


class NoticedCase(Protocol):
    """What a ``case_notice`` receiver may read of each case (a ``Case`` has all of it)."""

    @property
    def pk(self) -> int: ...
    @property
    def number(self) -> str: ...
    @property
    def assignee_id(self) -> int | None: ...
    @property
    def community_id(self) -> int | None: ...


@dataclass(frozen=True, slots=True)
class CaseRef:
    """The fields of ``NoticedCase`` without a model instance: jobs that tell thousands of cases
    at once (the SLA scan) read them as values."""

    pk: int
    number: str
    assignee_id: int | None
    community_id: int | None


# Sent for every case notice, with kwargs ``cases`` (a sequence of ``NoticedCase``: one case for a
# transition, a whole chunk for the SLA scan, so that receivers work per batch, not per case)
# and ``code`` (``case.dispatch``, ``case.rework``, ``case.accept``, ``case.sla.yellow``,
# ``case.sla.red``, …). Every case of one send has the same code.
case_notice = Signal()
