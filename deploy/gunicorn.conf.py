"""gunicorn settings of a CityOps app process (``gunicorn -c deploy/gunicorn.conf.py``).

Why gunicorn: the maintained, boring WSGI server that Debian/RPM distributions package; CityOps
is a synchronous Django application (no websockets), so the sync worker model with a few
threads per process fits and is what bench/api_gunicorn.py measures. Each systemd instance
(``cityops-web@8001``…) is one gunicorn master with its own workers, behind nginx.
"""

import os
from pathlib import Path

bind = os.environ.get("CITYOPS_BIND", "127.0.0.1:8001")
wsgi_app = "config.wsgi:application"
# 2 × cores + 1 over all the app processes of a machine (docs/capacity.md has the figures).
workers = int(os.environ.get("CITYOPS_WEB_WORKERS", "3"))
threads = int(os.environ.get("CITYOPS_WEB_THREADS", "2"))
timeout = int(os.environ.get("CITYOPS_WEB_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
max_requests = 5000  # recycle workers: bounds any slow leak
max_requests_jitter = 500
forwarded_allow_ips = os.environ.get("CITYOPS_TRUSTED_PROXIES", "127.0.0.1")
accesslog = None  # nginx writes the access log (with the request id)
errorlog = "-"
proc_name = "cityops-web"


def on_starting(server: object) -> None:
    # Prometheus multi-process mode: each worker writes its counters under this folder, which
    # must start empty when the master starts.
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        for stale in Path(folder).glob("*.db"):
            stale.unlink()


def child_exit(server: object, worker: object) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)  # type: ignore[attr-defined]
