"""Domain errors raised by services; views and APIs turn them into 400/403/404/409 answers."""

from __future__ import annotations

from django.http import Http404
from django.utils.functional import Promise


class DomainError(Exception):
    """A rule of the domain refused the operation. ``message`` is translatable user text."""

    status_code = 400
    code = "invalid"

    def __init__(
        self, message: str | Promise, *, code: str | None = None, field: str | None = None
    ) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field
        if code is not None:
            self.code = code


class PermissionDenied(DomainError):
    """The actor may see the record but not do this with it."""

    status_code = 403
    code = "forbidden"


class NotFound(DomainError, Http404):
    """The record does not exist *for this actor* (never reveals records out of scope).

    Also an ``Http404``: a view that lets it through answers Django's 404 (in each channel's
    format, ``core.httperrors``) without an ``except NotFound: raise Http404`` of its own.
    """

    status_code = 404
    code = "not_found"


class Conflict(DomainError):
    """Someone else changed the record first (compare-and-swap lost), or the record's current
    state refuses a well-formed request (already urgent, not the earlier case)."""

    status_code = 409
    code = "conflict"
