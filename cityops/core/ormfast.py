"""The hand-written ORM fast paths, in one module (issue 13 §7).

Request paths that run the same statement thousands of times a minute skip the ORM's
per-call compilation. Each function here reproduces what the ORM would do with Django's own
metadata and converters, but some reach into Django internals (``_meta``, query compilers,
``get_related_populators``, ``from_db``): an upgrade of Django that changes them must fail
loudly *here*, which ``core/tests/test_ormfast.py`` checks against the installed Django by
comparing every fast path with the plain ORM call it replaces.

- ``first_where``: a one-row SELECT built once per (database, model, where).
- ``insert_one``: ``save(force_insert=True)`` with the INSERT compiled once.
- ``insert_linked``: a row and the rows naming it (a case, its event, its audit row) in one
  statement on PostgreSQL.
- ``insert_rows``: many rows from ``{attname: value}`` dicts, one statement per batch on
  PostgreSQL (``unnest`` of column arrays), one ``executemany`` per batch elsewhere.
- ``cas_update``: ``UPDATE … SET …, version = version + 1 WHERE pk = … AND version = …``.
- ``cas_update_linked``: ``cas_update`` and the rows describing it (a transition's event and
  audit row), written only when the update wins; one statement on PostgreSQL.
- ``PreparedGet``: a queryset compiled once per key and re-run with another primary key,
  rows mapped to instances (with ``select_related`` objects) as the ORM maps them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Sequence
from typing import Any, Generic, TypeVar

from django.db import connections, models, router, transaction
from django.db.models import F, QuerySet, signals
from django.db.models.fields import Field
from django.db.models.query import get_related_populators  # type: ignore[attr-defined]
from django.db.models.sql.compiler import SQLCompiler

M = TypeVar("M", bound=models.Model)
# Per (database, model, where): the SELECT, the attribute names, and the converters of the
# columns that have any (as the ORM's compiler applies them).
_Converters = list[tuple[int, Any, list[Any]]]
_SELECTS: dict[tuple[str, type[models.Model], str], tuple[str, list[str], _Converters]] = {}


def first_where(model: type[M], where: str, params: Sequence[Any]) -> M | None:
    """The first row of ``model`` matching ``where`` (SQL over its columns, ``%s`` params).

    ``where`` must be a constant written in the code (never built from input): it is part of
    the cache key and of the statement. The row is mapped as the ORM maps it (the columns'
    converters, ``from_db``), without building a queryset per call: most calls find nothing.
    """
    alias = router.db_for_read(model)
    key = (alias, model, where)
    conn = connections[alias]
    found = _SELECTS.get(key)
    if found is None:
        qn = conn.ops.quote_name
        meta = model._meta
        fields = list(meta.concrete_fields)
        columns = ", ".join(qn(f.column) for f in fields)
        converters: _Converters = []
        for i, f in enumerate(fields):
            col = f.get_col(meta.db_table)
            chain = conn.ops.get_db_converters(col) + col.get_db_converters(conn)
            if chain:
                converters.append((i, col, chain))
        found = _SELECTS[key] = (
            f"SELECT {columns} FROM {qn(meta.db_table)} WHERE {where} LIMIT 1",  # noqa: S608 (constants)
            [f.attname for f in fields],
            converters,
        )
    sql, names, converters = found
    with conn.cursor() as cursor:
        cursor.execute(sql, list(params))
        row = cursor.fetchone()
    if row is None:
        return None
    values = list(row)
    for i, col, chain in converters:
        for converter in chain:
            values[i] = converter(values[i], col, conn)
    return model.from_db(alias, names, values)


# Compiled single-row INSERTs per (database, model): audit and event rows are written on every
# state change, and compiling Django's InsertQuery each time cost more than running it.
_Layout = list[tuple[Field[Any, Any], str, tuple[type, ...]]]
_Compiled = tuple[str, _Layout]
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
    if compiled is None or _has_save_listeners(model):
        obj.save(force_insert=True, using=alias)
        return obj
    sql, fields = compiled
    conn = connections[alias]
    with conn.cursor() as cursor:
        cursor.execute(sql, _prepared(obj, fields, conn))
        row = cursor.fetchone()
    assert row is not None
    _inserted(obj, row[0], alias)
    return obj


def _prepared(obj: models.Model, fields: _Layout, conn: Any, skip: str = "") -> list[Any]:
    """The values of ``obj``'s INSERT (all columns but the key, and but ``skip``)."""
    values = []
    for field, attname, plain in fields:
        if attname == skip:
            continue
        value = getattr(obj, attname) if plain else None
        if value is None or type(value) not in plain:
            value = field.get_db_prep_save(field.pre_save(obj, True), connection=conn)
        values.append(value)
    return values


