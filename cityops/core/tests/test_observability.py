"""What an operations team watches: /livez, /readyz, /metrics (token-guarded), request ids in the
response and in every log line, JSON log lines."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django_tasks_db.models import DBTaskResult

from cityops.cases.models import Case, Light
from cityops.core.requestid import JsonFormatter, RequestIdFilter
from cityops.core.tasks import run_scheduled_job

pytestmark = pytest.mark.django_db


def test_livez_and_readyz(client: Client, settings: Any) -> None:
    assert client.get("/livez").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    body = ready.json()
    assert body["checks"]["database"] == {"ok": True}
    assert body["checks"]["task_queue"]["ok"] is True
    assert "replica" not in body["checks"]  # none configured
    assert "cache" not in body["checks"]  # local memory: nothing to ping
    # A task waiting longer than allowed makes it "degraded", still 200 (the site serves).
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    run_scheduled_job.enqueue("nothing")
    DBTaskResult.objects.update(enqueued_at="2020-01-01T00:00:00Z")
    settings.CITYOPS_READY_MAX_QUEUE_AGE = 60
    late = client.get("/readyz").json()
    assert late["status"] == "degraded"
    assert late["checks"]["task_queue"]["ok"] is False
    assert late["checks"]["task_queue"]["oldest_seconds"] > 60


def test_metrics_need_the_token(client: Client, settings: Any) -> None:
    settings.CITYOPS_METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404
    settings.CITYOPS_METRICS_TOKEN = "s3cret-token-for-prometheus"
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404


def test_metrics_count_requests_and_read_gauges(
    client: Client, settings: Any, report: Callable[..., Case]
) -> None:
    settings.CITYOPS_METRICS_TOKEN = "s3cret-token-for-prometheus"
    auth = {"Authorization": "Bearer s3cret-token-for-prometheus"}
    Case.objects.filter(pk=report().pk).update(light=Light.RED)

    def scrape() -> str:
        response = client.get("/metrics", headers=auth)
        assert response.status_code == 200
        return response.content.decode()

    def value(text: str, prefix: str) -> float:
        lines = [line for line in text.splitlines() if line.startswith(prefix)]
        return float(lines[0].rsplit(" ", 1)[1]) if lines else 0.0

    served = 'cityops_http_requests_total{method="GET",status="200",view="livez"}'
    before = value(scrape(), served)
    client.get("/livez")
    client.get("/livez")
    text = scrape()
    assert value(text, served) == before + 2
    assert value(text, 'cityops_open_cases{light="red"}') == 1
    assert value(text, 'cityops_open_cases{light="green"}') == 0
    assert 'cityops_open311_intake{what="queued"}' in text
    assert value(text, "cityops_metric_errors") == 0


def test_request_id_from_nginx_or_made_here(client: Client) -> None:
    given = client.get("/livez", HTTP_X_REQUEST_ID="0123456789abcdef0123456789abcdef")
    assert given["X-Request-ID"] == "0123456789abcdef0123456789abcdef"
    made = client.get("/livez", HTTP_X_REQUEST_ID="bad id\nwith a newline")
    assert len(made["X-Request-ID"]) == 32
    assert made["X-Request-ID"] != client.get("/livez")["X-Request-ID"]


def test_log_lines_carry_the_request_id_as_json(client: Client, settings: Any) -> None:
    seen: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(self.format(record))

    handler = Keep()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        client.get("/no-such-page/", HTTP_X_REQUEST_ID="req-12345678")  # logs "Not Found"
    finally:
        logger.removeHandler(handler)
    line = json.loads(seen[-1])
    assert line["request_id"] == "req-12345678"
    assert line["level"] == "WARNING"
    assert "Not Found" in line["message"]
