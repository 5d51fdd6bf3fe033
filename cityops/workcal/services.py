"""Writes on the working calendar. Each one audits and moves the calendar version.

Every write must come through here (the admin does): the version token is what tells each
process that its cached ``WorkingCalendar`` is stale.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib.metadata import version as package_version
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cityops.core.audit import audit_record
from cityops.core.errors import DomainError
from cityops.workcal.models import (
    CalendarSettings,
    CalendarVersion,
    CalendarYear,
    Holiday,
    SwappedWorkday,
    YearSource,
)
from cityops.workcal.seed import package_schedules


def calendar_version_bump() -> None:
    """Give the calendar data a new version token (call inside the writing transaction)."""
    token, now = uuid.uuid4(), timezone.now()
    if not CalendarVersion.objects.filter(pk=1).update(token=token, changed_at=now):
        CalendarVersion.objects.update_or_create(pk=1, defaults={"token": token, "changed_at": now})


@transaction.atomic
def calendar_settings_save(
    *, settings: CalendarSettings, actor: Any = None, changed: Iterable[str] = ()
) -> CalendarSettings:
    """Save the (validated) settings row: working hours and traffic-light thresholds."""
    settings.pk = 1
    settings.full_clean()
    settings.save()
    calendar_version_bump()
    audit_record(
        code="workcal.settings.changed",
        target=settings,
        actor=actor,
        summary=f"{settings.working_hours} {settings.yellow_threshold}/{settings.red_threshold}",
        data={
            "changed": sorted(changed),
            "working_hours": settings.working_hours,
            "yellow_threshold": str(settings.yellow_threshold),
            "red_threshold": str(settings.red_threshold),
        },
    )
    return settings


def _belongs_to(day: dt.date, year: int) -> bool:
    # A notice may move days in the December before its year (New Year holidays).
    return day.year == year or (day.year == year - 1 and day.month == 12)


def calendar_year_validate(
    *, year: int, holidays: Mapping[dt.date, str], swapped: Mapping[dt.date, str]
) -> None:
    """Raise ``DomainError`` (with ``field``) on the first rule the schedule breaks."""
    for name, dates in (("holidays", holidays), ("swapped", swapped)):
        for day in sorted(dates):
            if not _belongs_to(day, year):
                raise DomainError(
                    _("%(date)s does not belong to the %(year)d schedule.")
                    % {"date": day.isoformat(), "year": year},
                    field=name,
                )
    for day in sorted(swapped):
        if day.weekday() < 5:
            raise DomainError(
                _("%(date)s is a weekday: a swapped working day must be a Saturday or Sunday.")
                % {"date": day.isoformat()},
                field="swapped",
            )
    if both := sorted(set(holidays) & set(swapped)):
        raise DomainError(
            _("%(date)s cannot be both a holiday and a swapped working day.")
            % {"date": both[0].isoformat()},
            field="swapped",
        )
    every = set(holidays) | set(swapped)
    for model in (Holiday, SwappedWorkday):
        taken = (
            model.objects.filter(date__in=every)
            .exclude(calendar_year__year=year)
            .order_by("date")
            .first()
        )
        if taken is not None:
            raise DomainError(
                _("%(date)s is already in the %(year)d schedule.")
                % {"date": taken.date.isoformat(), "year": taken.calendar_year.year},
                field="holidays" if taken.date in holidays else "swapped",
            )


def _diff(old: Mapping[dt.date, str], new: Mapping[dt.date, str]) -> dict[str, list[str]]:
    return {
        "added": [d.isoformat() for d in sorted(set(new) - set(old))],
        "removed": [d.isoformat() for d in sorted(set(old) - set(new))],
        "renamed": [d.isoformat() for d in sorted(set(old) & set(new)) if old[d] != new[d]],
    }


@transaction.atomic
def calendar_year_set(
    *,
    year: int,
    holidays: Mapping[dt.date, str],
    swapped: Mapping[dt.date, str],
    notice: str = "",
    source: YearSource | str = YearSource.MANUAL,
    actor: Any = None,
) -> CalendarYear:
    """Create or replace one year's schedule as a whole (all or nothing)."""
    calendar_year_validate(year=year, holidays=holidays, swapped=swapped)
    cal_year, created = CalendarYear.objects.select_for_update().get_or_create(
        year=year, defaults={"notice": notice, "source": str(source)}
    )
    old_holidays = dict(Holiday.objects.filter(calendar_year=cal_year).values_list("date", "name"))
    old_swapped = dict(
        SwappedWorkday.objects.filter(calendar_year=cal_year).values_list("date", "name")
    )
    Holiday.objects.filter(calendar_year=cal_year).delete()
    SwappedWorkday.objects.filter(calendar_year=cal_year).delete()
    Holiday.objects.bulk_create(
        Holiday(calendar_year=cal_year, date=d, name=n) for d, n in sorted(holidays.items())
    )
    SwappedWorkday.objects.bulk_create(
        SwappedWorkday(calendar_year=cal_year, date=d, name=n) for d, n in sorted(swapped.items())
    )
    cal_year.notice, cal_year.source = notice, str(source)
    cal_year.save(update_fields=["notice", "source", "updated_at"])
    calendar_version_bump()
    audit_record(
        code="workcal.year.created" if created else "workcal.year.changed",
        target=cal_year,
        actor=actor,
        summary=f"{year}: {len(holidays)} holidays, {len(swapped)} swapped working days",
        data={
            "year": year,
            "notice": notice,
            "source": str(source),
            "holidays": _diff(old_holidays, holidays),
            "swapped": _diff(old_swapped, swapped),
        },
    )
    return cal_year


@transaction.atomic
def calendar_year_delete(*, calendar_year: CalendarYear, actor: Any = None) -> None:
    year, pk = calendar_year.year, calendar_year.pk
    calendar_year.delete()
    calendar_version_bump()
    audit_record(
        code="workcal.year.deleted",
        target_type=CalendarYear._meta.label_lower,
        target_id=pk,
        actor=actor,
        summary=str(year),
        data={"year": year},
    )


@dataclass
class LoadReport:
    loaded: list[int] = field(default_factory=list)
    kept: list[int] = field(default_factory=list)


@transaction.atomic
def holidays_load_from_package(
    *, years: Iterable[int] | None = None, replace: bool = False, actor: Any = None
) -> LoadReport:
    """Load the package's schedules. A year already entered is kept unless ``replace``.

    Raises ``DomainError`` for a year the package does not know (then nothing is written).
    """
    known = package_schedules()
    wanted = sorted(set(years)) if years is not None else sorted(known)
    if unknown := [y for y in wanted if y not in known]:
        raise DomainError(
            _(
                "The chinesecalendar package does not know %(years)s: "
                "enter the official schedule in the admin."
            )
            % {"years": ", ".join(str(y) for y in unknown)},
            field="year",
        )
    existing = set(CalendarYear.objects.filter(year__in=wanted).values_list("year", flat=True))
    report = LoadReport()
    notice = f"chinesecalendar {package_version('chinesecalendar')}"
    for year in wanted:
        if year in existing and not replace:
            report.kept.append(year)
            continue
        schedule = known[year]
        calendar_year_set(
            year=year,
            holidays=schedule.holidays,
            swapped=schedule.swapped,
            notice=notice,
            source=YearSource.PACKAGE,
            actor=actor,
        )
        report.loaded.append(year)
    return report