def _inserted(obj: models.Model, pk: Any, alias: str) -> None:
    """Mark ``obj`` saved under the key the database returned, converted as the ORM does."""
    conn = connections[alias]
    pk_field: Any = type(obj)._meta.pk
    for converter in pk_field.get_db_converters(conn):
        pk = converter(pk, pk_field, conn)
    obj.pk = pk
    obj._state.adding = False
    obj._state.db = alias


def _has_save_listeners(model: type[models.Model]) -> bool:
    return signals.pre_save.has_listeners(model) or signals.post_save.has_listeners(model)


def links_in_one_statement(model: type[models.Model]) -> bool:
    """Whether ``insert_linked`` writes ``model``'s rows in one statement (PostgreSQL: data-
    modifying CTEs), so that outside a transaction it needs none of its own."""
    return connections[router.db_for_write(model)].vendor == "postgresql"


_LINKED: dict[tuple[str, type[models.Model], tuple[tuple[type[models.Model], str], ...]], str] = {}


def insert_linked(parent: M, children: Sequence[tuple[models.Model, str]]) -> M:
    """Insert ``parent`` and rows naming it: each child's ``attname`` takes the new key.

    All or nothing. On PostgreSQL one statement, ``WITH p AS (INSERT … RETURNING id),
    c0 AS (INSERT … VALUES (…, (SELECT id FROM p)) RETURNING id) … SELECT …``: one round
    trip where one INSERT per row took one each, and, outside a transaction, one commit with
    no BEGIN/COMMIT round trips (``links_in_one_statement``). Elsewhere, or when a model has
    save-signal listeners or no compiled INSERT, ``insert_one`` for each row in one
    transaction. A link column that is not a foreign key (an audit row's ``target_id`` text)
    takes the key cast to its type. Every object gets its key as after ``save()``.
    """
    model = type(parent)
    alias = router.db_for_write(model, instance=parent)
    conn = connections[alias]
    rows: list[models.Model] = [parent, *(child for child, _attname in children)]
    compiled = [_insert_sql(alias, type(obj)) for obj in rows]
    if (
        not links_in_one_statement(model)
        or any(c is None for c in compiled)
        or any(_has_save_listeners(type(obj)) for obj in rows)
    ):
        with transaction.atomic(using=alias, savepoint=False):
            insert_one(parent)
            for child, attname in children:
                setattr(child, attname, _link_value(type(child), attname, parent.pk))
                insert_one(child)
        return parent
    key = (alias, model, tuple((type(child), attname) for child, attname in children))
    sql = _LINKED.get(key)
    if sql is None:
        sql = _LINKED[key] = _linked_sql(conn, model, children)
    params = _prepared(parent, compiled[0][1], conn)  # type: ignore[index]
    for (child, attname), found in zip(children, compiled[1:], strict=True):
        params += _prepared(child, found[1], conn, skip=attname)  # type: ignore[index]
    with conn.cursor() as cursor:
        cursor.execute(sql, params)
        keys = cursor.fetchone()
    assert keys is not None
    for obj, pk in zip(rows, keys, strict=True):
        _inserted(obj, pk, alias)
    for child, attname in children:
        setattr(child, attname, _link_value(type(child), attname, parent.pk))
    return parent


def _link_field(model: type[models.Model], attname: str) -> Any:
    return next(f for f in model._meta.concrete_fields if f.attname == attname)


def _link_value(model: type[models.Model], attname: str, pk: Any) -> Any:
    """The parent's key as the child's link column holds it (text in a non-key column)."""
    field = _link_field(model, attname)
    return pk if field.is_relation else field.to_python(pk)


