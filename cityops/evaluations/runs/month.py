"""Writes of the monthly evaluation: score every contract of a month, publish the month.

A published month never changes: ``evaluate_month`` refuses it (an appeal adds a new revision of
one evaluation, keeping the history). ``evaluation_values`` scores one contract's month from a
scheme snapshot and stored inputs: the run and the appeals use it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cityops.core import periods
from cityops.core.audit import audit_record
from cityops.core.errors import Conflict, DomainError
from cityops.core.fsm import fsm_transition
from cityops.evaluations import scoring as s
from cityops.evaluations.interfaces import (
    InspectionMonth,
    InspectionSource,
    Measured,
    SatisfactionSource,
    measured_findings,
    no_inspections,
    no_surveys,
)
from cityops.evaluations.models import (
    ComponentKind,
    Evaluation,
    PenaltyRecord,
    Period,
    PeriodStatus,
    Scheme,
)
from cityops.evaluations.runs import snapshots
from cityops.evaluations.runs.case_stats import case_counts_for_month
from cityops.evaluations.schemes.selectors import (
    contracts_active,
    families_for_contracts,
    scheme_in_force,
    scheme_snapshot,
    scheme_with_rules,
)
from cityops.evaluations.snow.services import month_snow_lines
from cityops.evaluations.transitions import PERIOD
from cityops.registry.models import Contract

FROZEN_MESSAGE = _("This month is published and frozen; only an appeal can change it.")

# The payment penalty fed by the case history (§3.3: "verified complaint not fixed in time").
COMPLAINT_PENALTY = "complaint_unfixed"


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    """First and last day of ``month``'s calendar month (:class:`~cityops.core.periods.Period`)."""
    period = periods.Period.month_of(month)
    return period.first, period.last


def parse_month(text: str) -> dt.date:
    """``YYYY-MM`` → its first day; a DomainError for anything else (``periods.month_first``)."""
    return periods.month_first(text)


# --- The monthly run -------------------------------------------------------------------------


@dataclass
class RunReport:
    month: dt.date
    evaluated: list[Evaluation] = field(default_factory=list)
    unchanged: int = 0
    skipped: dict[str, str] = field(default_factory=dict)  # contract number → reason


Progress = Callable[[Iterable[Any], int], Iterator[Any]]


def _component_inputs(
    snapshot: dict[str, Any],
    *,
    counts: s.CaseCounts,
    inspection: InspectionMonth | None,
    satisfaction: Decimal | None,
    measured: Sequence[Measured] = (),
) -> tuple[dict[str, s.ComponentInput], list[dict[str, Any]]]:
    inputs: dict[str, s.ComponentInput] = {}
    steps: list[s.Step] = []
    for c in snapshot["components"]:
        code, kind, config = c["code"], c["kind"], c.get("config") or {}
        if kind == ComponentKind.CASES:
            inputs[code], case_steps = s.case_performance(counts, snapshots.case_rule(config))
            steps.extend(case_steps)
        elif kind == ComponentKind.SENSORY:
            sections = inspection.sensory.get(code) if inspection else None
            findings = dict(inspection.findings.get(code, {})) if inspection else {}
            if sections:
                base, sensory_steps = s.sensory_score(sections, snapshots.sensory_method(config))
                scaled = s.q2(base * Decimal(c["max_points"]) / s.HUNDRED)
                inputs[code] = s.ComponentInput(base=scaled, findings=findings)
                steps.extend(sensory_steps)
        elif kind == ComponentKind.SATISFACTION:
            if satisfaction is not None:
                scaled = s.q2(satisfaction * Decimal(c["max_points"]) / s.HUNDRED)
                inputs[code] = s.ComponentInput(base=scaled)
        elif inspection is not None and code in inspection.findings:
            inputs[code] = s.ComponentInput(findings=dict(inspection.findings[code]))
        # Measured findings (e.g. telematics) feed the items with their code. A component
        # without other input becomes present only if it is a checklist: a sensory component
        # keeps its "no inspection" policy rather than scoring full marks from one measure.
        items = {i["code"] for i in c.get("items", [])}
        for m in measured:
            if m.item not in items:
                continue
            given = inputs.get(code)
            if given is None and kind != ComponentKind.CHECKLIST:
                continue
            measured_base = given.base if given is not None else None
            findings = dict(given.findings) if given is not None else {}
            findings[m.item] = findings.get(m.item, s.ZERO) + m.quantity
            inputs[code] = s.ComponentInput(base=measured_base, findings=findings)
            steps.extend(m.steps)
    return inputs, [step.as_dict() for step in steps]


