"""Encryption key rotation: every encrypted column re-encrypted under the newest key of
``FIELD_ENCRYPTION_KEYS``, and every blind index recomputed with it, in batches that each commit
on their own, resumable after a crash from a checkpoint file.

Procedure (docs/deployment.md): prepend the new key to ``CITYOPS_FIELD_ENCRYPTION_KEYS`` on every
process and restart them (new writes use it, old rows still decrypt); run
``manage.py rotate_field_keys`` until it says "done"; then drop the old key. A batch re-saves
rows it read under a row lock, so a concurrent edit either waits or is re-encrypted after.
A crash between batches loses nothing: re-encrypting an already rotated row is harmless, and the
checkpoint only saves work.

Apps register their blind indexes (``blind_index_register`` in ``AppConfig.ready``): the index of
a phone or ID number is keyed with the first key, so it changes with it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.db import models, transaction

from cityops.core.audit import audit_record
from cityops.core.crypto import EncryptedTextField, blind_index


@dataclass(frozen=True)
class BlindIndex:
    model: str  # "cases.Case"
    source: str  # the encrypted field holding the value
    index: str  # the column holding its blind index
    purpose: str


_indexes: list[BlindIndex] = []


def blind_index_register(index: BlindIndex) -> None:
    if index not in _indexes:
        _indexes.append(index)


def registered_blind_indexes() -> tuple[BlindIndex, ...]:
    return tuple(_indexes)


def encrypted_models() -> Iterator[tuple[type[models.Model], list[str]]]:
    for model in apps.get_models():
        fields = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if fields and not model._meta.proxy:
            yield model, fields


@dataclass
class Rotated:
    rows: dict[str, int]
    done: bool


def keys_rotate(
    *,
    checkpoint: Path,
    batch: int = 500,
    max_batches: int | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> Rotated:
    """Re-encrypt the next batches (all of them unless ``max_batches``) from ``checkpoint``."""
    state: dict[str, int] = json.loads(checkpoint.read_text()) if checkpoint.exists() else {}
    rows: dict[str, int] = {}
    batches = 0
    for model, fields in encrypted_models():
        label = model._meta.label
        indexes = [i for i in _indexes if i.model == label]
        while True:
            if max_batches is not None and batches >= max_batches:
                return Rotated(rows, done=False)
            with transaction.atomic():
                chunk = list(
                    model._default_manager.select_for_update()
                    .filter(pk__gt=state.get(label, 0))
                    .order_by("pk")[:batch]
                )
                if not chunk:
                    break
                for row in chunk:
                    for index in indexes:
                        value = str(getattr(row, index.source) or "")
                        fresh = blind_index(value, purpose=index.purpose) if value.strip() else ""
                        setattr(row, index.index, fresh)
                model._default_manager.bulk_update(chunk, [*fields, *(i.index for i in indexes)])
            state[label] = int(chunk[-1].pk)
            checkpoint.write_text(json.dumps(state))
            rows[label] = rows.get(label, 0) + len(chunk)
            batches += 1
            if progress is not None:
                progress(label, len(chunk))
    audit_record(code="crypto.keys_rotated", summary="field encryption keys rotated",
                 data={"rows": rows})  # fmt: skip
    checkpoint.unlink(missing_ok=True)
    return Rotated(rows, done=True)