def _linked_sql(
    conn: Any, model: type[models.Model], children: Sequence[tuple[models.Model, str]]
) -> str:
    qn = conn.ops.quote_name
    compiled = _insert_sql(conn.alias, model)
    assert compiled is not None
    assert model._meta.pk is not None
    parent_key = qn(model._meta.pk.column)
    ctes = [f"p AS ({compiled[0]})"]
    keys = [f"(SELECT {parent_key} FROM p)"]  # noqa: S608 (model metadata)
    for i, (child, attname) in enumerate(children):
        meta = type(child)._meta
        assert meta.pk is not None
        link = _link_field(type(child), attname)
        fields = [f for f in meta.concrete_fields if f is not meta.pk]
        key = parent_key if link.is_relation else f"CAST({parent_key} AS {link.db_type(conn)})"
        # VALUES, not INSERT … SELECT: the parameters take the columns' types as in
        # ``insert_one`` (a SELECT list would make untyped literals text).
        linked = f"(SELECT {key} FROM p)"  # noqa: S608 (model metadata)
        exprs = [linked if f.attname == link.attname else "%s" for f in fields]
        ctes.append(
            f"c{i} AS (INSERT INTO {qn(meta.db_table)} "  # noqa: S608 (model metadata)
            f"({', '.join(qn(f.column) for f in fields)}) VALUES ({', '.join(exprs)}) "
            f"RETURNING {qn(meta.pk.column)})"
        )
        keys.append(f"(SELECT {qn(meta.pk.column)} FROM c{i})")  # noqa: S608 (model metadata)
    return f"WITH {', '.join(ctes)} SELECT {', '.join(keys)}"


def cas_update(
    model: type[models.Model], *, pk: int, old_version: int, values: dict[str, Any]
) -> int:
    """``UPDATE … SET <values>, version = version + 1 WHERE pk = pk AND version = old_version``.

    Values are prepared by each field as the ORM does; expressions (``F(…)``) go through the
    ORM. Returns the number of rows changed (0: someone else changed the row first).
    """
    if any(hasattr(v, "resolve_expression") for v in values.values()):
        return int(
            model._default_manager.filter(pk=pk, version=old_version).update(
                version=F("version") + 1, **values
            )
        )
    conn = connections[router.db_for_write(model)]
    qn = conn.ops.quote_name
    fields = {f.attname: f for f in model._meta.concrete_fields}
    sets, params = [], []
    for attname, value in values.items():
        field = fields[attname]
        sets.append(f"{qn(field.column)} = %s")
        params.append(field.get_db_prep_save(value, connection=conn))
    version = qn("version")
    assert model._meta.pk is not None
    sql = (
        f"UPDATE {qn(model._meta.db_table)} SET {', '.join(sets)}, "  # noqa: S608 (our columns)
        f"{version} = {version} + 1 WHERE {qn(model._meta.pk.column)} = %s AND {version} = %s"
    )
    with conn.cursor() as cursor:
        cursor.execute(sql, [*params, pk, old_version])
        return int(cursor.rowcount)


_CAS_LINKED: dict[tuple[Any, ...], str] = {}
_JSON_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def cas_update_linked(
    model: type[models.Model],
    *,
    pk: int,
    old_version: int,
    values: dict[str, Any],
    rows: Sequence[models.Model],
    key_into: tuple[int, str, str] | None = None,
) -> bool:
    """``cas_update`` and new ``rows`` written only when it wins, all or nothing.

    For a state change and the rows that describe it (a case's transition: its event and
    audit row). ``key_into`` = (i, JSON field, key): row i's JSON field takes the new key of
    row i - 1 under ``key`` (the audit row names the event). Returns whether the update won
    (False: someone changed the row first, nothing was written).

    On PostgreSQL one statement, ``WITH u AS (UPDATE … RETURNING pk), r0 AS (INSERT … SELECT
    … FROM u RETURNING pk), r1 AS (INSERT … SELECT … FROM u, r0 …) SELECT …``: one round trip
    where the update and each INSERT took one each; a lost compare-and-swap inserts nothing
    (``FROM u`` is empty). Elsewhere, or with expressions among ``values``, save-signal
    listeners or no compiled INSERT, ``cas_update`` then ``insert_one`` per row, in one
    transaction. Every row gets its key as after ``save()``.
    """
    alias = router.db_for_write(model)
    conn = connections[alias]
    compiled = [_insert_sql(alias, type(row)) for row in rows]
    if (
        conn.vendor != "postgresql"
        or any(hasattr(v, "resolve_expression") for v in values.values())
        or any(c is None for c in compiled)
        or any(_has_save_listeners(type(row)) for row in rows)
    ):
        with transaction.atomic(using=alias, savepoint=False):
            if cas_update(model, pk=pk, old_version=old_version, values=values) != 1:
                return False
            for i, row in enumerate(rows):
                if key_into is not None and key_into[0] == i:
                    getattr(row, key_into[1])[key_into[2]] = rows[i - 1].pk
                insert_one(row)
        return True
    key = (alias, model, tuple(values), tuple(type(row) for row in rows), key_into)
    sql = _CAS_LINKED.get(key)
    if sql is None:
        sql = _CAS_LINKED[key] = _cas_linked_sql(conn, model, list(values), rows, key_into)
    fields = {f.attname: f for f in model._meta.concrete_fields}
    params = [fields[name].get_db_prep_save(v, connection=conn) for name, v in values.items()]
    params += [pk, old_version]
    for row, found in zip(rows, compiled, strict=True):
        assert found is not None
        params += _prepared(row, found[1], conn)
    with conn.cursor() as cursor:
        cursor.execute(sql, params)
        keys = cursor.fetchone()
    assert keys is not None
    if keys[0] is None:
        return False
    for i, (row, row_pk) in enumerate(zip(rows, keys[1:], strict=True)):
        _inserted(row, row_pk, alias)
        if key_into is not None and key_into[0] == i:
            getattr(row, key_into[1])[key_into[2]] = rows[i - 1].pk
    return True


