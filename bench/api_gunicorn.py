"""Benchmark: the Open311 API under gunicorn + PostgreSQL, against the framework's ceiling.

    python bench/api_gunicorn.py                 # 10 s per scenario
    python bench/api_gunicorn.py -d 30 -c 16     # longer, more connections
    python bench/api_gunicorn.py --profile       # + in-process query counts and a cProfile

Set-up (in this process): a fresh PostgreSQL database (BENCH_API_PG_URL, default
``postgres://postgres@127.0.0.1:5432/cityops_bench_api``), the demo district, catalogue and
users, an Open311 key and 1,100 accepted cases (reported through ``case_report``, then moved
to "filed" by one UPDATE: only the GET reads them). Then gunicorn (sync workers, 2 × cores + 1,
``--preload``, warmed once in the master: see bench/api_site/wsgi.py)
serves ``bench/api_site`` — the product's settings with DEBUG off and its API URLconfs, plus one
bench-only ceiling view — and a second process drives it: ``wrk`` (Debian package; ``make bench``
installs it) or, without wrk, the multi-process Python driver in ``bench/api_site/driver.py``.

Scenarios, each after a short warm-up:
  ceiling  POST /bench/ceiling/ — parse the same form body, one INSERT, a JSON answer
  intake   POST /open311/v2/requests.json — a new resident report: checked as intake checks it
           (key, category, place, answers, reporter), stored encrypted in the intake queue,
           token answered; the product's ``db_worker`` runs beside gunicorn on the same cores
           and files the queue as cases (routed, numbered, event + audit rows). The script
           waits until the queue is empty and prints how long the drain lagged behind the
           last POST and the end-to-end rate; every POST answered must have been filed.
  list     GET /open311/v2/requests.json?status=open — 1,000 requests (checked) per answer
Targets: intake with the worker running ≥ 50 % of the ceiling's throughput (the worker runs
at its product priority, ``CITYOPS_WORKER_NICE``); list p99 < 300 ms. The machine may be
shared: the ratio measured in the same run is what counts, not absolute figures. The server
keeps its database connections (the product's ``CITYOPS_DB_CONN_MAX_AGE``, 60 s);
``--conn-max-age 0`` measures a connection opened per request, as before session 3. The
"CPU %" column is the whole machine's busy share during the scenario.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
PG_URL = os.environ.get("BENCH_API_PG_URL", "postgres://postgres@127.0.0.1:5432/cityops_bench_api")
SEEDED = 1100
sys.path[:0] = [str(ROOT), str(HERE)]


def pg_reachable() -> bool:
    try:
        import psycopg

        psycopg.connect(PG_URL.rsplit("/", 1)[0] + "/postgres", connect_timeout=3).close()
    except Exception:  # any failure means "no PostgreSQL here"
        return False
    return True


def fresh_database() -> None:
    import psycopg

    name = PG_URL.rsplit("/", 1)[1]
    with psycopg.connect(PG_URL.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def seed() -> tuple[str, dict[str, Any]]:
    """Migrate and load; returns the Open311 key and the form body of one POST."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from cityops.accounts.demo import demo_users_ensure
    from cityops.cases.catalogue_demo import CATALOGUE
    from cityops.cases.history.world import load_world
    from cityops.cases.models import Case, Category, Status
    from cityops.cases.services import case_report
    from cityops.cases.services.catalogue import catalogue_load
    from cityops.open311.keys import key_create
    from cityops.open311.selectors import service_code
    from cityops.registry.demo.loader import demo_city_load

    call_command("migrate", verbosity=0)
    demo_city_load(scale=1.0)
    catalogue_load(data=CATALOGUE)
    demo_users_ensure()
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_ceiling "
            "(id bigserial PRIMARY KEY, body text NOT NULL, at timestamptz NOT NULL)"
        )
    places = load_world(1).pools["road"][0]
    cats = [
        c
        for c in Category.objects.filter(parent__isnull=False, kind="event", active=True)
        if not c.questions.filter(required=True).exists()
    ]
    ids = [
        case_report(
            source="public",
            category=cats[i % len(cats)],
            lon=places[i % len(places)].lon,
            lat=places[i % len(places)].lat,
            address=places[i % len(places)].address,
            description=f"基准测试 {i}：路边垃圾",
        ).pk
        for i in range(SEEDED)
    ]
    Case.objects.filter(pk__in=ids).update(status=Status.FILED)  # seeding shortcut: GET only
    _key, secret = key_create(name="bench")
    place = places[len(places) // 2]
    form = {
        "api_key": secret,
        "service_code": service_code(cats[0]),
        "lat": f"{place.lat:.6f}",
        "long": f"{place.lon:.6f}",
        "address_string": place.address,
        "description": "人行道上有一堆建筑垃圾，影响通行",
        "first_name": "三",
        "last_name": "张",
        "phone": "13800138000",
    }
    connection.close()
    return secret, form


def profile(form: dict[str, Any]) -> None:
    """Query counts and the hottest functions of one list GET and one POST, in-process."""
    import cProfile
    import pstats

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")

    def get_list() -> Any:
        return client.get("/open311/v2/requests.json", {"status": "open"})

    def post_intake() -> Any:
        return client.post("/open311/v2/requests.json", form)

    for label, call in (("GET list", get_list), ("POST intake", post_intake)):
        call()  # warm
        with CaptureQueriesContext(connection) as queries:
            response = call()
        assert response.status_code == 200, response.content[:300]
        print(f"{label}: {len(queries)} queries, {len(response.content):,} bytes")
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(5):
            call()
        profiler.disable()
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(18)
    connection.close()


def start_worker() -> subprocess.Popen[bytes]:
    """The product's background worker (django-tasks ``db_worker``): it drains the Open311
    intake queue while the POSTs arrive, on the same cores as gunicorn and PostgreSQL."""
    cmd = [sys.executable, "-m", "django", "db_worker", "--queue-name", "*", "--no-reload",
           "--no-startup-delay", "--interval", "0.5", "-v", "0"]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(HERE)])}
    return subprocess.Popen(cmd, env=env, cwd=ROOT)  # noqa: S603


