"""Retry failed notification deliveries whose backoff has passed (run from cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from cityops.notifications.services import deliveries_retry


class Command(BaseCommand):
    help = "Retry failed e-mail/SMS deliveries (exponential backoff, at most 5 attempts)."

    def handle(self, *args: Any, **options: Any) -> None:
        retried = deliveries_retry()
        self.stdout.write(f"retried {retried} deliveries")
