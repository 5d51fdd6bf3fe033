"""Error answers that no view wrote: unknown routes, oversized or malformed requests, the
database being unreachable. Each API answers in its own format (REST JSON, Open311 error
documents), every other URL with an HTML page.

Django sends every such error through the ``handler400/403/404/500`` of ``config/urls.py``,
which are the functions below: the one place every path goes through. The formats are data:
``CITYOPS_ERROR_FORMATS`` maps a URL prefix to ``render(request, status, code, message)`` of the
app that owns the prefix. A lost database (``OperationalError``/``InterfaceError``, whatever
raised it: a view, a middleware, a serializer) is a 503 with ``Retry-After`` rather than a 500,
so clients and load balancers retry instead of reporting a bug. A full disk or quota under the
media folders (``ENOSPC``/``EDQUOT`` while an upload is written, whichever storage wrote it) is a
507 "storage_full": the upload was refused, the transaction that stored it rolled back.
"""

from __future__ import annotations

import errno
import sys
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.views import defaults

ErrorRenderer = Callable[[HttpRequest, int, str, str], HttpResponse]
TOO_LARGE = (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)
DATABASE_DOWN = (OperationalError, InterfaceError)
DISK_FULL = frozenset({errno.ENOSPC, errno.EDQUOT})


def renderer_for(request: HttpRequest) -> ErrorRenderer | None:
    for prefix, dotted in settings.CITYOPS_ERROR_FORMATS:
        if request.path.startswith(prefix):
            renderer: ErrorRenderer = import_string(dotted)
            return renderer
    return None


def is_database_outage(exc: BaseException | None) -> bool:
    return isinstance(exc, DATABASE_DOWN)


def is_storage_full(exc: BaseException | None) -> bool:
    """The disk (or quota) a file was being written to is full, seen through re-raises."""
    seen = 0
    while exc is not None and seen < 8:
        if isinstance(exc, OSError) and exc.errno in DISK_FULL:
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def storage_full(request: HttpRequest) -> HttpResponse:
    """507 Insufficient Storage (RFC 4918 §11.5) in the format of the URL's API, else a page."""
    message = _("The file store is full: the upload was not saved. Please try again later.")
    renderer = renderer_for(request)
    if renderer is not None:
        return renderer(request, 507, "storage_full", message)
    html = render_to_string(
        "core/unavailable.html", {"message": message, "title": _("Upload refused")}
    )
    return HttpResponse(html, status=507)


def unavailable(request: HttpRequest) -> HttpResponse:
    """503 + Retry-After in the format of the URL's API (an HTML page elsewhere)."""
    message = _("The service is temporarily unavailable; please try again shortly.")
    renderer = renderer_for(request)
    if renderer is not None:
        response = renderer(request, 503, "unavailable", message)
    else:
        html = render_to_string("core/unavailable.html", {"message": message})
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(settings.CITYOPS_OUTAGE_RETRY_AFTER)
    return response


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    renderer = renderer_for(request)
    if renderer is None:
        return defaults.bad_request(request, exception)
    if isinstance(exception, TOO_LARGE):
        return renderer(request, 413, "too_large", _("The request is too large."))
    return renderer(request, 400, "bad_request", _("The request could not be read."))


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    renderer = renderer_for(request)
    if renderer is None:
        return defaults.permission_denied(request, exception)
    return renderer(request, 403, "forbidden", _("You may not do this."))


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    renderer = renderer_for(request)
    if renderer is None:
        return defaults.page_not_found(request, exception)
    return renderer(request, 404, "not_found", _("Not found."))


def server_error(request: HttpRequest) -> HttpResponse:
    # Django calls this inside its ``except`` block: the exception is still the current one.
    if is_database_outage(sys.exc_info()[1]):
        return unavailable(request)
    if is_storage_full(sys.exc_info()[1]):
        return storage_full(request)
    renderer = renderer_for(request)
    if renderer is None:
        return defaults.server_error(request)
    return renderer(request, 500, "server_error", _("An unexpected error occurred."))
