"""Fault suite of the production topology (issue 19): a mixed load through nginx while processes
and servers of the loopback cluster (scripts/cluster.py) are killed, stopped and restarted; then
the database is asked whether every acknowledged request is stored exactly once.

    python scripts/cluster.py up          # once (loads the demo city)
    python bench/faults.py [--gap 8]      # about 2 minutes
    python scripts/cluster.py down

Load: Open311 POSTs (each with its own Idempotency-Key, retried with the same key on a
connection error, a 5xx or a 429, as a careful client does), some with a photo (multipart
media); owners casting and changing their ballots on an open proposal through the site (logged
in, CSRF token, retried until acknowledged by the redirect); JT/T 808 terminals sending positions
to the gateway (each fix re-sent after a lost connection or a failure reply until the gateway
acknowledges it); GETs of public pages, the Open311 list and /healthz. Faults, one after the
other: kill -9 an app process, a worker (mid-batch when there is one), a scheduler, the JT/T 808
gateway, a JetStream consumer (each restarted); stop the replica, start it; restart the
PostgreSQL primary; kill Redis, start it; fill the private media disk (a 256 KiB tmpfs mounted
over it, filled; needs root: skipped otherwise), then unmount it.

Checks after the load: each acknowledged request has exactly one row and one case; no request
is left queued or claimed; each owner whose ballot was acknowledged has exactly one ballot,
holding their last acknowledged choice, and the tally counts each owner once; each acknowledged
position is stored exactly once; uploads to the full disk were answered 507, never 500;
/healthz answered 503 (not a stack trace, not 200) while the primary was down; how long each
fault took to recover (first acknowledged POST after it was undone).
Prints a table and writes var/cluster/faults.json. Not in `make test` (a bench: figures, bounded
in time).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import http.client
import io
import json
import os
import random
import re
import signal
import subprocess
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

from cityops.accounts.models import Role  # noqa: E402
from cityops.accounts.services import user_ensure  # noqa: E402
from cityops.cases.models import Case  # noqa: E402
from cityops.estates.models import Ballot, Owner, Proposal, ProposalStatus  # noqa: E402
from cityops.estates.services.votes import proposal_transition  # noqa: E402
from cityops.open311.demo import DEMO_KEY  # noqa: E402
from cityops.open311.models import IntakeStatus, Open311Request  # noqa: E402
from cityops.vehicles.client import SimTerminal  # noqa: E402
from cityops.vehicles.jt808 import codec as c  # noqa: E402
from cityops.vehicles.models import Position, Vehicle  # noqa: E402

HOST, PORT = "127.0.0.1", int(STATE["nginx"]["port"])


@dataclass
class Post:
    key: str
    acked: bool = False
    attempts: int = 0
    acked_at: float = 0.0


@dataclass
class Voter:
    username: str
    owner_id: int
    cookies: dict[str, str] = field(default_factory=dict)
    acked_choice: str = ""
    acked: int = 0
    attempts: int = 0
    unsure: bool = False  # gave up on an attempt: its outcome is unknown


@dataclass
class Log:
    posts: list[Post] = field(default_factory=list)
    voters: list[Voter] = field(default_factory=list)
    fixes_acked: set[tuple[int, dt.datetime]] = field(default_factory=set)
    fixes_sent: int = 0
    fix_retries: int = 0
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


def browse(voter: Voter, method: str, path: str, body: str = "") -> tuple[int, str, str]:
    """A request as the voter's browser: its cookies sent and kept; (status, Location, body)."""
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in voter.cookies.items())}
    if body:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn = http.client.HTTPConnection(HOST, PORT, timeout=15)
    try:
        conn.request(method, path, body=body.encode() or None, headers=headers)
        answer = conn.getresponse()
        for name, value in answer.getheaders():
            if name.lower() == "set-cookie":
                key, _eq, rest = value.partition("=")
                voter.cookies[key.strip()] = rest.split(";", 1)[0]
        return (
            answer.status,
            answer.getheader("Location") or "",
            answer.read().decode("utf-8", "replace"),
        )
    except (OSError, http.client.HTTPException):
        return 0, "", ""
    finally:
        conn.close()


CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
VOTER_PASSWORD = "fault-suite-voter-1"  # noqa: S105 (loopback cluster, throwaway accounts)


