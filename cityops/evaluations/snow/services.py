"""Per-snowfall evaluation (除雪考评): each sanitation contract's work in one snowfall event.

Once every deadline of the event has passed, a supervisor evaluates it: each contract whose
roads got a submitted acceptance inspection is scored with the snow-removal scheme version in
force on the event day. Days late for clearing and haul-out come from the inspector's findings
when recorded; otherwise, where the inspection found snow left (the items the scheme version
marks with ``SchemeItem.snow_left``) after the road's deadline, they are derived from the
event's deadline and the inspection time (whole days, rounded up). The payment rule of the
scheme is applied to the event's fee base (``EvaluationPolicy.snow_fee_percent`` of the monthly
fee, ◐), and the month's evaluation adds the deductions of the events that ended in it as a
separate line (see ``month_snow_lines``).
Re-evaluating keeps the history: a changed result becomes the next revision. The page runs it
as a background job (``runs.jobs.snow_run_start``, the same executor as a month's); an appeal
against a snow deduction makes a revision too (``appeals.snow``).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cityops.core.audit import audit_record
from cityops.core.errors import Conflict, DomainError, NotFound
from cityops.evaluations import scoring as s
from cityops.evaluations.access import require_supervisor
from cityops.evaluations.interfaces import SnowInspection, snow_inspection_source
from cityops.evaluations.models import (
    Period,
    PeriodStatus,
    Scheme,
    SchemeFamily,
    SchemeScope,
    SnowEvaluation,
    SnowEvent,
)
from cityops.evaluations.runs import snapshots
from cityops.evaluations.schemes.selectors import (
    scheme_in_force,
    scheme_snapshot,
    scheme_with_rules,
)
from cityops.evaluations.surveys.services import policy_get
from cityops.registry.models import Contract, ServiceType

CLEARING = "clearing"
# Late-work items of the clearing component (scheme item codes of the snow-removal schemes).
LATE_ITEMS = {"clear": "clear_late", "haul": "haul_late"}
DAY = dt.timedelta(days=1)
# (done, total) after each contract scored: the background run writes it on its row.
Progress = Callable[[int, int], None]
SnowLeftItems = dict[str, tuple[str, ...]]


def snow_left_items(scheme: Scheme) -> SnowLeftItems:
    """``{"clear": ("acceptance/no_black_surface", …), "haul": (…)}``: the items of the version
    that, found on a road, show the work was not done (prefetch with ``scheme_with_rules``)."""
    found: dict[str, list[str]] = {which: [] for which in LATE_ITEMS}
    for component in scheme.components.all():
        for item in component.items.all():
            if item.snow_left in found:
                found[item.snow_left].append(f"{component.code}/{item.code}")
    return {which: tuple(sorted(keys)) for which, keys in found.items()}


def last_deadline(event: SnowEvent) -> dt.datetime:
    hours = [
        int(v.get(key) or 0)
        for v in (event.deadlines or {}).values()
        for key in ("clear_hours", "haul_hours")
    ]
    return event.ended_at + dt.timedelta(hours=max(hours, default=0))


def _iso(at: dt.datetime | None) -> str | None:
    """Stored inputs in local time, so that the same instant always reads the same."""
    return timezone.localtime(at).isoformat() if at else None


def days_late(deadline: dt.datetime | None, at: dt.datetime | None) -> int:
    if deadline is None or at is None or at <= deadline:
        return 0
    return math.ceil((at - deadline) / DAY)


def _family() -> SchemeFamily:
    family = (
        SchemeFamily.objects.filter(
            scope=SchemeScope.SNOW_EVENT, service_type=ServiceType.SANITATION
        )
        .order_by("code")
        .first()
    )
    if family is None:
        raise DomainError(_("No snow-removal scheme is in force."), code="no_scheme")
    return family


def _road_inputs(
    event: SnowEvent, inspection: SnowInspection, snow_left: SnowLeftItems
) -> dict[str, Any]:
    road_class = inspection.road_class
    at = inspection.at
    found = inspection.found
    row: dict[str, Any] = {
        "inspection": inspection.pk,
        "road": inspection.road,
        "road_class": road_class,
        "inspected_at": _iso(at),
    }
    for which, item in LATE_ITEMS.items():
        hours = (event.deadlines.get(road_class) or {}).get(f"{which}_hours")
        deadline = event.ended_at + dt.timedelta(hours=int(hours)) if hours else None
        recorded = found.get(f"{CLEARING}/{item}")
        not_done = any(found.get(key, 0) > 0 for key in snow_left.get(which, ()))
        derived = days_late(deadline, at) if not_done else 0
        row[which] = {
            "deadline": _iso(deadline),
            "recorded": None if recorded is None else str(s.q2(recorded)),
            "derived": derived,
            "days": str(s.q2(recorded if recorded is not None else Decimal(derived))),
        }
    return row


def event_inputs(event: SnowEvent, snow_left: SnowLeftItems) -> dict[int, dict[str, Any]]:
    """Per contract: the roads inspected in the event and the component findings (no writes).
    The inspections come from the source the inspections app registers."""
    out: dict[int, dict[str, Any]] = {}
    for inspection in snow_inspection_source()(event_id=event.pk):
        entry = out.setdefault(
            inspection.contract_id, {"roads": [], "findings": {}, "evidence": {}}
        )
        road = _road_inputs(event, inspection, snow_left)
        entry["roads"].append(road)
        totals: dict[str, dict[str, Decimal]] = {}
        for key, quantity in inspection.found.items():
            component, item = key.split("/", 1)
            if component == CLEARING and item in LATE_ITEMS.values():
                continue  # counted through the road's late days below
            totals.setdefault(component, {})[item] = quantity
        for which, item in LATE_ITEMS.items():
            totals.setdefault(CLEARING, {})[item] = Decimal(road[which]["days"])
        for component, items in totals.items():
            merged = entry["findings"].setdefault(component, {})
            for item, quantity in items.items():
                merged[item] = str(s.q2(Decimal(merged.get(item, "0")) + quantity))
                if quantity > 0:
                    ids = entry["evidence"].setdefault(component, {}).setdefault(item, [])
                    ids.append(inspection.pk)
    return out


def snow_values(*, snapshot: dict[str, Any], inputs: dict[str, Any]) -> dict[str, Any]:
    """The stored fields of a snow evaluation from its snapshot and inputs (pure recompute)."""
    result = snapshots.recompute(snapshot, inputs)
    band_names = {b["code"]: b["name"] for b in snapshot["bands"]}
    return {
        "inputs": inputs,
        "scheme_snapshot": snapshot,
        "result": result.as_dict(),
        "score": result.score,
        "grade": result.grade,
        "grade_name": band_names[result.grade],
        "vetoed": result.vetoed,
        "fee": Decimal(inputs["fee"]),
        "deduction": result.deduction,
    }


def snow_event_get(event_id: Any) -> SnowEvent:
    try:
        return SnowEvent.objects.get(pk=event_id)
    except (SnowEvent.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("Snowfall event not found.")) from None


def snow_event_check(event: SnowEvent, now: dt.datetime) -> dt.date:
    """The event's day, once it may be evaluated: its deadlines passed, its month not frozen."""
    if last_deadline(event) > now:
        raise DomainError(
            _("The event can be evaluated once its last deadline (%(at)s) has passed.")
            % {"at": f"{timezone.localtime(last_deadline(event)):%Y-%m-%d %H:%M}"},
            code="deadlines_open",
        )
    day = timezone.localtime(event.ended_at).date()
    if Period.objects.filter(month=day.replace(day=1), status=PeriodStatus.PUBLISHED).exists():
        # The month's payment already carries this event; it changes only through an appeal.
        raise Conflict(
            _("The month of this event is published: its snow results are frozen."),
            code="frozen",
        )
    return day


