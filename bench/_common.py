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
