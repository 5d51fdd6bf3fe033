"""SMS to phone numbers without an account, through the pluggable SMS backend.

Callers hand over the *encrypted* token of the number (as stored on their record) with the
text; the message is queued after commit and sent by the ``deliver_phone_message`` task, the
only code that decrypts the number. Sending is claimed by compare-and-swap (several workers
send once), failures are retried with backoff by ``phone_messages_retry``.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.functional import Promise

from cityops.core.crypto import decrypt_str
from cityops.notifications.backends import get_sms_backend
from cityops.notifications.models import DeliveryStatus, PhoneMessage
from cityops.notifications.services import MAX_ATTEMPTS, SMS_MAX_CHARS, STALE_CLAIM, _render

logger = logging.getLogger(__name__)


def _enqueue(message_id: int) -> None:
    from cityops.notifications.tasks import deliver_phone_message

    deliver_phone_message.enqueue(message_id)


def phone_message_queue(
    *,
    phone_token: str,
    text: str | Promise,
    dedupe_key: str,
    target: models.Model | None = None,
) -> PhoneMessage | None:
    """Record the SMS (once per ``dedupe_key``) and send it after the transaction commits.

    ``text`` is rendered in the platform language (the recipient has no language setting).
    """
    if not phone_token:
        return None
    message, created = PhoneMessage.objects.get_or_create(
        dedupe_key=dedupe_key[:200],
        defaults={
            "phone_token": phone_token,
            "text": _render(text, settings.LANGUAGE_CODE)[:SMS_MAX_CHARS],
            "target_type": target._meta.label_lower if target is not None else "",
            "target_id": str(target.pk) if target is not None else "",
        },
    )
    if created:
        transaction.on_commit(partial(_enqueue, message.pk), robust=True)
    return message


def _claim(message_id: int, now: datetime) -> bool:
    claimable = Q(status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED]) | Q(
        status=DeliveryStatus.SENDING, claimed_at__lt=now - STALE_CLAIM
    )
    return (
        PhoneMessage.objects.filter(claimable, pk=message_id, attempts__lt=MAX_ATTEMPTS).update(
            status=DeliveryStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
        == 1
    )


def phone_message_attempt(*, message_id: int) -> str:
    """Claim, decrypt the number, send through the SMS backend, record sent / failed."""
    now = timezone.now()
    if not _claim(message_id, now):
        current = PhoneMessage.objects.filter(pk=message_id).values_list("status", flat=True)
        return str(current.first() or "")
    message = PhoneMessage.objects.get(pk=message_id)
    status: str = DeliveryStatus.SENT
    error, sent_at = "", None
    try:
        get_sms_backend().send(decrypt_str(message.phone_token), message.text[:SMS_MAX_CHARS])
    except Exception as exc:  # the outside gateway (or a key problem) failed
        logger.warning("phone message %s failed: %r", message_id, exc)
        status, error = DeliveryStatus.FAILED, f"{type(exc).__name__}: {exc}"[:2000]
    else:
        sent_at = timezone.now()
    PhoneMessage.objects.filter(pk=message_id, status=DeliveryStatus.SENDING).update(
        status=status, error=error, sent_at=sent_at
    )
    return status


def phone_messages_retry(*, now: datetime | None = None) -> int:
    """Retry failed messages with exponential backoff (2, 4, 8 … minutes) and stale claims."""
    now = now or timezone.now()
    candidates = PhoneMessage.objects.filter(
        Q(status=DeliveryStatus.FAILED)
        | Q(status=DeliveryStatus.SENDING, claimed_at__lt=now - STALE_CLAIM),
        attempts__lt=MAX_ATTEMPTS,
    ).values_list("pk", "status", "attempts", "claimed_at", "created_at")
    retried = 0
    for pk, status, attempts, claimed_at, created_at in candidates:
        due = (claimed_at or created_at) + timedelta(minutes=2**attempts)
        if status == DeliveryStatus.FAILED and due > now:
            continue
        phone_message_attempt(message_id=pk)
        retried += 1
    return retried