def _cast_type(field: Field[Any, Any], conn: Any) -> str:
    """The type a parameter is cast to in a SELECT list (which would make it text): the
    column's, without a length (a cast to ``varchar(n)`` would cut a longer value silently
    where the INSERT refuses it)."""
    return re.sub(r"^(varchar|character varying)\(\d+\)$", r"\1", str(field.db_type(conn)))


def _cas_linked_sql(
    conn: Any,
    model: type[models.Model],
    names: list[str],
    rows: Sequence[models.Model],
    key_into: tuple[int, str, str] | None,
) -> str:
    qn = conn.ops.quote_name
    meta = model._meta
    assert meta.pk is not None
    fields = {f.attname: f for f in meta.concrete_fields}
    sets = ", ".join(f"{qn(fields[name].column)} = %s" for name in names)
    version, key = qn("version"), qn(meta.pk.column)
    ctes = [
        f"u AS (UPDATE {qn(meta.db_table)} SET {sets}, {version} = {version} + 1 "  # noqa: S608 (model metadata)
        f"WHERE {key} = %s AND {version} = %s RETURNING {key})"
    ]
    keys = [f"(SELECT {key} FROM u)"]  # noqa: S608 (model metadata)
    for i, row in enumerate(rows):
        row_meta = type(row)._meta
        assert row_meta.pk is not None
        row_key = qn(row_meta.pk.column)
        columns = [f for f in row_meta.concrete_fields if f is not row_meta.pk]
        exprs, sources = [], "u"
        for f in columns:
            expr = f"%s::{_cast_type(f, conn)}"
            if key_into is not None and key_into[0] == i and f.attname == key_into[1]:
                assert i > 0, key_into
                assert _JSON_KEY.match(key_into[2]), key_into  # a constant of the code
                previous = type(rows[i - 1])._meta.pk
                assert previous is not None
                linked = f"r{i - 1}.{qn(previous.column)}"
                expr = f"({expr} || jsonb_build_object('{key_into[2]}', {linked}))"
                sources = f"u, r{i - 1}"
            exprs.append(expr)
        ctes.append(
            f"r{i} AS (INSERT INTO {qn(row_meta.db_table)} "  # noqa: S608 (model metadata)
            f"({', '.join(qn(f.column) for f in columns)}) SELECT {', '.join(exprs)} "
            f"FROM {sources} RETURNING {row_key})"
        )
        keys.append(f"(SELECT {row_key} FROM r{i})")  # noqa: S608 (model metadata)
    return f"WITH {', '.join(ctes)} SELECT {', '.join(keys)}"


_Prepared = tuple[str, list[Any], int, SQLCompiler, Any]
_PK_SLOT = -7_362_915_081  # a placeholder primary key, found again in the compiled parameters