def evaluate_snow_event(
    *,
    event_id: int,
    actor: Any,
    now: dt.datetime | None = None,
    progress: Progress | None = None,
) -> list[SnowEvaluation]:
    """Score every contract inspected in the event; store new results or new revisions.

    Every contract is scored first (reads only, reporting ``progress``), then all results are
    written in one transaction under the event's row lock: all or nothing.
    """
    require_supervisor(actor)
    now = now or timezone.now()
    event = snow_event_get(event_id)
    day = snow_event_check(event, now)
    scheme = scheme_in_force(family_id=_family().pk, day=day)
    if scheme is None:
        raise DomainError(_("No snow-removal scheme is in force."), code="no_scheme")
    rules = scheme_with_rules(scheme.pk)
    snapshot = scheme_snapshot(rules)
    per_contract = event_inputs(event, snow_left_items(rules))
    if not per_contract:
        raise DomainError(
            _("No acceptance inspection of this event has been submitted yet."),
            code="no_inspections",
        )
    share = s.q2(policy_get().snow_fee_percent)
    contracts = Contract.objects.in_bulk(list(per_contract))
    scored: list[tuple[int, dict[str, Any]]] = []
    for contract_id, data in sorted(per_contract.items()):
        fee = s.q2(contracts[contract_id].monthly_fee * share / s.HUNDRED)
        inputs = {
            "event": event.pk,
            "day": day.isoformat(),
            "fee": str(fee),
            "fee_percent": str(share),
            "roads": data["roads"],
            "evidence": data["evidence"],
            "penalties": {},
            "components": {
                c["code"]: {"findings": data["findings"].get(c["code"], {})}
                for c in snapshot["components"]
            },
        }
        try:
            scored.append((contract_id, snow_values(snapshot=snapshot, inputs=inputs)))
        except s.ScoringError as exc:
            raise DomainError(exc.message, code="scoring") from exc
        if progress is not None:
            progress(len(scored), len(per_contract))
    stored: list[SnowEvaluation] = []
    with transaction.atomic():
        SnowEvent.objects.select_for_update().get(pk=event.pk)
        snow_event_check(event, now)  # a month published meanwhile freezes the event
        current = {
            e.contract_id: e for e in SnowEvaluation.objects.filter(event=event, is_current=True)
        }
        for contract_id, values in scored:
            old = current.get(contract_id)
            if old and (old.scheme_id, old.inputs, old.result) == (
                scheme.pk, values["inputs"], values["result"],
            ):  # fmt: skip
                stored.append(old)
                continue
            revision = 1
            if old:
                old.is_current = False
                old.save(update_fields=["is_current", "updated_at"])
                revision = old.revision + 1
            stored.append(
                SnowEvaluation.objects.create(
                    event=event,
                    contract_id=contract_id,
                    scheme=scheme,
                    revision=revision,
                    computed_at=now,
                    computed_by=actor,
                    **values,
                )
            )
        audit_record(
            code="evaluation.snow_event.evaluated",
            target=event,
            actor=actor,
            summary=event.name,
            data={
                "scheme": scheme.pk,
                "results": {str(e.contract_id): [e.revision, str(e.score)] for e in stored},
            },
        )
    return stored


def month_snow_lines(
    *, contract_ids: list[int], first: dt.date, last: dt.date
) -> dict[int, list[dict[str, Any]]]:
    """The current snow results of the events that ended in the month, per contract."""
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(first, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(last + DAY, dt.time.min, tzinfo=tz)
    lines: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for e in (
        SnowEvaluation.objects.filter(
            contract_id__in=contract_ids,
            is_current=True,
            event__ended_at__gte=start,
            event__ended_at__lt=end,
        )
        .select_related("event")
        .order_by("event__ended_at", "pk")
    ):
        lines[e.contract_id].append(snow_line(e))
    return lines


def snow_line(e: SnowEvaluation) -> dict[str, Any]:
    """The month's payment line of one snow result (stored in the month's inputs)."""
    return {
        "id": e.pk,
        "event": e.event.name,
        "revision": e.revision,
        "score": str(e.score),
        "grade": e.grade_name,
        "deduction": str(e.deduction),
    }
