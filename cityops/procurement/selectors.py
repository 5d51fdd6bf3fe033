"""Reads: the rule set in force, each project's lawful windows, the cockpit's progress."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, Q
from django.utils import timezone

from cityops.procurement import periods
from cityops.procurement.models import (
    Challenge,
    ChallengeStatus,
    Clarification,
    Complaint,
    ProcurementSettings,
    Project,
    Status,
    StatutoryPeriod,
)
from cityops.procurement.periods import CHALLENGE_DEFAULTS, REMEDY_DEFAULTS, DayType, Rule
from cityops.procurement.texts import STEP_TITLES, rule_text
from cityops.procurement.transitions import PROJECT, STEP_FIELD
from cityops.workcal.selectors import get_calendar


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    challenge: dict[str, tuple[int, DayType]]
    weekend_rolls: bool
    calendar: periods.Calendar

    def text(self, code: str) -> str:
        for rule in self.rules:
            if rule.code == code:
                return rule_text(code, rule.amount, rule.day_type)
        if code in self.challenge:
            amount, day_type = self.challenge[code]
            return rule_text(code, amount, day_type)
        return code


def rule_set(on: dt.date | None = None) -> RuleSet:
    """The rules in force on ``on`` (today): the latest ``StatutoryPeriod`` row per code with
    ``valid_from`` on or before it overrides the default numbers."""
    return RuleSets().on(on or timezone.localdate())


class RuleSets:
    """Rule sets for several days from one read of the table, the policy and the calendar."""

    def __init__(self) -> None:
        self.rows = list(StatutoryPeriod.objects.order_by("code", "valid_from"))
        policy = ProcurementSettings.current()
        self.weekend_rolls = policy.weekend_rolls
        self.calendar = get_calendar()
        self.cache: dict[dt.date, RuleSet] = {}

    def on(self, day: dt.date) -> RuleSet:
        if day not in self.cache:
            overrides: dict[str, tuple[int, DayType, bool]] = {}
            for row in self.rows:
                if row.valid_from <= day:
                    overrides[row.code] = (row.amount, DayType(row.day_type), row.roll_forward)
            challenge = {
                code: (overrides[code][0], overrides[code][1]) if code in overrides else default
                for code, default in {**CHALLENGE_DEFAULTS, **REMEDY_DEFAULTS}.items()
            }
            self.cache[day] = RuleSet(
                rules=periods.rules_with(overrides),
                challenge=challenge,
                weekend_rolls=self.weekend_rolls,
                calendar=self.calendar,
            )
        return self.cache[day]


def project_rule_day(project: Project) -> dt.date:
    """The rules of the day the procurement started apply to the whole procedure."""
    return project.intention_published or project.documents_issued or timezone.localdate()


def latest_clarification(project: Project) -> dt.date | None:
    value = Clarification.objects.filter(project=project, affects_bids=True).aggregate(
        day=Max("issued_on")
    )["day"]
    return value if isinstance(value, dt.date) else None


_UNSET = object()


@dataclass(frozen=True)
class StepView:
    step: str
    title: str
    done: dt.date | None
    earliest: dt.date | None
    latest: dt.date | None
    rules: tuple[tuple[str, str], ...]  # (code, text) of the rules bounding it
    breach: dict[str, Any] | None
    is_next: bool

    @property
    def overdue(self) -> bool:
        return self.done is None and self.latest is not None and self.latest < timezone.localdate()


def project_timeline(project: Project, rs: RuleSet | None = None) -> list[StepView]:
    """Every dated step: the recorded day, or the lawful window from the days recorded so far
    (the markers of the timeline: the last lawful day of each next step before it happens)."""
    rs = rs or rule_set(project_rule_day(project))
    # procurement_progress annotates the latest clarification (one query for every project).
    known = getattr(project, "last_clarification", _UNSET)
    if known is _UNSET:
        clarification = latest_clarification(project)
    else:
        clarification = known if isinstance(known, dt.date) else None
    dates = project.dates(clarification)
    next_fields = {
        STEP_FIELD[rule.action]
        for rule in PROJECT.actions_from(project.status)
        if rule.action in STEP_FIELD and rule.action != "cancel"
    }
    if project.status == Status.DOCUMENTS_ISSUED:
        next_fields.add("bid_deadline")
    if project.status == Status.BIDS_OPENED:
        next_fields.add("report_received")
    out = []
    for step in periods.STEPS:
        if step == "clarification":
            continue
        w = periods.window(
            step,
            dates,
            method=project.method,
            rules=rs.rules,
            calendar=rs.calendar,
            weekend_rolls=rs.weekend_rolls,
        )
        codes = tuple(
            (b.rule.code, rs.text(b.rule.code))
            for b in w.bounds
            if not b.rule.code.startswith("ORD")
        )
        out.append(
            StepView(
                step=step,
                title=str(STEP_TITLES[step]),
                done=dates.get(step),
                earliest=w.earliest,
                latest=w.latest,
                rules=codes,
                breach=project.breaches.get(step) if project.breaches else None,
                is_next=step in next_fields,
            )
        )
    return out


def next_lawful_day(project: Project, rs: RuleSet | None = None) -> StepView | None:
    """The next step with a last lawful day (what the list shows)."""
    for view in project_timeline(project, rs):
        if view.is_next and view.done is None:
            return view
    return None


def challenge_window(project: Project, rs: RuleSet | None = None) -> periods.ChallengeDates:
    rs = rs or rule_set(project_rule_day(project))
    return periods.challenge_dates(
        award_announced=project.award_announced,
        knew_on=None,
        received_on=None,
        periods=rs.challenge,
        calendar=rs.calendar,
        weekend_rolls=rs.weekend_rolls,
    )


def project_complaints(project: Project) -> list[Complaint]:
    """The complaints (投诉) after the project's challenges, with their P21/P22 days."""
    return list(
        Complaint.objects.filter(challenge__project=project)
        .select_related("challenge")
        .order_by("received_on", "id")
    )


