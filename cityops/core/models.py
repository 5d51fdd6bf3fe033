from __future__ import annotations

import datetime as dt
from typing import Any, Self

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class BaseModel(models.Model):
    """Creation and modification times on every domain row."""

    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class SettingsRow:
    """Mixin of an app's one row of editable rules (time limits, thresholds: the ◐/❓ values of
    the domain documents as data). ``current()`` is the one way to read it: the first row, or
    the defaults of the model's fields while nobody has saved one (a read never writes)."""

    @classmethod
    def current(cls) -> Self:
        manager = cls._default_manager  # type: ignore[attr-defined]
        found: Self | None = manager.order_by("pk").first()
        return found if found is not None else cls()


class AuditEvent(models.Model):
    """One row per state change anywhere in the platform (who, what, when, on which record).

    Codes are dotted (``case.dispatched``, ``registry.grid.changed``). Written by services in
    the same transaction as the change they describe.
    """

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    code = models.CharField(_("event code"), max_length=80, db_index=True)
    target_type = models.CharField(_("target type"), max_length=80)
    target_id = models.CharField(_("target id"), max_length=64)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.code} {self.target_type}#{self.target_id}"

    @property
    def details(self) -> dict[str, Any]:
        return dict(self.data)


class ProcessKind(models.TextChoices):
    WORKER = "worker", _("background worker")
    SCHEDULER = "scheduler", _("scheduler")


class Heartbeat(models.Model):
    """One row per running ``db_worker`` / ``run_scheduler`` process, beaten every few seconds.

    A row whose beat is older than ``CITYOPS_HEARTBEAT_TIMEOUT_SECONDS`` is a dead process:
    /healthz reports the missing kind, its Open311 claims are taken over and the task it was
    running is marked failed (``cityops.core.workers``). The token is the process's
    django-tasks worker id and the owner part of its Open311 claims.
    """

    token = models.CharField(_("token"), max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=ProcessKind.choices)
    hostname = models.CharField(_("host name"), max_length=255)
    pid = models.PositiveIntegerField(_("process id"))
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    beat_at = models.DateTimeField(_("last beat"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("process heartbeat")
        verbose_name_plural = _("process heartbeats")
        ordering = ["kind", "hostname", "pid"]

    def __str__(self) -> str:
        return f"{self.kind} {self.hostname}:{self.pid}"


class ScheduledRun(models.Model):
    """Periodic job ``job`` was enqueued for the time slot starting at ``slot``.

    The unique constraint is the arbiter between several schedulers (``cityops.core.scheduler``):
    the first to insert the row enqueues the job for that slot, the others skip it.
    """

    job = models.CharField(_("job"), max_length=60)
    slot = models.DateTimeField(_("time slot"))
    enqueued_at = models.DateTimeField(_("enqueued at"), default=timezone.now)
    task_id = models.CharField(_("task id"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("scheduled run")
        verbose_name_plural = _("scheduled runs")
        ordering = ["-slot", "job"]
        constraints = [
            models.UniqueConstraint(fields=["job", "slot"], name="core_scheduledrun_unique")
        ]

    def __str__(self) -> str:
        return f"{self.job} @ {self.slot:%Y-%m-%d %H:%M:%S}"


class OutboxStatus(models.TextChoices):
    """Where one delivery stands (``cityops.core.outbox``); stable values, shown in the API."""

    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed, will retry")
    DEAD = "dead", _("Failed, given up")
    SKIPPED = "skipped", _("Skipped")


class OutboxRow(models.Model):
    """The columns every outbox delivery has (notification channels, SMS, webhooks).

    Written only by ``cityops.core.outbox``: a claim sets ``status=sending`` with a fresh
    ``claim_token`` by compare-and-swap; the outcome is written only where the token is still
    the claimer's (a fenced write), so a worker whose lease ran out cannot overwrite a newer
    attempt's result.
    """

    status = models.CharField(
        _("status"), max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    claim_token = models.UUIDField(_("claim"), null=True, blank=True, editable=False)
    claimed_by = models.CharField(_("claimed by"), max_length=100, blank=True, editable=False)
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        abstract = True


class DeliveryAttempt(models.Model):
    """The delivery log: one row per sending attempt of any outbox channel.

    ``claim_token`` is unique: one claim, at most one attempt (the database says so too).
    """

    channel = models.CharField(_("channel"), max_length=40)
    delivery_id = models.BigIntegerField(_("delivery"))
    number = models.PositiveSmallIntegerField(_("attempt"))
    claim_token = models.UUIDField(_("claim"), unique=True)
    claimed_by = models.CharField(_("claimed by"), max_length=100, blank=True)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.SENDING
    )
    status_code = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["channel", "delivery_id", "started_at"])]

    def __str__(self) -> str:
        return f"{self.channel}#{self.delivery_id} {self.number} {self.outcome}"


class Credential(BaseModel):
    """One secret a system presents to call us: a REST API token or an Open311 API key (``kind``;
    each app registers its kinds with ``core.credentials.credential_kind_register``).

    Secrets are random and high-entropy, so a SHA-256 digest is a sufficient hash at rest
    (``secret_hash``); only the first characters (``prefix``) stay readable to tell them apart.
    The app's own row (``api.ApiToken``, ``open311.ApiKey``) points here and holds what only
    that app knows (the organisation). Written only by ``cityops.core.credentials``.
    """

    kind = models.CharField(_("kind"), max_length=30, editable=False)
    name = models.CharField(_("name"), max_length=100)
    # The account a REST token acts as; empty for an Open311 key (it acts as an application).
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acts as"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="credentials",
    )
    prefix = models.CharField(_("prefix"), max_length=12, editable=False)
    secret_hash = models.CharField(max_length=64, unique=True, editable=False)
    # Empty: everything the kind allows. Otherwise the names of what it may do.
    scopes = models.JSONField(_("scopes"), default=list, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("credential")
        verbose_name_plural = _("credentials")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["kind", "created_at"], name="core_credential_kind")]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def active(self) -> bool:
        """Not revoked (expiry is judged against a moment: ``usable_at``)."""
        return self.revoked_at is None

    def usable_at(self, moment: Any) -> bool:
        return self.revoked_at is None and (self.expires_at is None or moment < self.expires_at)


class CredentialHolder:
    """What an app's credential row (REST token, Open311 key) shows of its ``Credential``: the
    one place that reads it through, for admin columns and listings."""

    credential: Credential

    def __str__(self) -> str:
        return str(self.credential)

    @property
    def name(self) -> str:
        return self.credential.name

    @property
    def prefix(self) -> str:
        return self.credential.prefix

    @property
    def active(self) -> bool:
        return self.credential.active

    @property
    def revoked_at(self) -> dt.datetime | None:
        return self.credential.revoked_at

    @property
    def last_used_at(self) -> dt.datetime | None:
        return self.credential.last_used_at
