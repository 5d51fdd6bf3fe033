"""PostgreSQL for the test process only (config/settings/test.py): Django's backend whose flush
empties the tables with DELETE instead of TRUNCATE (issue 13 §7).

Every transactional test (``django_db(transaction=True)``, ``live_server``) ends with ``flush``.
Django's TRUNCATE of the ~160 tables gives each table and index a new file: 5–7 s per test on
this machine under load, ~0.1 s for DELETE FROM every table when a test leaves few rows. Both
empty every table in one transaction; every foreign key Django creates is DEFERRABLE INITIALLY
DEFERRED, so the order of the DELETEs does not matter (checked at the commit). Sequences are left
alone as by Django's TRUNCATE without ``reset_sequences``; ``reset_sequences`` and
``allow_cascade`` (``available_apps``) keep Django's statements.
"""

from __future__ import annotations

from typing import Any

from django.db.backends.postgresql import base, operations


class DatabaseOperations(operations.DatabaseOperations):
    def sql_flush(
        self, style: Any, tables: Any, *, reset_sequences: bool = False, allow_cascade: bool = False
    ) -> list[str]:
        if reset_sequences or allow_cascade or not tables:
            return list(
                super().sql_flush(
                    style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
                )
            )
        return [
            f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(table))};"
            for table in tables
        ]


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
