"""Fault suite of the production topology (issue 19): a mixed load through nginx while processes
and servers of the loopback cluster (scripts/cluster.py) are killed, stopped and restarted; then
the database is asked whether every acknowledged request is stored exactly once.

    python scripts/cluster.py up          # once (loads the demo city)
    python bench/faults.py [--gap 8]      # about 2 minutes
    python scripts/cluster.py down

Load: Open311 POSTs (each with its own Idempotency-Key, retried with the same key on a
connection error, a 5xx or a 429, as a careful client does) and GETs of public pages, the Open311
list and /healthz. Faults, one after the other: kill -9 an app process, a worker (mid-batch when
there is one), a scheduler (each restarted); stop the replica, start it; restart the PostgreSQL
primary; kill Redis, start it.

Checks after the load: each acknowledged request has exactly one row and one case; no request
is left queued or claimed; /healthz answered 503 (not a stack trace, not 200) while the primary
was down; how long each fault took to recover (first acknowledged POST after it was undone).
Prints a table and writes var/cluster/faults.json. Not in `make test` (a bench: figures, bounded
in time).
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import signal
import sys
import threading
import time
import urllib.parse
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import cluster  # noqa: E402  (scripts/cluster.py: the state and how to restart a part)

from cityops.core.pgcluster import PgCluster  # noqa: E402

STATE = cluster.load_state()
if not STATE.get("procs"):
    raise SystemExit("no cluster running: python scripts/cluster.py up")
os.environ.update(cluster.environment(STATE))
import django  # noqa: E402

django.setup()
from django.db import connections  # noqa: E402

from cityops.cases.models import Case  # noqa: E402
from cityops.open311.demo import DEMO_KEY  # noqa: E402
from cityops.open311.models import IntakeStatus, Open311Request  # noqa: E402

HOST, PORT = "127.0.0.1", int(STATE["nginx"]["port"])


@dataclass
class Post:
    key: str
    acked: bool = False
    attempts: int = 0
    acked_at: float = 0.0


@dataclass
class Log:
    posts: list[Post] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    health: list[tuple[float, int]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def seen(self, what: str, status: int) -> None:
        with self.lock:
            self.statuses[f"{what} {status}"] += 1


def request(method: str, path: str, body: str = "", headers: dict[str, str] | None = None
            ) -> tuple[int, bytes]:  # fmt: skip
    conn = http.client.HTTPConnection(HOST, PORT, timeout=15)
    try:
        conn.request(method, path, body=body.encode() or None, headers=headers or {})
        answer = conn.getresponse()
        return answer.status, answer.read()
    except (OSError, http.client.HTTPException):  # refused, reset, cut short: no answer
        return 0, b""
    finally:
        conn.close()


def post_body() -> str:
    case = Case.objects.exclude(lon=None).order_by("pk").first()
    assert case is not None, "the demo city has no case to take a point from"
    status, body = request("GET", "/open311/v2/services.json")
    assert status == 200, status
    services = json.loads(body)
    same = [s for s in services if s["service_code"] == case.category.code]
    service = (same or services)[0]
    fields = {
        "api_key": DEMO_KEY,
        "service_code": service["service_code"],
        "lat": str(case.lat),
        "long": str(case.lon),
        "description": "故障演练 路面垃圾",
    }
    if service.get("metadata"):
        code = urllib.parse.quote(service["service_code"])
        status, body = request("GET", f"/open311/v2/services/{code}.json")
        for attribute in json.loads(body).get("attributes", []):
            if not attribute.get("required"):
                continue
            values = attribute.get("values") or []
            answer = values[0]["key"] if values else "1"
            fields[f"attribute[{attribute['code']}]"] = str(answer)
    return urllib.parse.urlencode(fields)


def poster(log: Log, body: str, stop: threading.Event) -> None:
    while not stop.is_set():
        item = Post(uuid.uuid4().hex)
        with log.lock:
            log.posts.append(item)
        give_up = time.monotonic() + 45
        while time.monotonic() < give_up:
            item.attempts += 1
            status, _answer = request("POST", "/open311/v2/requests.json", body, {
                "Content-Type": "application/x-www-form-urlencoded",
                "Idempotency-Key": item.key})  # fmt: skip
            log.seen("POST", status)
            if 200 <= status < 300:
                item.acked, item.acked_at = True, time.monotonic()
                break
            time.sleep(0.5)
        time.sleep(0.05)


def reader(log: Log, stop: threading.Event) -> None:
    paths = ["/public/", "/open311/v2/requests.json", "/"]
    n = 0
    while not stop.is_set():
        path = paths[n % len(paths)]
        n += 1
        status, _body = request("GET", path)
        log.seen(f"GET {path}", status)
        health, _body = request("GET", "/healthz")
        with log.lock:
            log.health.append((time.monotonic(), health))
        time.sleep(0.2)


def kill9(name: str) -> None:
    proc = STATE["procs"][name]
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc["pid"], signal.SIGKILL)


def restart(name: str) -> None:
    args = argparse.Namespace(name=name)
    cluster.restart(args)
    STATE.update(cluster.load_state())


def pg(role: str) -> PgCluster:
    return PgCluster(data=Path(STATE["pg"]["dirs"][role]), port=STATE["pg"][role])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--gap", type=float, default=8, help="seconds between faults")
    args = parser.parse_args()
    log, stop = Log(), threading.Event()
    body = post_body()
    threads = [threading.Thread(target=poster, args=(log, body, stop)) for _ in range(3)]
    threads.append(threading.Thread(target=reader, args=(log, stop)))
    for thread in threads:
        thread.start()
    faults: list[dict[str, Any]] = []

    def fault(name: str, break_it: Any, mend_it: Any, hold: float = 5) -> None:
        time.sleep(args.gap)
        started = time.monotonic()
        print(f"fault: {name}", flush=True)
        break_it()
        time.sleep(hold)
        mend_it()
        mended = time.monotonic()
        faults.append({"fault": name, "started": started, "mended": mended})

    fault("kill -9 app-1", lambda: kill9("app-1"), lambda: restart("app-1"))
    fault("kill -9 worker-1", lambda: kill9("worker-1"), lambda: restart("worker-1"))
    fault("kill -9 scheduler-1", lambda: kill9("scheduler-1"), lambda: restart("scheduler-1"))
    replica, primary = pg("replica"), pg("primary")
    fault("stop the replica", lambda: replica.stop("immediate"), replica.start, hold=8)
    fault("restart the primary", lambda: primary.stop("fast"), primary.start, hold=5)
    fault("kill Redis", lambda: kill9("redis"), lambda: restart("redis"), hold=8)
    time.sleep(args.gap)
    stop.set()
    for thread in threads:
        thread.join(60)

    # Every acknowledged request filed before the checks (the workers drain the queue). Our own
    # connection predates the primary's restart.
    connections.close_all()
    deadline = time.monotonic() + 120
    while Open311Request.objects.filter(status=IntakeStatus.QUEUED).exists():
        if time.monotonic() > deadline:
            break
        time.sleep(1)
    keys = [p.key for p in log.posts]
    rows = Counter(Open311Request.objects.filter(idempotency_key__in=keys)
                   .values_list("idempotency_key", flat=True))  # fmt: skip
    acked = [p for p in log.posts if p.acked]
    lost = [p.key for p in acked if rows[p.key] == 0]
    duplicated = [k for k, n in rows.items() if n > 1]
    filed = Open311Request.objects.filter(idempotency_key__in=[p.key for p in acked])
    cases = set(filed.values_list("case", flat=True))
    stuck = Open311Request.objects.filter(status=IntakeStatus.QUEUED).count()
    claimed = Open311Request.objects.exclude(claim="").filter(status=IntakeStatus.QUEUED).count()
    for item in faults:
        after = [p.acked_at for p in acked if p.acked_at >= item["mended"]]
        item["recovery_s"] = round(min(after) - item["mended"], 2) if after else None
        window = [h for t, h in log.health if item["started"] <= t <= item["mended"]]
        item["healthz"] = dict(Counter(str(h) for h in window))
        del item["started"], item["mended"]
    fivexx = sum(n for k, n in log.statuses.items() if k.rsplit(" ", 1)[1].startswith("5"))
    result = {
        "sent": len(log.posts), "acknowledged": len(acked), "stored_once": len(acked) - len(lost),
        "lost": len(lost), "duplicated": len(duplicated), "cases_of_acknowledged": len(cases),
        "retries": sum(p.attempts - 1 for p in log.posts), "left_queued": stuck,
        "left_claimed": claimed, "responses_5xx": fivexx, "faults": faults,
        "statuses": dict(log.statuses),
    }  # fmt: skip
    (cluster.HOME / "faults.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(json.dumps({k: v for k, v in result.items() if k != "statuses"}, indent=2,
                     ensure_ascii=False))  # fmt: skip
    primary_down = next(f for f in faults if f["fault"] == "restart the primary")
    ok = (not lost and not duplicated and not stuck and len(cases) == len(acked)
          and "500" not in primary_down["healthz"])  # fmt: skip
    print("RESULT:", "every acknowledged request stored exactly once" if ok else "FAILED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
