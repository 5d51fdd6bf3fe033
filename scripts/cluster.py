"""The production topology on loopback, with real parts only (issue 19): a PostgreSQL primary and
its streaming replica (own clusters under var/cluster/), Redis, N gunicorn app processes behind
nginx, two task workers and two schedulers, NATS JetStream with the JT/T 808 gateway publishing to
it and two consumers storing positions, loaded with the demo city.

    python scripts/cluster.py up [--apps 2] [--no-demo]   # or: make cluster
    python scripts/cluster.py status
    python scripts/cluster.py down                        # or: make cluster-down
    python scripts/cluster.py restart NAME                # e.g. app-1, worker-2, scheduler-1,
                                                          # gateway-1, consumer-2, nats, redis

What runs where is written to var/cluster/state.json (bench/faults.py reads it to break things).
Not for production (docs/deployment.md is): secrets are generated, TLS is off, everything is on
127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cityops.core.pgcluster import PgCluster, free_port  # noqa: E402

# CITYOPS_CLUSTER_HOME: elsewhere than var/cluster (several checkouts sharing one var/).
HOME = Path(os.environ.get("CITYOPS_CLUSTER_HOME") or ROOT / "var" / "cluster")
STATE = HOME / "state.json"
PY = str(Path(sys.executable))


def load_state() -> dict[str, Any]:
    return json.loads(STATE.read_text()) if STATE.exists() else {}


def save_state(state: dict[str, Any]) -> None:
    STATE.write_text(json.dumps(state, indent=2))


def environment(state: dict[str, Any]) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "CITYOPS_DEBUG": "0",
        "CITYOPS_HTTPS": "0",
        "CITYOPS_SECRET_KEY": state["secret_key"],
        "CITYOPS_FIELD_ENCRYPTION_KEYS": state["field_key"],
        "CITYOPS_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CITYOPS_TRUSTED_PROXIES": "127.0.0.1/32",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{state['pg']['primary']}/cityops",
        "CITYOPS_REPLICA_URL": f"postgres://postgres@127.0.0.1:{state['pg']['replica']}/cityops",
        "CITYOPS_REDIS_URL": f"redis://127.0.0.1:{state['redis']['port']}/0",
        "CITYOPS_VAR_DIR": str(HOME / "var"),
        "CITYOPS_MEDIA_ROOT": str(HOME / "var" / "media"),
        "CITYOPS_PRIVATE_MEDIA_ROOT": str(HOME / "var" / "private"),
        "CITYOPS_MEDIA_ACCEL": "nginx",
        "CITYOPS_LOG_FORMAT": "json",
        "CITYOPS_METRICS_TOKEN": state["metrics_token"],
        "CITYOPS_OUTAGE_MAX_BACKOFF_SECONDS": "2",
        "CITYOPS_JT808_MODE": "jetstream",
        "CITYOPS_JT808_PORT": str(state["jt808"]["port"]),
        "CITYOPS_JT808_METRICS_PORT": str(state["jt808"]["metrics"]),
        "CITYOPS_NATS_URL": f"nats://127.0.0.1:{state['nats']['port']}",
        # One client (bench/faults.py) sends all the load from one address with one key.
        "CITYOPS_OPEN311_RATE_POST_KEY": "6000/min",
        "CITYOPS_OPEN311_RATE_GET_KEY": "6000/min",
        "CITYOPS_OPEN311_RATE_IP": "12000/min",
    }


def spawn(state: dict[str, Any], name: str, args: list[str], extra: dict[str, str] | None = None
          ) -> None:  # fmt: skip
    logs = HOME / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    out = (logs / f"{name}.log").open("ab")
    proc = subprocess.Popen(  # noqa: S603 (our own programs)
        args, cwd=ROOT, env={**environment(state), **(extra or {})}, stdout=out, stderr=out,
        start_new_session=True,
    )  # fmt: skip
    state["procs"][name] = {"pid": proc.pid, "args": args, "extra": extra or {}}


def manage(state: dict[str, Any], *args: str) -> None:
    subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=environment(state), check=True)  # noqa: S603


def start_app(state: dict[str, Any], index: int) -> None:
    port = state["apps"][index - 1]
    metrics = HOME / "metrics" / str(port)
    gunicorn = str(Path(PY).with_name("gunicorn"))
    spawn(state, f"app-{index}", [gunicorn, "-c", "deploy/gunicorn.conf.py"], {
        "CITYOPS_BIND": f"127.0.0.1:{port}", "CITYOPS_WEB_WORKERS": "2",
        "PROMETHEUS_MULTIPROC_DIR": str(metrics),
    })  # fmt: skip


def start_worker(state: dict[str, Any], index: int) -> None:
    spawn(state, f"worker-{index}", [PY, "manage.py", "db_worker", "--queue-name", "*",
                                     "--worker-id", f"cluster-{index}"])  # fmt: skip


def start_scheduler(state: dict[str, Any], index: int) -> None:
    spawn(state, f"scheduler-{index}", [PY, "manage.py", "run_scheduler"])


def start_nats(state: dict[str, Any]) -> None:
    # JetStream keeps the stream on disk (-sd): a restarted server still holds what it acked.
    spawn(state, "nats", [str(shutil.which("nats-server") or "/usr/sbin/nats-server"), "-js",
                          "-sd", str(HOME / "nats"), "-a", "127.0.0.1",
                          "-p", str(state["nats"]["port"])])  # fmt: skip


def start_gateway(state: dict[str, Any], index: int) -> None:
    spawn(state, f"gateway-{index}", [PY, "manage.py", "jt808_gateway", "--mode", "jetstream"])


def start_consumer(state: dict[str, Any], index: int) -> None:
    # Both consumers pull from one durable consumer: JetStream shares the messages out.
    spawn(state, f"consumer-{index}", [PY, "manage.py", "jt808_consume"])


def wait_tcp(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError as exc:
            if time.monotonic() > deadline:
                raise SystemExit(
                    f"nothing listens on 127.0.0.1:{port} after {seconds:.0f} s"
                ) from exc
            time.sleep(0.3)


def start_redis(state: dict[str, Any]) -> None:
    spawn(state, "redis", [str(shutil.which("redis-server")), "--port",
                           str(state["redis"]["port"]), "--bind", "127.0.0.1", "--save", "",
                           "--appendonly", "no"])  # fmt: skip


def nginx_conf(state: dict[str, Any]) -> Path:
    folder = HOME / "nginx"
    folder.mkdir(parents=True, exist_ok=True)
    upstreams = "\n".join(f"        server 127.0.0.1:{port} max_fails=2 fail_timeout=5s;"
                          for port in state["apps"])  # fmt: skip
    var = HOME / "var"
    user = "user root;" if os.geteuid() == 0 else ""
    conf = f"""{user}
