"""PostgreSQL: statistics on a case's unit and category together.

A unit handles its own service's categories, so "this unit's cases of that category" is often
empty although each condition alone holds for a large part of the table. Without statistics
on the pair the planner multiplies the two shares, expects a page of matches within a few
hundred rows of a sort index and walks the whole of it (0.8–1.3 s at a year of cases). The MCV
list of the pair (up to 1,000 pairs: every unit × category of a city) tells it the truth.
SQLite keeps no such statistics (``cases.query.category_q`` walks there instead).
"""

from typing import Any

from django.db import migrations

CREATE = (
    "CREATE STATISTICS IF NOT EXISTS cases_unit_category (mcv, dependencies) "
    "ON assignee_id, category_id FROM cases_case",
    "ALTER STATISTICS cases_unit_category SET STATISTICS 1000",
)
DROP = ("DROP STATISTICS IF EXISTS cases_unit_category",)


def _run(statements: tuple[str, ...]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("cases", "0011_case_list_sort_indexes")]

    operations = [migrations.RunPython(_run(CREATE), _run(DROP))]
