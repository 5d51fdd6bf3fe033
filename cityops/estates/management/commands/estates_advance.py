"""manage.py estates_advance: open and close votes whose window started or ended (cron/timer)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from cityops.estates.services.votes import proposals_advance


class Command(BaseCommand):
    help = "Open noticed votes whose window began; close and tally open votes whose window ended."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = proposals_advance()
        self.stdout.write(_("%(opened)s vote(s) opened, %(closed)s closed.") % counts)
