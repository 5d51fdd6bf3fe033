"""What every REST endpoint shares: authentication, throttles, body limit, error answers.

Errors are ``{"detail": …, "code": …, "field": …}`` with the domain error's status (400 naming
the field, 403, 404 for records out of scope, 409 on a lost race). Never a 500 for bad input.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions, permissions
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import ErrorDetail
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cityops.api.authentication import TokenAuthentication
from cityops.api.throttling import ClientRateThrottle, IpRateThrottle
from cityops.core.errors import DomainError


class BodyTooLarge(exceptions.APIException):
    status_code = 413
    default_code = "too_large"


class PreconditionFailed(exceptions.APIException):
    status_code = 412
    default_code = "precondition_failed"


class ApiView(APIView):
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [permissions.IsAuthenticated]
    throttle_classes = [ClientRateThrottle, IpRateThrottle]
    # Uploads (multipart) are bounded by the image limit instead of the JSON limit.
    max_body_bytes: int | None = None

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        # An empty value is not "absent": a client that sends ?status= meant something (the
        # schema says minLength 1), so it learns of its mistake instead of getting everything.
        for name, values in request.query_params.lists():
            if any(not value.strip() for value in values):
                raise bad_request(name, _("must not be empty; leave the parameter out instead."))
        limit = self.max_body_bytes or settings.CITYOPS_API_MAX_BODY_BYTES
        length = request.META.get("CONTENT_LENGTH") or "0"
        if length.isdigit() and int(length) > limit:
            raise BodyTooLarge(_("The request body is larger than %(n)d bytes.") % {"n": limit})

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, DomainError):
            body: dict[str, Any] = {"detail": str(exc.message), "code": exc.code}
            if exc.field:
                body["field"] = exc.field
            return Response(body, status=exc.status_code)
        response = super().handle_exception(exc)
        # DRF's own errors (401, 403, 404, 405, 406, 412, 413, 415, 429) carry the same
        # {"detail", "code"} as ours; a serializer's per-field errors stay a field → messages map.
        detail = response.data.get("detail") if isinstance(response.data, dict) else None
        if isinstance(detail, ErrorDetail):
            response.data = {"detail": str(detail), "code": detail.code}
        return response


def render_error(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
    """The REST error body for errors no view wrote (cityops.core.httperrors, /api/)."""
    return JsonResponse({"detail": message, "code": code}, status=status)


def bad_request(field: str, message: str) -> DomainError:
    return DomainError(f"{field}: {message}", field=field, code="invalid")
