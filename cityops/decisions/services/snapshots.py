"""Daily indicator snapshots (``IndicatorSnapshot``): the trends beside the decision items."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from cityops.decisions.indicators import REGISTRY
from cityops.decisions.models import IndicatorSnapshot


def snapshots_take(*, days: Iterable[dt.date], codes: Iterable[str] | None = None) -> int:
    """Compute and store (replace) each indicator's value for each day; returns rows written."""
    wanted = [REGISTRY[c] for c in (codes if codes is not None else REGISTRY)]
    rows: list[IndicatorSnapshot] = []
    day_list = sorted(set(days))
    for indicator in wanted:
        for day in day_list:
            value = indicator.value(day)
            if value is not None:
                rows.append(IndicatorSnapshot(code=indicator.code, day=day, value=value))
    with transaction.atomic():
        IndicatorSnapshot.objects.filter(
            code__in=[i.code for i in wanted], day__in=day_list
        ).delete()
        IndicatorSnapshot.objects.bulk_create(rows)
    return len(rows)


def snapshots_job() -> int:
    """The daily job: today's values (idempotent: a second run the same day replaces them)."""
    return snapshots_take(days=[timezone.localdate()])
