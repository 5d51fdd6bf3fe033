"""Send every due outbox delivery of every channel (notifications, SMS, webhooks): cron's
alternative to the scheduler's ``outbox_retry`` job."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from cityops.core.outbox import outbox_retry


class Command(BaseCommand):
    help = "Send due outbox deliveries: failures whose backoff passed, lost enqueues, dead claims."

    def handle(self, *args: Any, **options: Any) -> None:
        made = outbox_retry()
        self.stdout.write(f"{made} delivery attempts")
