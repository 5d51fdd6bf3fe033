"""The ``evaluations`` step of ``manage.py demo_setup``: schemes, two months run, one appeal.

After the case history (two complete months) and the inspections step: loads the demo schemes,
evaluates the demo snowfall, runs and publishes the month before last (as the demo supervisor),
runs the last complete month without publishing it (so a supervisor can publish it), and files
one appeal as the operator staff of the contract with the largest deduction, left open for the
supervisor to decide.
Idempotent: a published month is left alone, an open month is re-run (unchanged results stay).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _

from cityops.accounts.models import Membership, Role
from cityops.core import periods
from cityops.core.errors import DomainError
from cityops.evaluations.appeals.services import appeal_file, deductions_of
from cityops.evaluations.demo import load_demo_schemes
from cityops.evaluations.models import Appeal, Evaluation, Period, SnowEvent
from cityops.evaluations.runs.jobs import run_month
from cityops.evaluations.runs.month import period_publish
from cityops.evaluations.snow.services import evaluate_snow_event, last_deadline

DEMO_SUPERVISOR = "demo_supervisor"
APPEAL_REASON = "该处扣分所涉案件系暴雨期间道路封闭，无法按时处置，附交警封路通知。"


def complete_months(today: dt.date) -> tuple[dt.date, dt.date]:
    """(month before last, last month), each as its first day."""
    last = periods.Period.month_of(today.replace(day=1) - dt.timedelta(days=1))
    before = periods.Period.month_of(last.first - dt.timedelta(days=1))
    return before.first, last.first


def _operator_user(organisation_id: int) -> Any:
    ms = (
        Membership.objects.filter(
            role=Role.OPERATOR_STAFF, organisation_id=organisation_id, active=True
        )
        .select_related("user")
        .order_by("user__username")
        .first()
    )
    return ms.user if ms else None


def _open_appeal(month: dt.date) -> str:
    if Appeal.objects.filter(evaluation__period__month=month).exists():
        return ""
    candidates = Evaluation.objects.filter(period__month=month, is_current=True).select_related(
        "period", "contract"
    )
    for evaluation in sorted(candidates, key=lambda e: (-e.deduction, e.contract.number)):
        operator = _operator_user(evaluation.contract.operator_id)
        found = [d for d in deductions_of(evaluation) if not d.is_penalty]
        if operator is None or not found:
            continue
        target = found[0]
        appeal_file(
            evaluation_id=evaluation.pk, component=target.component, item=target.item,
            reason=APPEAL_REASON, actor=operator,
        )  # fmt: skip
        return evaluation.contract.number
    return ""


def _evaluate_snow(supervisor: Any) -> list[str]:
    """The demo snowfalls whose deadlines have passed get evaluated (before the months run, so
    that the month of the event shows them). Already evaluated events are left alone."""
    done: list[str] = []
    now = timezone.now()
    for event in SnowEvent.objects.exclude(evaluations__isnull=False).order_by("ended_at"):
        if supervisor is None or last_deadline(event) > now:
            continue
        try:
            stored = evaluate_snow_event(event_id=event.pk, actor=supervisor)
        except DomainError as exc:  # NotFound included
            done.append(f"{event.name}: {exc.message}")
            continue
        done.append(
            _("%(event)s: %(n)d contracts evaluated") % {"event": event.name, "n": len(stored)}
        )
    return done


def evaluations_step(context: Any) -> str:
    load_demo_schemes()
    supervisor = get_user_model().objects.filter(username=DEMO_SUPERVISOR).first()
    before, last = complete_months(timezone.localdate())
    done: list[str] = _evaluate_snow(supervisor)
    for month, publish in ((before, True), (last, False)):
        period = Period.objects.filter(month=month).first()
        if period is not None and period.is_frozen:
            done.append(_("%(month)s published") % {"month": f"{month:%Y-%m}"})
            continue
        try:
            report = run_month(month=month, actor=supervisor)
            if publish:
                period_publish(month=month, actor=supervisor)
        except DomainError as exc:
            done.append(f"{month:%Y-%m}: {exc.message}")
            continue
        state = _("published") if publish else _("run, not published")
        done.append(
            _("%(month)s: %(n)d contracts, %(state)s")
            % {"month": f"{month:%Y-%m}", "n": len(report.evaluated), "state": state}
        )
    appealed = _open_appeal(before)
    if appealed:
        done.append(_("an open appeal by the operator of %(contract)s") % {"contract": appealed})
    return "; ".join(done)
