"""Writes of the notifications domain: notify (after commit), deliver, mark read, contacts.

Delivery is idempotent per ``(recipient, dedupe_key)``: a unique constraint makes the inbox row
the claim ticket, and each channel's :class:`Delivery` row is an outbox row (channel
``notification`` of ``cityops.core.outbox``: claimed by compare-and-swap before sending,
retried with backoff by the one ``outbox_retry`` job), so notify or the task running twice, or
several workers, send once.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext

from cityops.core.audit import audit_record
from cityops.core.crypto import blind_index, mask_phone
from cityops.core.errors import DomainError, NotFound
from cityops.core.models import OutboxStatus
from cityops.core.outbox import Outcome, outbox_deliver
from cityops.notifications.backends import get_sms_backend
from cityops.notifications.models import Channel, ContactPoint, Delivery, Notification

logger = logging.getLogger(__name__)

SMS_MAX_CHARS = 300


@dataclass(frozen=True)
class Message:
    """One rendered notification for one recipient: the task's (JSON) arguments."""

    recipient_id: int
    dedupe_key: str
    code: str
    title: str
    body: str
    url: str
    channels: tuple[str, ...]
    target_type: str
    target_id: str

    def as_kwargs(self) -> dict[str, Any]:
        return {
            "recipient_id": self.recipient_id,
            "dedupe_key": self.dedupe_key,
            "code": self.code,
            "title": self.title,
            "body": self.body,
            "url": self.url,
            "channels": list(self.channels),
            "target_type": self.target_type,
            "target_id": self.target_id,
        }


def _languages(user_ids: Iterable[int]) -> dict[int, str]:
    return dict(
        ContactPoint.objects.filter(user_id__in=list(user_ids)).values_list("user_id", "language")
    )


def _render(text: str | Promise, language: str) -> str:
    if isinstance(text, Promise):
        with translation.override(language):
            return str(text)
    return str(text)


def notify(
    *,
    recipients: Iterable[Any],
    code: str,
    title: str | Promise,
    body: str | Promise = "",
    url: str = "",
    channels: Sequence[str] = ("inbox",),
    dedupe_key: str = "",
    target: models.Model | None = None,
) -> None:
    """Send a notification to each recipient once the surrounding transaction commits.

    ``title``/``body`` are plain text already in the recipient's language, or lazy
    translations rendered per recipient in their preferred language (default zh-hans).
    Without ``dedupe_key`` every call is a new notification (retries of the task stay safe).
    """
    unknown = set(channels) - set(Channel.values)
    if unknown:
        raise ValueError(f"unknown notification channels: {sorted(unknown)}")
    users = {u.pk: u for u in recipients if u is not None and u.pk is not None}
    if not users:
        return
    key = dedupe_key or f"auto:{uuid.uuid4().hex}"
    lazy = isinstance(title, Promise) or isinstance(body, Promise)
    languages = _languages(users) if lazy else {}
    target_type = target._meta.label_lower if target is not None else ""
    target_id = str(target.pk) if target is not None else ""
    messages: list[Message] = []
    for user_id in users:
        language = languages.get(user_id, settings.LANGUAGE_CODE)
        messages.append(
            Message(
                recipient_id=user_id,
                dedupe_key=key[:200],
                code=code,
                title=_render(title, language)[:200],
                body=_render(body, language),
                url=url[:500],
                channels=tuple(dict.fromkeys(channels)),
                target_type=target_type,
                target_id=target_id,
            )
        )
    # robust: a failing enqueue is logged and must not break the caller's committed request;
    # the delivery log stays empty for it and the caller's audit trail is intact.
    transaction.on_commit(partial(_enqueue, messages), robust=True)


def _enqueue(messages: list[Message]) -> None:
    from cityops.notifications.tasks import deliver_notification

    for message in messages:
        deliver_notification.enqueue(**message.as_kwargs())


def notification_deliver(
    *,
    recipient_id: int,
    dedupe_key: str,
    code: str,
    title: str,
    body: str = "",
    url: str = "",
    channels: Sequence[str] = ("inbox",),
    target_type: str = "",
    target_id: str = "",
) -> Notification | None:
    """Create the inbox row (once) and attempt every channel not yet sent. Idempotent."""
    user = get_user_model().objects.filter(pk=recipient_id, is_active=True).first()
    if user is None:
        return None
    notification, _created = Notification.objects.get_or_create(
        recipient=user,
        dedupe_key=dedupe_key,
        defaults={
            "code": code,
            "title": title,
            "body": body,
            "url": url,
            "in_inbox": Channel.INBOX in channels,
            "target_type": target_type,
            "target_id": target_id,
        },
    )
    for channel in channels:
        delivery, _ = Delivery.objects.get_or_create(notification=notification, channel=channel)
        outbox_deliver(channel=OUTBOX_CHANNEL, delivery_id=delivery.pk)
    return notification


