"""CPU milliseconds per request type and per background job, measured on the loopback cluster
(scripts/cluster.py), and the machines they imply for three sizes (docs/capacity.md).

    python scripts/cluster.py up         # once (the demo city)
    python bench/capacity.py [--n 40]    # a few minutes
    python scripts/cluster.py down

How: requests of one type are sent one after the other through nginx; the CPU time (user +
system, from /proc) that the app processes (every gunicorn master and worker), the PostgreSQL
primary and replica (every backend of each postmaster), the task workers and the JT/T 808
gateway and consumers spent meanwhile is divided by the number of requests. The background
processes keep running (schedulers, workers): their idle polling is measured alone first and
subtracted. Jobs run once each in this process (``scheduler.job_run``): this process's CPU
plus PostgreSQL's. The sizing model (rates per city size) is data at the end of this file and
in docs/capacity.md. Not in `make test` (a bench).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import http.client
import json
import math
import os
import re
import sys
import time
import urllib.parse
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import cluster  # noqa: E402

STATE = cluster.load_state()
SIZING_ONLY = "--from" in sys.argv
if not STATE.get("procs") and not SIZING_ONLY:
    raise SystemExit("no cluster running: python scripts/cluster.py up")
if not SIZING_ONLY:
    os.environ.update(cluster.environment(STATE))
    import django

    django.setup()
    from django.db import connections

    from cityops.accounts.demo import DEMO_PASSWORD
    from cityops.core.scheduler import job_run, jobs

    HOST, PORT = "127.0.0.1", int(STATE["nginx"]["port"])
TICK = os.sysconf("SC_CLK_TCK")


def pgids(names: list[str]) -> set[int]:
    return {STATE["procs"][n]["pid"] for n in names if n in STATE["procs"]}


def postmaster(role: str) -> int:
    return int((Path(STATE["pg"]["dirs"][role]) / "postmaster.pid").read_text().split()[0])


def cpu_seconds() -> dict[str, float]:
    """CPU seconds so far of each part of the cluster (live processes)."""
    groups = {
        "app": pgids([n for n in STATE["procs"] if n.startswith("app-")]),
        "worker": pgids([n for n in STATE["procs"] if n.startswith("worker-")]),
        "telematics": pgids(
            [n for n in STATE["procs"] if n.startswith(("gateway-", "consumer-", "nats"))]
        ),
    }
    parents = {"pg_primary": postmaster("primary"), "pg_replica": postmaster("replica")}
    out = dict.fromkeys([*groups, *parents], 0.0)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid, pgrp = int(entry.name), int(fields[1]), int(fields[2])
        used = (int(fields[11]) + int(fields[12])) / TICK
        for name, members in groups.items():
            if pgrp in members:
                out[name] += used
        for name, parent in parents.items():
            if pid == parent or ppid == parent:
                out[name] += used
    return out


class Browser:
    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}

    def go(self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
           ) -> tuple[int, str, str]:  # fmt: skip
        sent = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), **(headers or {})}
        conn = http.client.HTTPConnection(HOST, PORT, timeout=60)
        try:
            conn.request(method, path, body=body or None, headers=sent)
            answer = conn.getresponse()
            for name, value in answer.getheaders():
                if name.lower() == "set-cookie":
                    key, _eq, rest = value.partition("=")
                    self.cookies[key.strip()] = rest.split(";", 1)[0]
            text = answer.read().decode("utf-8", "replace")
            return answer.status, answer.getheader("Location") or "", text
        finally:
            conn.close()

    def form(self, path: str, fields: dict[str, str]) -> tuple[int, str, str]:
        return self.go("POST", path, urllib.parse.urlencode(fields).encode(),
                       {"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip

    def login(self, username: str, password: str) -> None:
        _s, _l, page = self.go("GET", "/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token is not None
        status, _l, _p = self.form(
            "/accounts/login/",
            {"csrfmiddlewaretoken": token.group(1), "username": username, "password": password},
        )
        assert status == 302, f"login of {username} failed ({status})"


def measure(name: str, n: int, one: Callable[[int], None], idle: dict[str, float],
            settle: Callable[[], None] = lambda: None) -> dict[str, Any]:  # fmt: skip
    one(-1)  # warm the caches and connections
    before, started = cpu_seconds(), time.monotonic()
    for i in range(n):
        one(i)
    settle()
    after, wall = cpu_seconds(), time.monotonic() - started
    per = {k: max(0.0, (after[k] - before[k] - idle[k] * wall)) * 1000 / n for k in before}
    row = {"type": name, "n": n, "wall_ms": round(wall * 1000 / n, 1),
           **{k: round(v, 2) for k, v in per.items()}}  # fmt: skip
    print(json.dumps(row, ensure_ascii=False), flush=True)
    return row


def fleet_fixes(n: int) -> Callable[[int], None]:
    from cityops.vehicles.client import SimTerminal
    from cityops.vehicles.jt808 import codec as c
    from cityops.vehicles.models import Vehicle

    vehicle = Vehicle.objects.filter(active=True).order_by("-sim").first()
    assert vehicle is not None
    connections.close_all()
    start = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=1)
    loop = asyncio.new_event_loop()
    terminal = SimTerminal(vehicle.sim, vehicle.protocol_version)
    loop.run_until_complete(terminal.login("127.0.0.1", int(STATE["jt808"]["port"])))

    def one(i: int) -> None:
        at = (start + dt.timedelta(seconds=i + 1 + int(time.time()) % 100_000)).astimezone(
            c.BEIJING
        )
        fix = c.Location(0, c.STATUS_ACC | c.STATUS_POSITIONED, 43_615_000 + i, 122_255_000,
                         10, 60, 90, at)  # fmt: skip

        async def send() -> Any:
            return await asyncio.wait_for(terminal.location(fix), 30)

        reply = loop.run_until_complete(send())
        assert reply.result == 0, reply

    return one


# ------------------------------------------------------------------ the sizing model (data)
# Peak-hour rates per million residents (docs/capacity.md says where each comes from), keyed by
# the start of the measured request type's name.
PER_MILLION_PER_S = {
    "Open311 POST": 0.01,  # 1,000 cases/M/day, 30 % through Open311, 12 % in the peak hour
    "Open311 GET list": 0.33,  # 10,000 reads/M/day, 12 % in the peak hour
    "public list page": 0.33,  # idem
    "console case list": 0.67,  # 20 staff list views per case
    "console home": 0.33,  # 10 per case
    "owner's ballot": 0.067,  # 8,000 ballots/M/week, 3 % of a week's ballots in the peak hour
    "JT/T 808 position fix": 20.0,  # 0.6 vehicles per 1,000 residents, a fix every 30 s
}
PER_CITY_PER_S = {"cockpit": 0.05}  # two wall screens polling, leaders' desks
DEMO_MILLIONS = 0.274  # the demo district: 274 cases/day at 1,000 cases/M/day
SIZES = (("demo city (one district)", DEMO_MILLIONS, 1), ("city of 3 million", 3.0, 1),
         ("province: 12 cities, 30 million, one shared deployment", 30.0, 12),
         ("province: one deployment per city (one of 12, 2.5 million)", 2.5, 1))  # fmt: skip
TARGET = 0.5  # plan for half the cores busy at the peak hour
CORES = 8  # per machine
PARTS = ("app", "worker", "telematics", "pg_primary", "pg_replica")


def sizing(rows: list[dict[str, Any]], job_rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Cores per part at the peak hour, the machines, and the part that runs out first."""
    out = []
    for label, millions, cities in SIZES:
        need = dict.fromkeys(PARTS, 0.0)  # CPU ms per second
        for row in rows:
            rate = next((r * millions for k, r in PER_MILLION_PER_S.items()
                         if row["type"].startswith(k)), None)  # fmt: skip
            if rate is None:
                rate = next((r * cities for k, r in PER_CITY_PER_S.items()
                             if row["type"].startswith(k)), 0.0)  # fmt: skip
            for part in PARTS:
                need[part] += rate * row[part]
        for job in job_rows:  # measured on the demo city: the work grows with the city
            if job["every_s"]:
                scale = millions / DEMO_MILLIONS / job["every_s"]
                need["worker"] += job["python_ms"] * scale
                need["pg_primary"] += job["pg_ms"] * scale
        cores = {part: need[part] / 1000 / TARGET for part in PARTS}
        app_cores = cores["app"] + cores["worker"] + cores["telematics"]
        machines = {
            "app": max(1, math.ceil(app_cores / CORES)),
            "pg_primary": max(1, math.ceil(cores["pg_primary"] / CORES)),
            "pg_replica": max(1, math.ceil(cores["pg_replica"] / CORES)),
        }
        fixes_per_day = PER_MILLION_PER_S["JT/T 808 position fix"] * millions * 86_400 * 0.4
        bottleneck = max(("app", app_cores), ("pg_primary", cores["pg_primary"]),
                         ("pg_replica", cores["pg_replica"]), key=lambda kv: kv[1])[0]  # fmt: skip
        out.append({"size": label, "cores": {k: round(v, 2) for k, v in cores.items()},
                    "machines": machines, "machines_total": int(sum(machines.values())),
                    "positions_per_day": int(fixes_per_day), "busiest": bottleneck})  # fmt: skip
    return out