worker_processes 2;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    access_log {folder}/access.log;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    client_max_body_size 26m;
    upstream cityops_app {{
{upstreams}
        keepalive 16;
    }}
    server {{
        listen 127.0.0.1:{state["nginx"]["port"]};
        location /static/ {{ alias {var}/static/; }}
        location /media/ {{ alias {var}/media/; }}
        location /internal-media/ {{ internal; alias {var}/private/; }}
        location / {{
            proxy_pass http://cityops_app;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_set_header X-Request-ID $request_id;
            proxy_connect_timeout 2s;
            proxy_next_upstream error timeout http_502;
        }}
    }}
}}
"""
    path = folder / "nginx.conf"
    path.write_text(conf)
    return path


def start_nginx(state: dict[str, Any]) -> None:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    conf = nginx_conf(state)
    subprocess.run([nginx, "-c", str(conf), "-p", str(HOME / "nginx")], check=True)  # noqa: S603
    state["procs"]["nginx"] = {"pid": int((HOME / "nginx" / "nginx.pid").read_text()),
                               "args": [nginx, "-c", str(conf)], "extra": {}}  # fmt: skip


def wait_http(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:  # noqa: S310 (loopback)
                if answer.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit(f"{url} did not answer within {seconds:.0f} s")
        time.sleep(0.3)


def up(args: argparse.Namespace) -> None:
    if load_state().get("procs"):
        raise SystemExit("a cluster is running (scripts/cluster.py down first)")
    shutil.rmtree(HOME, ignore_errors=True)
    HOME.mkdir(parents=True)
    state: dict[str, Any] = {
        "secret_key": secrets.token_urlsafe(40), "field_key": secrets.token_urlsafe(32),
        "metrics_token": secrets.token_urlsafe(24),
        "pg": {"primary": free_port(), "replica": free_port()},
        "redis": {"port": free_port()}, "nginx": {"port": args.port or free_port()},
        "apps": [free_port() for _ in range(args.apps)], "procs": {},
        "nats": {"port": free_port()},
        "jt808": {"port": free_port(), "metrics": free_port()},
    }  # fmt: skip
    print("PostgreSQL primary and streaming replica …", flush=True)
    primary = PgCluster(data=HOME / "pg" / "primary", port=state["pg"]["primary"]).init()
    primary.start()
    primary.create_database()
    replica = primary.replica(HOME / "pg" / "replica", port=state["pg"]["replica"])
    replica.start()
    state["pg"]["dirs"] = {"primary": str(primary.data), "replica": str(replica.data)}
    save_state(state)
    start_redis(state)
    start_nats(state)
    print("migrate, static files" + (", demo city …" if args.demo else " …"), flush=True)
    manage(state, "migrate", "--no-input", "-v", "0")
    manage(state, "collectstatic", "--no-input", "-v", "0")
    if args.demo:
        site = f"http://127.0.0.1:{state['nginx']['port']}/"
        manage(state, "demo_setup", "--force", "--url", site)  # a loopback try-out: demo users
    for index in range(1, args.apps + 1):
        start_app(state, index)
    for index in (1, 2):
        start_worker(state, index)
        start_scheduler(state, index)
        start_consumer(state, index)
    wait_tcp(state["nats"]["port"])
    start_gateway(state, 1)
    save_state(state)
    wait_tcp(state["jt808"]["port"])
    for port in state["apps"]:
        wait_http(f"http://127.0.0.1:{port}/livez")
    start_nginx(state)
    save_state(state)
    wait_http(f"http://127.0.0.1:{state['nginx']['port']}/readyz")
    status(args)


def up_or_clean(args: argparse.Namespace) -> None:
    try:
        up(args)
    except BaseException:
        print("start-up failed: stopping what was started", file=sys.stderr)
        down(args)
        raise


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def status(args: argparse.Namespace) -> None:
    state = load_state()
    if not state:
        print("no cluster")
        return
    site = f"http://127.0.0.1:{state['nginx']['port']}/"
    print(f"site (nginx)        {site}")
    print(f"PostgreSQL primary  127.0.0.1:{state['pg']['primary']}  replica "
          f"127.0.0.1:{state['pg']['replica']}")  # fmt: skip
    print(f"Redis               127.0.0.1:{state['redis']['port']}")
    print(f"NATS JetStream      127.0.0.1:{state['nats']['port']}")
    print(f"JT/T 808 gateway    127.0.0.1:{state['jt808']['port']}  (metrics "
          f"http://127.0.0.1:{state['jt808']['metrics']}/metrics)")  # fmt: skip
    print(f"metrics             {site}metrics  (Authorization: Bearer {state['metrics_token']})")
    for name, proc in state["procs"].items():
        print(f"{name:<19} pid {proc['pid']:<8} {'running' if alive(proc['pid']) else 'DOWN'}")
    try:
        with urllib.request.urlopen(f"{site}readyz", timeout=5) as answer:  # noqa: S310
            print("readyz             ", answer.read().decode()[:400])
    except OSError as exc:
        print("readyz              unreachable:", exc)


def stop_proc(proc: dict[str, Any], sig: int = signal.SIGTERM) -> None:
    try:
        os.killpg(proc["pid"], sig)
    except ProcessLookupError:
        return
    except PermissionError:
        os.kill(proc["pid"], sig)


def restart(args: argparse.Namespace) -> None:
    state = load_state()
    kind, _dash, number = args.name.rpartition("-")
    starters = {"app": start_app, "worker": start_worker, "scheduler": start_scheduler,
                "gateway": start_gateway, "consumer": start_consumer}  # fmt: skip
    if args.name in state["procs"]:
        stop_proc(state["procs"][args.name])
        time.sleep(1)
    if args.name == "redis":
        start_redis(state)
    elif args.name == "nats":
        start_nats(state)
    elif kind in starters:
        starters[kind](state, int(number))
    else:
        raise SystemExit(f"cannot restart {args.name!r}")
    save_state(state)


def down(args: argparse.Namespace) -> None:
    state = load_state()
    for name, proc in state.get("procs", {}).items():
        if name == "nginx":
            nginx = proc["args"][0]
            stop = [nginx, "-c", proc["args"][2], "-p", str(HOME / "nginx"), "-s", "stop"]
            subprocess.run(stop, check=False, capture_output=True)  # noqa: S603
        else:
            stop_proc(proc)
    for role, folder in state.get("pg", {}).get("dirs", {}).items():
        port = state["pg"][role]
        cluster = PgCluster(data=Path(folder), port=port)
        if cluster.running():
            cluster.stop("fast")
    if state:
        state["procs"] = {}
        save_state(state)
    print("cluster stopped")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    start = sub.add_parser("up")
    start.add_argument("--apps", type=int, default=2)
    start.add_argument("--port", type=int, default=0, help="nginx port (default: a free one)")
    start.add_argument("--no-demo", dest="demo", action="store_false")
    start.set_defaults(run=up_or_clean)
    sub.add_parser("status").set_defaults(run=status)
    sub.add_parser("down").set_defaults(run=down)
    again = sub.add_parser("restart")
    again.add_argument("name")
    again.set_defaults(run=restart)
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