OUTBOX_CHANNEL = "notification"


class _Skip(Exception):
    """Nothing to send on this channel (no address, opted out): recorded as skipped."""


def _send(delivery: Delivery) -> None:
    notification = delivery.notification
    user = notification.recipient
    contact = ContactPoint.objects.filter(user=user).first()
    if delivery.channel == Channel.INBOX:
        return
    if delivery.channel == Channel.EMAIL:
        if not user.email:
            raise _Skip("recipient has no e-mail address")
        if contact is not None and not contact.email_enabled:
            raise _Skip("recipient turned e-mail off")
        text = notification.body
        if notification.url:
            text = f"{text}\n\n{notification.url}".strip()
        send_mail(
            notification.title,
            text,
            settings.DEFAULT_FROM_EMAIL,
            [user.email],
            fail_silently=False,
        )
        return
    if delivery.channel == Channel.SMS:
        if contact is None or not contact.mobile:
            raise _Skip("recipient has no mobile number")
        if not contact.sms_enabled:
            raise _Skip("recipient turned SMS off")
        text = notification.title
        if notification.body:
            text = f"{text}：{notification.body}"
        get_sms_backend().send(contact.mobile, text[:SMS_MAX_CHARS])
        return
    raise _Skip(f"unknown channel {delivery.channel!r}")


def delivery_send(delivery: Delivery) -> Outcome:
    """The ``notification`` outbox channel's sender: one attempt on one channel (the outbox
    has claimed the row; an exception from the mail server or gateway is a retried failure)."""
    try:
        _send(delivery)
    except _Skip as skip:
        return Outcome(OutboxStatus.SKIPPED, str(skip))
    return Outcome(OutboxStatus.SENT)


def delivery_load(delivery_id: int) -> Delivery:
    return Delivery.objects.select_related("notification__recipient").get(pk=delivery_id)


def notification_mark_read(*, user: Any, notification_id: int) -> Notification:
    """Mark one of the user's own notifications read; another user's id is "not found"."""
    notification = Notification.objects.filter(
        pk=notification_id, recipient_id=user.pk, in_inbox=True
    ).first()
    if notification is None:
        raise NotFound(gettext("Notification not found."))
    if notification.read_at is None:
        now = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        notification.read_at = now
    return notification


def notification_mark_all_read(*, user: Any) -> int:
    return Notification.objects.filter(
        recipient_id=user.pk, in_inbox=True, read_at__isnull=True
    ).update(read_at=timezone.now())


def contact_point_set(
    *,
    user: Any,
    actor: Any,
    mobile: str | None = None,
    language: str | None = None,
    sms_enabled: bool | None = None,
    email_enabled: bool | None = None,
) -> ContactPoint:
    """Create or change a user's contact point; the audit event never holds the full number."""
    if language is not None and language not in dict(settings.LANGUAGES):
        raise DomainError(gettext("Unknown language."), field="language")
    changed: dict[str, Any] = {}
    with transaction.atomic():
        contact, _ = ContactPoint.objects.select_for_update().get_or_create(user=user)
        if mobile is not None:
            mobile = mobile.strip()
            if mobile and not _looks_like_phone(mobile):
                raise DomainError(gettext("Enter a valid mobile phone number."), field="mobile")
            contact.mobile = mobile
            contact.mobile_index = blind_index(mobile, purpose="staff_mobile") if mobile else ""
            changed["mobile"] = mask_phone(mobile)
        if language is not None:
            contact.language = changed["language"] = language
        if sms_enabled is not None:
            contact.sms_enabled = changed["sms_enabled"] = sms_enabled
        if email_enabled is not None:
            contact.email_enabled = changed["email_enabled"] = email_enabled
        contact.save()
        audit_record(
            code="notification.contact_point.changed", target=contact, actor=actor, data=changed
        )
    return contact


def _looks_like_phone(value: str) -> bool:
    digits = "".join(ch for ch in value if ch.isdigit())
    allowed = set("0123456789+- ()")
    return set(value) <= allowed and 7 <= len(digits) <= 15
