"""Shared set-up for the benchmark scripts (not a benchmark itself: run_all.py skips _*.py)."""

from __future__ import annotations

import datetime as dt
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_VAR = ROOT / "var" / "bench"


def setup_django(db_name: str, *, fresh: bool = True) -> Path:
    """Point Django at its own SQLite file under var/bench/ and migrate it.

    Must run before anything imports Django models: settings read DATABASE_URL once.
    """
    BENCH_VAR.mkdir(parents=True, exist_ok=True)
    db = BENCH_VAR / f"{db_name}.sqlite3"
    if fresh:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    os.environ["CITYOPS_DEBUG"] = "1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return db


def machine() -> str:
    """One line: date, cores, CPU model, Python."""
    model = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    today = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    # A fixed pure-Python workload, so that figures from a busy machine can be put in
    # proportion (about 10-15 ms on an idle current x86 core).
    calibration = best_of(3, lambda: sum(range(10**6))) * 1e3
    return (
        f"{today}; {os.cpu_count()} cores ({model}); load {load:.2f}; "
        f"Python {platform.python_version()}; sum(range(10**6)) = {calibration:.0f} ms"
    )


def best_of(runs: int, fn: Callable[[], object]) -> float:
    """Fastest wall-clock seconds of ``runs`` calls (the least disturbed by other processes)."""
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


# --- Scripts that run one child process per database (SQLite file, then PostgreSQL) ----------


def pg_reachable(url: str) -> bool:
    """Whether the PostgreSQL server of ``url`` answers (its ``postgres`` database)."""
    try:
        import psycopg

        psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", connect_timeout=3).close()
    except Exception:
        return False
    return True


def reset_pg(url: str) -> None:
    """Drop and re-create the database named at the end of ``url``."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def database_urls(name: str, pg_url: str, only: str | None = None) -> list[str]:
    """Fresh databases for one script: ``var/bench/<name>.sqlite3`` and ``pg_url`` if reachable.

    ``only`` is "sqlite", "postgresql" or None (both). Prints a line when PostgreSQL is skipped.
    """
    urls = []
    if only != "postgresql":
        BENCH_VAR.mkdir(parents=True, exist_ok=True)
        db = BENCH_VAR / f"{name}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        urls.append(f"sqlite:///{db}")
    if only != "sqlite":
        if pg_reachable(pg_url):
            reset_pg(pg_url)
            urls.append(pg_url)
        else:
            print(f"PostgreSQL not reachable at {pg_url}: skipped")
    return urls


def run_children(script: str, urls: list[str], args: list[str]) -> int:
    """Run ``script --child <args>`` once per database URL (Django reads DATABASE_URL once)."""
    import subprocess

    code = 0
    for url in urls:
        env = {**os.environ, "DATABASE_URL": url, "CITYOPS_DEBUG": "1"}
        cmd = [sys.executable, script, "--child", *args]
        code |= subprocess.call(cmd, env=env, cwd=ROOT)  # noqa: S603
    return code


def child_setup(*, demo: bool = True) -> str:
    """In a child: set Django up, migrate, and (``demo``) load the demo district, catalogue and
    users. Returns the database vendor. Query logging is switched off as in production: the
    children run with ``CITYOPS_DEBUG=1`` only because dev commands need it."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    settings.DEBUG = False
    call_command("migrate", verbosity=0)
    if demo:
        from cityops.accounts.demo import demo_users_ensure
        from cityops.cases.catalogue_demo import CATALOGUE
        from cityops.cases.services.catalogue import catalogue_load
        from cityops.registry.demo import demo_city_load

        demo_city_load(scale=1.0)
        catalogue_load(data=CATALOGUE)
        demo_users_ensure()
    print(f"database: {connection.vendor}")
    return connection.vendor