class PreparedGet(Generic[M]):
    """``build(alias).filter(pk=…)`` compiled once per ``key`` and run with any primary key.

    ``build`` returns the queryset (filters, ``select_related``, ``select_for_update``,
    ``defer`` …) without the primary key; ``get`` returns the one matching instance, with its
    related objects, or None. ``EmptyResultSet`` propagates when the filters match nothing.
    """

    def __init__(self, build: Callable[[str, Hashable], QuerySet[M]], *, limit: int = 512):
        self._build = build
        self._limit = limit
        self._compiled: dict[
            tuple[str, Hashable], tuple[str, list[Any], int, SQLCompiler, Any]
        ] = {}
        self._layouts: dict[int, tuple[list[str], int, int, list[Any]]] = {}

    def _compile(self, alias: str, key: Hashable) -> _Prepared:
        found = self._compiled.get((alias, key))
        if found is None:
            qs = self._build(alias, key).filter(pk=_PK_SLOT)
            compiler = qs.query.get_compiler(using=alias)
            sql, params = compiler.as_sql()
            converters = compiler.get_converters([col for col, _sql, _alias in compiler.select])
            found = (sql, list(params), list(params).index(_PK_SLOT), compiler, converters)
            if len(self._compiled) > self._limit:
                self._compiled.clear()
                self._layouts.clear()
            self._compiled[(alias, key)] = found
        return found

    def _layout(self, compiler: SQLCompiler, alias: str) -> tuple[list[str], int, int, list[Any]]:
        """The model's attribute names, their slice of the row and the populators of the
        related objects (which keep no state between rows), once per compiled query."""
        found = self._layouts.get(id(compiler))
        if found is None:
            assert compiler.klass_info is not None
            fields = compiler.klass_info["select_fields"]
            start, end = fields[0], fields[-1] + 1
            names = [col.target.attname for col, _sql, _alias in compiler.select[start:end]]
            populators = get_related_populators(compiler.klass_info, compiler.select, alias)
            found = self._layouts[id(compiler)] = (names, start, end, populators)
        return found

    def get(self, alias: str, key: Hashable, pk: int) -> M | None:
        sql, params, slot, compiler, converters = self._compile(alias, key)
        params = [*params]
        params[slot] = pk
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if len(rows) != 1:
            return None
        if converters:
            rows = [list(r) for r in compiler.apply_converters(rows, converters)]
        row = rows[0]
        names, start, end, populators = self._layout(compiler, alias)
        model: Any = compiler.query.model
        instance: M = model.from_db(alias, names, row[start:end])
        for populator in populators:
            populator.populate(row, instance)
        return instance


def insert_rows(
    model: type[models.Model],
    rows: list[dict[str, Any]],
    *,
    ignore_conflicts: bool = False,
    batch: int = 2000,
) -> None:
    """Insert many rows given as ``{attname: value}`` (others take the field default).

    Without building model instances: for jobs that write thousands of notices or audit rows
    at once. On PostgreSQL one ``INSERT … SELECT FROM unnest(<one array per column>)`` per
    batch (one statement parsed and planned once, where ``executemany`` runs one per row);
    elsewhere one ``executemany`` per batch. ``ignore_conflicts`` skips rows that would break a
    unique constraint (``ON CONFLICT DO NOTHING``: PostgreSQL and SQLite ≥ 3.24).
    """
    if not rows:
        return
    alias = router.db_for_write(model)
    conn = connections[alias]
    meta = model._meta
    fields: list[Field[Any, Any]] = [f for f in meta.concrete_fields if f is not meta.pk]
    qn = conn.ops.quote_name
    columns = ", ".join(qn(f.column) for f in fields)
    columnar = conn.vendor == "postgresql"
    if columnar:
        arrays = ", ".join(f"%s::{f.db_type(conn)}[]" for f in fields)
        sql = f"INSERT INTO {qn(meta.db_table)} ({columns}) SELECT * FROM unnest({arrays})"  # noqa: S608 (model metadata)
    else:
        values = ", ".join(["%s"] * len(fields))
        sql = f"INSERT INTO {qn(meta.db_table)} ({columns}) VALUES ({values})"  # noqa: S608 (model metadata)
    if ignore_conflicts:
        sql += " ON CONFLICT DO NOTHING"
    defaults = {f.attname: f.get_default() for f in fields}

    def prep(field: Field[Any, Any], plain: tuple[type, ...], value: Any) -> Any:
        # Plain values are stored as they are (``_plain_types``); others convert as the ORM does.
        if value is None or (plain and type(value) in plain):
            return value
        return field.get_db_prep_save(value, connection=conn)

    layout = [(f, f.attname, _plain_types(f)) for f in fields]
    with conn.cursor() as cursor:
        for start in range(0, len(rows), batch):
            chunk = rows[start : start + batch]
            prepared = [
                [prep(f, plain, row[name] if name in row else defaults[name]) for row in chunk]
                for f, name, plain in layout
            ]  # column by column
            if columnar:
                cursor.execute(sql, prepared)
            else:
                cursor.executemany(sql, [list(row) for row in zip(*prepared, strict=True)])
