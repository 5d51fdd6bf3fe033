"""OpenAPI post-processing: what every REST operation shares, written once.

Every operation documents the error answers it can give (``Error``: ``{"detail", "code",
"field"}``): 400 bad input, 401 no credentials, 403 role, 404 out of scope / unknown route /
negative or malformed id, 409 lost race or wrong state, 413 body too large, 415 content type,
429 throttled and
503 database unavailable (both with ``Retry-After``); actions add 412 (stale ``If-Match``).
Query strings are strict: an empty value is refused (``minLength: 1``; ``ApiView`` answers 400),
coordinates and ``bbox`` carry their ranges and format, ids are 64-bit integers (a negative or
unused one matches nothing: 404 or an empty list). Bodies: ``category`` is an enum of the live
catalogue's service codes, each with the answers its questions take (``oneOf``); ``photos``
parts are JPEG/PNG/WebP (multipart ``encoding``, JSON bodies have no ``photos``); property
names other than the fields are refused (``additionalProperties: false``). Each workflow action
is its own operation (``/actions/accept/`` …) whose body requires what the action's guards
require (a reason, a note, photos, …), so a schema-valid action is refused only for the case's
state (409), the actor's role (403) or scope (404). The webhook ``url`` has the
``public-https-url`` format. The goal, checked by ``scripts/schemathesis_live.sh``: a
schema-valid request is never refused with a 400. Registered in ``SPECTACULAR_SETTINGS``.
"""

from __future__ import annotations

import copy
import json
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
DATE_RANGE = {
    "date_from": "first local day, inclusive (YYYY-MM-DD)",
    "date_to": "last local day, inclusive (YYYY-MM-DD); not before date_from (else 400,"
    " field date_to)",
}
# Free text a guard requires: at least one character that is not white space (``str.strip``),
# none a body may not hold (``cityops.core.text``).
_BODY_CHAR = r"[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufffe\uffff]"
_VISIBLE_CHAR = r"[^\s\u0000-\u001f\u007f-\u009f\ufffe\uffff]"
REQUIRED_TEXT_PATTERN = f"^{_BODY_CHAR}*{_VISIBLE_CHAR}{_BODY_CHAR}*$"
# The same for a query parameter: line text (the edge refuses tabs and line breaks there too).
_LINE_CHAR = r"[^\u0000-\u001f\u007f-\u009f\ufffe\uffff]"
REQUIRED_LINE_PATTERN = f"^{_LINE_CHAR}*{_VISIBLE_CHAR}{_LINE_CHAR}*$"
PUBLIC_HTTPS_URL = "public-https-url"
# A reporter's phone as intake checks it (``cases.services.intake._PHONE``, after trimming).
_SPACE = r"[\t\n\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
PHONE_PATTERN = rf"^{_SPACE}*(\+?[0-9 \t\n\r()-]{{7,20}})?{_SPACE}*$"


def _list_pattern(values: list[str]) -> str:
    one = "|".join(sorted(values))
    return f"^({one})(,({one}))*$"


def _list_parameters() -> dict[tuple[str, str], list[str]]:
    """Comma-separated enum lists (operation id, parameter) → their allowed values."""
    from cityops.cases.models import Status

    return {("cases_list", "status"): list(Status.values)}


def _catalogue() -> list[tuple[str, list[Any]]]:
    """The live catalogue's active minor categories as (service code, question specs): what
    ``api.views.cases.category_from`` and ``clean_answers`` accept."""
    from django.db import DatabaseError

    from cityops.cases.models import Category
    from cityops.cases.services.intake import question_specs

    rows = Category.objects.filter(active=True, parent__isnull=False).prefetch_related("questions")
    try:
        return sorted((f"{cat.kind}-{cat.code}", question_specs(cat)) for cat in rows)
    except (DatabaseError, RuntimeError):
        # Generated without a database (``spectacular --file`` at build time, a test module
        # loading the schema at collection, where pytest-django refuses database access with a
        # RuntimeError): ``category`` stays a documented string.
        return []


