"""Background jobs of property management (django-tasks; ``manage.py db_worker`` runs them)."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from cityops.core.periods import Kind, Period
from cityops.estates.jobs import credit_update_from_cases


@task()
def credit_from_cases_task(month: str = "") -> dict[str, int]:
    """A period's case statistics into the credit rating (default: the last complete month;
    any form :meth:`Period.parse` reads)."""
    period = Period.parse(month) if month else Period.last_complete(Kind.MONTH, timezone.now())
    stats = credit_update_from_cases(period=period)
    return {str(pk): s.complaints for pk, s in stats.items()}
