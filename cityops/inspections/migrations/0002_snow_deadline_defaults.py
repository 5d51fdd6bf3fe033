"""Default snow-removal deadlines (hours after the snow stops), editable data afterwards.

Clearing: 许昌 2024 指南 (cn-standards §6 ✅ local, ◐ as a national default): light snow main and
secondary roads 2 h, others 6 h; moderate 6 h / 12 h; heavy and blizzard 12 h / 24 h.
Hauling out: 哈尔滨 plan (✅ local): light A 3 d, B 4 d, C 5 d; moderate 5 / 6 / 7 d; heavy
7 / 10 / 10 d (C roads have only one figure: used for both). Blizzard = heavy (❓).
"""

from django.db import migrations

CLEAR = {"light": (2, 2, 6, 2), "moderate": (6, 6, 12, 6), "heavy": (12, 12, 24, 12),
         "blizzard": (12, 12, 24, 12)}
HAUL_DAYS = {"light": (3, 4, 5, 3), "moderate": (5, 6, 7, 5), "heavy": (7, 10, 10, 7),
             "blizzard": (7, 10, 10, 7)}
CLASSES = ("main", "secondary", "branch", "bridge_slope")


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    SnowDeadline = apps.get_model("inspections", "SnowDeadline")
    for level, hours in CLEAR.items():
        for road_class, clear, days in zip(CLASSES, hours, HAUL_DAYS[level], strict=True):
            SnowDeadline.objects.get_or_create(
                level=level, road_class=road_class,
                defaults={"clear_hours": clear, "haul_hours": days * 24},
            )
    apps.get_model("inspections", "InspectionSettings").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("inspections", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