def _answer_schema(spec: Any) -> dict[str, Any]:
    """One answer as ``cases.questions._clean_one`` accepts it."""
    from cityops.cases.models.catalogue import QuestionKind
    from cityops.cases.questions import MAX_STRING, MAX_TEXT
    from cityops.core.text import BODY_TEXT_PATTERN

    kind = spec.kind
    if kind in (QuestionKind.STRING, QuestionKind.TEXT):
        limit = MAX_STRING if kind == QuestionKind.STRING else MAX_TEXT
        pattern = REQUIRED_TEXT_PATTERN if spec.required else BODY_TEXT_PATTERN
        return {"type": "string", "maxLength": limit, "pattern": pattern}
    if kind == QuestionKind.NUMBER:
        return {"type": "number"}
    if kind == QuestionKind.DATETIME:
        return {"type": "string", "format": "date-time"}
    if kind == QuestionKind.SINGLE_CHOICE:
        return {"type": "string", "enum": list(spec.choices)}
    items = {"type": "string", "enum": list(spec.choices)}
    return {"type": "array", "items": items, "minItems": 1 if spec.required else 0}


def _answers_schema(specs: list[Any]) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {spec.code: _answer_schema(spec) for spec in specs},
        "additionalProperties": False,
    }
    if required := [spec.code for spec in specs if spec.required]:
        schema["required"] = required
    return schema


def _document_categories(components: dict[str, Any]) -> None:
    """``category`` is one of the live catalogue's service codes (the schema is generated per
    request); a report's ``answers`` are those its category's questions take (one ``oneOf``
    branch per set of categories with the same questions). A multipart report carries no
    answers, so it offers the categories without a required question."""
    catalogue = _catalogue()
    if not catalogue:
        return
    codes = [code for code, _specs in catalogue]
    for name, component in components.items():
        field = component.get("properties", {}).get("category")
        if field is None or not name.endswith("Request") or name == "WebhookInRequest":
            continue
        for keyword in ("minLength", "maxLength", "pattern"):
            field.pop(keyword, None)
        blank = "category" not in component.get("required", [])
        field["enum"] = [*codes, ""] if blank and name.startswith("Action") else codes
    create = components.get("CaseCreateRequest")
    if create is not None:
        branches: dict[str, tuple[list[str], dict[str, Any]]] = {}
        for code, specs in catalogue:
            answers = _answers_schema(specs)
            key = json.dumps(answers, sort_keys=True)
            branches.setdefault(key, ([], answers))[0].append(code)
        create["oneOf"] = [
            {
                "properties": {"category": {"enum": group}, "answers": answers},
                **({"required": ["answers"]} if answers.get("required") else {}),
            }
            for group, answers in branches.values()
        ]
    upload = components.get("CaseCreateUploadRequest", {}).get("properties", {})
    if "category" in upload:
        upload["category"]["enum"] = [
            code for code, specs in catalogue if not any(spec.required for spec in specs)
        ]


def _document_bodies(components: dict[str, Any], operations: list[dict[str, Any]]) -> None:
    """Request bodies say what the API accepts: the live catalogue (``_document_categories``),
    clean text and property names, a webhook URL's shape, ``photos`` parts that are images."""
    from cityops.core.images import CONTENT_TYPES
    from cityops.core.text import BODY_TEXT_PATTERN

    for name, component in components.items():
        if name.endswith("Request"):
            _closed(component)
            for field in component.get("properties", {}).values():
                if field.get("type") == "string" and field.get("minLength", 0) >= 1:
                    # DRF trims a non-blank field before it judges it blank
                    _clean_text(field, REQUIRED_TEXT_PATTERN)
                _clean_text(field, BODY_TEXT_PATTERN)
                if field.get("type") == "integer":
                    _id_range(field)
    _document_categories(components)
    for name in ("CaseCreateRequest", "CaseCreateUploadRequest"):
        phone = components.get(name, {}).get("properties", {}).get("reporter_phone")
        if phone is not None:
            phone["pattern"] = PHONE_PATTERN
    url = components.get("WebhookInRequest", {}).get("properties", {}).get("url")
    if url is not None:
        url.pop("pattern", None)  # the format says it; a pattern cannot say "resolves"
        url.update(format=PUBLIC_HTTPS_URL)
        url["description"] = (
            "https://host[:port][/path][?query], the host a DNS name, an IPv4 address or an"
            " [IPv6] address that resolves only to public (global) addresses. Refused with 400:"
            " another scheme, a host that does not resolve (code webhook_unresolved), or one"
            " with a private, loopback, link-local or reserved address (webhook_refused); the"
            " check is made again before every delivery."
        )
    images = ", ".join(sorted(CONTENT_TYPES.values()))
    for operation in operations:
        content = operation.get("requestBody", {}).get("content", {})
        multipart = content.get("multipart/form-data")
        ref = str((multipart or {}).get("schema", {}).get("$ref", ""))
        body = components.get(ref.rsplit("/", 1)[-1], {})
        if multipart is not None and "photos" in body.get("properties", {}):
            multipart["encoding"] = {"photos": {"contentType": images}}


