"""REST API tokens for systems, and the 12345 hotline category mapping.

A token acts as one user account (for an organisation's system: a service account with that
organisation's membership and role), so every endpoint scopes it exactly like the web UI.
Tokens are random and high-entropy: a SHA-256 digest is a sufficient hash at rest.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cityops.core.crypto import EncryptedTextField
from cityops.core.models import BaseModel, OutboxRow


class ApiToken(BaseModel):
    name = models.CharField(_("name"), max_length=100)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acts as"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    organisation = models.ForeignKey(
        "registry.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    prefix = models.CharField(_("prefix"), max_length=12, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    active = models.BooleanField(_("active"), default=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class HotlineCategoryRule(BaseModel):
    """12345 work orders carry free category text: the first rule whose keyword occurs in it
    (lowest order first) gives the case category. Keyword ``*`` is the fallback."""

    keyword = models.CharField(_("keyword"), max_length=50)
    category = models.ForeignKey(
        "cases.Category", verbose_name=_("category"), on_delete=models.CASCADE, related_name="+"
    )
    order = models.PositiveIntegerField(_("order"), default=100)

    class Meta:
        verbose_name = _("hotline category rule")
        verbose_name_plural = _("hotline category rules")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return f"{self.keyword} → {self.category}"


class WebhookEndpoint(BaseModel):
    """An operator's HTTPS endpoint for case events concerning it (dispatched, rework, …)."""

    organisation = models.ForeignKey(
        "registry.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="webhook_endpoints",
    )
    url = models.URLField(_("URL"), max_length=500)
    secret = EncryptedTextField(_("signing secret"), editable=False)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["organisation", "url"]

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(OutboxRow, BaseModel):
    """One event for one endpoint: an outbox row (``cityops.core.outbox``, channel
    ``webhook``); its attempts are in the delivery log (``core.DeliveryAttempt``)."""

    endpoint = models.ForeignKey(
        WebhookEndpoint,
        verbose_name=_("endpoint"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    event = models.CharField(_("event"), max_length=40)
    payload = models.JSONField(_("payload"))
    last_status_code = models.PositiveSmallIntegerField(
        _("last HTTP status"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="api_webhook_due_idx")]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint_id} ({self.status})"
