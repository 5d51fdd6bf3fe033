"""The public app's source for the evaluation (registered in ``apps.py``).

``monthly_feedback`` gives the satisfaction residents rated after their case was closed
(``Feedback``), per contract of the case and counted in the month it was given, to the
evaluation's satisfaction component (``evaluations.surveys``): one aggregate query.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal

from django.db.models import Avg, Count

from cityops.core import periods
from cityops.evaluations.interfaces import Ratings
from cityops.public.models import Feedback


def monthly_feedback(*, contract_ids: Sequence[int], month: dt.date) -> Mapping[int, Ratings]:
    start, end = periods.Period.month_of(month).bounds
    rows = (
        Feedback.objects.filter(
            case__contract_id__in=list(contract_ids), created_at__gte=start, created_at__lt=end
        )
        .values("case__contract_id")
        .annotate(mean=Avg("score"), n=Count("id"))
        .order_by()
    )
    return {
        row["case__contract_id"]: Ratings(mean=Decimal(str(row["mean"])), count=row["n"])
        for row in rows
    }
