"""Writes of the procurement register: projects, their dated steps, clarifications, challenges.

Every step goes through ``project_step``: the project row is locked, the step's date is
checked against every statutory period (``periods.check``) and the status moves through the
``core.fsm`` table (``transitions.PROJECT``), audited ``procurement.<action>``. A date that
breaks a period is refused with the rule and the lawful date (``PeriodViolation``); only a
*late* step (a "within N days" rule) may be recorded anyway, with a stated reason, which is
kept on the project and audited ``procurement.period_breached``. Signing the contract
creates the contract and the lots in the registry from the project (no retyping).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from cityops.accounts.access import actor_for
from cityops.core.audit import audit_record
from cityops.core.errors import DomainError
from cityops.core.fsm import fsm_transition
from cityops.procurement import periods
from cityops.procurement.access import (
    WRITE_ROLES,
    access_challenge,
    access_complaint,
    access_project,
)
from cityops.procurement.models import (
    Challenge,
    ChallengeOutcome,
    ChallengeStatus,
    ChallengeSubject,
    Clarification,
    Complaint,
    ProcurementSettings,
    Project,
    ProjectLot,
    Status,
)
from cityops.procurement.selectors import (
    RuleSet,
    latest_clarification,
    project_rule_day,
    rule_set,
)
from cityops.procurement.texts import STEP_TITLES
from cityops.procurement.transitions import CHALLENGE, COMPLAINT, PROJECT, STEP_FIELD
from cityops.registry.models import Contract, Lot, Organisation, OrganisationKind


class PeriodViolation(DomainError):
    """A step would break a statutory period: the message names each rule and lawful date."""

    code = "period_violation"

    def __init__(
        self,
        violations: Sequence[periods.Violation],
        rs: RuleSet,
        *,
        field: str | None = None,
        proposal: dt.date | None = None,
    ) -> None:
        self.violations = list(violations)
        self.proposal = proposal
        self.overridable = all(v.rule.kind == periods.Kind.MAX for v in violations)
        super().__init__(" ".join(violation_text(v, rs) for v in violations), field=field)


def _day(value: dt.date) -> str:
    return formats.date_format(value, "Y-m-d")


def violation_text(v: periods.Violation, rs: RuleSet) -> str:
    step = str(STEP_TITLES.get(v.step, v.step))
    args = {"code": v.rule.code, "rule": rs.text(v.rule.code), "step": step,
            "day": _day(v.day), "lawful": _day(v.lawful)}  # fmt: skip
    if v.reverse:
        return (
            _(
                "Rule %(code)s (%(rule)s): the %(step)s (%(day)s) must then be on or after "
                "%(lawful)s."
            )
            % args
        )
    if v.rule.kind == periods.Kind.MIN:
        return _("Rule %(code)s (%(rule)s): the earliest lawful date is %(lawful)s.") % args
    if v.rule.kind == periods.Kind.MAX:
        return _("Rule %(code)s (%(rule)s): the last lawful date was %(lawful)s.") % args
    return _("Rule %(code)s (%(rule)s): it must be on %(lawful)s.") % args


def _today() -> dt.date:
    return timezone.localdate()


def _not_future(day: dt.date, field: str) -> None:
    if day > _today():
        raise DomainError(_("A step cannot be recorded before it happens."), field=field)


def _verify(
    project: Project,
    rs: RuleSet,
    changes: Iterable[tuple[str, dt.date]],
    *,
    override_reason: str,
    clarification: dt.date | None = None,
) -> dict[str, Any]:
    """Check each (step, day) in order on top of the project's dates; refused unless every
    breach is a late step and a reason is given. Returns the breaches to record."""
    dates = project.dates(clarification or latest_clarification(project))
    breaches: dict[str, Any] = {}
    for step, day in changes:
        found = periods.check(
            step,
            day,
            dates,
            method=project.method,
            rules=rs.rules,
            calendar=rs.calendar,
            weekend_rolls=rs.weekend_rolls,
        )
        if found:
            error = PeriodViolation(found, rs, field=step)
            if not (error.overridable and override_reason.strip()):
                raise error
            breaches[step] = {
                "rules": [v.rule.code for v in found],
                "lawful": min(v.lawful for v in found).isoformat(),
                "day": day.isoformat(),
                "reason": override_reason.strip()[:300],
            }
        dates[step] = day
    return breaches


@transaction.atomic
def project_create(
    *,
    actor: Any,
    number: str,
    title: str,
    service_type: str,
    method: str,
    budget: Decimal,
    purchaser: Organisation | None = None,
    lots: Sequence[dict[str, Any]] = (),
) -> Project:
    if not actor_for(actor).has_role(*WRITE_ROLES):
        raise DomainError(_("Only the procurement officer records procurements."), code="forbidden")
    if budget < 0:
        raise DomainError(_("The budget cannot be negative."), field="budget")
    if Project.objects.filter(number=number).exists():
        raise DomainError(_("A project with this number exists already."), field="number")
    project = Project.objects.create(
        number=number,
        title=title,
        service_type=service_type,
        method=method,
        budget=budget,
        purchaser=purchaser,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    for spec in lots:
        _lot_add(project, spec)
    audit_record(
        code="procurement.created",
        target=project,
        actor=actor,
        summary=f"{number} {title}"[:300],
        data={"method": method, "budget": str(budget), "lots": len(lots)},
    )
    return project


def _lot_add(project: Project, spec: dict[str, Any]) -> ProjectLot:
    lot = ProjectLot.objects.create(
        project=project, code=spec["code"], name=spec["name"], geometry=spec.get("geometry")
    )
    lot.road_segments.set(spec.get("road_segments", ()))
    lot.green_spaces.set(spec.get("green_spaces", ()))
    lot.compounds.set(spec.get("compounds", ()))
    return lot


@transaction.atomic
def project_lot_add(*, project_id: int, actor: Any, spec: dict[str, Any]) -> ProjectLot:
    project = access_project(project_id, actor, for_write=True)
    if project.status in (Status.CONTRACT_SIGNED, Status.CONTRACT_PUBLISHED, Status.FILED,
                          Status.CANCELLED):  # fmt: skip
        raise DomainError(_("Lots can no longer change: the contract is signed."), code="locked")
    if project.lots.filter(code=spec["code"]).exists():
        raise DomainError(_("This project has a lot with this code already."), field="code")
    lot = _lot_add(project, spec)
    audit_record(code="procurement.lot_added", target=project, actor=actor,
                 summary=f"{lot.code} {lot.name}"[:300])  # fmt: skip
    return lot


def project_step(
    *,
    project_id: int,
    action: str,
    on: dt.date,
    actor: Any,
    override_reason: str = "",
    **values: Any,
) -> Project:
    """Record ``action`` on day ``on`` (see the module docstring). ``values`` by action:
    issue_documents ``bid_deadline``; evaluate ``report_received``; decide_winner ``winner``,
    ``award_amount``; sign_contract ``contract_number``, ``service_start``, ``service_end``,
    ``monthly_fee``; cancel ``reason``."""
    with transaction.atomic():
        project = access_project(project_id, actor, for_write=True)
        rule = PROJECT.rule_checked(action, status=project.status, actor=actor_for(actor))
        field = STEP_FIELD.get(action)
        if field is None:
            raise DomainError(_("Unknown action %(a)s.") % {"a": action}, code="unknown_action")
        _not_future(on, field)
        rs = rule_set(project.intention_published or project.documents_issued or on)
        writes: dict[str, Any] = {field: on}
        changes: list[tuple[str, dt.date]] = [(field, on)]
        extra_audit: dict[str, Any] = {}
        if action == "issue_documents":
            deadline = values.get("bid_deadline")
            if not isinstance(deadline, dt.date):
                raise DomainError(_("Give the bid / response deadline."), field="bid_deadline")
            changes.append(("bid_deadline", deadline))
            writes["bid_deadline"] = deadline
            available = values.get("documents_until")
            if isinstance(available, dt.date):
                changes.append(("documents_until", available))
                writes["documents_until"] = available
            bond = values.get("bid_bond")
            if bond is not None:
                writes["bid_bond"] = _bond_checked(
                    Decimal(bond), base=project.budget, code="P26", field="bid_bond"
                )
        elif action == "evaluate":
            received = values.get("report_received") or on
            _not_future(received, "report_received")
            changes.append(("report_received", received))
            writes["report_received"] = received
        elif action == "decide_winner":
            winner = values.get("winner")
            if not isinstance(winner, Organisation) or winner.kind != OrganisationKind.OPERATOR:
                raise DomainError(_("The winner must be an operator company."), field="winner")
            amount = values.get("award_amount")
            if amount is None or Decimal(amount) <= 0:
                raise DomainError(_("Give the award amount."), field="award_amount")
            writes["winner"] = winner
            writes["award_amount"] = Decimal(amount)
            extra_audit = {"winner": winner.pk, "award_amount": str(amount)}
        elif action == "sign_contract":
            writes.update(_contract_terms(project, values))
        elif action == "cancel":
            reason = str(values.get("reason") or "").strip()
            if not reason:
                raise DomainError(_("Say why the procurement is cancelled."), field="reason")
            writes["cancel_reason"] = reason[:300]
            changes = []
        breaches = _verify(project, rs, changes, override_reason=override_reason)

        def open_challenges() -> None:
            if project.challenges.filter(status=ChallengeStatus.RECEIVED).exists():
                raise DomainError(
                    _("A challenge is still unanswered: answer it before signing the contract."),
                    code="open_challenge",
                )

        guards = {"periods": lambda: None, "no_open_challenge": open_challenges}
        if breaches:
            writes["breaches"] = {**(project.breaches or {}), **breaches}
        fsm_transition(
            machine=PROJECT,
            instance=project,
            action=rule.action,
            actor=actor,
            roles=actor_for(actor),
            guards=guards,
            values=writes,
            audit_code=f"procurement.{action}",
            summary=f"{project.number} {field}={on.isoformat()}",
            data={"on": on.isoformat(), **extra_audit,
                  **{k: v.isoformat() for k, v in writes.items() if isinstance(v, dt.date)}},
        )  # fmt: skip
        for step, breach in breaches.items():
            audit_record(
                code="procurement.period_breached",
                target=project,
                actor=actor,
                summary=f"{project.number} {step}: {breach['reason']}"[:300],
                data={"step": step, **breach},
            )
        if action == "sign_contract":
            _registry_contract_create(project, actor)
        project.refresh_from_db()
        return project


def _contract_terms(project: Project, values: dict[str, Any]) -> dict[str, Any]:
    number = str(values.get("contract_number") or project.contract_number or "").strip()
    start = values.get("service_start") or project.service_start
    end = values.get("service_end") or project.service_end
    fee = values.get("monthly_fee") or project.monthly_fee
    if not number:
        raise DomainError(_("Give the contract number."), field="contract_number")
    if not isinstance(start, dt.date) or not isinstance(end, dt.date) or end < start:
        raise DomainError(_("The service period must end after it starts."), field="service_end")
    if fee is None or Decimal(fee) < 0:
        raise DomainError(_("Give the monthly fee."), field="monthly_fee")
    policy = ProcurementSettings.current()
    years = policy.max_contract_years
    last = periods.add_years(start, years) - dt.timedelta(days=1)
    if end > last:
        raise DomainError(
            _(
                "Rule P31 (a purchased service contract runs at most %(n)d years): the service "
                "may end on %(last)s at the latest."
            )
            % {"n": years, "last": _day(last)},
            field="service_end",
        )
    if project.winner_id is None:
        raise DomainError(_("No winner is recorded."), field="winner")
    bond = values.get("performance_bond")
    if bond is not None and project.award_amount is not None:
        bond = _bond_checked(
            Decimal(bond), base=project.award_amount, code="P28", field="performance_bond"
        )
    if Contract.objects.filter(number=number).exists():
        raise DomainError(
            _("The registry has a contract with this number already."), field="contract_number"
        )
    return {"contract_number": number, "service_start": start, "service_end": end,
            "monthly_fee": Decimal(fee), "performance_bond": bond}  # fmt: skip


def _bond_checked(amount: Decimal, *, base: Decimal, code: str, field: str) -> Decimal:
    """P26 / P28: a bond of at most the configured percentage of ``base``."""
    if amount < 0:
        raise DomainError(_("Give an amount of zero or more."), field=field)
    policy = ProcurementSettings.current()
    if code == "P26":
        percent = policy.bid_bond_max_percent
        text = _("Rule P26 (the bid bond is at most %(p)s%% of the budget): at most %(cap)s.")
    else:
        percent = policy.performance_bond_max_percent
        text = _(
            "Rule P28 (the performance bond is at most %(p)s%% of the contract amount): "
            "at most %(cap)s."
        )
    cap = periods.percent_cap(base, percent)
    if amount > cap:
        raise DomainError(text % {"p": percent.normalize(), "cap": cap}, field=field)
    return amount


def _registry_contract_create(project: Project, actor: Any) -> Contract:
    """The award becomes the registry's contract and lots (same transaction as the step)."""
    assert project.winner is not None
    assert project.service_start
    assert project.service_end
    try:
        with transaction.atomic():
            contract = Contract.objects.create(
                number=project.contract_number,
                title=project.title,
                operator=project.winner,
                service_type=project.service_type,
                start_date=project.service_start,
                end_date=project.service_end,
                monthly_fee=project.monthly_fee or Decimal(0),
            )
    except IntegrityError as exc:
        raise DomainError(
            _("The registry has a contract with this number already."), field="contract_number"
        ) from exc
    for plot in project.lots.prefetch_related("road_segments", "green_spaces", "compounds"):
        code = f"{contract.number}-{plot.code}"
        if Lot.objects.filter(code=code).exists():
            raise DomainError(_("The registry has a lot %(code)s already.") % {"code": code})
        lot = Lot(contract=contract, code=code, name=plot.name, geometry=plot.geometry)
        lot.save()
        lot.road_segments.set(plot.road_segments.all())
        lot.green_spaces.set(plot.green_spaces.all())
        lot.compounds.set(plot.compounds.all())
        plot.lot = lot
        plot.save(update_fields=["lot", "updated_at"])
    Project.objects.filter(pk=project.pk).update(contract=contract)
    project.contract = contract
    audit_record(
        code="registry.contract.created",
        target=contract,
        actor=actor,
        summary=f"{contract.number} ← {project.number}"[:300],
        data={"procurement": project.pk, "lots": project.lots.count()},
    )
    return contract


