"""Appeals against a snow deduction (除雪考评申诉): the same ``Appeal``, filing, queue and decision
as a monthly deduction (``appeals.services``), for one item of a snowfall event's result; here
only what the snowfall event as a subject does differently.

The appeal names the contested ``SnowEvaluation`` revision and, as ``evaluation``, the contract's
current evaluation of the month the snow stopped in: the month that carries the event's payment
line. That month must be published (the snow result is visible to the operator only then) and
the appeal window is that month's. A decision that changes a quantity scores the event again
from its stored snapshot and inputs as snow revision n+1, then the month as revision n+1 with the
event's line replaced, so the month's payment follows; both old revisions stay.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cityops.core.audit import audit_record
from cityops.core.errors import Conflict
from cityops.evaluations.access import access_snow_evaluation
from cityops.evaluations.appeals.services import (
    adjust_inputs,
    appeal_deadline,
    month_revision_create,
    result_appeal_file,
    revision_next,
)
from cityops.evaluations.models import Appeal, Evaluation, SnowEvaluation
from cityops.evaluations.snow.services import snow_line, snow_values
from cityops.evaluations.subjects import current_revision_locked, revisions_of
from cityops.evaluations.surveys.services import policy_get


def snow_month_evaluation(snow: SnowEvaluation) -> Evaluation | None:
    """The contract's current evaluation of the month the event's snow stopped in."""
    month = timezone.localtime(snow.event.ended_at).date().replace(day=1)
    return (
        Evaluation.objects.select_related("period", "contract")
        .filter(period__month=month, contract_id=snow.contract_id, is_current=True)
        .first()
    )


def snow_appeal_window(snow: SnowEvaluation) -> tuple[Evaluation, dt.datetime]:
    """The month's evaluation carrying this snow result and the appeal deadline, or Conflict."""
    evaluation = snow_month_evaluation(snow)
    if evaluation is None or not evaluation.period.is_frozen:
        raise Conflict(_("Only a published month can be appealed."), code="not_published")
    if not any(line.get("id") == snow.pk for line in evaluation.inputs.get("snow_events", [])):
        raise Conflict(
            _("The month's payment does not carry this snow result."), code="not_in_month"
        )
    assert evaluation.period.published_at is not None  # frozen periods are published
    return evaluation, appeal_deadline(evaluation.period.published_at, policy_get())


def snow_appeal_file(
    *,
    snow_id: int,
    component: str,
    item: str,
    reason: str,
    files: Sequence[Any] = (),
    actor: Any,
    now: dt.datetime | None = None,
) -> Appeal:
    """An operator contests one deduction of the current snow result of a published month."""
    return result_appeal_file(
        access=access_snow_evaluation, window=_current_snow_window, result_id=snow_id,
        component=component, item=item, reason=reason, files=files, actor=actor, now=now,
    )  # fmt: skip


def _current_snow_window(snow: SnowEvaluation) -> tuple[Evaluation, dt.datetime]:
    if not snow.is_current:
        raise Conflict(_("This revision has been replaced; appeal the current one."), code="stale")
    return snow_appeal_window(snow)


def snow_revise(
    *, appeal: Appeal, quantity: Decimal, actor: Any
) -> tuple[SnowEvaluation, Evaluation]:
    """The event scored again with the adjusted quantity, then the month with its new line."""
    contested = appeal.snow_evaluation
    assert contested is not None
    current: SnowEvaluation = current_revision_locked(contested, "event", "scheme")
    inputs = copy.deepcopy(current.inputs)
    adjust_inputs(inputs, appeal=appeal, quantity=quantity)
    values = snow_values(snapshot=current.scheme_snapshot, inputs=inputs)
    revised: SnowEvaluation = revision_next(
        current, values=values, scheme=current.scheme, computed_by=actor
    )
    audit_record(
        code="evaluation.snow_revised", target=revised, actor=actor,
        summary=f"{current.event.name} r{current.revision} → r{revised.revision}",
        data={"appeal": appeal.pk, "score": [str(current.score), str(revised.score)],
              "deduction": [str(current.deduction), str(revised.deduction)]},
    )  # fmt: skip
    month: Evaluation = current_revision_locked(appeal.evaluation, "scheme")
    ids = set(revisions_of(current).values_list("pk", flat=True))
    month_inputs = copy.deepcopy(month.inputs)
    month_inputs["snow_events"] = [
        snow_line(revised) if line.get("id") in ids else line
        for line in month_inputs.get("snow_events", [])
    ]
    month_inputs.setdefault("appeals", []).append(
        {"appeal": appeal.pk, "snow": [current.pk, revised.pk],
         "from": str(current.deduction), "to": str(revised.deduction)}
    )  # fmt: skip
    return revised, month_revision_create(
        current=month, inputs=month_inputs, appeal=appeal, actor=actor
    )
