"""The statutory periods of decisions-and-reform.md §3.2 not seeded by 0002: P2 (tender
notice period), P15 (single-source publication), P16 (inquiry answer), P21 (complaint
decision) and P22 (suspension during a complaint), valid from 2015-03-01, editable."""

import datetime as dt

from django.db import migrations

# code → (amount, day type, roll forward, source); the structure of each rule is in periods.py.
PERIODS = {
    "P2": (5, "wd", True, "87号令 art. 16 (◐)"),
    "P15": (5, "wd", True, "政府采购法实施条例 art. 38"),
    "P16": (3, "wd", True, "政府采购法实施条例 art. 52"),
    "P21": (30, "wd", True, "政府采购法 art. 56; 实施条例 art. 58"),
    "P22": (30, "cd", False, "政府采购法 art. 57"),
}


def seed(apps, schema_editor):
    period = apps.get_model("procurement", "StatutoryPeriod")
    for code, (amount, day_type, roll, source) in PERIODS.items():
        period.objects.get_or_create(
            code=code,
            valid_from=dt.date(2015, 3, 1),
            defaults={"amount": amount, "day_type": day_type, "roll_forward": roll,
                      "source": source},
        )


def unseed(apps, schema_editor):
    apps.get_model("procurement", "StatutoryPeriod").objects.filter(
        code__in=list(PERIODS), valid_from=dt.date(2015, 3, 1)
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("procurement", "0002_seed_periods")]

    operations = [migrations.RunPython(seed, unseed)]