def ballots_setup(voters: int) -> tuple[int, list[Voter]]:
    """A proposal open for the next three hours in the demo's first compound and ``voters``
    owners with accounts (throwaway: the cluster is for breaking)."""
    from django.utils import timezone

    owner = Owner.objects.filter(user__isnull=False, is_developer=False).order_by("pk").first()
    assert owner is not None, "the demo city has no owner accounts"
    assert owner.user is not None
    compound = owner.compound
    now = timezone.now().replace(second=0, microsecond=0)
    proposal = Proposal.objects.create(
        compound=compound, matter="hire_manager", title="故障演练表决",
        text="故障演练：业主在故障期间投票。", noticed_at=now - dt.timedelta(days=16),
        opens_at=now - dt.timedelta(hours=1), closes_at=now + dt.timedelta(hours=3),
        status=ProposalStatus.NOTICED, created_by=owner.user,
    )  # fmt: skip
    proposal_transition(proposal_id=proposal.pk, to=ProposalStatus.OPEN, actor=owner.user)
    owners = Owner.objects.filter(compound=compound, is_developer=False, user__isnull=True)
    chosen = list(owners.order_by("-pk")[:voters])
    out = []
    for n, row in enumerate(chosen):
        user = user_ensure(username=f"fault_voter_{n}", password=VOTER_PASSWORD,
                           role=Role.RESIDENT, display_name=f"演练业主{n}")  # fmt: skip
        Owner.objects.filter(user=user).exclude(pk=row.pk).update(user=None)
        Owner.objects.filter(pk=row.pk).update(user=user)
        out.append(Voter(user.username, row.pk))
    return proposal.pk, out


def voter_login(voter: Voter) -> bool:
    voter.cookies.clear()
    status, _loc, page = browse(voter, "GET", "/accounts/login/")
    token = CSRF.search(page)
    if status != 200 or token is None:
        return False
    form = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": token.group(1),
            "username": voter.username,
            "password": VOTER_PASSWORD,
        }
    )
    status, _loc, _page = browse(voter, "POST", "/accounts/login/", form)
    return status == 302 and "sessionid" in voter.cookies


def balloter(log: Log, proposal_id: int, stop: threading.Event) -> None:
    """Owners in turn cast a ballot (a new choice each time), each retried until the site
    acknowledges it (302 back to the proposal) or 45 s pass."""
    rng = random.Random(808)
    path = f"/estates/proposals/{proposal_id}/"
    n = 0
    while not stop.is_set():
        voter = log.voters[n % len(log.voters)]
        n += 1
        choice = rng.choice(["agree", "disagree", "abstain"])
        give_up = time.monotonic() + 45
        while time.monotonic() < give_up:
            voter.attempts += 1
            if "sessionid" not in voter.cookies and not voter_login(voter):
                log.seen("ballot login", 0)
                time.sleep(0.5)
                continue
            status, _loc, page = browse(voter, "GET", path)
            token = CSRF.search(page)
            if status != 200 or token is None:
                log.seen("ballot GET", status)
                if status == 302:  # sent to the login page: the session is gone
                    voter.cookies.pop("sessionid", None)
                time.sleep(0.5)
                continue
            form = urllib.parse.urlencode({"csrfmiddlewaretoken": token.group(1),
                                           "choice": choice})  # fmt: skip
            status, loc, _page = browse(voter, "POST", path, form)
            log.seen("ballot POST", status)
            if status == 302 and loc.rstrip("/").endswith(path.rstrip("/")):
                voter.acked_choice, voter.acked, voter.unsure = choice, voter.acked + 1, False
                break
            voter.unsure = status == 0 or status >= 500  # may or may not have been stored
            time.sleep(0.5)
        time.sleep(0.1)


def jpeg() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (32, 24), "green").save(out, "JPEG")
    return out.getvalue()


