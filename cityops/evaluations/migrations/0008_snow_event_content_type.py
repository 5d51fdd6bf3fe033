"""``SnowEvent`` moved from ``inspections`` to ``evaluations`` (issue 13 §5): keep its content type.

The model and its table (``inspections_snowevent``) are unchanged; on a database migrated before
the move the content type still carries the old app label. Renaming it keeps the permissions
granted on snowfall events (and the admin log entries) attached to the model. A new database
has no content type yet: nothing to do.
"""

from typing import Any

from django.db import migrations


def forwards(apps: Any, schema_editor: Any) -> None:
    content_type = apps.get_model("contenttypes", "ContentType")
    if not content_type.objects.filter(app_label="evaluations", model="snowevent").exists():
        content_type.objects.filter(app_label="inspections", model="snowevent").update(
            app_label="evaluations"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("evaluations", "0007_ranking_rule_from_assessment"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
