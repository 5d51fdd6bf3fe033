"""Photos kept across a refused report form (FixMyStreet keeps them too).

A browser never re-fills a file input, so when the form comes back with an error (or with
duplicate suggestions) the photos already sent would be lost. They are kept server-side under
a random token stored in the visitor's session (nobody else can claim them), listed on the
form again, and added to the report when it is finally sent. Files older than
``KEEP_SECONDS`` are swept on the next keep.
"""

from __future__ import annotations

import secrets
import shutil
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

SESSION_KEY = "public_pending_photos"
KEEP_SECONDS = 24 * 3600


def _root() -> Path:
    return Path(settings.VAR_DIR) / "pending-photos"


def _sweep(root: Path) -> None:
    cutoff = time.time() - KEEP_SECONDS
    for folder in root.iterdir() if root.is_dir() else ():
        if folder.is_dir() and folder.stat().st_mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)


def photos_keep(session: Any, files: list[Any], *, limit: int) -> list[str]:
    """Store the new files next to those already kept (up to ``limit``); return all names."""
    state = session.get(SESSION_KEY) or {}
    token = state.get("token") or secrets.token_hex(16)
    names: list[dict[str, str]] = list(state.get("files") or [])
    folder = _root() / token
    if files:
        _sweep(_root())
        folder.mkdir(parents=True, exist_ok=True)
    for upload in files:
        if len(names) >= limit:
            break
        stored = f"{len(names)}-{secrets.token_hex(4)}"
        upload.seek(0)
        (folder / stored).write_bytes(upload.read())
        names.append(
            {
                "file": stored,
                "name": str(getattr(upload, "name", "photo"))[:100],
                "type": str(getattr(upload, "content_type", "") or "image/jpeg")[:40],
            }
        )
    session[SESSION_KEY] = {"token": token, "files": names}
    return [n["name"] for n in names]


def photos_kept(session: Any) -> list[SimpleUploadedFile]:
    """The kept photos as uploads (for the report service, which checks their content)."""
    state = session.get(SESSION_KEY) or {}
    folder = _root() / str(state.get("token") or "-")
    out = []
    for item in state.get("files") or []:
        path = folder / Path(item["file"]).name
        if path.is_file():
            out.append(SimpleUploadedFile(item["name"], path.read_bytes(), item["type"]))
    return out


def photos_kept_names(session: Any) -> list[str]:
    state = session.get(SESSION_KEY) or {}
    return [str(item["name"]) for item in state.get("files") or []]


def photos_forget(session: Any) -> None:
    state = session.pop(SESSION_KEY, None) or {}
    if state.get("token"):
        shutil.rmtree(_root() / str(state["token"]), ignore_errors=True)