def queue_counts() -> dict[str, int]:
    """Open311 requests per intake status (queued, filed, rejected)."""
    import psycopg

    with psycopg.connect(PG_URL) as conn:
        rows = conn.execute(
            "SELECT status, count(*) FROM open311_open311request GROUP BY status"
        ).fetchall()
    return {str(status): int(n) for status, n in rows}


def wait_drained(limit: float = 300.0) -> float:
    """Seconds until no request is queued any more (the drain's lag after the last POST)."""
    started = time.perf_counter()
    while queue_counts().get("queued", 0) and time.perf_counter() - started < limit:
        time.sleep(0.1)
    return time.perf_counter() - started


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(port: int, workers: int, warm_form: str) -> subprocess.Popen[bytes]:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    cmd = [str(gunicorn), "--chdir", str(HERE), "--pythonpath", str(ROOT), "--workers",
           str(workers), "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "--preload",
           "--timeout", "120", "api_site.wsgi:application"]  # fmt: skip
    env = {**os.environ, "BENCH_WARM_FORM": warm_form}
    server = subprocess.Popen(cmd, env=env, cwd=ROOT)  # noqa: S603
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/bench/ping/", timeout=5):
                return server
        except OSError:
            if server.poll() is not None:
                raise SystemExit("gunicorn exited during start-up") from None
            time.sleep(0.5)
    server.terminate()
    raise SystemExit("gunicorn did not answer within 300 s")


