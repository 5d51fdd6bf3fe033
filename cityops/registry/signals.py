"""Invalidate the in-process spatial indexes whenever the registry changes.

Each change bumps ``RegistryVersion`` in the same transaction; every process compares the
version it built its index from before answering, so no worker answers from a stale index.
Bulk loaders wrap their work in ``bulk_registry_change()`` to bump once instead of per row.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import Signal

from cityops.registry import models as m

_state = threading.local()

WATCHED: tuple[type[Any], ...] = (
    m.City,
    m.District,
    m.Street,
    m.Community,
    m.Grid,
    m.Organisation,
    m.RoadSegment,
    m.GreenSpace,
    m.Component,
    m.Compound,
    m.Contract,
    m.Lot,
)


# Sent by every ``bump_registry_version`` (also for bulk loads, which send no model signals):
# this process's spatial index is stale at once (``spatial``), without waiting for a version read.
registry_changed = Signal()


def bump_registry_version() -> None:
    registry_changed.send(sender=m.RegistryVersion)
    updated = m.RegistryVersion.objects.filter(pk=1).update(version=F("version") + 1)
    if not updated:
        m.RegistryVersion.objects.get_or_create(pk=1, defaults={"version": 1})


@contextlib.contextmanager
def bulk_registry_change() -> Iterator[None]:
    depth = getattr(_state, "bulk_depth", 0)
    _state.bulk_depth = depth + 1
    try:
        yield
    finally:
        _state.bulk_depth = depth
    if depth == 0:
        bump_registry_version()


def _changed(sender: Any, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    if getattr(_state, "bulk_depth", 0):
        return
    bump_registry_version()


for _model in WATCHED:
    post_save.connect(
        _changed, sender=_model, dispatch_uid=f"registry-version-save-{_model.__name__}"
    )
    post_delete.connect(
        _changed, sender=_model, dispatch_uid=f"registry-version-delete-{_model.__name__}"
    )
for _through in (m.Lot.road_segments.through, m.Lot.green_spaces.through, m.Lot.compounds.through):
    m2m_changed.connect(_changed, sender=_through, dispatch_uid=f"registry-version-m2m-{_through}")
