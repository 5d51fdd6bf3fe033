"""Prometheus metrics at ``/metrics`` (a bearer token: ``CITYOPS_METRICS_TOKEN``; 404 without one).

Two kinds:
- counted by every app process as requests pass (requests by view, method and status; latency by
  view). Under gunicorn each worker process counts on its own; with ``PROMETHEUS_MULTIPROC_DIR``
  set (deploy/gunicorn.conf.py does) the scrape adds them up across processes;
- read from the database at scrape time (task queue depth and age here; each app registers its
  own with ``metric_gauge_register`` in ``AppConfig.ready``: the Open311 intake, open cases by
  light, …). A gauge whose query fails is left out of that scrape and counted in
  ``cityops_metric_errors``, so a scrape during a database outage still answers.
"""

from __future__ import annotations

import hmac
import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Case, Count, F, Min, When
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

log = logging.getLogger(__name__)

REQUESTS = Counter("cityops_http_requests", "HTTP requests answered", ["view", "method", "status"])
LATENCY = Histogram(
    "cityops_http_request_seconds", "Time to answer a request", ["view"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)  # fmt: skip

Samples = Iterable[tuple[dict[str, str], float]]


@dataclass(frozen=True)
class Gauge:
    name: str
    documentation: str
    labels: tuple[str, ...]
    collect: Callable[[], Samples]


_gauges: dict[str, Gauge] = {}


def metric_gauge_register(
    name: str, documentation: str, collect: Callable[[], Samples], labels: tuple[str, ...] = ()
) -> None:
    """A gauge computed at scrape time: ``collect`` yields (labels, value) pairs."""
    _gauges[name] = Gauge(name, documentation, labels, collect)


class ScrapeTimeGauges(Collector):
    def collect(self) -> Iterator[GaugeMetricFamily]:
        failed = 0
        for gauge in list(_gauges.values()):
            family = GaugeMetricFamily(gauge.name, gauge.documentation, labels=gauge.labels)
            try:
                for labels, value in gauge.collect():
                    family.add_metric([labels[name] for name in gauge.labels], value)
            except Exception:  # a failing query must not take the scrape down
                log.warning("metric %s failed", gauge.name, exc_info=True)
                failed += 1
                continue
            yield family
        yield GaugeMetricFamily(
            "cityops_metric_errors", "Scrape-time gauges that failed in this scrape", value=failed
        )


class _ThisProcess(Collector):
    def collect(self) -> Iterator[Metric]:
        yield from REGISTRY.collect()


def scrape() -> bytes:
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry.register(_ThisProcess())
    registry.register(ScrapeTimeGauges())
    return generate_latest(registry)


def metrics_view(request: HttpRequest) -> HttpResponse:
    token = settings.CITYOPS_METRICS_TOKEN
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not token or not hmac.compare_digest(given.encode(), token.encode()):
        raise Http404  # the endpoint is not there for whoever has no token
    return HttpResponse(scrape(), content_type=CONTENT_TYPE_LATEST)


class MetricsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        match = request.resolver_match
        view = match.view_name if match is not None else "unmatched"
        REQUESTS.labels(view, request.method or "", str(response.status_code)).inc()
        LATENCY.labels(view).observe(time.perf_counter() - started)
        return response


def task_queue_samples() -> Samples:
    """Tasks ready to run, per queue, and how long the oldest has waited (seconds)."""
    from django_tasks_db.models import DBTaskResult, get_date_max

    waiting_since = Case(
        When(run_after=get_date_max(), then=F("enqueued_at")), default=F("run_after")
    )
    now = timezone.now()
    rows = (
        DBTaskResult.objects.ready()
        .values("queue_name")
        .annotate(n=Count("id"), oldest=Min(waiting_since))
    )
    for row in rows:
        yield {"queue": row["queue_name"], "what": "depth"}, float(row["n"])
        age = (now - row["oldest"]).total_seconds() if row["oldest"] else 0.0
        yield {"queue": row["queue_name"], "what": "age_seconds"}, max(0.0, age)
