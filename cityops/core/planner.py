"""Hints to the database's query planner about how often a condition holds.

PostgreSQL keeps per-value statistics (most common values, histograms) and estimates a
condition's selectivity from them. SQLite as shipped with Python (no ``SQLITE_ENABLE_STAT4``)
knows only the average number of rows per index key (``ANALYZE``'s ``sqlite_stat1``), so on a
skewed column it guesses wrong in both directions: with ≈ 16 case statuses it takes
``status = 'closed'`` for 1/16 of the table (a year of history is > 90 % closed) and ``status
IN`` the eight open statuses for half of it (they are ≈ 1 %). It then walks the wrong index:
the status index over 400,000 closed rows instead of the scope's own index, or the whole sort
index looking for a few open cases.

``Likely(condition, probability)`` states what the code knows about the data — SQLite's own
``likelihood(X, P)``, which keeps the condition usable by an index and only corrects the
planner's estimate. Elsewhere it is the plain condition. Use it only where the domain makes the
proportion a fact (a case history is mostly closed, open work is a small part of it), never as
a way to force one plan.

``Unindexed`` (the lookup ``<field>__unindexed``, registered on a field by
:func:`register_unindexed`) keeps a column's condition off the indexes on SQLite (its unary
``+``): for a condition that holds for most rows, where driving a query by its index visits
most of the table. SQLite's planner assumes that a LIMIT makes sorting cheap but that walking
an index in the requested order costs the whole index, so it would rather fetch 400,000
"closed" rows by the status index and sort them than walk the sort index and stop after 51.
"""

from __future__ import annotations

from typing import Any

from django.db.models import BooleanField, Field, Func, Q, Transform
from django.db.models.expressions import Expression


class Likely(Func):
    """``condition`` (a ``Q`` or boolean expression), holding for about ``probability`` of
    the rows (0 < p < 1) — a hint to SQLite's planner; the condition itself elsewhere."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, condition: Q | Expression, probability: float) -> None:
        if not 0.0 < probability < 1.0:
            raise ValueError("probability must be strictly between 0 and 1")
        self.probability = float(probability)
        super().__init__(condition)

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> Any:  # type: ignore[override]
        return compiler.compile(self.source_expressions[0])

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        sql, params = compiler.compile(self.source_expressions[0])
        # SQLite wants the probability as a literal (a bound parameter is an error).
        return f"likelihood({sql}, {self.probability!r})", params


class Unindexed(Transform):
    """The column itself, kept off the indexes on SQLite (``+column``); plain elsewhere."""

    lookup_name = "unindexed"

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> Any:  # type: ignore[override]
        return compiler.compile(self.lhs)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        sql, params = compiler.compile(self.lhs)
        return f"+{sql}", params

    @property
    def output_field(self) -> Field[Any, Any]:  # type: ignore[override]
        return self.lhs.output_field  # type: ignore[no-any-return]


def register_unindexed(field: Field[Any, Any]) -> None:
    """Make ``<field>__unindexed`` available on one model field."""
    field.register_lookup(Unindexed)
