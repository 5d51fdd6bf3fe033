"""The documented backup and restore (docs/deployment.md), run for real: ``pg_dump -Fc`` of the
database, ``pg_restore`` into a fresh cluster, then the same row counts, and personal data that
decrypts with the configured keys (and not without them)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from cityops.cases.models import Case
from cityops.core.crypto import DecryptionError, decrypt_str
from cityops.core.pgcluster import PgCluster, PgToolsMissing, free_port

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
    pytest.mark.django_db(transaction=True),
    pytest.mark.slow,
]
TABLES = ["cases_case", "cases_caseevent", "core_auditevent", "accounts_user"]


@pytest.fixture
def fresh() -> Iterator[PgCluster]:
    root = Path(tempfile.mkdtemp(prefix="cityops-restore-"))
    try:
        target = PgCluster(data=root / "data", port=free_port()).init()
        target.start()
    except PgToolsMissing as exc:
        shutil.rmtree(root, ignore_errors=True)
        pytest.skip(str(exc))
    try:
        yield target
    finally:
        target.destroy()
        shutil.rmtree(root, ignore_errors=True)


def counts(cursor: Any) -> dict[str, int]:
    found = {}
    for table in TABLES:
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (our table names)
        found[table] = cursor.fetchone()[0]
    return found


def test_dump_restores_with_its_keys(
    report: Callable[..., Case], fresh: PgCluster, tmp_path: Path, settings: Any
) -> None:
    case = report(source="public", actor=None, reporter_name="赵六", reporter_phone="13912345678")
    sd = connection.settings_dict
    dump = tmp_path / "cityops.dump"
    subprocess.run(  # noqa: S603 (PostgreSQL's own tools)
        [str(fresh.bin / "pg_dump"), "-Fc", "-h", sd.get("HOST") or "127.0.0.1",
         "-p", str(sd.get("PORT") or 5432), "-U", sd["USER"], "-f", str(dump), sd["NAME"]],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    fresh.create_database()
    subprocess.run(  # noqa: S603
        [str(fresh.bin / "pg_restore"), "-h", "127.0.0.1", "-p", str(fresh.port), "-U",
         "postgres", "-d", "cityops", "--no-owner", str(dump)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    with connection.cursor() as cursor:
        before = counts(cursor)
    with fresh.connect() as restored:
        after = counts(restored.cursor())
        row = restored.execute(
            "SELECT reporter_phone, reporter_name FROM cases_case WHERE id = %s", [case.pk]
        ).fetchone()
    assert after == before
    assert before["cases_case"] >= 1
    assert row is not None
    assert (decrypt_str(row[0]), decrypt_str(row[1])) == ("13912345678", "赵六")
    assert "1391234" not in row[0]  # stored encrypted in the dump too
    settings.FIELD_ENCRYPTION_KEYS = ["some-other-key"]
    with pytest.raises(DecryptionError):
        decrypt_str(row[0])