@transaction.atomic
def clarification_record(
    *,
    project_id: int,
    issued_on: dt.date,
    summary: str,
    actor: Any,
    affects_bids: bool = True,
    new_deadline: dt.date | None = None,
) -> Clarification:
    """澄清/修改: one that may affect the bids must leave P5/P10 days to the deadline; if it
    does not, the deadline is postponed — the error proposes the earliest lawful new one,
    and passing ``new_deadline`` (on or after it) records both."""
    project = access_project(project_id, actor, for_write=True)
    PROJECT.rule_checked("clarify", status=project.status, actor=actor_for(actor))
    _not_future(issued_on, "issued_on")
    rs = rule_set(project_rule_day(project))
    assert project.bid_deadline is not None
    assert project.documents_issued is not None
    if issued_on < project.documents_issued or issued_on > project.bid_deadline:
        raise DomainError(
            _("A clarification falls between issuing the documents and the deadline."),
            field="issued_on",
        )
    before = project.bid_deadline
    if affects_bids:
        dates = project.dates(max(filter(None, (latest_clarification(project), issued_on))))
        proposal = periods.earliest_deadline(
            dates, method=project.method, rules=rs.rules, calendar=rs.calendar,
            weekend_rolls=rs.weekend_rolls,
        )  # fmt: skip
        found = periods.check(
            "bid_deadline", new_deadline or before, dates, method=project.method,
            rules=rs.rules, calendar=rs.calendar, weekend_rolls=rs.weekend_rolls,
        )  # fmt: skip
        if found:
            field = "new_deadline" if new_deadline else "issued_on"
            raise PeriodViolation(found, rs, field=field, proposal=proposal)
    deadline = new_deadline if affects_bids and new_deadline else before
    row = Clarification.objects.create(
        project=project,
        issued_on=issued_on,
        affects_bids=affects_bids,
        summary=summary[:300],
        deadline_before=before,
        deadline_after=deadline,
    )
    fsm_transition(
        machine=PROJECT,
        instance=project,
        action="clarify",
        actor=actor,
        roles=actor_for(actor),
        guards={"periods": lambda: None},
        values={"bid_deadline": deadline},
        audit_code="procurement.clarified",
        summary=f"{project.number} {issued_on.isoformat()}",
        data={"issued_on": issued_on.isoformat(), "deadline_before": before.isoformat(),
              "deadline_after": deadline.isoformat(), "affects_bids": affects_bids},
    )  # fmt: skip
    return row


