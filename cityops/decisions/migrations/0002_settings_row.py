from typing import Any

from django.db import migrations


def create_row(apps: Any, schema_editor: Any) -> None:
    apps.get_model("decisions", "SupervisionSettings").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("decisions", "0001_initial")]

    operations = [migrations.RunPython(create_row, migrations.RunPython.noop)]
