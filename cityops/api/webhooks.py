"""Signed webhooks for operators: registration, signing, delivery with retries.

Signature (Stripe-style): header ``X-CityOps-Signature: t=<unix seconds>,v1=<hex>`` where
``v1 = HMAC-SHA256(secret, f"{t}.{body}")``. Receivers recompute it and reject old timestamps.
Deliveries are outbox rows (``cityops.core.outbox``, channel ``webhook``): sent from the task
queue after commit under a claim, a failure retried with the outbox's backoff by the one
``outbox_retry`` job, each attempt in the delivery log (``core.DeliveryAttempt``).
Where a webhook may go (HTTPS, public addresses only, checked at registration and again at
every delivery, connection pinned to the checked address) is ``webhook_guard.py``; a refused
delivery fails at once with the reason, it is not retried.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import secrets
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _

from cityops.api.models import WebhookDelivery, WebhookEndpoint
from cityops.api.webhook_guard import WebhookRefused, post_pinned, webhook_target
from cityops.cases.signals import NoticedCase, case_notice
from cityops.core.audit import audit_record
from cityops.core.errors import DomainError, NotFound
from cityops.core.models import OutboxStatus
from cityops.core.outbox import Outcome, outbox_enqueue_many, outbox_redeliver

# Our notice codes → the public event names operators subscribe to.
EVENTS = {
    "case.dispatch": "case.dispatched",
    "case.rework": "case.rework",
    "case.sla.yellow": "case.reminder",
    "case.sla.red": "case.overdue",
    "case.urge": "case.urged",
}
TIMEOUT_S = 10


def webhook_url_check(url: str) -> str:
    """The URL, stripped, if a webhook may be sent there now (``webhook_guard`` rules);
    a ``DomainError`` naming the field ``url`` otherwise."""
    webhook_target(url)
    return url.strip()


def _new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def webhook_endpoint_register(
    *, organisation: Any, url: str, actor: Any = None
) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint; the signing secret is returned once (stored encrypted)."""
    secret = _new_secret()
    url = webhook_url_check(url)  # resolves DNS: outside the transaction
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.create(organisation=organisation, url=url, secret=secret)
        audit_record(code="webhook.endpoint.registered", target=endpoint, actor=actor,
                     summary=endpoint.url)  # fmt: skip
    return endpoint, secret


def webhook_endpoint_deactivate(*, endpoint_id: int, actor: Any = None) -> WebhookEndpoint:
    """No more deliveries are created for the endpoint (pending ones are skipped); audited."""
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().filter(pk=endpoint_id).first()
        if endpoint is None:
            raise NotFound(_("Webhook endpoint not found."))
        if endpoint.active:
            endpoint.active = False
            endpoint.save(update_fields=["active", "updated_at"])
            audit_record(code="webhook.endpoint.deactivated", target=endpoint, actor=actor,
                         summary=endpoint.url)  # fmt: skip
    return endpoint


def webhook_endpoint_rotate_secret(
    *, endpoint_id: int, actor: Any = None
) -> tuple[WebhookEndpoint, str]:
    """A new signing secret, returned once; deliveries from now on are signed with it."""
    secret = _new_secret()
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().filter(pk=endpoint_id).first()
        if endpoint is None:
            raise NotFound(_("Webhook endpoint not found."))
        endpoint.secret = secret
        endpoint.save(update_fields=["secret", "updated_at"])
        audit_record(code="webhook.endpoint.secret_rotated", target=endpoint, actor=actor,
                     summary=endpoint.url)  # fmt: skip
    return endpoint, secret


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify(secret: str, header: str, body: bytes, *, now: int, tolerance_s: int = 300) -> bool:
    """What a receiver does (used by our tests; documented for operators)."""
    fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(fields["t"])
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > tolerance_s:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), header)


def _payload(event: str, case: NoticedCase) -> dict[str, Any]:
    return {
        "event": event,
        "case": {"number": case.number, "url": f"/api/v1/cases/{case.number}/"},
        "occurred_at": timezone.now().isoformat(),
    }