@transaction.atomic
def challenge_record(
    *,
    project_id: int,
    supplier: str,
    subject: str,
    received_on: dt.date,
    text: str,
    actor: Any,
    knew_on: dt.date | None = None,
) -> Challenge:
    """质疑 received: its period (P17, from P18's "should have known") decides ``in_time``;
    a late challenge is still recorded (the purchaser answers that it is out of time)."""
    project = access_project(project_id, actor, for_write=True)
    if project.status in (Status.DRAFT, Status.INTENTION_PUBLISHED, Status.CANCELLED):
        raise DomainError(_("Challenges come after the documents are issued."), code="status")
    _not_future(received_on, "received_on")
    if subject not in ChallengeSubject.values:
        raise DomainError(_("Choose what the challenge is about."), field="subject")
    if subject == ChallengeSubject.RESULT and knew_on is None and project.award_announced is None:
        raise DomainError(_("The award is not announced yet."), field="subject")
    if subject != ChallengeSubject.RESULT and knew_on is None:
        raise DomainError(_("Give the day the supplier knew of it."), field="knew_on")
    if knew_on is not None and knew_on > received_on:
        raise DomainError(_("The supplier cannot know it after filing."), field="knew_on")
    rs = rule_set(project_rule_day(project))
    when = periods.challenge_dates(
        award_announced=project.award_announced,
        knew_on=knew_on,
        received_on=received_on,
        periods=rs.challenge,
        calendar=rs.calendar,
        weekend_rolls=rs.weekend_rolls,
    )
    assert when.answer_due is not None
    in_time = when.challenge_until is None or received_on <= when.challenge_until
    row = Challenge.objects.create(
        project=project,
        supplier=supplier[:200],
        subject=subject,
        knew_on=knew_on,
        received_on=received_on,
        in_time=in_time,
        text=text,
        answer_due=when.answer_due,
    )
    audit_record(
        code="procurement.challenge_received",
        target=row,
        actor=actor,
        summary=f"{project.number} {supplier}"[:300],
        data={"project": project.pk, "in_time": in_time,
              "answer_due": when.answer_due.isoformat()},
    )  # fmt: skip
    return row


