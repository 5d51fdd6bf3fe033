"""One case's life, simulated in memory (pure core: no ORM, no clock reads).

``simulate`` walks a case through the transition table (``cityops.cases.transitions``) the
way people do: the command centre accepts, files and dispatches within minutes (later at
night), the unit handles at a fraction of its time limit that depends on how reliable the
unit is, an inspector checks in working time, some checks fail (返工), some units ask for a
return (回退), an extension (延期) or parking (挂账), a few cases are voided or merged into an
earlier duplicate. Anything that would happen after ``now`` does not happen: the case stays
in the status it has reached, which makes the open backlog.

The fields each step sets are those of ``cityops.cases.services.effects`` (the service path),
on the plain data of ``draft.py``; ``writer.py`` turns a ``Draft`` into rows. Invariants kept
identical to the service path are listed in ``cityops/cases/history/__init__.py``.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from cityops.cases.history.clock import FastClock
from cityops.cases.history.draft import Actors, CaseSpec, Draft, EventDraft, Limit
from cityops.workcal.calendar import Milestones, WorkingCalendar

# Probabilities of the behaviours (per case or per round), chosen to give a plausible mix.
P_REJECT_PUBLIC = 0.07  # public report not confirmed by the inspector
P_REJECT = 0.03  # not a city-management matter (不予受理)
P_REJECT_SELF = 0.03
P_VOID_FILED = 0.004
P_VOID_ROUND = 0.004
P_RETURN = 0.03
P_PARK = 0.012
P_EXTENSION = 0.04
P_APPROVE_RETURN = 0.75
P_APPROVE_PARK = 0.85
P_APPROVE_EXTENSION = 0.8
P_REWORK_FIRST = 0.08
P_REWORK_AGAIN = 0.2
MAX_REWORKS = 2
P_STUCK = 0.01  # a hard case the unit leaves far beyond its limit

RETURN_REASONS = ("该点位不在本单位标段范围内", "属于其他部门职责", "产权单位负责，非本单位养护")
PARK_REASONS = ("需纳入年度改造计划", "涉及产权纠纷，暂无法处置", "需待气温回升后施工")
EXTENSION_REASONS = ("需采购配件", "工程量较大，需增派人员", "天气原因无法施工")
REWORK_REASONS = ("现场仍有残留", "处置不彻底，需重新处理", "核查发现问题未解决")
REJECT_REASONS = ("不属于城市管理问题", "信息不全，无法核实", "现场核实问题不存在")
VOID_REASONS = ("重复立案", "立案信息有误", "问题已由其他渠道解决")
HANDLE_NOTES = ("已处置完毕", "已清理干净", "已修复，恢复正常", "已按标准处置，附照片")


class Stop(Exception):
    """The next step would happen after ``now``: the case stays where it is."""


@dataclass(frozen=True)
class Request:
    """A request a unit may make in a case's first round, and how the command centre answers."""

    window: tuple[float, float]  # when the unit asks, as fractions of its time limit
    reasons: tuple[str, ...]
    decision: tuple[float, float]  # minutes the centre takes to decide
    p_approve: float
    approved: str  # the status an approval leads to (a refusal goes back to dispatched)
    refusal: str  # the centre's reason for refusing


# 回退 (return), 挂账 (park), 延期 (extension).
REQUESTS = {
    "return": Request(
        (0.03, 0.3), RETURN_REASONS, (10, 120), P_APPROVE_RETURN, "filed", "经核实属于本单位职责"
    ),
    "park": Request((0.2, 0.7), PARK_REASONS, (30, 600), P_APPROVE_PARK, "parked", "请按时限处置"),
    "extension": Request(
        (0.4, 0.95),
        EXTENSION_REASONS,
        (10, 180),
        P_APPROVE_EXTENSION,
        "dispatched",
        "请按原时限处置",
    ),
}


