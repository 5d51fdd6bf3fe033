"""The ``estates_credit`` demo step: rate the property companies on the demo's case history.

It runs after the ``history`` step, through the same job as the monthly timer
(:func:`cityops.estates.jobs.credit_update_from_cases`), so the grade a company shows on its
credit page moves because of real case records, and the score history says why. The period is
the generated history up to yesterday (records count from the day after their period);
idempotent: a second run finds the period rated and stops, and the monthly timer's later run
of a month inside it counts nothing again (rated periods, :mod:`cityops.estates.jobs`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# The step's name in demo_setup's listing (imported by cityops.core.management.demo_steps, so
# the string lives in this app's catalogue).
STEP_DESCRIPTION = gettext_lazy("property company credit from the case history")
HISTORY_TAG = "history"  # Case.client of the generated history (cityops.cases.history)


def history_window(*, today: dt.date | None = None) -> tuple[dt.date, dt.date] | None:
    """First day of the generated case history, and its last full day (yesterday at most)."""
    from cityops.cases.models import Case

    today = today or timezone.localdate()
    span = Case.objects.filter(client=HISTORY_TAG).aggregate(
        first=Min("reported_at"), last=Max("reported_at")
    )
    if span["first"] is None:
        return None
    first = timezone.localdate(span["first"])
    last = min(timezone.localdate(span["last"]), today - dt.timedelta(days=1))
    if last < first:
        return None
    return first, last


def credit_from_history(*, today: dt.date | None = None) -> str:
    # Imported here: demo_steps imports this module for STEP_DESCRIPTION before apps load.
    from cityops.core.periods import Period
    from cityops.estates.jobs import credit_update_from_cases
    from cityops.estates.models import CreditRatedPeriod
    from cityops.estates.services.credit import credit_score_of
    from cityops.registry.models import Organisation, OrganisationKind, ServiceType

    window = history_window(today=today)
    if window is None:
        return _("no case history yet: nothing to rate.")
    first, last = window
    if CreditRatedPeriod.objects.filter(first=first, last=last).exists():
        return _("the companies are already rated on the case history.")
    companies = list(
        Organisation.objects.filter(
            kind=OrganisationKind.OPERATOR, operator_type=ServiceType.PROPERTY, active=True
        ).order_by("name")
    )
    before = {c.pk: credit_score_of(c).grade for c in companies}
    stats = credit_update_from_cases(period=Period.range(first, last))
    moved = []
    for company in companies:
        grade = credit_score_of(company).grade
        if grade != before[company.pk]:
            moved.append(f"{company.name} {before[company.pk]}→{grade}")
    return _(
        "%(companies)d property companies rated on %(cases)d complaints of %(first)s – "
        "%(last)s; grades changed: %(moved)s"
    ) % {
        "companies": len(stats),
        "cases": sum(s.complaints for s in stats.values()),
        "first": first.isoformat(),
        "last": last.isoformat(),
        "moved": ", ".join(moved) or _("none"),
    }


def credit_step(context: Any) -> str:
    """The ``estates_credit`` step of manage.py demo_setup (after ``history``)."""
    return credit_from_history()