def evaluate_month(
    *,
    month: dt.date,
    actor: Any = None,
    inspections: InspectionSource = no_inspections,
    satisfaction: SatisfactionSource = no_surveys,
    progress: Progress | None = None,
) -> RunReport:
    """Score every active contract for ``month`` with the scheme version in force on its first
    day, and store each result with its inputs. Re-running an open month recomputes; a result
    that did not change is left alone. A published month is refused."""
    whole = periods.Period.month_of(month)
    first, last = whole.first, whole.last
    start, end = whole.bounds
    if end > timezone.now():
        # Counts are bounded by the month's end; before it, "overdue" would still move.
        raise DomainError(_("A month can be evaluated once it has ended."), code="month_open")
    report = RunReport(month=first)
    period, _created = Period.objects.get_or_create(month=first)
    if period.is_frozen:
        raise Conflict(FROZEN_MESSAGE, code="frozen")
    # Scoring happens before the write transaction so that the progress a background run
    # reports (its own autocommitted row) is visible while it works; every input is bounded by
    # the month's end, so computing first and writing under the lock gives the same result.
    computed = _score_contracts(
        first=first, last=last, start=start, end=end, inspections=inspections,
        satisfaction=satisfaction, progress=progress, report=report,
    )  # fmt: skip
    with transaction.atomic():
        period = Period.objects.select_for_update().get(pk=period.pk)
        if period.is_frozen:
            raise Conflict(FROZEN_MESSAGE, code="frozen")
        existing = {
            e.contract_id: e for e in Evaluation.objects.filter(period=period, is_current=True)
        }
        now = timezone.now()
        for contract, values in computed:
            current = existing.get(contract.pk)
            if current is None:
                evaluation = Evaluation.objects.create(
                    period=period, contract=contract, computed_at=now, **values
                )
            elif (current.scheme_id, current.inputs, current.result) == (
                values["scheme"].pk, values["inputs"], values["result"],
            ):  # fmt: skip
                report.unchanged += 1
                report.evaluated.append(current)
                continue
            else:
                for name, value in values.items():
                    setattr(current, name, value)
                current.computed_at = now
                current.save()
                evaluation = current
            report.evaluated.append(evaluation)
        period.last_run_at = now
        period.save(update_fields=["last_run_at", "updated_at"])
        audit_record(
            code="evaluation.month.run",
            target=period,
            actor=actor,
            summary=f"{first:%Y-%m}",
            data={
                "evaluated": len(report.evaluated),
                "unchanged": report.unchanged,
                "skipped": report.skipped,
            },
        )
    return report