def _closed(schema: dict[str, Any]) -> None:
    """A body names only its fields (``api.serializers.StrictSerializer`` refuses others)."""
    schema["additionalProperties"] = False


def _id_range(schema: dict[str, Any]) -> None:
    """An id is a 64-bit integer (``BigAutoField``); what the filters accept (``cases.query``)."""
    from cityops.cases.query import ID_MAX, ID_MIN

    schema.setdefault("format", "int64")
    schema.setdefault("minimum", ID_MIN)
    schema.setdefault("maximum", ID_MAX)


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
    if schema.get("type") == "integer":
        _id_range(schema)
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
    elif name in DATE_RANGE:
        parameter["description"] = DATE_RANGE[name]
    if schema.get("type") == "string" and "enum" not in schema:
        schema.setdefault("minLength", 1)
    _clean_text(schema, LINE_TEXT_PATTERN)


ACTION_PATH = "/api/v1/cases/{number}/actions/{action}/"
_REQUIRED_TEXT = {"type": "string", "maxLength": 2000, "pattern": REQUIRED_TEXT_PATTERN}
# What each guard of the case workflow (``cases.services.guards``) needs from the request; the
# guards that judge the case's or the catalogue's state answer 409 and need nothing here.
GUARD_INPUT: dict[str, dict[str, Any]] = {
    "reason": {"reason": _REQUIRED_TEXT},
    "note": {"note": _REQUIRED_TEXT},
    "filing_condition": {"condition_met": {"type": "boolean", "enum": [True]}},
    "new_deadline": {"new_deadline": {"type": "string", "format": "date-time"}},
    "merge_target": {"into": {**_REQUIRED_TEXT, "maxLength": 20}},
    "category": {"category": {"type": "string"}},
}
PHOTO_GUARDS = {"after_photos", "check_photos"}


def _camel(action: str) -> str:
    return "".join(part.title() for part in action.split("_"))


def _split_actions(paths: dict[str, Any], components: dict[str, Any]) -> None:
    """One operation per workflow action, its body requiring what the action's guards require
    (``GUARD_INPUT``; photos make it multipart only): the route ``actions/<action>/`` is one
    view, but what a schema-valid request is differs per action."""
    from cityops.cases.transitions import RULES

    template = paths.pop(ACTION_PATH, None)
    if template is None or "post" not in template:
        return
    bases = {
        "application/json": components.pop("ActionRequest", {}),
        "multipart/form-data": components.pop("ActionUploadRequest", {}),
    }
    for rule in RULES:
        operations = copy.deepcopy(template)
        post = operations["post"]
        post["operationId"] = f"cases_action_{rule.action}"
        post["parameters"] = [p for p in post.get("parameters", []) if p.get("name") != "action"]
        fields: dict[str, Any] = {}
        for guard in rule.guards:
            fields.update(copy.deepcopy(GUARD_INPUT.get(guard, {})))
        content = post["requestBody"]["content"]
        for media, base in bases.items():
            if media not in content:
                continue
            if media == "application/json" and PHOTO_GUARDS & set(rule.guards):
                del content[media]  # photos travel only as multipart file parts
                continue
            body = copy.deepcopy(base)
            required = list(fields)
            for field, schema in fields.items():
                body.setdefault("properties", {}).setdefault(field, {})
                body["properties"][field] = {**body["properties"][field], **schema}
                body["properties"][field].pop("default", None)
                body["properties"][field].pop("nullable", None)
            if PHOTO_GUARDS & set(rule.guards) and "photos" in body.get("properties", {}):
                body["properties"]["photos"]["minItems"] = 1
                required.append("photos")
            if required:
                body["required"] = required
            if required:
                post["requestBody"]["required"] = True
            upload = "Upload" if media.startswith("multipart/") else ""
            name = f"Action{_camel(rule.action)}{upload}Request"
            components[name] = body
            content[media]["schema"] = {"$ref": f"#/components/schemas/{name}"}
        paths[ACTION_PATH.replace("{action}", rule.action)] = operations


def add_error_responses(result: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = ERROR_SCHEMA
    _split_actions(result.get("paths", {}), components)
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