def challenge_answer(
    *,
    challenge_id: int,
    answered_on: dt.date,
    outcome: str,
    answer: str,
    actor: Any,
    override_reason: str = "",
) -> Challenge:
    with transaction.atomic():
        row = access_challenge(challenge_id, actor, for_write=True)
        CHALLENGE.rule_checked("answer", status=row.status, actor=actor_for(actor))
        _not_future(answered_on, "answered_on")
        if answered_on < row.received_on:
            raise DomainError(
                _("The answer cannot come before the challenge."), field="answered_on"
            )
        if outcome not in ChallengeOutcome.values:
            raise DomainError(_("Choose the outcome."), field="outcome")
        if not answer.strip():
            raise DomainError(_("Write the answer."), field="answer")
        late = answered_on > row.answer_due
        if late and not override_reason.strip():
            rs = rule_set(project_rule_day(row.project))
            rule = periods.Rule("P19", periods.Kind.MAX, "answer", "received", *rs.challenge["P19"])
            raise PeriodViolation(
                [periods.Violation(rule, "answer", answered_on, row.answer_due, row.received_on)],
                rs,
                field="answered_on",
            )
        fsm_transition(
            machine=CHALLENGE,
            instance=row,
            action="answer",
            actor=actor,
            roles=actor_for(actor),
            values={"answered_on": answered_on, "outcome": outcome, "answer": answer},
            audit_code="procurement.challenge_answered",
            summary=f"{row.project.number} {row.supplier}"[:300],
            data={"answered_on": answered_on.isoformat(), "outcome": outcome, "late": late,
                  "late_reason": override_reason.strip()[:300]},
        )  # fmt: skip
        return row


