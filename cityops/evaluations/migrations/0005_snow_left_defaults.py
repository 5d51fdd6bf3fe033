"""Which acceptance items mean "snow left" becomes data: today's fixed list as the default.

Until now ``evaluations/snow.py`` held the list (black surface not visible and lane lines hidden:
not cleared; piles at bus stops: not hauled out). Every version of a snow-removal scheme gets
those items marked, drafts and published versions alike, so the results stay the same.
"""

from typing import Any

from django.db import migrations

DEFAULTS = {
    "no_black_surface": "clear",
    "lane_lines_hidden": "clear",
    "piles_bus_stop": "haul",
}


def forwards(apps: Any, schema_editor: Any) -> None:
    item_model = apps.get_model("evaluations", "SchemeItem")
    for code, which in DEFAULTS.items():
        item_model.objects.filter(
            component__scheme__family__scope="snow_event",
            component__code="acceptance",
            code=code,
            snow_left="",
        ).update(snow_left=which)


def backwards(apps: Any, schema_editor: Any) -> None:
    apps.get_model("evaluations", "SchemeItem").objects.update(snow_left="")


class Migration(migrations.Migration):
    dependencies = [
        ("evaluations", "0004_snow_appeals_runs_snow_left"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
