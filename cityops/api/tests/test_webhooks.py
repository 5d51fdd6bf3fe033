"""Webhooks: registration rules, signed delivery to a loopback receiver, retry, redeliver."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from cityops.api.models import WebhookDelivery
from cityops.api.tests.conftest import EAST, Receiver
from cityops.api.webhooks import verify, webhook_endpoint_register, webhook_redeliver
from cityops.core.errors import DomainError
from cityops.core.models import AuditEvent, DeliveryAttempt
from cityops.core.outbox import outbox_retry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _loopback_allowed(settings: Any) -> None:
    settings.CITYOPS_WEBHOOK_ALLOW_HTTP_LOOPBACK = True


@pytest.mark.parametrize(
    "url", ["http://example.com/hook", "ftp://127.0.0.1/x", "http://10.0.0.1/x", "nonsense"]
)
def test_only_https_or_loopback(small_city: Any, url: str) -> None:
    with pytest.raises(DomainError):
        webhook_endpoint_register(organisation=small_city.operator_a, url=url)


def test_loopback_http_needs_the_development_switch(small_city: Any, settings: Any) -> None:
    settings.CITYOPS_WEBHOOK_ALLOW_HTTP_LOOPBACK = False
    with pytest.raises(DomainError):
        webhook_endpoint_register(organisation=small_city.operator_a, url="http://127.0.0.1/x")
    webhook_endpoint_register(organisation=small_city.operator_a, url="https://ops.example.com/h")


def _deliveries(n: int) -> list[WebhookDelivery]:
    for _ in range(100):  # the receiver thread answers asynchronously to the test thread
        rows = list(WebhookDelivery.objects.order_by("id"))
        if len(rows) >= n:
            return rows
        time.sleep(0.01)
    return list(WebhookDelivery.objects.order_by("id"))


def test_dispatch_is_delivered_signed(
    receiver: tuple[Receiver, str], small_city: Any, dispatched: Callable[..., Any],
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    state, url = receiver
    _endpoint, secret = webhook_endpoint_register(organisation=small_city.operator_b, url=url)
    with django_capture_on_commit_callbacks(execute=True):
        case = dispatched(EAST)  # operator B's lot
    with django_capture_on_commit_callbacks(execute=True):
        dispatched()  # operator A's case: not B's business
    assert len(state.received) == 1
    headers, body = state.received[0]
    assert headers["x-cityops-event"] == "case.dispatched"
    assert verify(secret, headers["x-cityops-signature"], body, now=int(time.time()))
    assert not verify("wrong", headers["x-cityops-signature"], body, now=int(time.time()))
    assert not verify(secret, headers["x-cityops-signature"], body + b" ", now=int(time.time()))
    assert json.loads(body)["case"]["number"] == case.number
    (delivery,) = _deliveries(1)
    assert delivery.status == "sent"
    assert delivery.attempts == 1


def test_failure_is_retried_then_redelivered(
    receiver: tuple[Receiver, str], small_city: Any, dispatched: Callable[..., Any],
    django_capture_on_commit_callbacks: Any, personas: Any,
) -> None:  # fmt: skip
    state, url = receiver
    state.fail_first = 2
    webhook_endpoint_register(organisation=small_city.operator_a, url=url)
    with django_capture_on_commit_callbacks(execute=True):
        dispatched()
    (delivery,) = _deliveries(1)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("failed", 1, 503)
    assert delivery.next_attempt_at is not None
    # Retries come from the one outbox job, once the backoff has passed.
    assert outbox_retry(now=delivery.next_attempt_at - dt.timedelta(seconds=1)) == 0
    for _ in range(2):
        delivery.refresh_from_db()
        assert outbox_retry(now=delivery.next_attempt_at) == 1
    delivery.refresh_from_db()
    assert delivery.status == "sent"
    assert delivery.attempts == 3  # 503, 503, 200: retried with backoff
    assert len(state.received) == 3
    log = DeliveryAttempt.objects.filter(channel="webhook", delivery_id=delivery.pk)
    assert sorted(log.values_list("number", "outcome", "status_code")) == [
        (1, "failed", 503), (2, "failed", 503), (3, "sent", 200),
    ]  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        webhook_redeliver(delivery_id=delivery.pk, actor=personas.admin)
    assert len(state.received) == 4
    audit = AuditEvent.objects.get(code="webhook.delivery.redelivered")
    assert audit.actor == personas.admin
    assert audit.target_id == str(delivery.pk)


def test_redirects_are_not_followed(
    receiver: tuple[Receiver, str], small_city: Any, dispatched: Callable[..., Any],
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    state, url = receiver
    state.redirect_to = url.replace("/hook", "/elsewhere")
    webhook_endpoint_register(organisation=small_city.operator_a, url=url)
    with django_capture_on_commit_callbacks(execute=True):
        dispatched()
    assert [h for h, _body in state.received if h.get("host")]  # the first POST arrived
    (delivery,) = _deliveries(1)
    assert delivery.status != "sent"
    assert delivery.last_status_code == 307
    # Never re-sent to the redirect target: every attempt went to the registered path.
    assert len(state.received) == delivery.attempts


def test_operator_registers_through_the_api(
    api: Callable[..., APIClient], personas: Any, small_city: Any
) -> None:
    client = api(personas.operator_a)
    created = client.post("/api/v1/webhooks/", {"url": "https://ops.example.com/h"}, format="json")
    assert created.status_code == 201
    assert created.json()["secret"].startswith("whsec_")
    assert client.get("/api/v1/webhooks/").json()[0]["url"] == "https://ops.example.com/h"
    bad = client.post("/api/v1/webhooks/", {"url": "http://example.com/h"}, format="json")
    assert bad.json()["field"] == "url"
    assert api(personas.operator_b).get("/api/v1/webhooks/").json() == []
    assert api(personas.dispatcher).get("/api/v1/webhooks/").status_code == 403


def test_operator_reads_its_delivery_log_and_redelivers(
    receiver: tuple[Receiver, str], small_city: Any, dispatched: Callable[..., Any],
    api: Callable[..., APIClient], personas: Any, django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    state, url = receiver
    webhook_endpoint_register(organisation=small_city.operator_a, url=url)
    with django_capture_on_commit_callbacks(execute=True):
        case = dispatched()
    (delivery,) = _deliveries(1)
    log = api(personas.operator_a).get("/api/v1/webhooks/deliveries/")
    assert log.status_code == 200
    assert [(d["id"], d["event"], d["status"]) for d in log.json()] == [
        (delivery.pk, "case.dispatched", "sent")
    ]
    assert api(personas.operator_b).get("/api/v1/webhooks/deliveries/").json() == []
    assert api(personas.dispatcher).get("/api/v1/webhooks/deliveries/").status_code == 403
    redeliver = f"/api/v1/webhooks/deliveries/{delivery.pk}/redeliver/"
    assert api(personas.operator_b).post(redeliver).status_code == 404  # another unit's
    with django_capture_on_commit_callbacks(execute=True):
        again = api(personas.operator_a).post(redeliver)
    assert again.status_code == 202
    assert len(state.received) == 2
    assert json.loads(state.received[1][1])["case"]["number"] == case.number
    audit = AuditEvent.objects.get(code="webhook.delivery.redelivered")
    assert audit.actor == personas.operator_a


def test_sla_scan_batch_sends_one_delivery_per_case(
    receiver: tuple[Receiver, str], small_city: Any, dispatched: Callable[..., Any],
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    """The scan tells a whole chunk with one ``case_notice``: still one delivery per case of the
    endpoint's unit (none for the other unit's case), each sent through the outbox."""
    from cityops.cases.models import Case
    from cityops.cases.sla import sla_scan

    state, url = receiver
    webhook_endpoint_register(organisation=small_city.operator_b, url=url)
    mine = [dispatched(EAST), dispatched(EAST)]
    dispatched()  # operator A's case
    yellow_at = max(at for at in Case.objects.values_list("yellow_at", flat=True) if at)
    with django_capture_on_commit_callbacks(execute=True):
        assert sla_scan(now=yellow_at).notified_unit == 3
    rows = [r for r in _deliveries(4) if r.event == "case.reminder"]
    assert sorted(r.payload["case"]["number"] for r in rows) == sorted(c.number for c in mine)
    assert all(r.status == "sent" for r in rows)
    events = [headers["x-cityops-event"] for headers, _body in state.received]
    assert events == ["case.reminder", "case.reminder"]  # the dispatches were not sent here