@transaction.atomic
def challenge_withdraw(*, challenge_id: int, actor: Any) -> Challenge:
    row = access_challenge(challenge_id, actor, for_write=True)
    fsm_transition(
        machine=CHALLENGE,
        instance=row,
        action="withdraw",
        actor=actor,
        roles=actor_for(actor),
        audit_code="procurement.challenge_withdrawn",
        summary=f"{row.project.number} {row.supplier}"[:300],
    )
    return row


@transaction.atomic
def complaint_record(
    *,
    challenge_id: int,
    received_on: dt.date,
    text: str,
    actor: Any,
    excluded_days: int = 0,
    suspended_on: dt.date | None = None,
) -> Complaint:
    """投诉 received by the finance department after a challenge: P20 (15 working days after
    the answer period) decides ``in_time`` (a late complaint is still recorded, the department
    rejects it); the decision is due by P21, a suspension ends by P22 at the latest."""
    challenge = access_challenge(challenge_id, actor, for_write=True)
    _not_future(received_on, "received_on")
    if received_on < challenge.received_on:
        raise DomainError(_("A complaint cannot come before its challenge."), field="received_on")
    if not text.strip():
        raise DomainError(_("Write the complaint."), field="text")
    if excluded_days < 0:
        raise DomainError(_("Give a number of days of zero or more."), field="excluded_days")
    if suspended_on is not None:
        _not_future(suspended_on, "suspended_on")
        if suspended_on < received_on:
            raise DomainError(
                _("The suspension cannot start before the complaint."), field="suspended_on"
            )
    rs = rule_set(project_rule_day(challenge.project))
    window = periods.challenge_dates(
        award_announced=None,
        knew_on=None,
        received_on=challenge.received_on,
        periods=rs.challenge,
        calendar=rs.calendar,
        weekend_rolls=rs.weekend_rolls,
    )
    in_time = window.complaint_until is None or received_on <= window.complaint_until
    when = periods.complaint_dates(
        received_on=received_on,
        suspended_on=suspended_on,
        excluded_days=excluded_days,
        periods=rs.challenge,
        calendar=rs.calendar,
        weekend_rolls=rs.weekend_rolls,
    )
    row = Complaint.objects.create(
        challenge=challenge,
        received_on=received_on,
        in_time=in_time,
        text=text,
        excluded_days=excluded_days,
        decision_due=when.decision_due,
        suspended_on=suspended_on,
        suspension_until=when.suspension_until,
    )
    audit_record(
        code="procurement.complaint_received",
        target=row,
        actor=actor,
        summary=f"{challenge.project.number} {challenge.supplier}"[:300],
        data={"challenge": challenge.pk, "in_time": in_time,
              "decision_due": when.decision_due.isoformat(),
              "suspension_until": when.suspension_until.isoformat()
              if when.suspension_until else None},
    )  # fmt: skip
    return row


