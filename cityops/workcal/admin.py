"""Calendar back office. Every save and delete goes through ``workcal.services``.

A year's schedule is typed (or pasted) as text, the way the State Council notice prints it;
the individual holiday and swapped-day rows are listed read-only for browsing by year.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cityops.workcal.forms import CalendarYearForm
from cityops.workcal.models import CalendarSettings, CalendarYear, Holiday, SwappedWorkday
from cityops.workcal.selectors import missing_schedule_years
from cityops.workcal.services import (
    calendar_settings_save,
    calendar_year_delete,
    calendar_year_set,
)


def _warn_missing(request: HttpRequest) -> None:
    for year in missing_schedule_years(timezone.localdate()):
        messages.warning(
            request,
            _(
                "No public holidays are entered for %(year)d yet: until they are, every weekday "
                "of %(year)d counts as a working day. Add the official schedule."
            )
            % {"year": year},
        )


@admin.register(CalendarSettings)
class CalendarSettingsAdmin(admin.ModelAdmin[CalendarSettings]):
    list_display = ["__str__", "working_hours", "yellow_threshold", "red_threshold", "updated_at"]
    fields = ["working_hours", "yellow_threshold", "red_threshold"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not CalendarSettings.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: CalendarSettings, form: ModelForm[Any], change: bool
    ) -> None:
        calendar_settings_save(settings=obj, actor=request.user, changed=form.changed_data)


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin[CalendarYear]):
    form = CalendarYearForm
    list_display = ["year", "notice", "source", "holiday_count", "swapped_count", "updated_at"]
    fields = ["year", "notice", "holidays_text", "swapped_text"]

    @admin.display(description=gettext_lazy("public holidays"))
    def holiday_count(self, obj: CalendarYear) -> int:
        return Holiday.objects.filter(calendar_year=obj).count()

    @admin.display(description=gettext_lazy("swapped working days"))
    def swapped_count(self, obj: CalendarYear) -> int:
        return SwappedWorkday.objects.filter(calendar_year=obj).count()

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["year"] if obj is not None else []

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial = super().get_changeform_initial_data(request)
        missing = missing_schedule_years(timezone.localdate())
        initial.setdefault("year", str(missing[-1] if missing else timezone.localdate().year + 1))
        return initial

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> TemplateResponse | HttpResponse:
        _warn_missing(request)
        return super().changelist_view(request, extra_context)

    def save_model(
        self, request: HttpRequest, obj: CalendarYear, form: ModelForm[Any], change: bool
    ) -> None:
        assert isinstance(form, CalendarYearForm)
        saved = calendar_year_set(
            year=obj.year,
            notice=obj.notice,
            holidays=form.holidays,
            swapped=form.swapped,
            actor=request.user,
        )
        obj.pk, obj.source = saved.pk, saved.source

    def save_related(
        self, request: HttpRequest, form: ModelForm[Any], formsets: Any, change: bool
    ) -> None:
        return None  # the schedule's rows were written by calendar_year_set

    def delete_model(self, request: HttpRequest, obj: CalendarYear) -> None:
        calendar_year_delete(calendar_year=obj, actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CalendarYear]) -> None:
        for obj in queryset:
            calendar_year_delete(calendar_year=obj, actor=request.user)

    def get_deleted_objects(
        self, objs: Any, request: HttpRequest
    ) -> tuple[list[Any], dict[str, int], set[str], list[Any]]:
        # A schedule's days are read-only rows of it: deleting the schedule deletes them.
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        days = {str(m._meta.verbose_name) for m in (Holiday, SwappedWorkday)}
        return deleted, counts, perms_needed - days, protected

    def response_post_save_change(
        self, request: HttpRequest, obj: CalendarYear
    ) -> HttpResponseRedirect:
        return HttpResponseRedirect(f"{reverse('workcal:year')}?year={obj.year}")

    response_post_save_add = response_post_save_change


class ReadOnlyDayAdmin(admin.ModelAdmin[Any]):
    list_display = ["date", "weekday", "name", "calendar_year"]
    list_filter = ["calendar_year"]
    search_fields = ["name"]
    date_hierarchy = "date"

    @admin.display(description=gettext_lazy("weekday"))
    def weekday(self, obj: Holiday | SwappedWorkday) -> str:
        return str(WEEKDAYS[obj.date.weekday()])

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


admin.site.register(Holiday, ReadOnlyDayAdmin)
admin.site.register(SwappedWorkday, ReadOnlyDayAdmin)