def multipart(fields: str, photo: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in urllib.parse.parse_qsl(fields):
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                     f"{value}\r\n".encode())  # fmt: skip
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="media"; '
                 f'filename="p.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'.encode())  # fmt: skip
    parts.append(photo + f"\r\n--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def uploader(log: Log, body: str, stop: threading.Event) -> None:
    """Open311 POSTs with a photo, keyed and retried like the poster's."""
    photo = jpeg()
    while not stop.is_set():
        item = Post(uuid.uuid4().hex)
        with log.lock:
            log.posts.append(item)
        data, ctype = multipart(body, photo)
        give_up = time.monotonic() + 45
        while time.monotonic() < give_up:
            item.attempts += 1
            conn = http.client.HTTPConnection(HOST, PORT, timeout=15)
            try:
                conn.request("POST", "/open311/v2/requests.json", body=data, headers={
                    "Content-Type": ctype, "Idempotency-Key": item.key})  # fmt: skip
                status = conn.getresponse().status
            except (OSError, http.client.HTTPException):
                status = 0
            finally:
                conn.close()
            log.seen("POST media", status)
            if 200 <= status < 300:
                item.acked, item.acked_at = True, time.monotonic()
                break
            time.sleep(0.5)
        time.sleep(0.3)


def fleet(log: Log, stop: threading.Event, vehicles: int) -> None:
    """JT/T 808 terminals: each fix (a GNSS second of its own) is sent until the gateway
    acknowledges it; a lost connection or a failure reply means log in again and re-send."""
    port = int(STATE["jt808"]["port"])
    rows = list(Vehicle.objects.filter(active=True).order_by("sim")[:vehicles])
    assert rows, "the demo city has no vehicles"
    start = dt.datetime.now(dt.UTC).replace(microsecond=0)

    async def drive(vehicle: Vehicle, lane: int) -> None:
        terminal: SimTerminal | None = None
        auth = ""
        for n in range(10**9):
            if stop.is_set():
                break
            at = start + dt.timedelta(seconds=n)
            fix = c.Location(0, c.STATUS_ACC | c.STATUS_POSITIONED, 31_230_000 + lane * 1000 + n,
                             121_470_000 + n, 10, 120, 90,
                             at.astimezone(c.BEIJING))  # fmt: skip
            log.fixes_sent += 1
            while not stop.is_set():
                try:
                    if terminal is None or not terminal.connected:
                        terminal = SimTerminal(vehicle.sim, vehicle.protocol_version,
                                               auth_code=auth)  # fmt: skip
                        await asyncio.wait_for(terminal.login("127.0.0.1", port), 10)
                        auth = terminal.auth_code
                    reply = await asyncio.wait_for(terminal.location(fix), 10)
                    if reply.result == c.Result.OK:
                        log.fixes_acked.add((vehicle.pk, at))
                        break
                except Exception as exc:  # refused, reset, timed out: log in again, re-send
                    log.seen(f"fix {type(exc).__name__}", 0)
                log.fix_retries += 1
                if terminal is not None:
                    await terminal.close()
                terminal = None
                await asyncio.sleep(0.5)
            await asyncio.sleep(0.25)
        if terminal is not None:
            await terminal.close()

    async def main() -> None:
        await asyncio.gather(*(drive(v, i) for i, v in enumerate(rows)))

    asyncio.run(main())


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


def disk_fill(folder: Path) -> None:
    """A small disk for the (private) media, mounted over the folder and filled to the end."""
    mount = ["/bin/mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(folder)]
    subprocess.run(mount, check=True)  # noqa: S603
    with contextlib.suppress(OSError), (folder / "filler").open("wb") as out:
        while True:
            out.write(b"\0" * 4096)
            out.flush()


def disk_free(folder: Path) -> None:
    subprocess.run(["/bin/umount", "-l", str(folder)], check=True)  # noqa: S603


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--gap", type=float, default=8, help="seconds between faults")
    parser.add_argument("--voters", type=int, default=12)
    parser.add_argument("--vehicles", type=int, default=4)
    args = parser.parse_args()
    log, stop = Log(), threading.Event()
    body = post_body()
    proposal_id, log.voters = ballots_setup(args.voters)
    connections.close_all()  # the threads below have their own (fleet: for its vehicle list)
    threads = [threading.Thread(target=poster, args=(log, body, stop)) for _ in range(3)]
    threads.append(threading.Thread(target=reader, args=(log, stop)))
    threads.append(threading.Thread(target=uploader, args=(log, body, stop)))
    threads += [threading.Thread(target=balloter, args=(log, proposal_id, stop)) for _ in range(2)]
    threads.append(threading.Thread(target=fleet, args=(log, stop, args.vehicles)))
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
    fault("kill -9 the JT/T 808 gateway", lambda: kill9("gateway-1"),
          lambda: restart("gateway-1"))  # fmt: skip
    fault("kill -9 a JetStream consumer", lambda: kill9("consumer-1"),
          lambda: restart("consumer-1"))  # fmt: skip
    disk = cluster.HOME / "var" / "private"
    if os.geteuid() == 0:
        fault("fill the media disk", lambda: disk_fill(disk), lambda: disk_free(disk), hold=6)
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
    # Positions: JetStream holds what the gateway acknowledged; the consumers store it.
    acked_fixes = sorted(log.fixes_acked)
    vehicle_ids = {v for v, _t in acked_fixes}
    since = min((t for _v, t in acked_fixes), default=dt.datetime.now(dt.UTC))
    deadline = time.monotonic() + 90
    while True:
        stored_fixes = Counter(Position.objects.filter(vehicle_id__in=vehicle_ids, time__gte=since)
                               .values_list("vehicle_id", "time"))  # fmt: skip
        missing = [f for f in acked_fixes if stored_fixes[f] == 0]
        if not missing or time.monotonic() > deadline:
            break
        time.sleep(1)
    # Ballots: one row per owner, holding the last acknowledged choice; counted once.
    ballots = Ballot.objects.filter(proposal_id=proposal_id)
    rows_per_owner = Counter(ballots.values_list("owner_id", flat=True))
    choice_of = dict(ballots.values_list("owner_id", "choice"))
    voted = [v for v in log.voters if v.acked]
    ballots_lost = [v.username for v in voted if rows_per_owner[v.owner_id] == 0]
    ballots_doubled = [o for o, n in rows_per_owner.items() if n > 1]
    ballots_wrong = [v.username for v in voted
                     if not v.unsure and choice_of.get(v.owner_id) != v.acked_choice]  # fmt: skip
    from cityops.estates.services.votes import proposal_tally

    tally = proposal_tally(Proposal.objects.get(pk=proposal_id))
    counted = tally.participating_owners  # each owner with a ballot, once
    disk_fault = next((f for f in faults if f["fault"] == "fill the media disk"), None)
    fivexx = sum(n for k, n in log.statuses.items() if k.rsplit(" ", 1)[1].startswith("5"))
    five_hundred = sum(n for k, n in log.statuses.items() if k.rsplit(" ", 1)[1] == "500")
    result = {
        "sent": len(log.posts), "acknowledged": len(acked), "stored_once": len(acked) - len(lost),
        "lost": len(lost), "duplicated": len(duplicated), "cases_of_acknowledged": len(cases),
        "retries": sum(p.attempts - 1 for p in log.posts), "left_queued": stuck,
        "left_claimed": claimed, "responses_5xx": fivexx, "responses_500": five_hundred,
        "ballots": {"owners": len(log.voters), "casts_acknowledged": sum(v.acked for v in voted),
                    "attempts": sum(v.attempts for v in log.voters),
                    "owners_with_acknowledged_ballot": len(voted),
                    "ballot_rows": sum(rows_per_owner.values()), "lost": len(ballots_lost),
                    "double_counted": len(ballots_doubled), "wrong_choice": len(ballots_wrong),
                    "tally_owners_counted": counted},
        "positions": {"sent": log.fixes_sent, "acknowledged": len(acked_fixes),
                      "re_sent": log.fix_retries,
                      "stored_once": sum(1 for f in acked_fixes if stored_fixes[f] == 1),
                      "lost": len(missing),
                      "duplicated": sum(1 for f in acked_fixes if stored_fixes[f] > 1)},
        "faults": faults, "statuses": dict(log.statuses),
    }  # fmt: skip
    (cluster.HOME / "faults.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(json.dumps({k: v for k, v in result.items() if k != "statuses"}, indent=2,
                     ensure_ascii=False))  # fmt: skip
    primary_down = next(f for f in faults if f["fault"] == "restart the primary")
    ok = (not lost and not duplicated and not stuck and len(cases) == len(acked)
          and "500" not in primary_down["healthz"] and not five_hundred
          and not ballots_lost and not ballots_doubled and not ballots_wrong
          and counted == len(rows_per_owner)
          and not missing and result["positions"]["duplicated"] == 0
          and (disk_fault is None or log.statuses["POST media 507"] > 0))  # fmt: skip
    print("RESULT:", "every acknowledged request, ballot and position stored exactly once"
          if ok else "FAILED")  # fmt: skip
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
