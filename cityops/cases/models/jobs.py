"""The periodic-job ledger: one row per job and time slot, the database's de-duplication."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ScheduledRun(models.Model):
    """Job ``job`` was enqueued for the slot starting at ``slot``.

    The unique constraint is the arbiter between several schedulers: the first to insert the
    row enqueues the job for that slot, the others skip it.
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
            models.UniqueConstraint(fields=["job", "slot"], name="cases_scheduledrun_unique")
        ]

    def __str__(self) -> str:
        return f"{self.job} @ {self.slot:%Y-%m-%d %H:%M:%S}"
