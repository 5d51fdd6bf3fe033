"""GeoReport v2 endpoints. Thin adapters: parse → selector/service → render.

Every answer is XML or JSON by the URL suffix; every error is the spec's ``errors`` document
with the matching HTTP status (404 unknown resource or jurisdiction, 403 api_key, 405 method,
413 body over the limit, 429 over the rate limit with Retry-After, 400 else), in the format of
the URL's suffix (XML when it has none). Errors found before a view runs (a forbidden character
in the path, query or form, a body too large: ``cityops.core.edge``) answer through
``edge_error``, and a path no endpoint matches through ``not_found``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from cityops.cases.models import Case
from cityops.core.clientip import client_ip
from cityops.core.errors import DomainError
from cityops.open311 import codec, listing, selectors
from cityops.open311.intake import request_queue
from cityops.open311.keys import key_check
from cityops.open311.models import ApiKey, IntakeStatus
from cityops.open311.ratelimit import rate_limit_hit
from cityops.open311.services import Contact, open311_request_submit, retry_key

WINDOW = dt.timedelta(days=90)
SPEC_URL = "http://wiki.open311.org/GeoReport_v2"
# Fields of case_report → the Open311 parameter a client must fix.
FIELD_NAMES = {
    "lon": "lat/long",
    "lat": "lat/long",
    "category": "service_code",
    "reporter_phone": "phone",
    "reporter_name": "first_name",
    "photos": "media",
    "description": "description",
    "coord_sys": "lat/long",
    "address": "address_string",
}
MAX_MEDIA = 6  # uploaded photos per request, each bounded by CITYOPS_MAX_IMAGE_BYTES
# Longest accepted value of a POST parameter stored as sent: longer is a 400, never cut.
MAX_LENGTHS = {
    "email": 254,
    "device_id": 100,
    "account_id": 100,
    "media_url": 500,
    "address_id": 100,
    "Idempotency-Key": 100,
}
_SUFFIX = re.compile(r"\.([A-Za-z0-9]+)$")
KEY_ATTRIBUTE = "_cityops_open311_key"  # the caller's ApiKey (or None), set by open311_view
_ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")


class Open311Error(Exception):
    def __init__(self, status: int, *errors: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(errors[0] if errors else "")
        self.status = status
        self.errors = errors
        self.headers = headers or {}


def respond(fmt: str, root: str, value: Any, status: int = 200) -> HttpResponse:
    body, content_type = codec.render(fmt, root, value)
    return HttpResponse(body, content_type=content_type, status=status)


def _error_response(fmt: str, exc: Open311Error) -> HttpResponse:
    doc = codec.errors_document([(exc.status, e) for e in exc.errors])
    response = respond(fmt if fmt in codec.FORMATS else "xml", "errors", doc, exc.status)
    for name, value in exc.headers.items():
        response[name] = value
    return response


def _format_of(path: str) -> str:
    match = _SUFFIX.search(path)
    return match.group(1).lower() if match else "xml"


def edge_error(request: HttpRequest, status: int, message: str) -> HttpResponse:
    """An error found at the edge (``cityops.core.edge``), as the spec's error document."""
    return _error_response(_format_of(request.path_info), Open311Error(status, message))


def body_limit(request: HttpRequest) -> int:
    """The largest POST body: the REST API's form limit, plus the photos of a multipart one."""
    limit = int(settings.CITYOPS_API_MAX_BODY_BYTES)
    if request.content_type == "multipart/form-data":
        limit += int(settings.CITYOPS_MAX_IMAGE_BYTES) * MAX_MEDIA
    return limit


def not_found(request: HttpRequest, path: str = "") -> HttpResponse:
    """Any path under /open311/v2/ that names no resource (without a suffix, say)."""
    message = _("Unknown resource: see discovery.xml for the endpoints.")
    return _error_response(_format_of(request.path_info), Open311Error(404, message))


