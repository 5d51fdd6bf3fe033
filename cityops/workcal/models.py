"""Working calendar data: settings, and each year's official holiday schedule.

The State Council (国务院办公厅) publishes the next year's schedule each autumn: public
holidays and the weekend days swapped into working days (调休). One ``CalendarYear`` row holds
one notice; its ``Holiday`` and ``SwappedWorkday`` rows are its dates. Writes go through
``workcal.services``; ``selectors.get_calendar`` turns the rows into a ``WorkingCalendar``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cityops.core.models import BaseModel, SettingsRow
from cityops.workcal.calendar import DEFAULT_PERIODS, Unit
from cityops.workcal.parsing import format_periods, parse_periods

DEFAULT_WORKING_HOURS = format_periods(DEFAULT_PERIODS)


class LimitUnit(models.TextChoices):
    """Units of a handling time limit; the same values as ``calendar.Unit``."""

    WORKING_HOURS = Unit.WORKING_HOURS.value, _("working hours")
    WORKING_DAYS = Unit.WORKING_DAYS.value, _("working days")
    CALENDAR_HOURS = Unit.CALENDAR_HOURS.value, _("calendar hours")
    CALENDAR_DAYS = Unit.CALENDAR_DAYS.value, _("calendar days")


def validate_working_hours(value: str) -> None:
    try:
        parse_periods(value)
    except ValueError as exc:
        raise ValidationError(str(exc), code="invalid") from exc


class CalendarSettings(SettingsRow, BaseModel):
    """The one row of calendar settings (pk 1): working hours and traffic-light thresholds."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    working_hours = models.CharField(
        _("working periods"),
        max_length=200,
        default=DEFAULT_WORKING_HOURS,
        validators=[validate_working_hours],
        help_text=_("Working periods of a working day, e.g. 08:30-12:00, 13:30-17:30."),
    )
    yellow_threshold = models.DecimalField(
        _("yellow from"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.80"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("9.99"))],
        help_text=_("Share of the time limit used from which a case is yellow (0.80 = 80 %)."),
    )
    red_threshold = models.DecimalField(
        _("red from"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("9.99"))],
        help_text=_("Share of the time limit used from which a case is red (1.00 = 100 %)."),
    )

    class Meta:
        verbose_name = _("calendar settings")
        verbose_name_plural = _("calendar settings")

    def __str__(self) -> str:
        return str(_("Calendar settings"))

    def clean(self) -> None:
        yellow, red = self.yellow_threshold, self.red_threshold
        if yellow is not None and red is not None and yellow > red:
            raise ValidationError(
                {"red_threshold": _("The red threshold cannot be below the yellow one.")}
            )


class YearSource(models.TextChoices):
    PACKAGE = "package", _("chinesecalendar package")
    MANUAL = "manual", _("entered by an administrator")


class CalendarYear(BaseModel):
    """One year's official schedule (one State Council notice)."""

    year = models.PositiveSmallIntegerField(
        _("year"), unique=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    notice = models.CharField(
        _("notice"),
        max_length=200,
        blank=True,
        help_text=_("The State Council notice this schedule comes from."),
    )
    source = models.CharField(
        _("source"), max_length=16, choices=YearSource.choices, default=YearSource.MANUAL
    )

    class Meta:
        verbose_name = _("holiday schedule")
        verbose_name_plural = _("holiday schedules")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)


class DayBase(BaseModel):
    calendar_year = models.ForeignKey(
        CalendarYear, verbose_name=_("schedule"), on_delete=models.CASCADE, related_name="+"
    )
    date = models.DateField(_("date"), unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        abstract = True
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"


class Holiday(DayBase):
    """A public holiday: not a working day, whatever the weekday."""

    class Meta(DayBase.Meta):
        verbose_name = _("public holiday")
        verbose_name_plural = _("public holidays")


class SwappedWorkday(DayBase):
    """调休: a Saturday or Sunday that is a working day."""

    class Meta(DayBase.Meta):
        verbose_name = _("swapped working day")
        verbose_name_plural = _("swapped working days")

    def clean(self) -> None:
        if isinstance(self.date, dt.date) and self.date.weekday() < 5:
            raise ValidationError(
                {"date": _("A swapped working day must be a Saturday or Sunday.")}
            )


class CalendarVersion(models.Model):
    """Changes with every write to the calendar data; each process rebuilds its snapshot then.

    A random token rather than a counter: a counter can come back to an old value after a
    rollback, and a process that cached under it would keep a stale snapshot.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    token = models.UUIDField(default=uuid.uuid4)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("calendar version")
        verbose_name_plural = _("calendar version")

    def __str__(self) -> str:
        return str(self.token)
