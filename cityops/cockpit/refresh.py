"""The refresh job: compute every registered panel and store one :class:`Snapshot`.

Scheduled as ``cockpit_refresh`` (``core.scheduler``, every 300 s ◐; ``CITYOPS_SCHEDULE``
overrides it; cron: ``manage.py run_scheduler --once --job cockpit_refresh``) and run by the
demo step. A panel whose compute raises is logged and marked failed; the others are stored.
Only the newest :data:`KEEP` snapshots are kept.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from typing import Any

from django.db import transaction
from django.utils import timezone

from cityops.cockpit.models import Snapshot
from cityops.cockpit.panels import registered_panels

log = logging.getLogger(__name__)
KEEP = 12


def cockpit_refresh(*, now: dt.datetime | None = None) -> Snapshot:
    now = now or timezone.now()
    started = time.perf_counter()
    panels: dict[str, Any] = {}
    failed: list[str] = []
    for panel in registered_panels():
        try:
            # A savepoint, so a failing panel on PostgreSQL does not poison the others' reads.
            with transaction.atomic():
                panels[panel.name] = panel.computer()(now=now)
        except Exception:
            log.exception("cockpit panel %s failed", panel.name)
            failed.append(panel.name)
    with transaction.atomic():
        snapshot = Snapshot.objects.create(
            computed_at=now,
            seconds=round(time.perf_counter() - started, 3),
            data={"panels": panels, "failed": failed},
        )
        stale = Snapshot.objects.order_by("-computed_at", "-id").values_list("pk", flat=True)
        Snapshot.objects.filter(pk__in=list(stale[KEEP:])).delete()
    return snapshot


def refresh_job() -> str:
    snapshot = cockpit_refresh()
    return f"cockpit refreshed in {snapshot.seconds} s"


def demo_step(context: Any) -> str:
    return refresh_job()
