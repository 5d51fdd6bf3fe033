"""Open311 API keys and the Open311 side of a case (who posted it, with which contact data).

The key's secret is a ``core.Credential`` (``cityops.core.credentials``): hashed at rest, only
its first characters (``prefix``) readable to tell keys apart in the admin.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from cityops.core.crypto import EncryptedTextField
from cityops.core.models import BaseModel, CredentialHolder


class ApiKey(CredentialHolder, BaseModel):
    """An Open311 key: the Open311 row of a ``core.Credential`` (kind ``open311_key``), with the
    organisation the application belongs to. Issued, checked and revoked through ``keys.py``."""

    credential = models.OneToOneField(
        "core.Credential",
        verbose_name=_("credential"),
        on_delete=models.CASCADE,
        related_name="open311_key",
        editable=False,
    )
    organisation = models.ForeignKey(
        "registry.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty for a public application (resident app, mini-program)."),
    )

    class Meta:
        verbose_name = _("Open311 API key")
        verbose_name_plural = _("Open311 API keys")
        ordering = ["-created_at", "-id"]


class IntakeStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    FILED = "filed", _("filed")
    REJECTED = "rejected", _("rejected")
    FAILED = "failed", _("failed")  # the drain could not file it (a fault, not the request's)


class Open311Request(BaseModel):
    """A POSTed service request: the key, the token, the reserved case number, the submitter's
    contact data, and the case once the intake queue has filed it (``cityops.open311.intake``).

    Contact data is personal data: encrypted at rest, never returned by any GET. ``payload``
    holds the submission (encrypted: it carries the reporter's name and phone) only while it is
    queued; filing or rejecting it empties it.
    """

    case = models.OneToOneField(
        "cases.Case",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="open311",
    )
    api_key = models.ForeignKey(
        ApiKey, verbose_name=_("API key"), on_delete=models.PROTECT, related_name="requests"
    )
    token = models.CharField(_("token"), max_length=40, unique=True)
    # The case number, reserved when the request is received (the cases' own per-day counter,
    # so it never collides with another channel's): the service_request_id the POST answers
    # at once, which the drain files the case under. Empty only on requests from before.
    number = models.CharField(_("service request id"), max_length=20, blank=True, default="")
    status = models.CharField(
        _("status"), max_length=10, choices=IntakeStatus.choices, default=IntakeStatus.FILED
    )
    payload = EncryptedTextField(_("queued submission"), blank=True, default="")
    error = models.CharField(_("reason not filed"), max_length=300, blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=100, blank=True)
    # "<heartbeat token of the claiming process>.<batch>" ("-." outside a worker): the drain
    # files only while it still holds it, and takes over claims of dead workers.
    claim = models.CharField(max_length=80, blank=True, editable=False)
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    email = EncryptedTextField(_("e-mail"), blank=True, default="")
    # Identify a person's phone or account: personal data like the e-mail (the POST refuses
    # values over 100 characters, so none is ever cut).
    device_id = EncryptedTextField(_("device id"), blank=True, default="")
    account_id = EncryptedTextField(_("account id"), blank=True, default="")
    media_url = models.URLField(_("submitted media URL"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("Open311 request")
        verbose_name_plural = _("Open311 requests")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["api_key", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="open311_request_key_once",
            ),
            models.UniqueConstraint(
                fields=["number"],
                condition=~models.Q(number=""),
                name="open311_request_number_once",
            ),
        ]
        indexes = [
            models.Index(
                fields=["id"],
                condition=models.Q(status="queued"),
                name="open311_request_queued",
            )
        ]

    def __str__(self) -> str:
        return self.token
