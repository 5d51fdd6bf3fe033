"""The ranking owns its rules: ``RankingRule`` moves from ``assessment`` to ``evaluations``.

Until now ``assessment`` 0001 created the model, and ``evaluations`` (the ranking, its only
reader) imported it from there while ``assessment`` imported ``evaluations``: a cycle between
the apps. The table keeps its name, ``assessment_rankingrule``, so existing rules survive:

- a new database: ``assessment`` 0001 no longer creates the table, this migration does;
- a database migrated before the move: ``assessment`` 0001 created it, this migration only
  adopts it (state), and renames the content type so that the permissions granted on the
  model (and the admin log) stay attached to it.
"""

from decimal import Decimal
from typing import Any

import django.core.validators
import django.utils.timezone
from django.db import migrations, models

TABLE = "assessment_rankingrule"


def create_table(apps: Any, schema_editor: Any) -> None:
    if TABLE not in schema_editor.connection.introspection.table_names():
        schema_editor.create_model(apps.get_model("evaluations", "RankingRule"))


def drop_table(apps: Any, schema_editor: Any) -> None:
    schema_editor.delete_model(apps.get_model("evaluations", "RankingRule"))


def content_type_forwards(apps: Any, schema_editor: Any) -> None:
    content_type = apps.get_model("contenttypes", "ContentType")
    if not content_type.objects.filter(app_label="evaluations", model="rankingrule").exists():
        content_type.objects.filter(app_label="assessment", model="rankingrule").update(
            app_label="evaluations"
        )


SCORE = [
    django.core.validators.MinValueValidator(Decimal("0")),
    django.core.validators.MaxValueValidator(Decimal("100")),
]
SERVICE_TYPES = [
    ("sanitation", "Sanitation"),
    ("municipal", "Municipal facilities"),
    ("landscaping", "Landscaping"),
    ("property", "Property management"),
    ("other", "Other"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("evaluations", "0006_run_lease"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="RankingRule",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name="created at")),
                        ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                        ("service_type", models.CharField(blank=True, choices=SERVICE_TYPES, max_length=20, unique=True, verbose_name="service type")),
                        ("red_count", models.PositiveSmallIntegerField(default=3, verbose_name="red list: at most")),
                        ("red_min_score", models.DecimalField(decimal_places=2, default=Decimal("90"), max_digits=5, validators=SCORE, verbose_name="red list: minimum score")),
                        ("black_count", models.PositiveSmallIntegerField(default=3, verbose_name="black list: at most")),
                        ("black_below_score", models.DecimalField(decimal_places=2, default=Decimal("80"), max_digits=5, validators=SCORE, verbose_name="black list: score below")),
                        ("black_failing", models.BooleanField(default=True, help_text="A failing grade (不合格, or a veto) always enters the black list.", verbose_name="black list: every failing grade")),
                    ],
                    options={
                        "verbose_name": "ranking rule",
                        "verbose_name_plural": "ranking rules",
                        "db_table": TABLE,
                        "ordering": ["service_type"],
                    },
                ),
            ],
        ),
        migrations.RunPython(create_table, drop_table),
        migrations.RunPython(content_type_forwards, migrations.RunPython.noop),
    ]
