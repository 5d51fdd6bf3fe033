"""The edge every request passes: bad input is refused before any view or query sees it.

``EdgeInputMiddleware`` refuses, with a 400 in the channel's own format,

- a path or query string holding a character ``cityops.core.text`` forbids in a line (NUL
  answered 500 on PostgreSQL, which cannot compare text with NUL),
- a form field (name or value) holding a character forbidden in body text (tab and line
  breaks are kept), so that no form-fed channel (pages, Open311 POST) ever stores it or puts
  it in a queue;

and answers 413 when a body exceeds the channel's limit (checked from Content-Length before
the body is read) or Django's own, 400 when Django refuses the form (too many fields).

A channel is a path prefix with its error format, registered by the app that owns it
(``channel_register`` in ``AppConfig.ready``): ``/api/`` answers JSON, ``/open311/`` the
GeoReport error document. Every other path is a page and answers a short HTML page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.html import escape
from django.utils.translation import gettext as _

from cityops.core.text import describe, forbidden_in

ErrorRenderer = Callable[[HttpRequest, int, str], HttpResponse]
BodyLimit = Callable[[HttpRequest], int | None]
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


@dataclass(frozen=True)
class Channel:
    prefix: str
    render: ErrorRenderer
    max_body: BodyLimit | None = None


_CHANNELS: dict[str, Channel] = {}


def channel_register(
    *, prefix: str, render: ErrorRenderer, max_body: BodyLimit | None = None
) -> None:
    """How errors at the edge answer under ``prefix`` (and its body limit, if any)."""
    _CHANNELS[prefix] = Channel(prefix, render, max_body)


def channel_for(path: str) -> Channel:
    best: Channel | None = None
    for channel in _CHANNELS.values():
        if path.startswith(channel.prefix) and (
            best is None or len(channel.prefix) > len(best.prefix)
        ):
            best = channel
    return best or Channel("/", page_error)


def page_error(request: HttpRequest, status: int, message: str) -> HttpResponse:
    title = _("The request could not be processed")
    body = (
        f'<!doctype html><html lang="zh-hans"><head><meta charset="utf-8"><title>{escape(title)}'
        f"</title></head><body><h1>{escape(title)}</h1><p>{escape(message)}</p></body></html>"
    )
    return HttpResponse(body, status=status, content_type="text/html; charset=utf-8")


def _refused(where: str, char: str) -> str:
    return _("%(where)s contains a character that is not allowed (%(char)s).") % {
        "where": where,
        "char": describe(char),
    }


def input_problem(request: HttpRequest) -> tuple[int, str] | None:
    """The status and message refusing this request's path, query or form, or None."""
    if (char := forbidden_in(request.path_info, multiline=False)) is not None:
        return 400, _refused(_("The URL path"), char)
    try:
        return _query_problem(request) or _form_problem(request)
    except RequestDataTooBig:
        return 413, _("The request body is too large.")
    except (SuspiciousOperation, MultiPartParserError):
        return 400, _("The form could not be read.")


def _fields_problem(fields: list[tuple[str, list[str]]], *, multiline: bool) -> str | None:
    for name, values in fields:
        if (char := forbidden_in(name, multiline=False)) is not None:
            return _refused(_("A parameter name"), char)
        for value in values:
            if (char := forbidden_in(value, multiline=multiline)) is not None:
                return _refused(_("The parameter %(name)s") % {"name": name}, char)
    return None


def _query_problem(request: HttpRequest) -> tuple[int, str] | None:
    message = _fields_problem(list(request.GET.lists()), multiline=False)
    return (400, message) if message else None


def _form_problem(request: HttpRequest) -> tuple[int, str] | None:
    if request.method != "POST" or request.content_type not in _FORMS:
        return None  # Django parses forms of POST only; JSON: cityops.api.parsers
    limit = channel_for(request.path_info).max_body
    most = limit(request) if limit is not None else None
    length = request.META.get("CONTENT_LENGTH") or "0"
    if most is not None and length.isdigit() and int(length) > most:
        return 413, _("The request body is larger than %(n)d bytes.") % {"n": most}
    message = _fields_problem(list(request.POST.lists()), multiline=True)
    if message is None:
        names = [upload.name or "" for _n, uploads in request.FILES.lists() for upload in uploads]
        message = _fields_problem([("filename", names)], multiline=False)
    return (400, message) if message else None


class EdgeInputMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        problem = input_problem(request)
        if problem is not None:
            status, message = problem
            return channel_for(request.path_info).render(request, status, message)
        return self.get_response(request)
