"""Text forms of calendar data that administrators type: working hours and a year's dates.

Working hours: ``08:30-12:00, 13:30-17:30``. A year's dates, one line each, as printed in the
State Council notice::

    2027-01-01..2027-01-03 元旦
    2027-02-06~2027-02-13 春节
    # a comment

Errors are ``ValueError`` with a translated message naming the line and the reason.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

from django.utils.translation import gettext as _

from cityops.workcal.calendar import CalendarError, Period, WorkingCalendar

_PERIOD = re.compile(r"^(\d{1,2}):(\d{2})\s*[-–~至]\s*(\d{1,2}):(\d{2})$")
_LINE = re.compile(
    r"^(\d{4}-\d{1,2}-\d{1,2})(?:\s*(?:\.\.|~|至)\s*(\d{4}-\d{1,2}-\d{1,2}))?(?:\s+(.*))?$"
)
MAX_RANGE_DAYS = 31


def _time(hour: str, minute: str, text: str) -> dt.time:
    try:
        return dt.time(int(hour), int(minute))
    except ValueError:
        raise ValueError(_("Not a time of day: %(text)s") % {"text": text}) from None


def parse_periods(text: str) -> tuple[Period, ...]:
    parts = [p.strip() for p in re.split(r"[,，;；、\n]", text) if p.strip()]
    if not parts:
        raise ValueError(_("Enter at least one working period, e.g. 08:30-12:00."))
    periods = []
    for part in parts:
        match = _PERIOD.match(part)
        if match is None:
            raise ValueError(_("Not a period like 08:30-12:00: %(text)s") % {"text": part})
        h1, m1, h2, m2 = match.groups()
        periods.append((_time(h1, m1, part), _time(h2, m2, part)))
    result = tuple(periods)
    try:
        WorkingCalendar(periods=result)
    except CalendarError:
        raise ValueError(
            _("Working periods must each end after they start, be in order and not overlap.")
        ) from None
    return result


def format_periods(periods: tuple[Period, ...]) -> str:
    return ", ".join(f"{a:%H:%M}-{b:%H:%M}" for a, b in periods)


def _date(text: str, line_no: int) -> dt.date:
    try:
        return dt.date.fromisoformat("-".join(f"{int(p):02d}" for p in text.split("-")))
    except ValueError:
        raise ValueError(
            _("Line %(line)d: not a date: %(text)s") % {"line": line_no, "text": text}
        ) from None


def parse_dates(text: str) -> dict[dt.date, str]:
    """``{date: name}`` from lines of ``date[..date] name``; refuses repeated dates."""
    result: dict[dt.date, str] = {}
    for line_no, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        match = _LINE.match(line)
        if match is None:
            raise ValueError(
                _("Line %(line)d: write a date or a range and a name, e.g. %(example)s")
                % {"line": line_no, "example": "2027-02-06..2027-02-13 春节"}
            )
        first_text, last_text, name = match.groups()
        name = (name or "").strip()
        if not name:
            raise ValueError(_("Line %(line)d: the name is missing.") % {"line": line_no})
        first = _date(first_text, line_no)
        last = _date(last_text, line_no) if last_text else first
        if not first <= last <= first + dt.timedelta(days=MAX_RANGE_DAYS - 1):
            raise ValueError(
                _("Line %(line)d: a range must run forwards and span at most %(days)d days.")
                % {"line": line_no, "days": MAX_RANGE_DAYS}
            )
        day = first
        while day <= last:
            if day in result:
                raise ValueError(
                    _("Line %(line)d: %(date)s is listed twice.")
                    % {"line": line_no, "date": day.isoformat()}
                )
            result[day] = name[:100]
            day += dt.timedelta(days=1)
    return result


def format_dates(dates: Mapping[dt.date, str]) -> str:
    """The inverse of ``parse_dates``: consecutive days with one name become a range."""
    lines: list[str] = []
    ordered = sorted(dates.items())
    i = 0
    while i < len(ordered):
        first, name = ordered[i]
        j = i
        while (
            j + 1 < len(ordered)
            and ordered[j + 1][1] == name
            and ordered[j + 1][0] == ordered[j][0] + dt.timedelta(days=1)
        ):
            j += 1
        last = ordered[j][0]
        span = first.isoformat() if first == last else f"{first.isoformat()}..{last.isoformat()}"
        lines.append(f"{span} {name}")
        i = j + 1
    return "\n".join(lines)
