"""Writing audit events. Call inside the transaction of the change being described."""

from __future__ import annotations

from typing import Any

from django.db import connections, models, router
from django.db.models import signals
from django.db.models.fields import Field

from cityops.core.models import AuditEvent

# Compiled single-row INSERTs per (database, model): audit and event rows are written on every
# state change, and compiling Django's InsertQuery each time cost more than running it.
_Compiled = tuple[str, list[tuple[Field[Any, Any], str, tuple[type, ...]]]]
_INSERTS: dict[tuple[str, type[models.Model]], _Compiled | None] = {}

# Field classes whose database value is the Python value itself when it already has the plain
# type (their ``pre_save`` reads the attribute and ``get_db_prep_save`` only converts other
# types): the INSERT skips Django's per-field conversion chain for them.
_PLAIN: dict[type[Field[Any, Any]], tuple[type, ...]] = {
    models.CharField: (str,),
    models.TextField: (str,),
    models.SlugField: (str,),
    models.IntegerField: (int,),
    models.BigIntegerField: (int,),
    models.SmallIntegerField: (int,),
    models.PositiveIntegerField: (int,),
    models.PositiveSmallIntegerField: (int,),
    models.PositiveBigIntegerField: (int,),
    models.BooleanField: (bool,),
    models.FloatField: (float,),
}
_AUTO_KEYS = (models.AutoField, models.BigAutoField, models.SmallAutoField)


def _plain_types(field: Field[Any, Any]) -> tuple[type, ...]:
    """The value types stored as they are for ``field`` (empty: always convert)."""
    if isinstance(field, models.ForeignKey):
        target = field.target_field
        return (int,) if type(target) in _AUTO_KEYS else ()
    return _PLAIN.get(type(field), ())


def _insert_sql(alias: str, model: type[models.Model]) -> _Compiled | None:
    key = (alias, model)
    if key not in _INSERTS:
        conn = connections[alias]
        meta = model._meta
        fields: list[Field[Any, Any]] = [f for f in meta.concrete_fields if f is not meta.pk]
        plain = (
            meta.pk is not None
            and bool(getattr(meta.pk, "db_returning", False))
            and all(not hasattr(f, "get_placeholder") and not f.generated for f in fields)
        )
        if not (plain and conn.features.can_return_columns_from_insert):
            _INSERTS[key] = None
        else:
            qn = conn.ops.quote_name
            assert meta.pk is not None
            _INSERTS[key] = (
                f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "  # noqa: S608 (model metadata)
                f"VALUES ({', '.join(['%s'] * len(fields))}) RETURNING {qn(meta.pk.column)}",
                [(f, f.attname, _plain_types(f)) for f in fields],
            )
    return _INSERTS[key]


def insert_one(obj: models.Model) -> models.Model:
    """Insert a new row like ``obj.save(force_insert=True)``, with the INSERT compiled once.

    Falls back to ``save()`` when the model has save-signal listeners, fields with custom
    placeholders, or the database cannot return the new key.
    """
    model = type(obj)
    alias = router.db_for_write(model, instance=obj)
    compiled = _insert_sql(alias, model)
    if (
        compiled is None
        or signals.pre_save.has_listeners(model)
        or signals.post_save.has_listeners(model)
    ):
        obj.save(force_insert=True, using=alias)
        return obj
    sql, fields = compiled
    conn = connections[alias]
    values = []
    for field, attname, plain in fields:
        value = getattr(obj, attname) if plain else None
        if value is None or type(value) not in plain:
            value = field.get_db_prep_save(field.pre_save(obj, True), connection=conn)
        values.append(value)
    with conn.cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    assert row is not None
    assert model._meta.pk is not None
    pk = row[0]
    pk_field: Any = model._meta.pk
    for converter in pk_field.get_db_converters(conn):
        pk = converter(pk, pk_field, conn)
    obj.pk = pk
    obj._state.adding = False
    obj._state.db = alias
    return obj


def audit_event(
    *,
    code: str,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str | int = "",
    actor: Any = None,
    summary: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """The audit row describing a change, not yet saved (``audit_record`` saves it; batch
    writers bulk-insert many)."""
    if target is not None:
        target_type = target._meta.label_lower
        target_id = target.pk
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent(
        code=code,
        target_type=target_type,
        target_id=str(target_id),
        actor=user,
        summary=summary[:300],
        data=data or {},
    )


def audit_record(
    *,
    code: str,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str | int = "",
    actor: Any = None,
    summary: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    event = audit_event(
        code=code, target=target, target_type=target_type, target_id=target_id, actor=actor,
        summary=summary, data=data,
    )  # fmt: skip
    insert_one(event)
    return event


def insert_rows(
    model: type[models.Model],
    rows: list[dict[str, Any]],
    *,
    ignore_conflicts: bool = False,
    batch: int = 2000,
) -> None:
    """Insert many rows given as ``{attname: value}`` (others take the field default).

    One ``executemany`` per batch without building model instances: for jobs that write
    thousands of notices or audit rows at once. ``ignore_conflicts`` skips rows that would
    break a unique constraint (``ON CONFLICT DO NOTHING``: PostgreSQL and SQLite ≥ 3.24).
    """
    if not rows:
        return
    alias = router.db_for_write(model)
    conn = connections[alias]
    meta = model._meta
    fields: list[Field[Any, Any]] = [f for f in meta.concrete_fields if f is not meta.pk]
    qn = conn.ops.quote_name
    sql = (
        f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "  # noqa: S608 (model metadata)
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    if ignore_conflicts:
        sql += " ON CONFLICT DO NOTHING"
    defaults = {f.attname: f.get_default() for f in fields}
    prepared = [
        [
            f.get_db_prep_save(
                row[f.attname] if f.attname in row else defaults.get(f.attname), connection=conn
            )
            for f in fields
        ]
        for row in rows
    ]
    with conn.cursor() as cursor:
        for start in range(0, len(prepared), batch):
            cursor.executemany(sql, prepared[start : start + batch])
