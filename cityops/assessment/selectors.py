"""Reads: the rules in force and the evaluation tables of a period (regions, units, roles)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from cityops.accounts.models import Role, User
from cityops.assessment import formulas as f
from cityops.assessment import indicators as ind
from cityops.assessment.models import AssessmentRules
from cityops.core.errors import DomainError
from cityops.core.periods import Period
from cityops.registry.models import Community, Organisation, Street

TABLES = ("street", "community", "unit", "inspector", "intake_clerk", "dispatcher", "shift_lead")


def rules_current() -> dict[str, Any]:
    row = AssessmentRules.objects.filter(code="default").first()
    return f.rules_validate(row.data if row else {})


@dataclass
class Row:
    """One evaluated object: its counts, its indicator values (%), composite and grade."""

    ident: int
    name: str
    detail: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    values: dict[str, Decimal | None] = field(default_factory=dict)
    score: Decimal | None = None
    grade: str = ""


@dataclass
class Assessment:
    first: dt.date
    last: dt.date
    rules: dict[str, Any]
    tables: dict[str, list[Row]]


def whole_months(first: dt.date, last: dt.date) -> Period:
    """The period of whole months ``first`` … ``last`` (any day of each month)."""
    if last < first:
        raise DomainError(_("The period ends before it starts."), code="period")
    return Period.range(Period.month_of(first).first, Period.month_of(last).last)


def _finish(rows: list[Row], weights: dict[str, Any], grades: list[dict[str, Any]]) -> list[Row]:
    for row in rows:
        row.score = f.composite(row.values, weights)
        row.grade = f.grade(row.score, grades)
    rows.sort(key=lambda r: (r.score is None, -(r.score or 0), r.name))
    return rows


def _volume(count: int, section: dict[str, Any], area_class: int | None = None) -> Decimal:
    bands = section["volume_bands"]
    if isinstance(bands, dict):
        bands = bands.get(str(area_class), next(iter(bands.values())))
    return f.band_points(count, bands, section.get("volume_else", 0))


def _regions(level: str, counts: ind.Counts, rules: dict[str, Any]) -> list[Row]:
    section = rules["region"]
    model = Community if level == "community" else Street
    places = model.objects.in_bulk(list(counts))
    rows = []
    for ident, c in counts.items():
        place = places.get(ident)
        if place is None:
            continue
        area_class = (
            place.area_class if isinstance(place, Community) else section["street_area_class"]
        )
        grids = max(c.get("grids", 0), 1)
        per_grid = f.q2(Decimal(c["filed"]) / grids)
        report_rate = f.rate(c["public"], c["filed"])
        rework_rate = f.rate(c["reworked"], c["to_close"])
        values = {
            "report_rate": report_rate,
            "report_score": f.inverse(report_rate),
            "closure_rate": f.rate(c["closed"], c["to_close"]),
            "on_time_closure_rate": f.rate(c["closed_on_time"], c["to_close"]),
            "volume_score": _volume(per_grid, section, area_class),  # type: ignore[arg-type]
            "rework_rate": rework_rate,
            "rework_score": f.inverse(rework_rate),
        }
        rows.append(
            Row(ident, place.name, str(_("Class %(n)s") % {"n": area_class}), dict(c), values)
        )
    return _finish(rows, section["weights"], rules["grades"])


def _units(counts: ind.Counts, rules: dict[str, Any]) -> list[Row]:
    section = rules["unit"]
    orgs = Organisation.objects.in_bulk(list(counts))
    rows = []
    for ident, c in counts.items():
        org = orgs.get(ident)
        if org is None:
            continue
        rework_rate = f.rate(c.get("reworks", 0), c.get("handled", 0))
        values = {
            "volume_score": _volume(c.get("dispatched", 0), section),
            "closure_rate": f.rate(c.get("closed", 0), c.get("to_close", 0)),
            "on_time_rate": f.rate(c.get("on_time", 0), c.get("due", 0)),
            "rework_rate": rework_rate,
            "rework_score": f.inverse(rework_rate),
        }
        full = {
            k: c.get(k, 0)
            for k in (
                "dispatched",
                "to_close",
                "closed",
                "due",
                "on_time",
                "overdue",
                "handled",
                "reworks",
            )
        }
        rows.append(Row(ident, org.name, org.get_kind_display(), full, values))
    return _finish(rows, section["weights"], rules["grades"])


def _role_values(table: str, c: dict[str, int], rules: dict[str, Any]) -> dict[str, Any]:
    def r(num: str, den: str) -> Decimal | None:
        return f.rate(c.get(num, 0), c.get(den, 0))

    if table == "inspector":
        return {
            "valid_report_rate": r("valid", "reports"),
            "on_time_verification_rate": r("verifications_on_time", "verifications"),
            "on_time_check_rate": r("checks_on_time", "checks"),
        }
    if table == "intake_clerk":
        return {
            "volume_score": _volume(c.get("accepts", 0), rules[table]),
            "on_time_accept_rate": r("accepts_on_time", "accepts"),
            "on_time_filing_rate": r("filings_on_time", "filings"),
        }
    if table == "dispatcher":
        return {
            "volume_score": _volume(c.get("dispatches", 0), rules[table]),
            "on_time_dispatch_rate": r("dispatches_on_time", "dispatches"),
            "accurate_dispatch_rate": r("dispatches_kept", "dispatches"),
        }
    return {
        "on_time_filing_rate": r("filings_on_time", "filings"),
        "accurate_filing_rate": r("filings_kept", "filings"),
        "on_time_closing_rate": r("closings_on_time", "closings"),
    }


def _people(table: str, counts: ind.Counts, rules: dict[str, Any]) -> list[Row]:
    users = User.objects.in_bulk(list(counts))
    rows = []
    for ident, c in counts.items():
        user = users.get(ident)
        if user is None:
            continue
        rows.append(Row(ident, str(user), user.username, dict(c), _role_values(table, c, rules)))
    return _finish(rows, rules[table]["weights"], rules["grades"])


def assessment_for_period(*, first: dt.date, last: dt.date) -> Assessment:
    """Every table of the comprehensive evaluation for whole months ``first`` … ``last``."""
    rules = rules_current()
    period = whole_months(first, last)
    start, end = period.bounds
    streets, communities = ind.region_counts(start=start, end=end)
    steps = ind.step_rows(start=start, end=end, limits=rules["step_limits_minutes"])
    roles = ind.role_counts(steps, ind.holders())
    inspectors = roles[Role.INSPECTOR]
    for ident, row in ind.inspector_reports(start=start, end=end).items():
        inspectors.setdefault(ident, {}).update(row)
    tables = {
        "street": _regions("street", streets, rules),
        "community": _regions("community", communities, rules),
        "unit": _units(ind.unit_counts(period=period), rules),
        "inspector": _people("inspector", inspectors, rules),
        "intake_clerk": _people("intake_clerk", roles[Role.INTAKE_CLERK], rules),
        "dispatcher": _people("dispatcher", roles[Role.DISPATCHER], rules),
        "shift_lead": _people("shift_lead", roles[Role.SHIFT_LEAD], rules),
    }
    return Assessment(first=first, last=last, rules=rules, tables=tables)
