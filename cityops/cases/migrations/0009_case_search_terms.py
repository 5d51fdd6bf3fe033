"""The text search's n-gram terms and the database's own index over them (``cases.search``)."""

from typing import Any

from django.db import migrations, models

from cityops.cases import search


def fill_terms(apps: Any, schema_editor: Any) -> None:
    Case = apps.get_model("cases", "Case")
    rows = Case.objects.using(schema_editor.connection.alias).only("id", "address", "description")
    batch: list[Any] = []
    for case in rows.order_by("id").iterator(chunk_size=2000):
        case.search_terms = search.text_terms(case.address, case.description)
        batch.append(case)
        if len(batch) >= 2000:
            Case.objects.bulk_update(batch, ["search_terms"])
            batch = []
    if batch:
        Case.objects.bulk_update(batch, ["search_terms"])


def index_create(apps: Any, schema_editor: Any) -> None:
    search.index_ensure(schema_editor.connection)


def index_drop(apps: Any, schema_editor: Any) -> None:
    search.index_drop(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0008_case_reporter_erased_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="search_terms",
            field=models.TextField(
                blank=True, default="", editable=False, verbose_name="search terms"
            ),
        ),
        migrations.RunPython(fill_terms, migrations.RunPython.noop),
        migrations.RunPython(index_create, index_drop),
    ]
