"""``manage.py rotate_field_keys``: re-encrypt personal data under the newest key (resumable)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from cityops.core.keyrotation import keys_rotate


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted column under the first key of CITYOPS_FIELD_ENCRYPTION_KEYS "
        "and recompute blind indexes, in batches; run it again after a crash to resume."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=500)
        parser.add_argument("--max-batches", type=int, default=None,
                            help="stop after this many batches (run in slices)")  # fmt: skip
        parser.add_argument("--checkpoint", type=Path,
                            default=Path(settings.VAR_DIR) / "rotate_field_keys.json")  # fmt: skip
        parser.add_argument("--restart", action="store_true", help="ignore the checkpoint")

    def handle(self, *args: Any, **options: Any) -> None:
        checkpoint: Path = options["checkpoint"]
        if options["restart"]:
            checkpoint.unlink(missing_ok=True)
        checkpoint.parent.mkdir(parents=True, exist_ok=True)
        with tqdm(unit="rows", disable=options["verbosity"] == 0) as bar:

            def progress(label: str, n: int) -> None:
                bar.set_description(label)
                bar.update(n)

            result = keys_rotate(checkpoint=checkpoint, batch=options["batch"],
                                 max_batches=options["max_batches"], progress=progress)  # fmt: skip
        for label, n in sorted(result.rows.items()):
            self.stdout.write(f"{label}: {n}")
        self.stdout.write("done" if result.done else f"paused (checkpoint {checkpoint})")
