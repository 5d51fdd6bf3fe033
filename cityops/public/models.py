"""Residents' satisfaction feedback on a closed case (counts in the evaluations later)."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cityops.core.crypto import EncryptedTextField
from cityops.core.models import OutboxRow


class Feedback(models.Model):
    """One rating per case, given by whoever holds the case's private tracking code."""

    case = models.OneToOneField(
        "cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="feedback"
    )
    score = models.PositiveSmallIntegerField(
        _("satisfaction (1–5)"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("given at"), auto_now_add=True)

    class Meta:
        verbose_name = _("satisfaction feedback")
        verbose_name_plural = _("satisfaction feedback")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="public_feedback_score_1_5"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.score}"


class Support(models.Model):
    """ "This is my problem too": one per person or device on an existing public case, instead
    of a duplicate report. ``supporter`` is a keyed hash (``core.crypto.blind_index``) of the
    signed-in user or of the browser's random device cookie: no personal data is stored."""

    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="supports"
    )
    supporter = models.CharField(_("supporter (keyed hash)"), max_length=64)
    created_at = models.DateTimeField(_("given at"), auto_now_add=True)

    class Meta:
        verbose_name = _("supporter")
        verbose_name_plural = _("supporters")
        constraints = [
            models.UniqueConstraint(fields=["case", "supporter"], name="public_support_once")
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.supporter[:8]}"


class SubscriptionChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")


class Subscription(models.Model):
    """Anyone may follow the new and/or closed public reports of a community, by e-mail or SMS.

    Double opt-in: nothing is sent before the link of the confirmation message is opened
    (``confirmed_at``); every message carries a signed unsubscribe link. The address is
    encrypted; ``address_index`` (keyed hash) keeps one subscription per community and address.
    """

    community = models.ForeignKey(
        "registry.Community",
        verbose_name=_("community"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    channel = models.CharField(_("channel"), max_length=10, choices=SubscriptionChannel.choices)
    address = EncryptedTextField(_("e-mail address or phone"))
    address_index = models.CharField(max_length=64)
    on_new = models.BooleanField(_("new reports"), default=True)
    on_closed = models.BooleanField(_("closed reports"), default=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("community subscription")
        verbose_name_plural = _("community subscriptions")
        constraints = [
            models.UniqueConstraint(
                fields=["community", "address_index"], name="public_subscription_once"
            )
        ]
        indexes = [models.Index(fields=["community", "confirmed_at"], name="public_sub_idx")]

    def __str__(self) -> str:
        return f"{self.community_id} {self.channel}"


class SubscriptionMail(OutboxRow):
    """An e-mail to a subscriber (outbox channel ``subscription_mail``); the address stays
    encrypted until the sender decrypts it. ``dedupe_key`` sends each message once."""

    address_token = models.TextField(_("e-mail address (encrypted)"))
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"))
    dedupe_key = models.CharField(_("deduplication key"), max_length=200, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("e-mail to a subscriber")
        verbose_name_plural = _("e-mails to subscribers")
        ordering = ["id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="public_submail_due")]

    def __str__(self) -> str:
        return f"{self.dedupe_key} {self.status}"
