"""A full disk under the media folders, for the tests of "uploads refused cleanly" (issue 19).

Where the tests may mount (root in a container or CI runner): a real 64 KiB tmpfs, filled to the
last block, holds ``MEDIA_ROOT`` and ``CITYOPS_PRIVATE_MEDIA_ROOT``, so the kernel answers the
upload's write with ``ENOSPC``. Elsewhere: the default storage writes to ``/dev/full``, a device
that answers every write with ``ENOSPC`` (still the kernel's error, through a storage).
"""

from __future__ import annotations

import contextlib
import errno
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.files.storage import FileSystemStorage


class DevFullStorage(FileSystemStorage):
    """Every file written goes to ``/dev/full`` first: the write fails with ``ENOSPC``."""

    def _save(self, name: str, content: Any) -> str:
        with open("/dev/full", "wb") as device:
            for chunk in content.chunks():
                device.write(chunk)
                device.flush()
        raise OSError(errno.ENOSPC, "unreachable: /dev/full accepted a write")


def _mount_small(folder: Path) -> bool:
    if os.geteuid() != 0:
        return False
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(  # noqa: S603
        ["/bin/mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(folder)],
        capture_output=True,
        check=False,
    )
    return done.returncode == 0


def _fill(folder: Path) -> None:
    with contextlib.suppress(OSError), (folder / "filler").open("wb") as out:
        while True:
            out.write(b"\0" * 4096)
            out.flush()


@contextlib.contextmanager
def full_media_disk(settings: Any, tmp_path: Path) -> Iterator[str]:
    """Point both media folders at a full disk; yields "tmpfs" or "/dev/full" (which one)."""
    disk = tmp_path / "small-disk"
    if _mount_small(disk):
        try:
            for sub in ("media", "private"):
                (disk / sub).mkdir()
            _fill(disk)
            settings.MEDIA_ROOT = str(disk / "media")
            settings.CITYOPS_PRIVATE_MEDIA_ROOT = str(disk / "private")
            yield "tmpfs"
        finally:
            subprocess.run(["/bin/umount", "-l", str(disk)], check=False)  # noqa: S603
        return
    before = settings.STORAGES
    settings.STORAGES = {
        **before,
        "default": {"BACKEND": "cityops.core.testing_disk.DevFullStorage"},
    }
    try:
        yield "/dev/full"
    finally:
        settings.STORAGES = before
