"""Official schedules known to the maintained ``chinesecalendar`` package (no ORM here).

A December date of a New Year holiday belongs to the next year's notice (the notice for 2024
moved 2023-12-30/31), so it is filed under that year.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from chinese_calendar import constants

CHINESE_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}
SWAPPED_SUFFIX = "调休上班"


@dataclass
class YearSchedule:
    year: int
    holidays: dict[dt.date, str] = field(default_factory=dict)
    swapped: dict[dt.date, str] = field(default_factory=dict)


def notice_year(day: dt.date, english_name: str) -> int:
    if day.month == 12 and english_name == "New Year's Day":
        return day.year + 1
    return day.year


def package_schedules() -> dict[int, YearSchedule]:
    """Every year the installed package knows, by notice year."""
    years: dict[int, YearSchedule] = {}

    def entry(day: dt.date, english: str) -> tuple[YearSchedule, str]:
        year = notice_year(day, english)
        schedule = years.setdefault(year, YearSchedule(year))
        return schedule, CHINESE_NAMES.get(english, english)

    for day, english in constants.holidays.items():
        schedule, name = entry(day, english)
        schedule.holidays[day] = name
    for day, english in constants.workdays.items():
        if day.weekday() >= 5:  # guard: only a weekend day can be a swapped working day
            schedule, name = entry(day, english)
            schedule.swapped[day] = f"{name}{SWAPPED_SUFFIX}"
    return dict(sorted(years.items()))
