"""A multi-process HTTP load driver, used by bench/api_gunicorn.py when wrk is not installed.

Closed loop like wrk: each worker process keeps one keep-alive connection and sends the next
request as soon as the answer arrives, for a fixed duration. Latencies are gathered in the
parent and summarised the way wrk does (requests/s, p50, p99, non-2xx count).
"""

from __future__ import annotations

import http.client
import multiprocessing
import time
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Load:
    url: str
    method: str = "GET"
    body: bytes = b""
    content_type: str = ""


@dataclass(frozen=True)
class Result:
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int


Batch = tuple[list[float], int]


def _worker(load: Load, duration: float, queue: multiprocessing.Queue[Batch]) -> None:
    parts = urlsplit(load.url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port or 80, timeout=60)
    headers = {"Content-Type": load.content_type} if load.content_type else {}
    latencies: list[float] = []
    errors = 0
    stop = time.perf_counter() + duration
    while (start := time.perf_counter()) < stop:
        try:
            conn.request(load.method, target, body=load.body or None, headers=headers)
            response = conn.getresponse()
            response.read()
            if not 200 <= response.status < 300:
                errors += 1
        except (OSError, http.client.HTTPException):
            errors += 1
            conn.close()
            conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port or 80)
            continue
        latencies.append(time.perf_counter() - start)
    queue.put((latencies, errors))


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(q * (len(sorted_values) - 1))))
    return sorted_values[index]


def drive(load: Load, *, connections: int, duration: float) -> Result:
    queue: multiprocessing.Queue[Batch] = multiprocessing.Queue()
    workers = [
        multiprocessing.Process(target=_worker, args=(load, duration, queue))
        for _ in range(connections)
    ]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    latencies: list[float] = []
    errors = 0
    for _ in workers:
        got, failed = queue.get()
        latencies.extend(got)
        errors += failed
    for worker in workers:
        worker.join()
    elapsed = max(duration, time.perf_counter() - started - 0.0)
    latencies.sort()
    return Result(
        requests_per_s=len(latencies) / elapsed,
        p50_ms=percentile(latencies, 0.50) * 1e3,
        p99_ms=percentile(latencies, 0.99) * 1e3,
        requests=len(latencies),
        errors=errors,
    )