def print_sizing(rows: list[dict[str, Any]], job_rows: list[dict[str, Any]]) -> None:
    for size in sizing(rows, job_rows):
        print(json.dumps(size, ensure_ascii=False), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=40, help="requests of each type")
    parser.add_argument("--skip-jobs", action="store_true")
    parser.add_argument("--from", dest="source", help="print the sizing of a capacity.json")
    args = parser.parse_args()
    if args.source:
        data = json.loads(Path(args.source).read_text())
        print_sizing(data["requests"], data["jobs"])
        return
    n = args.n
    from cityops.open311.demo import DEMO_KEY

    print("idle background (CPU s per s):", flush=True)
    before = cpu_seconds()
    time.sleep(10)
    after = cpu_seconds()
    idle = {k: (after[k] - before[k]) / 10 for k in before}
    print(json.dumps({k: round(v, 4) for k, v in idle.items()}), flush=True)
    from cityops.cases.models import Case

    case = Case.objects.exclude(lon=None).order_by("pk").first()
    assert case is not None
    anon = Browser()
    _s, _l, services = anon.go("GET", "/open311/v2/services.json")
    code = json.loads(services)[0]["service_code"]
    fields = {"api_key": DEMO_KEY, "service_code": code, "lat": str(case.lat),
              "long": str(case.lon), "description": "容量测量 路面垃圾"}  # fmt: skip
    meta = json.loads(anon.go("GET", f"/open311/v2/services/{urllib.parse.quote(code)}.json")[2])
    for attribute in meta.get("attributes", []):
        if attribute.get("required"):
            values = attribute.get("values") or []
            fields[f"attribute[{attribute['code']}]"] = values[0]["key"] if values else "1"
    body = urllib.parse.urlencode(fields).encode()
    rows = []

    def post311(i: int) -> None:
        status, _l, text = anon.go("POST", "/open311/v2/requests.json", body, {
            "Content-Type": "application/x-www-form-urlencoded",
            "Idempotency-Key": uuid.uuid4().hex})  # fmt: skip
        assert status == 200, (status, text[:200])

    def drained() -> None:
        from cityops.open311.models import IntakeStatus, Open311Request

        deadline = time.monotonic() + 120
        while Open311Request.objects.filter(status=IntakeStatus.QUEUED).exists():
            if time.monotonic() > deadline:
                break
            time.sleep(0.5)
        connections.close_all()

    rows.append(measure("Open311 POST (+ its filing by a worker)", n, post311, idle, drained))

    def get(path: str, who: Browser) -> Callable[[int], None]:
        def one(i: int) -> None:
            status, _l, _t = who.go("GET", path)
            assert status == 200, (path, status)

        return one

    rows.append(measure("Open311 GET list", n, get("/open311/v2/requests.json", anon), idle))
    rows.append(measure("public list page", n, get("/public/", anon), idle))
    staff = Browser()
    staff.login("demo_dispatcher", DEMO_PASSWORD)
    rows.append(measure("console case list", n, get("/console/cases/", staff), idle))
    rows.append(measure("console home", n, get("/console/", staff), idle))
    mayor = Browser()
    mayor.login("demo_mayor", DEMO_PASSWORD)
    rows.append(measure("cockpit", n, get("/cockpit/", mayor), idle))
    owner = Browser()
    owner.login("demo_owner", DEMO_PASSWORD)
    from cityops.estates.models import Owner, Proposal, ProposalStatus

    me = Owner.objects.filter(user__username="demo_owner").first()
    proposal = Proposal.objects.filter(status=ProposalStatus.OPEN, compound=me.compound
                                       ).order_by("-pk").first() if me else None  # fmt: skip
    if proposal is not None and proposal.window_contains(django.utils.timezone.now()):
        path = f"/estates/proposals/{proposal.pk}/"

        def ballot(i: int) -> None:
            _s, _l, page = owner.go("GET", path)
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
            assert token is not None
            status, _l, _t = owner.form(path, {"csrfmiddlewaretoken": token.group(1),
                                               "choice": ["agree", "disagree"][i % 2]})  # fmt: skip
            assert status == 302, status

        rows.append(measure("owner's ballot (page + POST)", n, ballot, idle))
    rows.append(measure("JT/T 808 position fix (gateway → JetStream → consumer)", n * 10,
                        fleet_fixes(n * 10), idle, lambda: time.sleep(3)))  # fmt: skip
    connections.close_all()
    job_rows = []
    if not args.skip_jobs:
        for job in jobs():
            before = cpu_seconds()
            started_cpu, started = time.process_time(), time.monotonic()
            try:
                job_run(job.name)
                ok = "ok"
            except Exception as exc:
                ok = f"failed: {type(exc).__name__}"
            own = time.process_time() - started_cpu
            wall = time.monotonic() - started
            after = cpu_seconds()
            row = {"job": job.name, "every_s": job.every,
                   "python_ms": round(own * 1000, 1),
                   "pg_ms": round(max(0.0, after["pg_primary"] - before["pg_primary"]
                                      - idle["pg_primary"] * wall) * 1000, 1),
                   "wall_ms": round(wall * 1000, 1), "result": ok}  # fmt: skip
            print(json.dumps(row), flush=True)
            job_rows.append(row)
    out = cluster.HOME / "capacity.json"
    out.write_text(json.dumps({"requests": rows, "jobs": job_rows}, indent=2, ensure_ascii=False))
    print(f"written to {out}")
    print_sizing(rows, job_rows)


if __name__ == "__main__":
    main()
