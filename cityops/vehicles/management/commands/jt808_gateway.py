"""``manage.py jt808_gateway [--host --port --mode]``: the JT/T 808 TCP gateway."""

from __future__ import annotations

import asyncio
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Run the JT/T 808 gateway (2013 and 2019 terminals) until interrupted."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=settings.CITYOPS_JT808_HOST)
        parser.add_argument("--port", type=int, default=settings.CITYOPS_JT808_PORT)
        parser.add_argument(
            "--mode", choices=("embedded", "jetstream"), default=settings.CITYOPS_JT808_MODE
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from cityops.vehicles.runtime import serve

        asyncio.run(serve(host=options["host"], port=options["port"], mode=options["mode"]))
