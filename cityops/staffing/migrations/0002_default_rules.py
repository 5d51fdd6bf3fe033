"""The official retirement schedule (2024 reform, annexes 1–3) and the plan's default
parameters as editable rows."""

from typing import Any

from django.db import migrations

RULES = (
    # category, old age, first affected birth year, month, birth months per month, max delay
    ("men", 60, 1965, 1, 4, 36),
    ("women_55", 55, 1970, 1, 4, 36),
    ("women_50", 50, 1975, 1, 2, 60),
)


def seed(apps: Any, schema_editor: Any) -> None:
    rule = apps.get_model("staffing", "RetirementRule")
    for category, old, year, month, step, max_delay in RULES:
        rule.objects.get_or_create(
            category=category,
            defaults={
                "old_age_years": old,
                "first_birth_year": year,
                "first_birth_month": month,
                "step_months": step,
                "max_delay_months": max_delay,
            },
        )
    settings = apps.get_model("staffing", "StaffingSettings")
    if not settings.objects.exists():
        settings.objects.create()


class Migration(migrations.Migration):
    dependencies = [("staffing", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