class Simulator:
    def __init__(
        self,
        *,
        clock: FastClock,
        calendar: WorkingCalendar,
        now: dt.datetime,
        actors: Actors,
        org_names: dict[int, str],
        supervisor_after: dt.timedelta,
    ) -> None:
        self.clock, self.calendar, self.now = clock, calendar, now
        self.actors, self.org_names = actors, org_names
        self.supervisor_after = supervisor_after
        self.tz = calendar.tz

    # ------------------------------------------------------------------ helpers
    # One ``rng`` serves a whole day's cases, so every draw stays in the same order (and none
    # is made after a ``Stop``): the history of a seed must not change.
    def _pick(self, rng: random.Random, ids: tuple[int, ...]) -> int | None:
        return rng.choice(ids) if ids else None

    def _emit(
        self,
        d: Draft,
        action: str,
        to: str,
        at: dt.datetime,
        actor_id: int | None,
        reason: str = "",
        data: dict[str, Any] | None = None,
    ) -> None:
        if at > self.now:
            raise Stop
        d.events.append(EventDraft(action, d.status, to, at, actor_id, reason, data or {}))
        d.status = to

    def _end(
        self,
        d: Draft,
        action: str,
        to: str,
        at: dt.datetime,
        actor: int | None,
        reason: str,
        data: dict[str, Any] | None = None,
    ) -> None:
        self._emit(d, action, to, at, actor, reason, data)
        d.pending_request = {}
        d.ended_at = at

    def _rejected(self, d: Draft, rng: random.Random, t: dt.datetime, p: float) -> bool:
        """With probability ``p`` a clerk rejects the report (不予受理) at ``t``."""
        if rng.random() >= p:
            return False
        clerk = self._pick(rng, self.actors.clerks)
        self._end(d, "reject", "rejected", t, clerk, rng.choice(REJECT_REASONS))
        return True

    def _void(self, d: Draft, rng: random.Random, t: dt.datetime) -> None:
        lead = self._pick(rng, self.actors.shift_leads)
        self._end(d, "void", "voided", t, lead, rng.choice(VOID_REASONS))

    def _centre(self, rng: random.Random, at: dt.datetime, lo: float, hi: float) -> dt.datetime:
        """The command centre acts within lo–hi minutes; at night (22:00–07:00) from 07:00."""
        t = at + dt.timedelta(minutes=rng.uniform(lo, hi))
        local = t.astimezone(self.tz)
        if local.hour >= 22 or local.hour < 7:
            day = local.date() + dt.timedelta(days=1) if local.hour >= 22 else local.date()
            morning = dt.datetime.combine(day, dt.time(7), tzinfo=self.tz)
            t = morning + dt.timedelta(minutes=rng.uniform(lo, hi))
        return t

    def _field(self, rng: random.Random, at: dt.datetime, lo_h: float, hi_h: float) -> dt.datetime:
        """An inspector on site: lo–hi working hours later."""
        hours = Decimal(round(rng.uniform(lo_h, hi_h), 3))
        return self.clock.add(at, hours, "working_hours")

    def _staff(self, rng: random.Random, d: Draft) -> int | None:
        return self._pick(rng, self.actors.unit_staff.get(d.assignee_id or 0, ()))

    def _limit(self, d: Draft) -> Limit:
        return d.spec.limits.get(d.spec.urgency) or d.spec.limits["normal"]

    def _apply(
        self,
        d: Draft,
        m: Milestones | tuple[dt.datetime, dt.datetime],
        at: dt.datetime,
        data: dict[str, Any],
    ) -> None:
        """effects._apply: new milestones, the light they show at ``at``, escalation afresh."""
        yellow, deadline = (m.yellow_at, m.deadline_at) if isinstance(m, Milestones) else m
        d.yellow_at, d.deadline_at = yellow, deadline
        d.settle(at, self.supervisor_after)
        data["deadline_at"] = deadline.isoformat()

    def _fraction_at(
        self, d: Draft, fraction: float, excluded: list[tuple[dt.datetime, dt.datetime]]
    ) -> dt.datetime:
        assert d.clock_started_at is not None
        assert d.limit_amount is not None
        f = Decimal(round(fraction, 4))
        if excluded:
            return self.calendar.instant_at_fraction(
                d.clock_started_at, d.limit_amount, d.limit_unit, f, excluded
            )
        return self.clock.add(d.clock_started_at, Decimal(d.limit_amount) * f, d.limit_unit)

    # ------------------------------------------------------------------ the life
    def simulate(self, spec: CaseSpec, rng: random.Random) -> Draft:
        d = Draft(spec=spec)
        initial = {"public": "awaiting_verification", "self_handled": "self_handled"}
        d.status = initial.get(spec.source, "reported")
        d.events.append(
            EventDraft("report", "", d.status, spec.reported_at, spec.reporter_id, "", {})
        )
        try:
            self._life(d, rng)
        except Stop:
            if d.status in (
                "dispatched",
                "return_requested",
                "extension_requested",
                "park_requested",
            ):
                d.settle(self.now, self.supervisor_after)
        return d

    def _life(self, d: Draft, rng: random.Random) -> None:
        spec, a = d.spec, self.actors
        t = spec.reported_at
        if spec.source == "self_handled":
            t = self._centre(rng, t, 10, 90)
            if self._rejected(d, rng, t, P_REJECT_SELF):
                return
            self._emit(d, "approve_self_handled", "closed", t, self._pick(rng, a.clerks))
            d.accepted_at = d.filed_at = d.closed_at = d.ended_at = t
            return
        if spec.source == "public":
            t = self._field(rng, t, 0.3, 4)
            if self._rejected(d, rng, t, P_REJECT_PUBLIC):
                return
            self._emit(d, "confirm_report", "reported", t, self._pick(rng, a.inspectors))
        t = self._centre(rng, t, 2, 30)
        target = spec.duplicate_of
        if target is not None and (target.ended_at is None or target.ended_at > t):
            # The writer fills in the target's number (numbers are given at write time).
            self._end(d, "merge", "merged", t, self._pick(rng, a.clerks), "重复上报", {"into": ""})
            d.merged = True
            return
        if self._rejected(d, rng, t, P_REJECT):
            return
        self._emit(d, "accept", "accepted", t, self._pick(rng, a.clerks))
        d.accepted_at = t
        t = self._centre(rng, t, 3, 40)
        filing = {"filing_condition": spec.filing_condition}
        self._emit(d, "file", "filed", t, self._pick(rng, a.shift_leads), data=filing)
        d.filed_at = t
        if rng.random() < P_VOID_FILED:
            self._void(d, rng, self._centre(rng, t, 5, 120))
            return
        unit = spec.routed_org_id or spec.alt_org_id
        override = spec.routed_org_id is None
        t = self._dispatch(d, rng, self._centre(rng, t, 3, 30), unit, override)
        self._rounds(d, rng, t)

    def _dispatch(
        self, d: Draft, rng: random.Random, t: dt.datetime, unit: int | None, override: bool
    ) -> dt.datetime:
        data: dict[str, Any] = {}
        reason = ""
        if unit is not None:
            data["unit"] = {"id": unit, "name": self.org_names.get(unit, "")}
        if override:
            data["override"] = True
            reason = "经核实由该单位负责"
        limit = self._limit(d)
        if t > self.now:
            raise Stop
        d.assignee_id = unit
        d.dispatched_at = t
        self._start_round(d, t, limit, data)
        dispatcher = self._pick(rng, self.actors.dispatchers)
        self._emit(d, "dispatch", "dispatched", t, dispatcher, reason, data)
        return t

    def _start_round(self, d: Draft, t: dt.datetime, limit: Limit, data: dict[str, Any]) -> None:
        d.limit_amount, d.limit_unit = limit.amount, limit.unit
        d.clock_started_at = t
        d.parked_intervals, d.parked_at = [], None
        self._apply(d, self.clock.milestones(t, limit.amount, limit.unit), t, data)
        data["limit"] = {"amount": limit.amount, "unit": limit.unit}

    def _rounds(self, d: Draft, rng: random.Random, t: dt.datetime) -> None:
        a = self.actors
        first = True
        while True:
            excluded: list[tuple[dt.datetime, dt.datetime]] = []
            extended = False
            kind = self._wish(d, rng.random(), first)
            if kind is not None:
                ask = REQUESTS[kind]
                t = max(self._fraction_at(d, rng.uniform(*ask.window), excluded), t)
                new = self._wished_deadline(d, rng) if kind == "extension" else None
                t, granted = self._ask(d, rng, t, kind, new)
                if granted is not None and kind == "return":
                    t = self._returned(d, rng, t)
                    first = False
                    continue
                if granted is not None and kind == "park":
                    t, excluded = self._parked(d, rng, t)
                elif granted is not None and new is not None:
                    d.extension_count += 1
                    self._apply(d, self._stretched(d, new), t, granted)
                    extended = True
            if rng.random() < P_VOID_ROUND:
                t = self._centre(rng, t, 30, 600)
                d.settle(t, self.supervisor_after)
                self._void(d, rng, t)
                return
            t = self._handle_time(d, rng, t, excluded, extended)
            staff = self._staff(rng, d)
            # The generated units publish their note as the reply to the reporter (no extra
            # random draw: the history stays the same for a seed).
            note = rng.choice(HANDLE_NOTES)
            self._emit(d, "handle", "handled", t, staff, data={"note": note, "public_reply": note})
            d.handled_at = t
            d.pending_request = {}
            d.settle(t, self.supervisor_after)
            t = self._field(rng, t, 0.3, 5)
            p = P_REWORK_FIRST if d.rework_count == 0 else P_REWORK_AGAIN
            if d.rework_count < MAX_REWORKS and rng.random() < p:
                data: dict[str, Any] = {}
                if t > self.now:
                    raise Stop
                d.rework_count += 1
                d.handled_at = None
                self._start_round(d, t, self._limit(d), data)
                inspector = self._pick(rng, a.inspectors)
                reason = rng.choice(REWORK_REASONS)
                self._emit(d, "rework", "dispatched", t, inspector, reason, data)
                first = False
                continue
            self._emit(d, "verify", "verified", t, self._pick(rng, a.inspectors))
            d.verified_at = t
            t = self._centre(rng, t, 5, 180)
            self._emit(d, "close", "closed", t, self._pick(rng, a.shift_leads))
            d.closed_at = d.ended_at = t
            return

    def _wish(self, d: Draft, r: float, first: bool) -> str | None:
        """Which request (``REQUESTS``) the unit makes in this round, if any (``r`` uniform)."""
        if not first:
            return None
        if d.return_count == 0 and r < P_RETURN and d.spec.alt_org_id:
            return "return"
        if r < P_RETURN + P_PARK:
            return "park"
        if r < P_RETURN + P_PARK + P_EXTENSION:
            return "extension"
        return None

    def _wished_deadline(self, d: Draft, rng: random.Random) -> dt.datetime:
        """The deadline an extension request asks for: 0.5–1.5 limits after the current one."""
        assert d.deadline_at is not None
        assert d.limit_amount is not None
        extra = Decimal(d.limit_amount) * Decimal(round(rng.uniform(0.5, 1.5), 2))
        return self.clock.add(d.deadline_at, extra, d.limit_unit)

    def _ask(
        self, d: Draft, rng: random.Random, t: dt.datetime, kind: str, new: dt.datetime | None
    ) -> tuple[dt.datetime, dict[str, Any] | None]:
        """The unit asks at ``t``, the centre decides: its time, and the approval's event data
        (``None`` when refused; the case is then dispatched again under the same limit)."""
        ask = REQUESTS[kind]
        asked: dict[str, Any] = {} if new is None else {"new_deadline": new.isoformat()}
        reason = rng.choice(ask.reasons)
        staff = self._staff(rng, d)
        self._emit(d, f"request_{kind}", f"{kind}_requested", t, staff, reason, dict(asked))
        d.pending_request = {"type": kind, "reason": reason, **asked}
        t = self._centre(rng, t, *ask.decision)
        approved = rng.random() < ask.p_approve
        dispatcher = self._pick(rng, self.actors.dispatchers)
        if approved:
            data: dict[str, Any] = (
                {"returned_by": {"id": d.assignee_id}} if kind == "return" else dict(asked)
            )
            self._emit(d, f"approve_{kind}", ask.approved, t, dispatcher, data=data)
        else:
            self._emit(d, f"refuse_{kind}", "dispatched", t, dispatcher, ask.refusal)
        d.pending_request = {}
        return t, d.events[-1].data if approved else None

    def _returned(self, d: Draft, rng: random.Random, t: dt.datetime) -> dt.datetime:
        """A return (回退) approved at ``t``: the round is void, the alternative unit gets it."""
        d.return_count += 1
        d.assignee_id = None
        d.clock_started_at = d.deadline_at = d.yellow_at = d.red_since = None
        d.limit_amount, d.limit_unit = None, ""
        d.light, d.escalation_level = "", 0
        alt, again = d.spec.alt_org_id, self._centre(rng, t, 5, 60)
        return self._dispatch(d, rng, again, alt, alt != d.spec.routed_org_id)

    def _parked(
        self, d: Draft, rng: random.Random, t: dt.datetime
    ) -> tuple[dt.datetime, list[tuple[dt.datetime, dt.datetime]]]:
        """Parking (挂账) approved at ``t``: the clock stops until the case resumes; returns
        the resume time and the parked interval the round's milestones now exclude."""
        d.settle(t, self.supervisor_after)  # the clock stops: the light stays as it was
        d.parked_at = t
        resume = self._centre(rng, t + dt.timedelta(days=rng.uniform(2, 40)), 0, 60)
        self._emit(d, "resume", "dispatched", resume, self._pick(rng, self.actors.dispatchers))
        d.parked_intervals = [*d.parked_intervals, [t.isoformat(), resume.isoformat()]]
        d.parked_total_s += max(int((resume - t).total_seconds()), 0)
        d.parked_at = None
        excluded = [(t, resume)]
        assert d.clock_started_at is not None
        assert d.limit_amount is not None
        m = self.calendar.milestones(d.clock_started_at, d.limit_amount, d.limit_unit, excluded)
        self._apply(d, m, resume, d.events[-1].data)
        return resume, excluded

    def _stretched(self, d: Draft, new: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
        """deadlines.stretched_to: the round's limit becomes start → new deadline."""
        assert d.clock_started_at is not None
        amount = self.calendar.elapsed(d.clock_started_at, new, d.limit_unit)
        yellow = self.calendar.milestones(d.clock_started_at, amount, d.limit_unit).yellow_at
        return yellow, new

    def _handle_time(
        self,
        d: Draft,
        rng: random.Random,
        t: dt.datetime,
        excluded: list[tuple[dt.datetime, dt.datetime]],
        extended: bool,
    ) -> dt.datetime:
        rel = d.spec.reliability
        u = rng.random()
        if u < P_STUCK:
            f = rng.uniform(3, 12)
        elif u < rel:
            f = rng.betavariate(2.2, 2.0) * 0.97 + 0.02  # on time, mostly mid-limit
        else:
            f = 1 + rng.expovariate(2.0)  # late: red light
        if extended:
            assert d.deadline_at is not None
            span = (d.deadline_at - t).total_seconds()
            moment = t + dt.timedelta(seconds=max(span, 3600) * min(f, 4))
        else:
            moment = self._fraction_at(d, f, excluded)
        return max(moment, t + dt.timedelta(minutes=rng.uniform(10, 40)))
