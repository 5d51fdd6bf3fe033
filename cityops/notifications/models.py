"""Inbox notifications, their per-channel delivery log, and staff contact points."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cityops.core.crypto import EncryptedTextField
from cityops.core.models import BaseModel, OutboxRow


class Channel(models.TextChoices):
    INBOX = "inbox", _("In-app inbox")
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")


class ContactPoint(BaseModel):
    """How to reach one user outside the platform: mobile number (encrypted) and language.

    Kept here rather than on ``accounts.User`` so that personal contact data lives in one
    place, encrypted at rest, next to the only code that uses it.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="contact_point",
    )
    mobile = EncryptedTextField(_("mobile phone"), blank=True, default="")
    # Blind index of ``mobile`` (cityops.core.crypto.blind_index, purpose "staff_mobile").
    mobile_index = models.CharField(max_length=64, blank=True, default="", db_index=True)
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    sms_enabled = models.BooleanField(_("receive SMS"), default=True)
    email_enabled = models.BooleanField(_("receive e-mail"), default=True)

    class Meta:
        verbose_name = _("contact point")
        verbose_name_plural = _("contact points")

    def __str__(self) -> str:
        return str(self.user)


class Notification(models.Model):
    """One message to one recipient. ``(recipient, dedupe_key)`` is delivered at most once."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    code = models.CharField(_("code"), max_length=80, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    dedupe_key = models.CharField(_("deduplication key"), max_length=200)
    in_inbox = models.BooleanField(_("shown in inbox"), default=True)
    target_type = models.CharField(_("target type"), max_length=80, blank=True)
    target_id = models.CharField(_("target id"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"], name="notifications_recipient_dedupe_unique"
            )
        ]
        indexes = [
            models.Index(
                fields=["recipient", "created_at"],
                condition=Q(read_at__isnull=True, in_inbox=True),
                name="notifications_unread_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.recipient} · {self.title}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class Delivery(OutboxRow):
    """One notification on one channel: an outbox row (``cityops.core.outbox``, channel
    ``notification``) with its status, attempts and last error."""

    notification = models.ForeignKey(
        Notification,
        verbose_name=_("notification"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "channel"], name="notifications_delivery_unique"
            )
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="notif_delivery_due_idx")
        ]

    def __str__(self) -> str:
        return f"{self.notification_id} {self.channel} {self.status}"


class PhoneMessage(OutboxRow):
    """An SMS to a phone number without an account (a resident who reported by phone).

    The number is kept as the encrypted token copied from the record it belongs to (never
    decrypted on the way); only the sender (``phone._send``, outbox channel ``phone``)
    decrypts it. ``dedupe_key`` makes each message go out at most once.
    """

    phone_token = models.TextField(_("phone (encrypted)"))
    text = models.TextField(_("text"))
    dedupe_key = models.CharField(_("deduplication key"), max_length=200, unique=True)
    target_type = models.CharField(_("target type"), max_length=80, blank=True)
    target_id = models.CharField(_("target id"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("SMS to a phone number")
        verbose_name_plural = _("SMS to phone numbers")
        ordering = ["id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="notif_phone_due_idx")]

    def __str__(self) -> str:
        return f"{self.target_type}:{self.target_id} {self.status}"
