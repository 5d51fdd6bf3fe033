"""The delivery outbox: one claimed-delivery engine for every way the platform sends out.

Channels (registered by their apps at start-up): ``notification`` (inbox, e-mail, SMS of a
user's notification: ``notifications.Delivery``), ``phone`` (SMS to a number without an
account: ``notifications.PhoneMessage``) and ``webhook`` (``api.WebhookDelivery``). Each row
has the :class:`~cityops.core.models.OutboxRow` columns; this module is their only writer.

- ``outbox_deliver`` claims the row by compare-and-swap (due ``pending``/``failed``, or a
  ``sending`` row whose lease ran out → ``sending`` with a fresh ``claim_token``), writes the
  attempt to the delivery log (``DeliveryAttempt``, unique per claim), sends **once**, and
  writes the outcome only where the row still carries its token (fenced). No claim, no send.
- Failure → ``failed`` with ``next_attempt_at`` from the backoff schedule
  (``CITYOPS_OUTBOX_BACKOFF``); after the last step → ``dead``. A sender may say that retrying
  cannot help (``dead`` at once) or that there is nothing to send (``skipped``).
- ``outbox_redeliver`` resets a row to ``pending`` for a fresh round, and refuses while a live
  claim holds it, so a manual redelivery never makes a second concurrent send.
- ``outbox_retry`` (one scheduler job for all channels) sends every due row.
- ``outbox_enqueue_many``: rows written in bulk by a job go to the task queue in batches.

Residual risk, inherent to leases: a worker that stalls longer than the lease
(``CITYOPS_OUTBOX_CLAIM_SECONDS``) and then still sends duplicates that attempt; its late
outcome is discarded (fencing). Receivers de-duplicate on the delivery id (webhooks send it).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from cityops.core.errors import Conflict, NotFound
from cityops.core.models import DeliveryAttempt, OutboxRow, OutboxStatus

logger = logging.getLogger(__name__)

S = OutboxStatus


@dataclass(frozen=True)
class Outcome:
    """What one sending attempt achieved. ``status``: sent, failed (retry), dead, skipped.

    ``fields`` are extra columns of the channel's row to write with the outcome.
    """

    status: str
    error: str = ""
    status_code: int | None = None
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Channel:
    name: str
    model: type[OutboxRow]
    send: Callable[[Any], Outcome]  # gets the claimed row (from ``load``); may raise
    load: Callable[[int], Any]


@dataclass(frozen=True)
class Claim:
    token: uuid.UUID
    number: int  # the attempt number within the current round
    worker: str


CHANNELS: dict[str, Channel] = {}


def channel_register(
    *,
    name: str,
    model: type[OutboxRow],
    send: Callable[[Any], Outcome],
    load: Callable[[int], Any] | None = None,
) -> Channel:
    """Declare a channel (from its app's ``ready``); registering the same name again replaces."""
    manager: models.Manager[Any] = model._default_manager
    channel = Channel(name, model, send, load or (lambda pk: manager.get(pk=pk)))
    CHANNELS[name] = channel
    return channel


def backoff() -> tuple[dt.timedelta, ...]:
    """Waits before the 2nd, 3rd … attempt (``CITYOPS_OUTBOX_BACKOFF``, seconds)."""
    steps = tuple(settings.CITYOPS_OUTBOX_BACKOFF)
    return tuple(dt.timedelta(seconds=int(s)) for s in steps)


def max_attempts() -> int:
    return len(backoff()) + 1


def lease() -> dt.timedelta:
    """How long a claim holds before another worker may take the row over."""
    return dt.timedelta(seconds=int(settings.CITYOPS_OUTBOX_CLAIM_SECONDS))


def _worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"[:100]


def _due(now: dt.datetime) -> Q:
    ready = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    return (Q(status__in=[S.PENDING, S.FAILED]) & ready) | Q(
        status=S.SENDING, claimed_until__lt=now
    )


def _channel(name: str) -> Channel:
    try:
        return CHANNELS[name]
    except KeyError:
        raise ValueError(f"unknown outbox channel {name!r}") from None


def outbox_claim(*, channel: str, delivery_id: int, now: dt.datetime) -> Claim | None:
    """Take the row for one attempt (compare-and-swap) and open its log entry; None when it is
    not due, already sent, out of attempts or held by another live claim."""
    ch = _channel(channel)
    token, worker = uuid.uuid4(), _worker()
    rows = ch.model._default_manager
    with transaction.atomic():
        changed = rows.filter(_due(now), pk=delivery_id, attempts__lt=max_attempts()).update(
            status=S.SENDING,
            claim_token=token,
            claimed_by=worker,
            claimed_until=now + lease(),
            next_attempt_at=None,
            attempts=F("attempts") + 1,
        )
        if changed != 1:
            return None
        number = int(rows.filter(pk=delivery_id).values_list("attempts", flat=True).get())
        DeliveryAttempt.objects.create(
            channel=channel, delivery_id=delivery_id, number=number, claim_token=token,
            claimed_by=worker, started_at=now,
        )  # fmt: skip
    return Claim(token, number, worker)


def _finish(ch: Channel, delivery_id: int, claim: Claim, outcome: Outcome) -> str:
    now = timezone.now()
    status, next_at = outcome.status, None
    if status == S.FAILED:
        if claim.number >= max_attempts():
            status = S.DEAD
        else:
            next_at = now + backoff()[claim.number - 1]
    error = outcome.error[:2000]
    with transaction.atomic():
        # Fenced: only the holder of this claim writes the outcome.
        ch.model._default_manager.filter(
            pk=delivery_id, claim_token=claim.token, status=S.SENDING
        ).update(
            status=status,
            last_error=error,
            sent_at=now if status == S.SENT else None,
            next_attempt_at=next_at,
            claimed_until=None,
            **outcome.fields,
        )
        DeliveryAttempt.objects.filter(claim_token=claim.token).update(
            finished_at=now, outcome=status, status_code=outcome.status_code, error=error
        )
    return str(status)


def _attempt(ch: Channel, delivery_id: int, now: dt.datetime) -> str | None:
    """One claimed attempt; None when no claim was taken (nothing sent)."""
    claim = outbox_claim(channel=ch.name, delivery_id=delivery_id, now=now)
    if claim is None:
        return None
    try:
        outcome = ch.send(ch.load(delivery_id))
    except Exception as exc:  # an outside boundary (mail server, gateway, network) failed
        logger.warning("outbox %s #%s failed: %r", ch.name, delivery_id, exc)
        outcome = Outcome(S.FAILED, f"{type(exc).__name__}: {exc}")
    return _finish(ch, delivery_id, claim, outcome)


def outbox_deliver(*, channel: str, delivery_id: int, now: dt.datetime | None = None) -> str:
    """Claim, send once, record: the row's status afterwards (unchanged when not claimed)."""
    ch = _channel(channel)
    done = _attempt(ch, delivery_id, now or timezone.now())
    if done is not None:
        return done
    current = ch.model._default_manager.filter(pk=delivery_id).values_list("status", flat=True)
    return str(current.first() or "")


@task()
def outbox_deliver_task(channel: str, delivery_id: int) -> str:
    return outbox_deliver(channel=channel, delivery_id=delivery_id)


def outbox_enqueue(*, channel: str, delivery_id: int) -> None:
    """Send the row soon: after the surrounding transaction commits, through the task queue.
    robust: a failing enqueue is logged; the retry job still finds the pending row."""
    _channel(channel)
    transaction.on_commit(partial(outbox_deliver_task.enqueue, channel, delivery_id), robust=True)


# Rows per task when a job enqueues many at once: one task row per batch instead of per row,
# while several workers still share a large batch's sending.
ENQUEUE_BATCH = 50


@task()
def outbox_deliver_many_task(channel: str, delivery_ids: list[int]) -> int:
    """Each row claimed and sent on its own (``outbox_deliver``); returns how many were sent."""
    done = [outbox_deliver(channel=channel, delivery_id=pk) for pk in delivery_ids]
    return sum(1 for status in done if status == S.SENT)


def _enqueue_batches(channel: str, ids: list[int]) -> None:
    for start in range(0, len(ids), ENQUEUE_BATCH):
        outbox_deliver_many_task.enqueue(channel, ids[start : start + ENQUEUE_BATCH])


def outbox_enqueue_many(*, channel: str, delivery_ids: list[int]) -> None:
    """``outbox_enqueue`` for the rows a job wrote in bulk: after commit, one task per
    ``ENQUEUE_BATCH`` rows (a single row goes as ``outbox_enqueue`` sends it)."""
    if len(delivery_ids) == 1:
        outbox_enqueue(channel=channel, delivery_id=delivery_ids[0])
        return
    _channel(channel)
    if delivery_ids:
        ids = list(delivery_ids)
        transaction.on_commit(partial(_enqueue_batches, channel, ids), robust=True)


def outbox_redeliver(*, channel: str, delivery_id: int, now: dt.datetime | None = None) -> None:
    """A fresh round of attempts (status pending, attempts 0), sent after commit.

    Refused with ``Conflict`` while another claim is live: the attempt in progress is the send.
    The caller audits (it knows who asked and why).
    """
    ch = _channel(channel)
    now = now or timezone.now()
    free = ~Q(status=S.SENDING) | Q(claimed_until__lt=now)
    rows = ch.model._default_manager
    changed = rows.filter(free, pk=delivery_id).update(
        status=S.PENDING, attempts=0, next_attempt_at=None, claim_token=None, claimed_by="",
        claimed_until=None,
    )  # fmt: skip
    if changed != 1:
        if not rows.filter(pk=delivery_id).exists():
            raise NotFound(_("Delivery not found."))
        raise Conflict(_("This delivery is being sent right now: look again in a moment."))
    outbox_enqueue(channel=channel, delivery_id=delivery_id)


def outbox_retry(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Send every due row of every channel (the one scheduler job): failures whose backoff has
    passed, rows whose enqueue was lost, and claims of workers that died. Attempts made."""
    now = now or timezone.now()
    made = 0
    for ch in list(CHANNELS.values()):
        rows = ch.model._default_manager
        # A worker died during the last allowed attempt: nothing more will be tried.
        rows.filter(status=S.SENDING, claimed_until__lt=now, attempts__gte=max_attempts()).update(
            status=S.DEAD, claimed_until=None, last_error="claim expired on the last attempt"
        )
        due = rows.filter(_due(now), attempts__lt=max_attempts()).order_by("pk")
        for pk in list(due.values_list("pk", flat=True)[:limit]):
            if _attempt(ch, int(pk), now) is not None:
                made += 1
    return made