def project_bond_refunds(project: Project, rs: RuleSet | None = None) -> periods.BondRefunds | None:
    """P27: when the bid bonds must be refunded (None when no bid bond is asked)."""
    if project.bid_bond is None:
        return None
    rs = rs or rule_set(project_rule_day(project))
    return periods.bond_refund_dates(
        award_announced=project.award_announced,
        contract_signed=project.contract_signed,
        periods=rs.challenge,
        calendar=rs.calendar,
        weekend_rolls=rs.weekend_rolls,
    )


def project_files_kept_until(project: Project) -> dt.date | None:
    """P30: the last day the procurement files must be kept (None while it is running)."""
    policy = ProcurementSettings.current()
    years = policy.file_retention_years
    return periods.files_kept_until(
        contract_filed=project.contract_filed, cancelled_on=project.cancelled_on, years=years
    )


def latest_clarification_day(project: Project, rs: RuleSet | None = None) -> dt.date | None:
    """The last day a clarification may be issued without postponing the deadline."""
    if project.bid_deadline is None:
        return None
    rs = rs or rule_set(project_rule_day(project))
    day = project.bid_deadline
    dates = project.dates()
    while day >= (project.documents_issued or day):
        if not periods.check(
            "clarification",
            day,
            dates,
            method=project.method,
            rules=rs.rules,
            calendar=rs.calendar,
            weekend_rolls=rs.weekend_rolls,
        ):
            return day
        day -= periods.ONE_DAY
    return None


def projects_visible(user: Any) -> list[Project]:
    return list(
        Project.objects.select_related("winner", "contract", "purchaser")
        .annotate(
            open_challenges=Count(
                "challenges", filter=Q(challenges__status=ChallengeStatus.RECEIVED)
            )
        )
        .order_by("-created_at", "-id")[:200]
    )


def procurement_progress() -> dict[str, Any]:
    """For the leaders' cockpit (issue 11): counts only, no names of people.

    ``by_status``: projects per status; ``projects``: per project its status, the next step
    and its last lawful day, open challenges, whether a step was recorded late, the registry
    contract once signed.
    """
    rows = list(
        Project.objects.select_related("contract").annotate(
            open_challenges=Count(
                "challenges",
                filter=Q(challenges__status=ChallengeStatus.RECEIVED),
                distinct=True,
            ),
            last_clarification=Max(
                "clarifications__issued_on", filter=Q(clarifications__affects_bids=True)
            ),
        )
    )
    rule_sets = RuleSets()
    by_status = {status.value: 0 for status in Status}
    projects = []
    for p in rows:
        by_status[p.status] += 1
        nxt = next_lawful_day(p, rule_sets.on(project_rule_day(p)))
        projects.append(
            {
                "id": p.pk,
                "number": p.number,
                "title": p.title,
                "service_type": p.service_type,
                "status": p.status,
                "next_step": nxt.step if nxt else None,
                "next_latest": nxt.latest if nxt else None,
                "next_overdue": bool(nxt and nxt.overdue),
                "open_challenges": p.open_challenges,  # type: ignore[attr-defined]
                "late_steps": sorted(p.breaches or {}),
                "contract": p.contract.number if p.contract else None,
            }
        )
    done = by_status[Status.CONTRACT_SIGNED] + by_status[Status.CONTRACT_PUBLISHED]
    return {
        "total": len(rows),
        "by_status": by_status,
        "contracted": done + by_status[Status.FILED],
        "open_challenges": Challenge.objects.filter(status=ChallengeStatus.RECEIVED).count(),
        "projects": projects,
    }
