"""REST API tokens for systems, and the 12345 hotline category mapping.

A token acts as one user account (for an organisation's system: a service account with that
organisation's membership and role), so every endpoint scopes it exactly like the web UI.
The secret itself is a ``core.Credential`` (``cityops.core.credentials``).
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from cityops.core.crypto import EncryptedTextField
from cityops.core.models import BaseModel, CredentialHolder, OutboxRow


class ApiToken(CredentialHolder, BaseModel):
    """A REST token: the API's row of a ``core.Credential`` (kind ``api_token``), whose owner is
    the account the token acts as. ``organisation`` is that account's organisation when the
    token was issued. Issued, checked and revoked through ``cityops.api.tokens``."""

    credential = models.OneToOneField(
        "core.Credential",
        verbose_name=_("credential"),
        on_delete=models.CASCADE,
        related_name="api_token",
        editable=False,
    )
    organisation = models.ForeignKey(
        "registry.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]

    @property
    def user(self) -> Any:
        return self.credential.owner


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