def _score_contracts(
    *,
    first: dt.date,
    last: dt.date,
    start: dt.datetime,
    end: dt.datetime,
    inspections: InspectionSource,
    satisfaction: SatisfactionSource,
    progress: Progress | None,
    report: RunReport,
) -> list[tuple[Contract, dict[str, Any]]]:
    """Every active contract's inputs and result (set-based reads, no writes)."""
    contracts = contracts_active(first=first, last=last)
    families = families_for_contracts(contracts)
    ids = [c.pk for c in contracts]
    counts = case_counts_for_month(contract_ids=ids, month=periods.Period.month_of(first))
    inspected = inspections(contract_ids=ids, month=first)
    surveyed = satisfaction(contract_ids=ids, month=first)
    measured = measured_findings(contract_ids=ids, month=first)
    penalty_rows = (
        PenaltyRecord.objects.filter(
            contract_id__in=ids, occurred_on__gte=first, occurred_on__lte=last
        )
        .values("contract_id", "code")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("contract_id", "code", "n")
    )
    recorded: dict[int, dict[str, int]] = {}
    for contract_id, code, n in penalty_rows:
        recorded.setdefault(contract_id, {})[code] = n
    snow_lines = month_snow_lines(contract_ids=ids, first=first, last=last)
    snapshots_by_scheme: dict[int, dict[str, Any]] = {}
    computed: list[tuple[Contract, dict[str, Any]]] = []
    iterator: Iterable[Any] = progress(contracts, len(contracts)) if progress else contracts
    for contract in iterator:
        family = families.get(contract.pk)
        scheme = scheme_in_force(family_id=family.pk, day=first) if family else None
        if scheme is None:
            report.skipped[contract.number] = str(
                _("no scheme version in force") if family else _("no scheme for this service")
            )
            continue
        if scheme.pk not in snapshots_by_scheme:
            snapshots_by_scheme[scheme.pk] = scheme_snapshot(scheme_with_rules(scheme.pk))
        snapshot = snapshots_by_scheme[scheme.pk]
        contract_counts = counts[contract.pk]
        inspection = inspected.get(contract.pk)
        components, source_steps = _component_inputs(
            snapshot,
            counts=contract_counts,
            inspection=inspection,
            satisfaction=surveyed.get(contract.pk),
            measured=measured.get(contract.pk, ()),
        )
        scheme_penalties = {p["code"] for p in snapshot["payment"]["penalties"]}
        penalties = {
            code: n for code, n in recorded.get(contract.pk, {}).items() if code in scheme_penalties
        }
        if COMPLAINT_PENALTY in scheme_penalties and contract_counts.verified_complaints:
            penalties[COMPLAINT_PENALTY] = (
                penalties.get(COMPLAINT_PENALTY, 0) + contract_counts.verified_complaints
            )
        inputs = {
            "month": f"{first:%Y-%m}",
            "fee": str(contract.monthly_fee),
            "case_counts": contract_counts.as_dict(),
            "inspection": inspection.as_dict() if inspection else None,
            "satisfaction": None
            if surveyed.get(contract.pk) is None
            else str(surveyed[contract.pk]),
            "penalty_records": recorded.get(contract.pk, {}),
            "penalties": dict(sorted(penalties.items())),
            "components": snapshots.component_inputs_json(components),
            "source_steps": source_steps,
        }
        if measured.get(contract.pk):
            inputs["measures"] = [m.as_dict() for m in measured[contract.pk]]
        if snow_lines.get(contract.pk):
            inputs["snow_events"] = snow_lines[contract.pk]
        try:
            values = evaluation_values(
                scheme=scheme, snapshot=snapshot, inputs=inputs, fee=contract.monthly_fee
            )
        except s.ScoringError as exc:
            report.skipped[contract.number] = str(exc.message)
            continue
        computed.append((contract, values))
    return computed


def evaluation_values(
    *, scheme: Scheme, snapshot: dict[str, Any], inputs: dict[str, Any], fee: Decimal
) -> dict[str, Any]:
    """The stored fields of an evaluation scored from a snapshot and inputs (pure recompute)."""
    result = snapshots.recompute(snapshot, inputs)
    band_names = {b["code"]: b["name"] for b in snapshot["bands"]}
    data = result.as_dict()
    deduction, payable = result.deduction, result.payable
    if inputs.get("snow_events"):
        # Snowfall events of the month (evaluated per event, ``snow.py``): a separate line of
        # the payment, after the month's own rule and cap; the amount payable stays >= 0.
        asked = sum((Decimal(line["deduction"]) for line in inputs["snow_events"]), Decimal(0))
        snow = min(asked, payable)
        data["snow"] = {"events": inputs["snow_events"], "deduction": str(snow)}
        deduction, payable = deduction + snow, payable - snow
    return {
        "scheme": scheme,
        "inputs": inputs,
        "scheme_snapshot": snapshot,
        "result": data,
        "score": result.score,
        "grade": result.grade,
        "grade_name": band_names[result.grade],
        "vetoed": result.vetoed,
        "fee": fee,
        "deduction": deduction,
        "payable": payable,
    }


@transaction.atomic
def period_publish(*, month: dt.date, actor: Any) -> Period:
    """Freeze a month through the kernel (compare-and-swap on the status: one publisher wins)."""
    first, _last = month_bounds(month)
    period = Period.objects.filter(month=first).first()
    if period is None or not period.evaluations.exists():
        raise DomainError(_("Run the month before publishing it."), code="not_run")
    if period.status == PeriodStatus.PUBLISHED:
        raise Conflict(_("This month is already published."), code="already_published")
    now = timezone.now()
    fsm_transition(
        machine=PERIOD,
        instance=period,
        action=PeriodStatus.PUBLISHED,
        actor=actor,
        values={
            "published_at": now,
            "published_by": actor if getattr(actor, "is_authenticated", False) else None,
            "updated_at": now,
        },
        audit_code="evaluation.month.published",
        summary=f"{first:%Y-%m}",
        data={"evaluations": period.evaluations.filter(is_current=True).count()},
    )
    return period
