"""One writer for the run machine (``transitions.RUN``), shared by monthly and snow runs.

A run holds an expiring lease (``leased_until`` + ``lease_holder``): taken when the row is
queued and when a worker claims it, renewed with every progress write. A worker killed
mid-run stops renewing; once its lease has expired the next start of the same month or event
takes over: the abandoned run is failed (``abandon``, audited) and a new one is queued. While
the lease is live a second start is a clear conflict (409), for months and events alike. A
worker that comes back after being taken over finds its lease gone and writes nothing more.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any, TypeVar

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from cityops.core.audit import audit_record
from cityops.core.errors import Conflict
from cityops.core.fsm import fsm_transition
from cityops.evaluations.models.runs import ACTIVE_RUN_STATUSES, RunBase, RunStatus
from cityops.evaluations.transitions import RUN

R = TypeVar("R", bound=RunBase)


class LeaseLost(Exception):
    """The run was taken over (its lease expired): this worker must stop writing."""


def lease_until(now: dt.datetime | None = None) -> dt.datetime:
    return (now or timezone.now()) + dt.timedelta(seconds=settings.CITYOPS_RUN_LEASE_SECONDS)


def run_queue(
    model: type[R],
    *,
    key: Mapping[str, Any],
    actor: Any,
    audit_code: str,
    summary: str,
    busy: str | Promise,
    on_commit: Callable[[int], None] | None = None,
    data: Mapping[str, Any] | None = None,
) -> R:
    """Queue a run of ``key`` (month or event); take over one whose lease expired.

    At most one run per key is queued or running (a partial unique constraint): a live one
    makes this a ``Conflict`` with ``busy`` as its message.
    """
    for _attempt in range(2):
        try:
            with transaction.atomic():
                run = model._default_manager.create(
                    **key, requested_by=actor if getattr(actor, "is_authenticated", False)
                    else None, leased_until=lease_until(),
                )  # fmt: skip
                audit_record(code=audit_code, target=run, actor=actor, summary=summary,
                             data=dict(data or {}))  # fmt: skip
                if on_commit is not None:
                    transaction.on_commit(partial(on_commit, run.pk))
            return run
        except IntegrityError:
            active = model._default_manager.filter(**key, status__in=ACTIVE_RUN_STATUSES).first()
            if active is not None and not run_abandon(active, actor=actor):
                raise Conflict(busy, code="running") from None
            # taken over (or it finished meanwhile): queue again
    raise Conflict(busy, code="running")


def run_abandon(run: RunBase, *, actor: Any) -> bool:
    """Fail ``run`` if its lease has expired (compare-and-swap on status and lease)."""
    now = timezone.now()
    if run.leased_until is not None and run.leased_until > now:
        return False
    try:
        fsm_transition(
            machine=RUN,
            instance=run,
            action="abandon",
            actor=actor,
            where={"leased_until": run.leased_until, "lease_holder": run.lease_holder},
            values={
                "message": _("Abandoned: its worker stopped (lease expired); taken over."),
                "finished_at": now,
                "updated_at": now,
                "lease_holder": "",
            },
            audit_code=f"{run.audit_prefix}.abandoned",
            summary=str(run),
            data={"lease_holder": run.lease_holder},
        )
    except Conflict:
        return False  # it moved meanwhile (renewed, finished or taken over by someone else)
    return True


def run_claim(model: type[RunBase], run_id: int) -> str | None:
    """Queued → running for this worker: a new holder token and lease, or None (not queued)."""
    token = secrets.token_hex(16)
    now = timezone.now()
    claimed = model._default_manager.filter(pk=run_id, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING, started_at=now, updated_at=now,
        lease_holder=token, leased_until=lease_until(now),
    )  # fmt: skip
    return token if claimed == 1 else None


def lease_renew(model: type[RunBase], run_id: int, token: str, **values: Any) -> None:
    """Extend the lease (with any progress ``values``); ``LeaseLost`` once taken over."""
    renewed = model._default_manager.filter(
        pk=run_id, status=RunStatus.RUNNING, lease_holder=token
    ).update(leased_until=lease_until(), **values)
    if renewed != 1:
        raise LeaseLost(run_id)


def run_finish(
    model: type[R],
    run_id: int,
    token: str,
    *,
    status: str,
    message: str,
    report: dict[str, Any],
    summary: Callable[[R], str],
) -> R:
    """Running → done / failed, only while this worker still holds the lease."""
    run = model._default_manager.select_related("requested_by").get(pk=run_id)
    now = timezone.now()
    try:
        fsm_transition(
            machine=RUN,
            instance=run,
            action=status,
            actor=run.requested_by,
            where={"lease_holder": token},
            values={
                "message": message,
                "report": report,
                "finished_at": now,
                "updated_at": now,
                "lease_holder": "",
                "leased_until": None,
                **({"done": run.total} if status == RunStatus.DONE else {}),
            },
            audit_code=f"{run.audit_prefix}.{status}",
            summary=summary(run),
            data={"message": message, **report},
        )
    except Conflict:
        run.refresh_from_db()  # taken over meanwhile: the new run reports
    return run