OUTBOX_CHANNEL = "webhook"


@receiver(case_notice, dispatch_uid="cityops.api.webhooks")
def _on_case_notice(sender: Any, cases: Sequence[NoticedCase], code: str, **kwargs: Any) -> None:
    """One delivery per case and active endpoint of its unit: a batch (the SLA scan's chunk)
    costs one endpoint query and one bulk insert, however many cases it holds."""
    event = EVENTS.get(code)
    if event is None:
        return
    by_unit: dict[int, list[NoticedCase]] = {}
    for case in cases:
        if case.assignee_id is not None:
            by_unit.setdefault(case.assignee_id, []).append(case)
    if not by_unit:
        return
    endpoints = WebhookEndpoint.objects.filter(organisation_id__in=by_unit, active=True)
    rows = [
        WebhookDelivery(endpoint=endpoint, event=event, payload=_payload(event, case))
        for endpoint in endpoints.order_by("pk")
        for case in by_unit[endpoint.organisation_id]
    ]
    if rows:
        created = WebhookDelivery.objects.bulk_create(rows)
        outbox_enqueue_many(channel=OUTBOX_CHANNEL, delivery_ids=[d.pk for d in created])


def webhook_redeliver(*, delivery_id: int, actor: Any = None) -> None:
    """Manual redelivery (console, REST, admin): a fresh round of attempts (audited).

    Through the outbox: refused (``Conflict``) while an attempt is in progress, so a
    redelivery never sends a second time next to a running or queued attempt's claim.
    """
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update()
            .select_related("endpoint")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None:
            raise NotFound(_("Delivery not found."))
        if not delivery.endpoint.active:
            raise DomainError(_("The endpoint is deactivated: it receives no more deliveries."))
        outbox_redeliver(channel=OUTBOX_CHANNEL, delivery_id=delivery_id)
        audit_record(code="webhook.delivery.redelivered", target=delivery, actor=actor,
                     summary=f"{delivery.event} #{delivery.pk}")  # fmt: skip


def webhook_load(delivery_id: int) -> WebhookDelivery:
    return WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)


def webhook_send(delivery: WebhookDelivery) -> Outcome:
    """The ``webhook`` outbox channel's sender: one signed POST (the outbox has claimed the row)."""
    if not delivery.endpoint.active:
        return Outcome(OutboxStatus.DEAD, str(_("The endpoint was deactivated.")))
    body = json.dumps(delivery.payload, ensure_ascii=False, sort_keys=True).encode()
    timestamp = int(timezone.now().timestamp())
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "CityOps-Webhooks/1",
        "X-CityOps-Event": delivery.event,
        "X-CityOps-Delivery": str(delivery.pk),
        "X-CityOps-Signature": sign(delivery.endpoint.secret, timestamp, body),
    }
    try:
        # Checked again now, and the connection goes to the address just checked: the DNS
        # answer may have changed since registration (webhook_guard).
        target = webhook_target(delivery.endpoint.url)
        code = post_pinned(target, body, headers, timeout=TIMEOUT_S)
    except WebhookRefused as exc:
        # The rule refuses this URL: retrying cannot succeed, so the delivery gives up now.
        error = str(exc.message)[:300]
        return Outcome(OutboxStatus.DEAD, error, fields={"last_status_code": None})
    except DomainError as exc:  # unresolved now: DNS may recover, so retried with backoff
        return Outcome(
            OutboxStatus.FAILED, str(exc.message)[:300], fields={"last_status_code": None}
        )
    except (OSError, ValueError, http.client.HTTPException) as exc:
        error = (str(exc) or type(exc).__name__)[:300]
        return Outcome(OutboxStatus.FAILED, error, fields={"last_status_code": None})
    fields = {"last_status_code": code}
    if 200 <= code < 300:
        return Outcome(OutboxStatus.SENT, status_code=code, fields=fields)
    return Outcome(OutboxStatus.FAILED, f"HTTP {code}", status_code=code, fields=fields)
