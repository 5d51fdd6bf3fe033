"""SMS to phone numbers without an account, through the pluggable SMS backend.

Callers hand over the *encrypted* token of the number (as stored on their record) with the
text; the message is an outbox row (channel ``phone`` of ``cityops.core.outbox``) sent after
commit by ``phone_message_send``, the only code that decrypts the number. Sending is claimed by
compare-and-swap (several workers send once), failures are retried with backoff by the one
``outbox_retry`` job.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.functional import Promise

from cityops.core.crypto import decrypt_str
from cityops.core.models import OutboxStatus
from cityops.core.outbox import Outcome, outbox_enqueue
from cityops.notifications.backends import get_sms_backend
from cityops.notifications.models import PhoneMessage
from cityops.notifications.services import SMS_MAX_CHARS, _render


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
        outbox_enqueue(channel=OUTBOX_CHANNEL, delivery_id=message.pk)
    return message


OUTBOX_CHANNEL = "phone"


def phone_message_send(message: PhoneMessage) -> Outcome:
    """The ``phone`` outbox channel's sender: decrypt the number, hand it to the SMS backend
    (a gateway or key failure raises: a retried failure)."""
    get_sms_backend().send(decrypt_str(message.phone_token), message.text[:SMS_MAX_CHARS])
    return Outcome(OutboxStatus.SENT)
