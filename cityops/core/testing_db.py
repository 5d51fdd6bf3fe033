"""Test databases cloned from a migrated template (issue 13 §7: both test passes < 6 min).

Migrating the ~160 tables costs every pytest-xdist worker about 30 s of CPU in each pass. The
first worker that needs a template migrates one and keeps it; every worker's test database is
then a copy of it: PostgreSQL ``CREATE DATABASE … TEMPLATE``, SQLite an in-memory database filled
from a file under ``var/test-db/`` by the backup API. The template is named after a fingerprint of
what a migration run depends on (every migration file, the cityops modules they import, the
installed packages' versions, the database settings), so a change of any of them builds a new
one; older templates of the same database are dropped. post_migrate (content types,
permissions, role groups, SQLite's search triggers) is sent again on every copy, as ``migrate``
does at its end, so code those receivers read never comes stale from the template.

``--reuse-db``, ``--nomigrations`` and other database engines keep Django's own creation.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import importlib
import importlib.metadata
import importlib.util
import os
import re
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.sql import emit_post_migrate_signal
from django.db import DatabaseError, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.loader import MigrationLoader

_IMPORT = re.compile(r"^\s*(?:from|import)\s+(cityops(?:\.\w+)+)", re.MULTILINE)


def migrations_fingerprint(connection: BaseDatabaseWrapper) -> str | None:
    """A digest of what migrating this database yields; None when migrations are disabled."""
    digest = hashlib.sha256()
    settings_dict = connection.settings_dict
    digest.update(repr((settings_dict["ENGINE"], settings_dict.get("OPTIONS"))).encode())
    digest.update(repr(sorted(settings.INSTALLED_APPS)).encode())
    for dist in sorted(importlib.metadata.distributions(), key=lambda d: d.metadata["Name"] or ""):
        digest.update(f"{dist.metadata['Name']}=={dist.version};".encode())
    imported: set[str] = set()
    for config in apps.get_app_configs():
        module_name, _ = MigrationLoader.migrations_module(config.label)
        if module_name is None:
            return None
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        for folder in getattr(module, "__path__", []):
            for file in sorted(Path(folder).glob("*.py")):
                text = file.read_bytes()
                digest.update(f"{config.label}/{file.name}".encode() + text)
                imported.update(_IMPORT.findall(text.decode("utf-8", "replace")))
    for name in sorted(imported):
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.origin and spec.origin.endswith(".py"):
            digest.update(name.encode() + Path(spec.origin).read_bytes())
    return digest.hexdigest()[:12]


def template_create_test_db(original: Callable[..., str], connection: BaseDatabaseWrapper) -> Any:
    """A ``creation.create_test_db`` that copies a template, falling back to ``original``."""

    def create_test_db(
        verbosity: int = 1, autoclobber: bool = False, serialize: bool = True, keepdb: bool = False
    ) -> str:
        fingerprint = None
        if not keepdb and connection.vendor in ("postgresql", "sqlite"):
            fingerprint = migrations_fingerprint(connection)
        if fingerprint is None or connection.settings_dict["TEST"].get("MIGRATE") is False:
            return original(verbosity=verbosity, autoclobber=autoclobber, serialize=serialize,
                            keepdb=keepdb)  # fmt: skip
        if connection.vendor == "postgresql":
            name = _postgresql_copy(connection, fingerprint, original, verbosity)
        else:
            name = _sqlite_copy(connection, fingerprint, original, verbosity)
        emit_post_migrate_signal(max(verbosity - 1, 0), False, connection.alias)
        if serialize:
            connection._test_serialized_contents = (  # type: ignore[attr-defined]
                connection.creation.serialize_db_to_string()
            )
        return name

    return create_test_db


def _use(connection: BaseDatabaseWrapper, name: str) -> None:
    """Point the connection (and settings, as Django's creation does) at the database ``name``."""
    connection.close()
    settings.DATABASES[connection.alias]["NAME"] = name
    connection.settings_dict["NAME"] = name


def _build(
    connection: BaseDatabaseWrapper, original: Callable[..., str], name: str, verbosity: int
) -> None:
    """Migrate a fresh database ``name`` with Django's own creation, then let it go."""
    test = connection.settings_dict["TEST"]
    wanted, test["NAME"] = test.get("NAME"), name
    try:
        original(verbosity=verbosity, autoclobber=True, serialize=False, keepdb=False)
    finally:
        test["NAME"] = wanted
    connection.close()


def _worker_base(name: str) -> str:
    """The test database's name without pytest-xdist's ``_gw<n>`` suffix."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    return name.removesuffix(f"_{worker}") if worker else name


def _postgresql_copy(
    connection: BaseDatabaseWrapper, fingerprint: str, original: Callable[..., str], verbosity: int
) -> str:
    target = connection.creation._get_test_db_name()  # type: ignore[attr-defined]
    prefix = f"{_worker_base(target)}_tpl_"[:50]
    template = prefix + fingerprint
    quote = connection.ops.quote_name
    original_name = connection.settings_dict["NAME"]
    with connection._nodb_cursor() as cursor:  # type: ignore[attr-defined]
        # One worker builds while the others wait; the lock ends with this session.
        cursor.execute("SELECT pg_advisory_lock(hashtext(%s))", [prefix])
        cursor.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", [prefix + "%"])
        present = {row[0] for row in cursor.fetchall()}
        if template not in present:
            building = template + "_new"
            _build(connection, original, building, verbosity)
            _use(connection, original_name)
            cursor.execute(f"ALTER DATABASE {quote(building)} RENAME TO {quote(template)}")
        for stale in sorted(present - {template}):
            with contextlib.suppress(DatabaseError):  # still copied by a run: dropped next time
                cursor.execute(f"DROP DATABASE IF EXISTS {quote(stale)}")
        cursor.execute(f"DROP DATABASE IF EXISTS {quote(target)}")
        cursor.execute(f"CREATE DATABASE {quote(target)} TEMPLATE {quote(template)}")
        cursor.execute("SELECT pg_advisory_unlock(hashtext(%s))", [prefix])
    _use(connection, target)
    connection.ensure_connection()
    return str(target)


def _sqlite_copy(
    connection: BaseDatabaseWrapper, fingerprint: str, original: Callable[..., str], verbosity: int
) -> str:
    target = connection.creation._get_test_db_name()  # type: ignore[attr-defined]
    if not connection.creation.is_in_memory_db(target):  # type: ignore[attr-defined]
        return original(verbosity=verbosity, autoclobber=True, serialize=False, keepdb=False)
    folder = Path(settings.BASE_DIR) / "var" / "test-db"
    folder.mkdir(parents=True, exist_ok=True)
    template = folder / f"{connection.alias}-{fingerprint}.sqlite3"
    original_name = connection.settings_dict["NAME"]
    with open(folder / f"{connection.alias}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one worker builds while the others wait
        if not template.exists():
            building = template.with_suffix(f".{os.getpid()}.new")
            _build(connection, original, str(building), verbosity)
            _use(connection, original_name)
            with contextlib.closing(sqlite3.connect(building)) as built:
                built.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            os.replace(building, template)
            for stale in folder.glob(f"{connection.alias}-*.sqlite3"):
                if stale != template:
                    stale.unlink(missing_ok=True)
        _use(connection, target)
        connection.ensure_connection()
        with contextlib.closing(sqlite3.connect(template)) as source:
            source.backup(connection.connection)
    return str(target)


def template_databases_install() -> None:
    """Make every test database's creation copy a template (see the module docstring)."""
    for connection in connections.all():
        creation: Any = connection.creation
        if not getattr(creation, "_cityops_template", False):
            creation.create_test_db = template_create_test_db(creation.create_test_db, connection)
            creation._cityops_template = True