_WRK_LATENCY = re.compile(r"^\s*(50|99)%\s+([\d.]+)(us|ms|s)\s*$", re.M)
_UNIT = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def cpu_times() -> tuple[float, float]:
    """(busy, total) jiffies of all cores since boot (Linux), for the machine's utilisation."""
    try:
        fields = [float(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except OSError:
        return 0.0, 0.0
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0.0)  # idle + iowait
    return sum(fields) - idle, sum(fields)


# wrk is left out: it has exited before the second reading.
_GROUPS = (("gunicorn", "gunicorn"), ("db_worker", "db_worker"), ("postgres", "postgres"))


def cpu_by_process() -> dict[str, float]:
    """CPU seconds used so far by the processes of each group (Linux /proc; empty elsewhere)."""
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    used: dict[str, float] = {}
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            stat = (proc / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        for group, needle in _GROUPS:
            if needle in cmdline:
                used[group] = used.get(group, 0.0) + (int(stat[11]) + int(stat[12])) / ticks
                break
    return used


def measured(
    driver: Any, url: str, body: str, connections: int, duration: float
) -> dict[str, float]:
    """One scenario, with the share of the machine's CPU it kept busy (100 % = every core)."""
    busy0, total0 = cpu_times()
    by0 = cpu_by_process()
    result: dict[str, float] = driver(url, body, connections, duration)
    busy1, total1 = cpu_times()
    by1 = cpu_by_process()
    done = max(result.get("requests", 0.0), 1.0)
    for group, _needle in _GROUPS:  # CPU ms per request, per process group
        result[f"ms_{group}"] = 1e3 * (by1.get(group, 0.0) - by0.get(group, 0.0)) / done
    result["cpu"] = 100 * (busy1 - busy0) / (total1 - total0) if total1 > total0 else float("nan")
    return result


def run_wrk(url: str, body: str, connections: int, duration: float) -> dict[str, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        if body:
            escaped = body.replace("\\", "\\\\").replace('"', '\\"')
            script.write(
                'wrk.method = "POST"\n'
                f'wrk.body = "{escaped}"\n'
                'wrk.headers["Content-Type"] = '
                '"application/x-www-form-urlencoded; charset=utf-8"\n'
            )
    try:
        wrk = shutil.which("wrk") or "wrk"
        cmd = [wrk, "-t", "2", "-c", str(connections), "-d", f"{duration:.0f}s", "--latency",
               "--timeout", "30s", "-s", script.name, url]  # fmt: skip
        out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout  # noqa: S603
    finally:
        Path(script.name).unlink()
    latency = {q: float(v) * _UNIT[u] for q, v, u in _WRK_LATENCY.findall(out)}
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    total = re.search(r"(\d+) requests in", out)
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*?timeout (\d+)", out)
    return {
        "rps": float(rps.group(1)) if rps else 0.0,
        "p50": latency.get("50", float("nan")),
        "p99": latency.get("99", float("nan")),
        "requests": float(total.group(1)) if total else 0.0,
        "bad": float(bad.group(1) if bad else 0) + float(errors.group(1) if errors else 0),
    }


def run_python(url: str, body: str, connections: int, duration: float) -> dict[str, float]:
    from api_site.driver import Load, drive

    form = "application/x-www-form-urlencoded; charset=utf-8"
    load = Load(url=url, method="POST" if body else "GET", body=body.encode(),
                content_type=form if body else "")  # fmt: skip
    result = drive(load, connections=connections, duration=duration)
    return {"rps": result.requests_per_s, "p50": result.p50_ms, "p99": result.p99_ms,
            "requests": float(result.requests), "bad": float(result.errors)}  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("-d", "--duration", type=float, default=10.0, help="seconds per scenario")
    parser.add_argument("-c", "--connections", type=int, default=8)
    parser.add_argument("--list-connections", type=int, default=os.cpu_count() or 1)
    parser.add_argument("-w", "--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--python-driver", action="store_true", help="ignore wrk")
    parser.add_argument(
        "--conn-max-age",
        type=int,
        default=None,
        help="CITYOPS_DB_CONN_MAX_AGE for the server (default: the product's setting, 60 s; "
        "0 opens a database connection per request)",
    )
    args = parser.parse_args()

    from _common import machine

    print(machine())
    if not pg_reachable():
        print(f"!!! PostgreSQL not reachable at {PG_URL}: api_gunicorn SKIPPED !!!")
        return 0
    os.environ.update(
        DATABASE_URL=PG_URL, CITYOPS_DEBUG="1", DJANGO_SETTINGS_MODULE="api_site.settings"
    )
    if args.conn_max_age is not None:
        os.environ["CITYOPS_DB_CONN_MAX_AGE"] = str(args.conn_max_age)
    fresh_database()
    started = time.perf_counter()
    _secret, form = seed()
    print(f"seeded {SEEDED} filed cases in {time.perf_counter() - started:.0f} s")
    if args.profile:
        profile(form)

    use_wrk = shutil.which("wrk") is not None and not args.python_driver
    driver = run_wrk if use_wrk else run_python
    print(f"driver: {'wrk' if use_wrk else 'Python multi-process (bench/api_site/driver.py)'}, "
          f"{args.connections} connections; gunicorn {args.workers} sync workers; database "
          f"connections kept {os.environ.get('CITYOPS_DB_CONN_MAX_AGE', '60')} s")  # fmt: skip
    port = free_port()
    body = urlencode(form)
    server = start_server(port, args.workers, body)
    base = f"http://127.0.0.1:{port}"
    list_url = f"{base}/open311/v2/requests.json?status=open"
    scenarios = [  # (name, url, body, connections)
        ("ceiling: POST one INSERT", f"{base}/bench/ceiling/", body, args.connections),
        ("intake: POST, drain beside", f"{base}/open311/v2/requests.json", body,
         args.connections),
        # The same with the worker paused (a burst, or workers on other machines); the queue
        # is drained after the run, which times the drain alone.
        ("intake: POST, drain after", f"{base}/open311/v2/requests.json", body,
         args.connections),
        (f"list: GET 1000, {args.connections} conns", list_url, "", args.connections),
        # Latency target at the concurrency the cores can serve (no queueing in the kernel).
        (f"list: GET 1000, {args.list_connections} conns", list_url, "", args.list_connections),
    ]  # fmt: skip
    worker = start_worker()
    drains: dict[str, dict[str, float]] = {}
    try:
        with urllib.request.urlopen(list_url, timeout=60) as answer:  # noqa: S310
            listed = answer.read().count(b'"service_request_id"')
        print(f"list answers {listed} requests")
        results: dict[str, dict[str, float]] = {}
        for name, url, data, connections in scenarios:
            # Warm-up: every worker builds its caches (registry index, calendar) on first use.
            driver(url, data, args.connections, min(5.0, args.duration))
            posting = url.endswith("/requests.json") and bool(data)
            if posting:
                wait_drained()
                before = queue_counts()
            paused = posting and "after" in name
            if paused:  # the worker idles (queue empty); it resumes once the POSTs are over
                worker.send_signal(signal.SIGSTOP)
            results[name] = measured(driver, url, data, connections, args.duration)
            if paused:
                worker.send_signal(signal.SIGCONT)
            if posting:
                lag = wait_drained()
                after = queue_counts()
                drains[name] = {
                    "lag": lag,
                    "filed": after.get("filed", 0) - before.get("filed", 0),
                    "rejected": after.get("rejected", 0) - before.get("rejected", 0),
                    "queued": after.get("queued", 0),
                }
    finally:
        server.terminate()
        worker.send_signal(signal.SIGCONT)
        worker.terminate()
        server.wait(timeout=60)
        worker.wait(timeout=60)

    print(f"\n{'scenario':<34}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'requests':>10}{'bad':>6}"
          f"{'CPU %':>7}")  # fmt: skip
    for name, r in results.items():
        print(f"{name:<34}{r['rps']:>9.1f}{r['p50']:>9.1f}{r['p99']:>9.1f}"
              f"{r['requests']:>10.0f}{r['bad']:>6.0f}{r['cpu']:>7.0f}")  # fmt: skip
    print("\nCPU ms per request, by process (the drain runs in db_worker):")
    print(f"{'scenario':<34}" + "".join(f"{g:>11}" for g, _n in _GROUPS))
    for name, r in results.items():
        print(f"{name:<34}" + "".join(f"{r[f'ms_{g}']:>11.2f}" for g, _n in _GROUPS))
    ceiling = results[scenarios[0][0]]["rps"]
    for name, drain in drains.items():
        print(
            f"{name}: {drain['filed']:.0f} filed, {drain['rejected']:.0f} rejected, "
            f"{drain['queued']:.0f} still queued; the last filed {drain['lag']:.1f} s after "
            f"the last POST; {drain['filed'] / (args.duration + drain['lag']):.0f} cases/s "
            f"filed end to end (the run and its drain)"
        )
    print(
        f"drain alone: {drains[scenarios[2][0]]['filed'] / drains[scenarios[2][0]]['lag']:.0f} "
        "cases/s (the paused worker's backlog after the run)"
    )
    request_path = results[scenarios[2][0]]["rps"] / ceiling if ceiling else 0.0
    beside = results[scenarios[1][0]]["rps"] / ceiling if ceiling else 0.0
    # The headline is the production set-up: the worker running beside gunicorn.
    verdict = "MET" if beside >= 0.5 else "MISSED"
    print(f"intake with the worker running (POST, drain beside on the same cores) / ceiling = "
          f"{beside:.0%} (target ≥ 50 %): {verdict}")  # fmt: skip
    print(
        f"intake request path alone (POST, worker paused, drain after) / ceiling = "
        f"{request_path:.0%} (the ceiling has no background work)"
    )
    p99 = results[scenarios[4][0]]["p99"]
    print(f"list p99 = {p99:.0f} ms for {listed} results at {args.list_connections} connections "
          "(target < 300 ms): "
          f"{'MET' if p99 < 300 else 'MISSED'}")  # fmt: skip
    bad = sum(r["bad"] for r in results.values())
    for name, drain in drains.items():
        posted = results[name]["requests"]
        if drain["filed"] < posted or drain["rejected"] or drain["queued"]:
            print(f"!!! {name}: {posted:.0f} POSTs answered but {drain['filed']:.0f} filed !!!")
            return 1
    if bad or listed != 1000:
        print(f"!!! {bad:.0f} failed requests, list size {listed} (expected 1000) !!!")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