def allow(*methods: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """``require_http_methods``, answering 405 as the spec's error document (with Allow)."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, fmt: str, **kwargs: Any) -> HttpResponse:
            if request.method not in methods:
                error = Open311Error(
                    405,
                    _("This resource does not accept %(method)s.") % {"method": request.method},
                    headers={"Allow": ", ".join(methods)},
                )
                return _error_response(fmt, error)
            return view(request, *args, fmt=fmt, **kwargs)

        return wrapped

    return decorate


def open311_view(
    view: Callable[..., HttpResponse],
) -> Callable[..., HttpResponse]:
    """Format check, jurisdiction check and spec error documents for every endpoint."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, fmt: str, **kwargs: Any) -> HttpResponse:
        try:
            params = request.POST if request.method == "POST" else request.GET
            limited = _rate_limited(request, params, fmt)
            if limited is not None:
                return limited
            if fmt not in codec.FORMATS:
                raise Open311Error(400, _("Unknown format: use .xml or .json."))
            jurisdiction = param(params, "jurisdiction_id") or param(request.GET, "jurisdiction_id")
            if jurisdiction and jurisdiction != settings.OPEN311_JURISDICTION_ID:
                raise Open311Error(404, _("Unknown jurisdiction_id: %(j)s.") % {"j": jurisdiction})
            return view(request, *args, fmt=fmt, **kwargs)
        except Open311Error as exc:
            return _error_response(fmt, exc)
        except DomainError as exc:
            field = FIELD_NAMES.get(exc.field or "", f"attribute[{exc.field}]" if exc.field else "")
            if not field and (exc.code.startswith("image") or exc.code == "not_image"):
                field = "media"
            message = f"{field}: {exc.message}" if field else str(exc.message)
            status = exc.status_code if exc.status_code in (400, 403, 404) else 400
            return _error_response(fmt, Open311Error(status, message))

    return wrapped


def _rate_limited(request: HttpRequest, params: QueryDict, fmt: str) -> HttpResponse | None:
    """The 429 answer when the caller is over its limit (per key, else per IP; ratelimit.py).

    The key looked up here is kept on the request so that the POST does not look it up again.
    """
    key = key_check(
        param(params, "api_key") or param(request.GET, "api_key"),
        max_age=float(settings.OPEN311_POST_CHECK_MAX_AGE),
    )
    setattr(request, KEY_ATTRIBUTE, key)
    wait = rate_limit_hit(
        method=request.method or "GET",
        key_id=key.pk if key is not None else None,
        ip=client_ip(request),
    )
    if wait is None:
        return None
    error = Open311Error(429, _("Too many requests: try again in %(n)d seconds.") % {"n": wait})
    response = _error_response(fmt, error)
    response["Retry-After"] = str(wait)
    return response


def param(params: QueryDict, name: str) -> str:
    """The parameter's value; sent empty is the same as not sent (spec)."""
    return (params.get(name) or "").strip()


def bounded(params: QueryDict, name: str) -> str:
    """``param``, refused with a 400 when longer than its column (``MAX_LENGTHS``)."""
    value = param(params, name)
    most = MAX_LENGTHS.get(name)
    if most is not None and len(value) > most:
        raise Open311Error(
            400, _("%(name)s: at most %(n)d characters.") % {"name": name, "n": most}
        )
    return value


def _email(params: QueryDict) -> str:
    value = bounded(params, "email")
    if value:
        try:
            validate_email(value)
        except ValidationError:
            raise Open311Error(400, _("email: not a valid e-mail address.")) from None
    return value


def parse_w3c(value: str, name: str) -> dt.datetime | None:
    if not value:
        return None
    try:
        parsed = parse_datetime(value.replace(" ", "+"))  # "+" arrives as a space if unescaped
    except ValueError:
        parsed = None
    if parsed is None or timezone.is_naive(parsed):
        raise Open311Error(
            400, _("%(name)s must be a W3C date-time with a time zone.") % {"name": name}
        )
    return parsed


def _int(params: QueryDict, name: str, default: int, maximum: int) -> int:
    raw = param(params, name)
    if not raw:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= maximum:
        raise Open311Error(
            400,
            _("%(name)s must be a whole number from 1 to %(max)d.")
            % {"name": name, "max": maximum},
        )
    return int(raw)


def _absolute(request: HttpRequest) -> Callable[[str], str]:
    return request.build_absolute_uri


def _csv(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split(",") if v.strip())


# --- Discovery and services ------------------------------------------------------------------


@allow("GET", "HEAD")
@open311_view
def discovery(request: HttpRequest, *, fmt: str) -> HttpResponse:
    changeset = timezone.localtime(selectors.catalogue_changeset())
    base = request.build_absolute_uri("/open311/v2/").rstrip("/")
    doc = {
        "changeset": changeset,
        "contact": settings.OPEN311_CONTACT,
        "key_service": settings.OPEN311_KEY_SERVICE,
        "endpoints": [
            {
                "specification": SPEC_URL,
                "url": base,
                "changeset": changeset,
                "type": "production" if not settings.DEBUG else "test",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return respond(fmt, "discovery", doc)


@allow("GET", "HEAD")
@open311_view
def services(request: HttpRequest, *, fmt: str) -> HttpResponse:
    return respond(fmt, "services", selectors.services_list())


@allow("GET", "HEAD")
@open311_view
def service_definition(request: HttpRequest, code: str, *, fmt: str) -> HttpResponse:
    category = selectors.category_for_code(code)
    if category is None:
        raise Open311Error(404, _("Unknown service_code: %(c)s.") % {"c": code})
    return respond(fmt, "service_definition", selectors.service_definition(category))


# --- Requests --------------------------------------------------------------------------------


@csrf_exempt
@allow("GET", "HEAD", "POST")
@open311_view
def requests(request: HttpRequest, *, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _post_request(request, fmt)
    params = request.GET
    extensions = param(params, "extensions").lower() == "true"
    ids = _csv(param(params, "service_request_id"))
    query = listing.RequestQuery(ids=ids, extensions=extensions)
    if not ids:
        query = _filters(params, extensions)
    rows = listing.requests_query(query, absolute=_absolute(request))
    return respond(fmt, "service_requests", rows)


def _filters(params: QueryDict, extensions: bool) -> listing.RequestQuery:
    statuses = tuple(s.lower() for s in _csv(param(params, "status")))
    if any(s not in ("open", "closed") for s in statuses):
        raise Open311Error(400, _("status must be open, closed or both (comma-separated)."))
    start = parse_w3c(param(params, "start_date"), "start_date")
    end = parse_w3c(param(params, "end_date"), "end_date")
    if start is None and end is None:
        end = timezone.now()
    if start is None:
        assert end is not None
        start = end - WINDOW
    elif end is None:
        end = start + WINDOW
    if end < start:
        raise Open311Error(400, _("end_date must not be before start_date."))
    if end - start > WINDOW:
        raise Open311Error(400, _("The date range may not exceed 90 days."))
    return listing.RequestQuery(
        service_codes=_csv(param(params, "service_code")),
        statuses=statuses,
        start=start,
        end=end,
        updated_after=parse_w3c(param(params, "updated_after"), "updated_after"),
        updated_before=parse_w3c(param(params, "updated_before"), "updated_before"),
        page=_int(params, "page", 1, 100_000),
        page_size=_int(params, "page_size", listing.MAX_RESULTS, listing.MAX_RESULTS),
        extensions=extensions,
    )


@allow("GET", "HEAD")
@open311_view
def request_detail(request: HttpRequest, number: str, *, fmt: str) -> HttpResponse:
    extensions = param(request.GET, "extensions").lower() == "true"
    absolute = _absolute(request)
    fields = listing.request_by_number(number, absolute=absolute, extensions=extensions)
    if fields is None and (record := listing.received_request(number)) is not None:
        # Its own POST's number: a minimal record until the case is public.
        if record.status in (IntakeStatus.REJECTED, IntakeStatus.FAILED):
            raise Open311Error(
                404, _("The request was not filed: %(reason)s") % {"reason": record.error}
            )
        fields = listing.received_fields(record, absolute=absolute, extensions=extensions)
    if fields is None:
        raise Open311Error(404, _("Unknown service_request_id: %(n)s.") % {"n": number})
    return respond(fmt, "service_requests", [fields])


@allow("GET", "HEAD")
@open311_view
def token_detail(request: HttpRequest, token: str, *, fmt: str) -> HttpResponse:
    record = listing.request_by_token(token)
    if record is None:
        raise Open311Error(404, _("Unknown token: %(t)s.") % {"t": token})
    if record.status in (IntakeStatus.REJECTED, IntakeStatus.FAILED):
        raise Open311Error(
            404, _("The request was not filed: %(reason)s") % {"reason": record.error}
        )
    # The number the POST reserved (a request from before numbers were reserved: its case's).
    number = record.number or (record.case.number if record.case is not None else "")
    row: dict[str, Any] = {"token": token}
    if number:
        row = {"service_request_id": number, "token": token}
    return respond(fmt, "service_requests", [row])


def _attributes(params: QueryDict) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for name in params:
        match = _ATTRIBUTE.match(name)
        if match is None:
            continue
        values = [v for v in params.getlist(name) if v.strip()]
        if not values:
            continue  # sent empty = not sent
        code = match.group(1)
        answers[code] = values if match.group(2) else values[-1]
    return answers


def _location(params: QueryDict) -> tuple[selectors.Place, str]:
    lat, lon = param(params, "lat"), param(params, "long")
    address = param(params, "address_string")
    if lat or lon:
        if not (lat and lon):
            raise Open311Error(400, _("lat and long must be sent together."))
        try:
            return selectors.Place(float(lon), float(lat)), address
        except ValueError:
            raise Open311Error(400, _("lat and long must be numbers.")) from None
    address_id = bounded(params, "address_id")
    if not (address or address_id):
        raise Open311Error(
            400, _("A location is required: lat and long, address_string or address_id.")
        )
    place = selectors.place_for_address(address_string=address, address_id=address_id)
    if place is None:
        field = "address_id" if address_id and not address else "address_string"
        raise Open311Error(
            400, _("%(f)s: the address could not be located; send lat and long.") % {"f": field}
        )
    return place, address


def _post_request(request: HttpRequest, fmt: str) -> HttpResponse:
    params = request.POST
    api_key: ApiKey | None = getattr(request, KEY_ATTRIBUTE, None)
    if api_key is None:
        raise Open311Error(403, _("Invalid api_key received -- can't proceed with create_request."))
    # A multipart body may be larger (photos, see body_limit); its form fields may not.
    size = sum(len(k.encode()) + len(v.encode()) for k, vs in params.lists() for v in vs)
    if size > int(settings.CITYOPS_API_MAX_BODY_BYTES):
        limit = int(settings.CITYOPS_API_MAX_BODY_BYTES)
        raise Open311Error(413, _("The request body is larger than %(n)d bytes.") % {"n": limit})
    code = param(params, "service_code")
    if not code:
        raise Open311Error(400, _("service_code is required."))
    category = selectors.category_for_post(code)
    if category is None:
        raise Open311Error(404, _("Unknown service_code: %(c)s.") % {"c": code})
    place, address = _location(params)
    description = param(params, "description")
    if len(description) > 4000:
        raise Open311Error(400, _("description: at most 4,000 characters."))
    media_url = bounded(params, "media_url")
    if media_url and not re.match(r"^https?://\S+$", media_url):
        raise Open311Error(400, _("media_url must be an http(s) URL."))
    contact = Contact(
        first_name=param(params, "first_name"),
        last_name=param(params, "last_name"),
        phone=param(params, "phone"),
        email=_email(params),
        device_id=bounded(params, "device_id"),
        account_id=bounded(params, "account_id"),
    )
    answers = _attributes(params)
    key = (request.headers.get("Idempotency-Key") or "").strip()
    if len(key) > MAX_LENGTHS["Idempotency-Key"]:
        raise Open311Error(400, _("Idempotency-Key: at most 100 characters."))
    if not key and contact.device_id:
        content = {k: params.getlist(k) for k in params if k not in ("api_key", "jurisdiction_id")}
        key = retry_key(device_id=contact.device_id, fields=content)
    files = request.FILES.getlist("media")
    if len(files) > MAX_MEDIA:
        raise Open311Error(400, _("media: at most %(n)d photos.") % {"n": MAX_MEDIA})
    arguments: dict[str, Any] = {
        "api_key": api_key,
        "category": category,
        "lon": place.lon,
        "lat": place.lat,
        "address": address,
        "description": description or category.name,
        "answers": answers,
        "contact": contact,
        "media_url": media_url,
        "idempotency_key": key,
        "component": place.component,
    }
    # Uploaded photos are checked and stored with the case in the request (the queue keeps no
    # files); every other request goes through the intake queue (cityops/open311/intake.py).
    if files:
        record = open311_request_submit(**arguments, media=files)
    else:
        record = request_queue(**arguments)
    # The case number is reserved at once (the drain files the case under it): answered as
    # the service_request_id, with the token for clients that follow tokens/{token}. Until
    # the command centre has verified the report, GET requests/{id} is a minimal record.
    case: Case | None = record.case
    number = record.number or (case.number if case is not None else "")
    row: dict[str, Any] = {"service_request_id": number} if number else {}
    row["token"] = record.token
    public = case is not None and not listing.is_pending(case)
    row["service_notice"] = "" if public else str(listing.PENDING_NOTICE)
    if contact.account_id:
        row["account_id"] = contact.account_id
    return respond(fmt, "service_requests", [row])
