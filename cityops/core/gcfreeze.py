"""Keep the process's long-lived objects out of the garbage collector's full passes.

A web process holds some 200,000 objects for its whole life (modules, the URL patterns,
compiled templates, model and form metadata). Python's oldest-generation collection walks all
of them every few requests — about 100 ms here, one request in five or ten paying it: the
p95 of every page. After a process's first response (URLs resolved, the common templates
compiled) those objects are moved to a permanent generation (``gc.freeze()``, as the Python
documentation recommends for long-running servers); later garbage is collected as before, and
reference counting still frees everything no cycle holds.
"""

from __future__ import annotations

import gc
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class FreezeAfterFirstResponse:
    """Middleware: ``gc.freeze()`` once per process, after its first response."""

    frozen = False

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not FreezeAfterFirstResponse.frozen:
            FreezeAfterFirstResponse.frozen = True
            gc.collect()  # what is garbage now is not frozen with the rest
            gc.freeze()
        return response