def complaint_decide(
    *,
    complaint_id: int,
    decided_on: dt.date,
    decision: str,
    actor: Any,
    override_reason: str = "",
) -> Complaint:
    """The finance department's decision, checked against P21 (a late one only with a reason)."""
    with transaction.atomic():
        row = access_complaint(complaint_id, actor, for_write=True)
        COMPLAINT.rule_checked("decide", status=row.status, actor=actor_for(actor))
        _not_future(decided_on, "decided_on")
        if decided_on < row.received_on:
            raise DomainError(
                _("The decision cannot come before the complaint."), field="decided_on"
            )
        if not decision.strip():
            raise DomainError(_("Write the decision."), field="decision")
        late = decided_on > row.decision_due
        if late and not override_reason.strip():
            rs = rule_set(project_rule_day(row.challenge.project))
            rule = periods.Rule(
                "P21", periods.Kind.MAX, "decision", "received", *rs.challenge["P21"]
            )
            raise PeriodViolation(
                [
                    periods.Violation(
                        rule, "decision", decided_on, row.decision_due, row.received_on
                    )
                ],
                rs,
                field="decided_on",
            )
        fsm_transition(
            machine=COMPLAINT,
            instance=row,
            action="decide",
            actor=actor,
            roles=actor_for(actor),
            values={"decided_on": decided_on, "decision": decision},
            audit_code="procurement.complaint_decided",
            summary=f"{row.challenge.project.number} {row.challenge.supplier}"[:300],
            data={"decided_on": decided_on.isoformat(), "late": late,
                  "late_reason": override_reason.strip()[:300]},
        )  # fmt: skip
        return row


@transaction.atomic
def complaint_withdraw(*, complaint_id: int, actor: Any) -> Complaint:
    row = access_complaint(complaint_id, actor, for_write=True)
    fsm_transition(
        machine=COMPLAINT,
        instance=row,
        action="withdraw",
        actor=actor,
        roles=actor_for(actor),
        audit_code="procurement.complaint_withdrawn",
        summary=f"{row.challenge.project.number} {row.challenge.supplier}"[:300],
    )
    return row
