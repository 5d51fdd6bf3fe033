"""A fresh database knows the default settings and every schedule the package knows.

Later years come from ``manage.py load_holidays`` (after a package upgrade) or the admin.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import migrations


def seed(apps: Any, schema_editor: Any) -> None:
    from cityops.workcal.seed import package_schedules

    settings_model = apps.get_model("workcal", "CalendarSettings")
    version_model = apps.get_model("workcal", "CalendarVersion")
    year_model = apps.get_model("workcal", "CalendarYear")
    holiday_model = apps.get_model("workcal", "Holiday")
    swapped_model = apps.get_model("workcal", "SwappedWorkday")
    settings_model.objects.get_or_create(pk=1)
    for year, schedule in package_schedules().items():
        if year_model.objects.filter(year=year).exists():
            continue
        cal_year = year_model.objects.create(
            year=year, source="package", notice="chinesecalendar (initial load)"
        )
        holiday_model.objects.bulk_create(
            holiday_model(calendar_year=cal_year, date=d, name=n)
            for d, n in sorted(schedule.holidays.items())
        )
        swapped_model.objects.bulk_create(
            swapped_model(calendar_year=cal_year, date=d, name=n)
            for d, n in sorted(schedule.swapped.items())
        )
    version_model.objects.update_or_create(pk=1, defaults={"token": uuid.uuid4()})


class Migration(migrations.Migration):
    dependencies = [("workcal", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
