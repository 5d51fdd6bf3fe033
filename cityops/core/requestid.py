"""One id per request, from nginx (``X-Request-ID``, ``proxy_set_header X-Request-ID
$request_id``) or made here, carried in every log line of the request and answered in the
response header, so one line of nginx's access log leads to the app's lines about it.

A task enqueued during a request carries the id to the worker (``cityops.core.tasks``: the
database backend stores it beside the task's arguments, the worker binds it while the task runs),
so the worker's lines about that task carry the same id; a task enqueued outside a request
(the scheduler) runs under ``task-<its id>``.

Logs are text for a developer or JSON lines for a collector (``CITYOPS_LOG_FORMAT=json``): time,
level, logger, message, request id and the exception, one object per line.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from django.core.signals import request_finished, request_started
from django.http import HttpRequest, HttpResponse

HEADER = "X-Request-ID"
_VALID = re.compile(r"^[A-Za-z0-9._-]{8,128}$")  # what nginx's $request_id and a UUID look like
_current: ContextVar[str] = ContextVar("cityops_request_id", default="-")


def request_id() -> str:
    """The current request's id ("-" outside a request)."""
    return _current.get()


def request_id_valid(value: str) -> bool:
    return bool(_VALID.match(value))


@contextmanager
def request_id_bound(value: str) -> Iterator[None]:
    """Run a block (a background task) under ``value`` as the request id ("-" when not valid)."""
    token = _current.set(value if _VALID.match(value) else "-")
    try:
        yield
    finally:
        _current.reset(token)


def _request_started(sender: Any, environ: dict[str, Any] | None = None, **kwargs: Any) -> None:
    # Set when the handler starts (before any middleware) and cleared when the response is
    # finished, so Django's own lines about the response ("Not Found: /x") carry the id too.
    given = str((environ or {}).get("HTTP_X_REQUEST_ID", ""))
    _current.set(given if _VALID.match(given) else uuid.uuid4().hex)


def _request_finished(sender: Any, **kwargs: Any) -> None:
    _current.set("-")


request_started.connect(_request_started, dispatch_uid="cityops.requestid.started")
request_finished.connect(_request_finished, dispatch_uid="cityops.requestid.finished")


class RequestIdMiddleware:
    """Answers the request's id in the response header (nginx logs it beside its own)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response[HEADER] = _current.get()
        return response


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _current.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)
