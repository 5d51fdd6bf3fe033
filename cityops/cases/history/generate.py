"""``history_generate`` / ``history_delete``: write or remove generated history in bulk.

Per day: draw the day's reports, route them and live them (``planner``: ``mix``, ``world``,
``simulate``), then number them from the day's ``CaseNumberCounter`` like intake does and insert
cases and events in bulk (``writer``), one transaction per batch of whole days. Generated cases
carry ``client = TAG`` (intake never writes that client), which is how ``--replace`` finds them.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from cityops.cases.history.planner import Planned, Planner
from cityops.cases.history.world import load_world
from cityops.cases.history.writer import TAG as TAG
from cityops.cases.history.writer import Result as Result
from cityops.cases.history.writer import days_write
from cityops.cases.models import Case, CaseEvent, CaseNumberCounter, CasePhoto
from cityops.core.audit import audit_record
from cityops.core.errors import DomainError

DEFAULT_PER_DAY = 1370  # ≈ 500,000 cases a year in the demo district
DEFAULT_BATCH = 5000


class HistoryError(DomainError):
    code = "history"


@dataclass
class Period:
    start: dt.datetime  # local midnight of the first day
    end: dt.datetime  # exclusive; never after now

    @property
    def days(self) -> list[dt.date]:
        tz = timezone.get_current_timezone()
        first = self.start.astimezone(tz).date()
        last = (self.end - dt.timedelta(microseconds=1)).astimezone(tz).date()
        return [first + dt.timedelta(days=k) for k in range((last - first).days + 1)]


def period_for(*, days: int, start: dt.date | None, now: dt.datetime) -> Period:
    """``days`` days from ``start`` (default: the last ``days`` days up to now), cut at now."""
    tz = timezone.get_current_timezone()
    today = now.astimezone(tz).date()
    first = start or today - dt.timedelta(days=days - 1)
    begin = dt.datetime.combine(first, dt.time(0), tzinfo=tz)
    end = min(begin + dt.timedelta(days=days), now)
    if end <= begin:
        raise HistoryError(_("The period is empty or in the future."))
    return Period(begin, end)


def generated(period: Period) -> Any:
    return Case.objects.filter(
        client=TAG, reported_at__gte=period.start, reported_at__lt=period.end
    )


def requirements_missing() -> list[str]:
    """What must be loaded first, in words (empty when ready)."""
    from cityops.cases.models import Category
    from cityops.registry.models import District, RoadSegment

    missing = []
    if not District.objects.exists() or not RoadSegment.objects.exists():
        missing.append(_("the demo district (manage.py load_demo_city)"))
    if not Category.objects.filter(parent__isnull=False, time_limits__isnull=False).exists():
        missing.append(_("the case catalogue (manage.py load_demo_catalogue)"))
    return missing


def history_generate(
    *,
    period: Period,
    seed: int,
    per_day: float = DEFAULT_PER_DAY,
    replace: bool = False,
    batch: int = DEFAULT_BATCH,
    now: dt.datetime | None = None,
    progress: Callable[[Iterator[dt.date], int], Iterator[dt.date]] | None = None,
) -> Result:
    """Generate the period's history; refuse if some exists unless ``replace``."""
    missing = requirements_missing()
    if missing:
        raise HistoryError(_("Load first: %(what)s.") % {"what": "; ".join(missing)})
    now = now or timezone.now()
    if generated(period).exists():
        if not replace:
            raise HistoryError(
                _("History already exists for this period: use --replace to generate it again.")
            )
        history_delete(period=period)
    world = load_world(seed)
    days = period.days
    gen = Planner(world=world, seed=seed, per_day=per_day, now=now, first=days[0], last=days[-1])
    rng = random.Random(f"{seed}:rows:{days[0].isoformat()}")  # noqa: S311 (demo data, not secrets)
    result = Result()
    pending: list[tuple[dt.date, list[Planned]]] = []
    size = 0
    iterator: Iterator[dt.date] = iter(days)
    if progress is not None:
        iterator = progress(iterator, len(days))
    for day in iterator:
        planned = [p for p in gen.plan_day(day) if period.start <= p.spec.reported_at < period.end]
        pending.append((day, planned))
        size += len(planned)
        if size >= batch:
            days_write(pending, rng, result)
            pending, size = [], 0
    if pending:
        days_write(pending, rng, result)
    result.open = sum(
        v
        for k, v in result.by_status.items()
        if k not in ("closed", "rejected", "voided", "merged")
    )
    audit_record(
        code="case.history_generated",
        target_type="cases.case",
        summary=f"{period.start.date()}–{period.end.date()}: {result.cases} cases",
        data={
            "seed": seed,
            "per_day": per_day,
            "cases": result.cases,
            "events": result.events,
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
        },
    )
    return result


def history_delete(*, period: Period, chunk: int = 2000) -> int:
    """Remove the generated cases of the period (and their events); renumbering restarts."""
    qs = generated(period)
    if Case.objects.filter(merged_into__in=qs).exclude(client=TAG).exists():
        raise HistoryError(_("Real cases were merged into generated ones: not deleting them."))
    deleted = 0
    table = connection.ops.quote_name(CaseEvent._meta.db_table)
    with transaction.atomic():
        qs.filter(merged_into__isnull=False).update(merged_into=None)
        while True:
            ids = list(qs.order_by("pk").values_list("pk", flat=True)[:chunk])
            if not ids:
                break
            CasePhoto.objects.filter(case_id__in=ids).delete()
            # With the photos gone nothing refers to these events: one DELETE, without the
            # collector loading every event as a model first.
            with connection.cursor() as cursor:
                marks = ", ".join(["%s"] * len(ids))
                cursor.execute(f"DELETE FROM {table} WHERE case_id IN ({marks})", ids)  # noqa: S608
            deleted += Case.objects.filter(pk__in=ids).delete()[1].get("cases.Case", 0)
        for day in period.days:
            prefix = f"{day:%Y%m%d}"
            top = Case.objects.filter(number__gte=prefix, number__lte=f"{prefix}99999").aggregate(
                m=Max("number")
            )["m"]
            last = int(top[8:]) if top and top[8:].isdigit() else 0
            CaseNumberCounter.objects.filter(day=day).update(last=last)
        audit_record(
            code="case.history_deleted",
            target_type="cases.case",
            summary=f"{period.start.date()}–{period.end.date()}: {deleted} cases",
            data={"cases": deleted},
        )
    return deleted
