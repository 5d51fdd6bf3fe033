"""P27 (bid bond refunds within 5 working days) as an editable statutory period row."""

import datetime as dt

from django.db import migrations


def seed(apps, schema_editor):
    apps.get_model("procurement", "StatutoryPeriod").objects.get_or_create(
        code="P27",
        valid_from=dt.date(2015, 3, 1),
        defaults={"amount": 5, "day_type": "wd", "roll_forward": True,
                  "source": "政府采购法实施条例 art. 33"},
    )


def unseed(apps, schema_editor):
    apps.get_model("procurement", "StatutoryPeriod").objects.filter(
        code="P27", valid_from=dt.date(2015, 3, 1)
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("procurement", "0006_bonds")]

    operations = [migrations.RunPython(seed, unseed)]
