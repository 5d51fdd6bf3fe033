"""The ``history`` step of ``manage.py demo_setup`` and the demo-reset hook.

``make demo`` loads the days since the first of the month before last (``demo_days``: two
complete months for the monthly evaluation, issue 6) at ``DEMO_PER_DAY`` reports a day (a few
thousand cases), once: if any generated history exists the step leaves it alone. The full
year is ``manage.py generate_history --year``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from cityops.cases.history.generate import (
    TAG,
    Period,
    history_delete,
    history_generate,
    period_for,
    requirements_missing,
)
from cityops.cases.models import Case, Category
from cityops.core.periods import Period as CalendarPeriod

DEMO_PER_DAY = 70


def demo_days(today: dt.date) -> int:
    """From the first day of the month before last up to today: two complete months."""
    last_month = CalendarPeriod.month_of(today.replace(day=1) - dt.timedelta(days=1))
    first = CalendarPeriod.month_of(last_month.first - dt.timedelta(days=1)).first
    return (today - first).days + 1


def history_step(context: Any) -> str:
    if Case.objects.filter(client=TAG).exists():
        n = Case.objects.filter(client=TAG).count()
        return _("%(n)d generated cases already loaded.") % {"n": n}
    if not Category.objects.filter(parent__isnull=False).exists():
        from cityops.cases.catalogue_demo import CATALOGUE
        from cityops.cases.services.catalogue import catalogue_load

        catalogue_load(data=CATALOGUE)
    missing = requirements_missing()
    if missing:
        return _("skipped: load first %(what)s.") % {"what": "; ".join(missing)}
    days = demo_days(timezone.localdate())
    period = period_for(days=days, start=None, now=timezone.now())
    show = bool(getattr(context, "show_progress", False))

    def progress(it: Iterator[dt.date], total: int) -> Iterator[dt.date]:
        from tqdm import tqdm

        return iter(tqdm(it, total=total, file=context.progress_stream, disable=not show))

    result = history_generate(
        period=period, seed=context.seed, per_day=DEMO_PER_DAY, progress=progress
    )
    return _(
        "%(cases)d cases with %(events)d events over the last %(days)d days; %(open)d open. "
        "A full year: manage.py generate_history --year --replace"
    ) % {"cases": result.cases, "events": result.events, "days": days, "open": result.open}


def delete_hook(district: Any) -> dict[str, int]:
    """Before the demo district goes (``load_demo_city --reset``): its generated cases."""
    span = Case.objects.filter(client=TAG).aggregate(a=Min("reported_at"), b=Max("reported_at"))
    if span["a"] is None:
        return {}
    period = Period(span["a"], span["b"] + dt.timedelta(microseconds=1))
    return {"generated_cases": history_delete(period=period)}
