"""Background jobs of property management (django-tasks; ``manage.py db_worker`` runs them)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task

from cityops.estates.jobs import credit_update_from_cases, month_bounds


@task()
def credit_from_cases_task(month: str = "") -> dict[str, int]:
    """Last month's case statistics into the credit rating (default: the previous month)."""
    if not month:
        first = timezone.localdate().replace(day=1)
        month = (first - dt.timedelta(days=1)).strftime("%Y-%m")
    start, end = month_bounds(month)
    stats = credit_update_from_cases(period_start=start, period_end=end, period=month)
    return {str(pk): s.complaints for pk, s in stats.items()}
