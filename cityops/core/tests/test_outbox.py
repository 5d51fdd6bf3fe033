"""The delivery outbox: claim, fenced outcome, log, backoff, redeliver, and (on PostgreSQL)
racing deliver + redeliver of one webhook delivery: exactly one sending attempt per claim,
counted at a real HTTP receiver on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import time_machine
from django.db import connection, connections
from django.utils import timezone

from cityops.api.models import WebhookDelivery
from cityops.api.webhooks import webhook_endpoint_register, webhook_redeliver
from cityops.core.errors import Conflict
from cityops.core.models import DeliveryAttempt, OutboxStatus
from cityops.core.outbox import outbox_claim, outbox_deliver, outbox_redeliver, outbox_retry

T0 = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


@dataclass
class Receiver:
    """Counts POSTs; holds each answer until ``release`` is set (to keep a claim busy)."""

    url: str = ""
    hits: int = 0
    inflight: int = 0
    max_inflight: int = 0
    status: int = 200
    arrived: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)


@pytest.fixture
def receiver(settings: Any) -> Iterator[Receiver]:
    settings.CITYOPS_WEBHOOK_ALLOW_HTTP_LOOPBACK = True  # the guard's development switch
    state = Receiver()
    state.release.set()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            with state.lock:
                state.hits += 1
                state.inflight += 1
                state.max_inflight = max(state.max_inflight, state.inflight)
            state.arrived.set()
            state.release.wait(timeout=30)
            with state.lock:
                state.inflight -= 1
            self.send_response(state.status)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_port}/hook"
    yield state
    state.release.set()
    server.shutdown()


@pytest.fixture
def delivery(small_city: Any, receiver: Receiver) -> WebhookDelivery:
    """A pending webhook delivery (created directly: nothing enqueued)."""
    endpoint, _secret = webhook_endpoint_register(
        organisation=small_city.operator_a, url=receiver.url
    )
    return WebhookDelivery.objects.create(
        endpoint=endpoint, event="case.dispatched", payload={"event": "case.dispatched"}
    )


def deliver(pk: int, now: dt.datetime | None = None) -> str:
    return outbox_deliver(channel="webhook", delivery_id=pk, now=now)


def attempts(pk: int) -> list[tuple[int, str]]:
    rows = DeliveryAttempt.objects.filter(channel="webhook", delivery_id=pk).order_by("id")
    return list(rows.values_list("number", "outcome"))


@pytest.mark.django_db
def test_a_delivery_is_sent_once_and_logged(delivery: WebhookDelivery, receiver: Receiver) -> None:
    assert deliver(delivery.pk) == OutboxStatus.SENT
    assert deliver(delivery.pk) == OutboxStatus.SENT  # already sent: no claim, no send
    assert receiver.hits == 1
    assert attempts(delivery.pk) == [(1, "sent")]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("sent", 1, 200)
    assert delivery.sent_at is not None
    assert delivery.claimed_until is None


@pytest.mark.django_db
def test_failures_back_off_then_give_up(
    delivery: WebhookDelivery, receiver: Receiver, settings: Any
) -> None:
    settings.CITYOPS_OUTBOX_BACKOFF = [10, 100]  # three attempts in all
    receiver.status = 503
    assert deliver(delivery.pk, T0) == OutboxStatus.FAILED
    delivery.refresh_from_db()
    assert delivery.next_attempt_at is not None
    first_wait = delivery.next_attempt_at
    assert outbox_retry(now=first_wait - dt.timedelta(seconds=1)) == 0  # not due yet
    assert outbox_retry(now=first_wait) == 1
    delivery.refresh_from_db()
    assert delivery.status == OutboxStatus.FAILED
    assert delivery.next_attempt_at is not None
    assert outbox_retry(now=delivery.next_attempt_at) == 1
    final = WebhookDelivery.objects.values_list(
        "status", "attempts", "next_attempt_at", "last_error"
    ).get(pk=delivery.pk)
    assert final == ("dead", 3, None, "HTTP 503")
    assert outbox_retry(now=timezone.now() + dt.timedelta(days=1)) == 0
    assert receiver.hits == 3
    assert attempts(delivery.pk) == [(1, "failed"), (2, "failed"), (3, "dead")]


@pytest.mark.django_db
def test_a_live_claim_blocks_deliver_and_redeliver(
    delivery: WebhookDelivery, receiver: Receiver, personas: Any, settings: Any
) -> None:
    """The bug of issue 13: a redeliver while an attempt is under way sent twice."""
    settings.CITYOPS_OUTBOX_CLAIM_SECONDS = 600
    with time_machine.travel(T0, tick=False):
        held = outbox_claim(channel="webhook", delivery_id=delivery.pk, now=T0)
        assert held is not None
        assert deliver(delivery.pk) == OutboxStatus.SENDING  # not claimed: nothing sent
        with pytest.raises(Conflict):
            webhook_redeliver(delivery_id=delivery.pk, actor=personas.operator_a)
    assert receiver.hits == 0
    # The claimer died: after the lease, the retry job takes the delivery over, and the dead
    # claim can no longer write its outcome (fenced by its token).
    later = T0 + dt.timedelta(seconds=601)
    with time_machine.travel(later, tick=False):
        assert outbox_retry(now=later) == 1
    assert receiver.hits == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 2)
    assert delivery.claim_token != held.token
    assert attempts(delivery.pk) == [(1, "sending"), (2, "sent")]  # the first never finished


@pytest.mark.django_db
def test_redeliver_starts_a_fresh_round(
    delivery: WebhookDelivery, receiver: Receiver, personas: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    deliver(delivery.pk)
    with django_capture_on_commit_callbacks(execute=True):
        webhook_redeliver(delivery_id=delivery.pk, actor=personas.operator_a)
    assert receiver.hits == 2
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 1)
    assert attempts(delivery.pk) == [(1, "sent"), (1, "sent")]


@pytest.mark.django_db
def test_unknown_channel_and_missing_row(db: None) -> None:
    with pytest.raises(ValueError, match="fax"):
        outbox_deliver(channel="fax", delivery_id=1)
    from cityops.core.errors import NotFound

    with pytest.raises(NotFound):
        outbox_redeliver(channel="webhook", delivery_id=999_999)


# --- PostgreSQL: real concurrent connections -------------------------------------------------

pg_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")


def _race(calls: list[Callable[[], Any]]) -> list[Any]:
    barrier = threading.Barrier(len(calls))
    results: list[Any] = []
    lock = threading.Lock()

    def run(fn: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            value: Any = fn()
        except Exception as exc:  # collected and asserted on by the test
            value = exc
        finally:
            connections.close_all()
        with lock:
            results.append(value)

    threads = [threading.Thread(target=run, args=(fn,)) for fn in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


@pg_only
@pytest.mark.django_db(transaction=True)
def test_redeliver_racing_an_attempt_in_flight_never_sends_twice(
    delivery: WebhookDelivery, receiver: Receiver, personas: Any
) -> None:
    receiver.release.clear()  # the first POST is held at the receiver: its claim stays live

    def first_attempt() -> None:
        try:
            deliver(delivery.pk)
        finally:
            connections.close_all()

    first = threading.Thread(target=first_attempt)
    first.start()
    assert receiver.arrived.wait(timeout=30)
    redeliver = lambda: webhook_redeliver(delivery_id=delivery.pk, actor=personas.operator_a)  # noqa: E731
    results = _race([redeliver, redeliver, redeliver, lambda: deliver(delivery.pk)] * 2)
    receiver.release.set()
    first.join(timeout=60)
    assert sorted(type(r).__name__ for r in results) == ["Conflict"] * 6 + ["str"] * 2
    assert [r for r in results if isinstance(r, str)] == ["sending", "sending"]
    assert receiver.hits == 1
    assert attempts(delivery.pk) == [(1, "sent")]


@pg_only
@pytest.mark.django_db(transaction=True)
def test_racing_deliver_and_redeliver_one_attempt_per_claim(
    delivery: WebhookDelivery, receiver: Receiver, personas: Any
) -> None:
    def redeliver() -> None:
        webhook_redeliver(delivery_id=delivery.pk, actor=personas.operator_a)

    for _round in range(5):
        _race([redeliver, redeliver, redeliver, lambda: deliver(delivery.pk)] * 2)
    log = DeliveryAttempt.objects.filter(channel="webhook", delivery_id=delivery.pk)
    # Every send at the receiver is one logged claim, each claim sent once, never two at a time.
    # From the second round on the row starts "sent": the first redeliver wins, so each
    # round sends at least once.
    assert receiver.hits == log.count() >= 5
    assert log.values("claim_token").distinct().count() == log.count()
    assert set(log.values_list("outcome", flat=True)) == {"sent"}
    assert receiver.max_inflight == 1
    delivery.refresh_from_db()
    assert delivery.status == OutboxStatus.SENT
