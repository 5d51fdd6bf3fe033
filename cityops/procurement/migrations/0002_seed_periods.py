"""The statutory numbers of decisions-and-reform.md §3.2 as editable rows (valid from the
implementing regulation, 2015-03-01), and the counting policy row."""

import datetime as dt

from django.db import migrations

# code → (amount, day type, roll forward, source); the structure of each rule is in periods.py.
PERIODS = {
    "P1": (30, "cd", True, "财库〔2020〕10号 (◐)"),
    "P3": (5, "wd", True, "政府采购法实施条例 art. 31"),
    "P4": (20, "cd", True, "政府采购法 art. 35"),
    "P5": (15, "cd", True, "政府采购法实施条例 art. 31"),
    "P8": (10, "cd", True, "财库〔2014〕214号 art. 10"),
    "P9": (5, "wd", True, "财库〔2014〕214号"),
    "P10": (5, "cd", True, "财库〔2014〕214号 art. 10"),
    "P11": (2, "wd", True, "政府采购法实施条例 art. 43"),
    "P12": (5, "wd", True, "政府采购法实施条例 art. 43"),
    "P13": (2, "wd", True, "政府采购法实施条例 art. 43; 87号令 art. 69"),
    "P14": (1, "wd", True, "practice (◐)"),
    "P17": (7, "wd", True, "政府采购法 art. 52"),
    "P19": (7, "wd", True, "政府采购法 art. 53"),
    "P20": (15, "wd", True, "政府采购法 art. 55"),
    "P23": (30, "cd", True, "政府采购法 art. 46"),
    "P24": (2, "wd", True, "政府采购法实施条例 art. 50"),
    "P25": (7, "wd", True, "政府采购法 art. 47"),
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
    apps.get_model("procurement", "ProcurementSettings").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("procurement", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
