"""The cockpit's snapshot: every figure of the page, computed by the refresh job.

The page reads the newest row only (one query), so a leader's click never scans the case
table; ``refresh.cockpit_refresh`` writes a row and prunes the old ones.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Snapshot(models.Model):
    computed_at = models.DateTimeField(_("computed at"), db_index=True)
    seconds = models.FloatField(_("computation time (s)"), default=0)
    # {"panels": {name: data}, "failed": [name, …]}: plain JSON, rendered by each panel.
    data = models.JSONField(_("figures"), default=dict)

    class Meta:
        verbose_name = _("cockpit snapshot")
        verbose_name_plural = _("cockpit snapshots")
        ordering = ["-computed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.computed_at:%Y-%m-%d %H:%M}"
