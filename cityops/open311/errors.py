"""Errors no Open311 view wrote (unknown route, unreadable request, database outage) as the
spec's error document, through the views' own error helper. Registered for ``/open311/`` in
``CITYOPS_ERROR_FORMATS`` (cityops.core.httperrors)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from cityops.open311.views import Open311Error, _error_response


def render_error(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
    # The format is the URL's extension, as for every Open311 answer; XML by default (spec).
    fmt = "json" if request.path.lower().endswith(".json") else "xml"
    return _error_response(fmt, Open311Error(status, message))
