"""Signed webhooks for operators: registration, signing, delivery with retries.

Signature (Stripe-style): header ``X-CityOps-Signature: t=<unix seconds>,v1=<hex>`` where
``v1 = HMAC-SHA256(secret, f"{t}.{body}")``. Receivers recompute it and reject old timestamps.
Deliveries run from the task queue; a failure is retried with exponential backoff
(``BACKOFF``), each attempt recorded on the ``WebhookDelivery`` row (the admin log).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import json
import secrets
import urllib.error
import urllib.request
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from cityops.api.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from cityops.cases.models import Case
from cityops.cases.signals import case_notice
from cityops.core.audit import audit_record
from cityops.core.errors import DomainError

# Our notice codes → the public event names operators subscribe to.
EVENTS = {
    "case.dispatch": "case.dispatched",
    "case.rework": "case.rework",
    "case.sla.yellow": "case.reminder",
    "case.sla.red": "case.overdue",
}
BACKOFF = (dt.timedelta(seconds=30), dt.timedelta(minutes=5), dt.timedelta(minutes=30),
           dt.timedelta(hours=2), dt.timedelta(hours=12))  # fmt: skip
TIMEOUT_S = 10


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def webhook_url_check(url: str) -> str:
    """HTTPS only; plain HTTP only to loopback and only when allowed (development)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise DomainError(_("Enter an https:// URL."), field="url")
    if parts.scheme == "http" and not (
        _loopback(parts.hostname)
        and getattr(settings, "CITYOPS_WEBHOOK_ALLOW_HTTP_LOOPBACK", False)
    ):
        raise DomainError(
            _("Webhooks need HTTPS (plain HTTP only to loopback in development)."), field="url"
        )
    return url.strip()


def webhook_endpoint_register(
    *, organisation: Any, url: str, actor: Any = None
) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint; the signing secret is returned once (stored encrypted)."""
    secret = "whsec_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.create(
            organisation=organisation, url=webhook_url_check(url), secret=secret
        )
        audit_record(code="webhook.endpoint.registered", target=endpoint, actor=actor,
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


def _payload(event: str, case: Case) -> dict[str, Any]:
    return {
        "event": event,
        "case": {"number": case.number, "url": f"/api/v1/cases/{case.number}/"},
        "occurred_at": timezone.now().isoformat(),
    }


@receiver(case_notice, dispatch_uid="cityops.api.webhooks")
def _on_case_notice(sender: Any, case: Case, code: str, **kwargs: Any) -> None:
    event = EVENTS.get(code)
    if event is None or case.assignee_id is None:
        return
    endpoints = WebhookEndpoint.objects.filter(organisation_id=case.assignee_id, active=True)
    for endpoint in endpoints:
        delivery = WebhookDelivery.objects.create(
            endpoint=endpoint, event=event, payload=_payload(event, case)
        )
        transaction.on_commit(partial(deliver_webhook.enqueue, delivery.pk))


def webhook_redeliver(*, delivery_id: int, actor: Any = None) -> None:
    """Manual redelivery from the admin: a fresh round of attempts (audited)."""
    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().filter(pk=delivery_id).first()
        if delivery is None:
            return
        delivery.status, delivery.attempts, delivery.next_attempt_at = (
            DeliveryStatus.PENDING, 0, None,
        )  # fmt: skip
        delivery.save(update_fields=["status", "attempts", "next_attempt_at", "updated_at"])
        audit_record(code="webhook.delivery.redelivered", target=delivery, actor=actor,
                     summary=f"{delivery.event} #{delivery.pk}")  # fmt: skip
        transaction.on_commit(partial(deliver_webhook.enqueue, delivery_id))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, not an instruction: following it could send the signed body
    to an address that was never validated (plain HTTP, an internal host)."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def _post(url: str, body: bytes, headers: dict[str, str]) -> int:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - URL validated at registration
    try:
        with _OPENER.open(request, timeout=TIMEOUT_S) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


@task()
def deliver_webhook(delivery_id: int) -> str:
    """One attempt; schedules the next one with backoff on failure."""
    delivery = WebhookDelivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    if delivery is None or delivery.status != DeliveryStatus.PENDING:
        return "skipped"
    body = json.dumps(delivery.payload, ensure_ascii=False, sort_keys=True).encode()
    timestamp = int(timezone.now().timestamp())
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "CityOps-Webhooks/1",
        "X-CityOps-Event": delivery.event,
        "X-CityOps-Delivery": str(delivery.pk),
        "X-CityOps-Signature": sign(delivery.endpoint.secret, timestamp, body),
    }
    code: int | None = None
    error = ""
    try:
        code = _post(delivery.endpoint.url, body, headers)
    except (OSError, ValueError) as exc:
        error = str(exc)[:300]
    now = timezone.now()
    delivery.attempts += 1
    delivery.last_status_code, delivery.last_error = code, error
    if code is not None and 200 <= code < 300:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = (
            DeliveryStatus.SUCCEEDED,
            now,
            None,
        )
    elif delivery.attempts > len(BACKOFF):
        delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, None
    else:
        delivery.next_attempt_at = now + BACKOFF[delivery.attempts - 1]
    delivery.save(update_fields=["attempts", "last_status_code", "last_error", "status",
                                 "delivered_at", "next_attempt_at", "updated_at"])  # fmt: skip
    if delivery.status == DeliveryStatus.PENDING:
        assert delivery.next_attempt_at is not None
        # The database backend waits until run_after; a backend without deferral (the
        # immediate one of development and tests) retries at once.
        later = deliver_webhook
        if deliver_webhook.get_backend().supports_defer:
            later = deliver_webhook.using(run_after=delivery.next_attempt_at)
        later.enqueue(delivery.pk)
    return str(delivery.status)
