"""OpenAPI post-processing: what every REST operation shares, written once.

Every operation documents the error answers it can give (``Error``: ``{"detail", "code",
"field"}``): 400 bad input, 401 no credentials, 403 role, 404 out of scope / unknown route /
negative or malformed id, 409 lost race or wrong state, 413 body too large, 415 content type,
429 throttled and
503 database unavailable (both with ``Retry-After``); actions add 412 (stale ``If-Match``).
Query strings are strict: an empty value is refused (``minLength: 1``; ``ApiView`` answers 400),
coordinates and ``bbox`` carry their ranges and format. Bodies: ``category`` is an enum of the
live catalogue's service codes, ``photos`` parts are JPEG/PNG/WebP (multipart ``encoding``);
the list filter's ``category`` is a pattern of well-formed ids/codes. Registered in
``SPECTACULAR_SETTINGS``.
"""

from __future__ import annotations

from typing import Any

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "field": {"type": "string"},
    },
    "additionalProperties": True,
}
ERROR_REF = {"$ref": "#/components/schemas/Error"}
RETRY_AFTER = {"Retry-After": {"schema": {"type": "integer"}, "description": "seconds"}}
ERRORS: dict[str, str] = {
    "400": "The request is invalid (the body or `field` names what to fix).",
    "401": "No or unknown credentials.",
    "403": "The account's role may not do this.",
    "404": "Not found, or out of the account's scope (also malformed or negative ids).",
    "409": "Someone acted first or the record is in another state.",
    "413": "The request body is too large.",
    "415": "The body's content type is not accepted, or it cannot be read as that type.",
    "429": "Too many requests: wait `Retry-After` seconds.",
    "503": "The database is unavailable: retry after `Retry-After` seconds.",
}
PRECONDITION = "The case changed since its ETag was read (If-Match)."
LON = r"-?(180(\.0+)?|(1[0-7][0-9]|[0-9]?[0-9])(\.[0-9]+)?)"
LAT = r"-?(90(\.0+)?|[0-8]?[0-9](\.[0-9]+)?)"
BBOX_PATTERN = f"^{LON},{LAT},{LON},{LAT}$"
RANGES = {"lon": (-180, 180), "lat": (-90, 90)}


def _list_pattern(values: list[str]) -> str:
    one = "|".join(sorted(values))
    return f"^({one})(,({one}))*$"


def _list_parameters() -> dict[tuple[str, str], list[str]]:
    """Comma-separated enum lists (operation id, parameter) → their allowed values."""
    from cityops.cases.models import Status

    return {("cases_list", "status"): list(Status.values)}


def _service_codes() -> list[str]:
    """The live catalogue's active minor categories, as the service codes a case is filed
    under (``api.views.cases.category_from`` accepts exactly these, and their ids)."""
    from django.db import DatabaseError

    from cityops.cases.models import Category

    rows = Category.objects.filter(active=True, parent__isnull=False).values_list("kind", "code")
    try:
        return sorted(f"{kind}-{code}" for kind, code in rows)
    except (DatabaseError, RuntimeError):
        # Generated without a database (``spectacular --file`` at build time, a test module
        # loading the schema at collection, where pytest-django refuses database access with a
        # RuntimeError): ``category`` stays a documented string.
        return []


def _document_bodies(components: dict[str, Any], operations: list[dict[str, Any]]) -> None:
    """Request bodies say what the API accepts: ``category`` is one of the live catalogue's
    service codes (the schema is generated per request), ``photos`` parts are images."""
    from cityops.core.images import CONTENT_TYPES
    from cityops.core.text import BODY_TEXT_PATTERN, LINE_TEXT_PATTERN

    for name, component in components.items():
        if name.endswith("Request"):
            for field in component.get("properties", {}).values():
                _clean_text(field, BODY_TEXT_PATTERN)
    codes = _service_codes()
    for name, blank in (("CaseCreateRequest", False), ("ActionRequest", True)):
        field = components.get(name, {}).get("properties", {}).get("category")
        if field is not None and codes:
            for keyword in ("minLength", "maxLength"):
                field.pop(keyword, None)
            field["enum"] = [*codes, ""] if blank else codes
    url = components.get("WebhookInRequest", {}).get("properties", {}).get("url")
    if url is not None:
        url.update(pattern=LINE_TEXT_PATTERN.replace("^", "^https://", 1), format="uri")
        url["description"] = (
            "an https:// URL whose host resolves only to public addresses (the SSRF guard"
            " refuses private, loopback, link-local and reserved ones, checked again at every"
            " delivery)."
        )
    images = ", ".join(sorted(CONTENT_TYPES.values()))
    for operation in operations:
        content = operation.get("requestBody", {}).get("content", {})
        multipart = content.get("multipart/form-data")
        ref = str((multipart or {}).get("schema", {}).get("$ref", ""))
        body = components.get(ref.rsplit("/", 1)[-1], {})
        if multipart is not None and "photos" in body.get("properties", {}):
            multipart["encoding"] = {"photos": {"contentType": images}}


def _error(description: str, *, retry: bool = False) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": description,
        "content": {"application/json": {"schema": ERROR_REF}},
    }
    if retry:
        response["headers"] = RETRY_AFTER
    return response


def _clean_text(schema: dict[str, Any], pattern: str) -> None:
    """A free-text string refuses control characters (``cityops.core.text``, the edge's rule)."""
    if schema.get("type") == "string" and not {"enum", "pattern", "format"} & schema.keys():
        schema["pattern"] = pattern


def _strict_parameter(parameter: dict[str, Any], operation_id: str) -> None:
    from cityops.core.text import LINE_TEXT_PATTERN

    schema = parameter.setdefault("schema", {})
    name = parameter.get("name")
    if parameter.get("in") == "path":
        _clean_text(schema, LINE_TEXT_PATTERN)
    if parameter.get("in") != "query":
        return
    if (values := _list_parameters().get((operation_id, str(name)))) is not None:
        schema.update(pattern=_list_pattern(values))
    elif (operation_id, name) == ("cases_list", "category"):
        from cityops.cases.query import CATEGORY_LIST

        schema.update(pattern=CATEGORY_LIST)
    elif name == "bbox":
        schema.update(pattern=BBOX_PATTERN)
        parameter["description"] = (
            "min_lon,min_lat,max_lon,max_lat: four decimal degrees separated by commas"
            " (no spaces; longitudes -180..180, latitudes -90..90), two opposite corners of"
            " the box, e.g. 122.20,43.58,122.32,43.66."
        )
    elif name in RANGES:
        low, high = RANGES[name]
        schema.update(minimum=low, maximum=high)
        parameter["description"] = f"decimal degrees, {low} to {high} (in coord_sys)"
    if schema.get("type") == "string" and "enum" not in schema:
        schema.setdefault("minLength", 1)
    _clean_text(schema, LINE_TEXT_PATTERN)


def add_error_responses(result: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = ERROR_SCHEMA
    api_operations: list[dict[str, Any]] = []
    for path, operations in result.get("paths", {}).items():
        if not path.startswith("/api/"):
            continue
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for parameter in operation.get("parameters", []):
                _strict_parameter(parameter, str(operation.get("operationId", "")))
            api_operations.append(operation)
            responses = operation["responses"]
            for status, description in ERRORS.items():
                responses.setdefault(status, _error(description, retry=status in ("429", "503")))
            if "/actions/" in path and method == "post":
                responses.setdefault("412", _error(PRECONDITION))
    _document_bodies(components, api_operations)
    return result
