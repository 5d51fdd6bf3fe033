"""The database is unreachable: every API answers 503 + Retry-After in its own format, the
site an HTML 503, /healthz JSON naming the failing part. The outage is real: the request's
connection points at a database that cannot be reached (no code of ours is mocked)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connections
from django.test import Client


@pytest.fixture
def database_down(settings: Any) -> Iterator[None]:
    """Swap this thread's default connection for one to a database nobody serves."""
    working = connections["default"]
    broken_settings = dict(working.settings_dict)
    if working.vendor == "sqlite":
        broken_settings["NAME"] = "/nonexistent/cityops/down.sqlite3"
    else:
        broken_settings.update(HOST="127.0.0.1", PORT="9")  # discard port: refused
    broken_settings["TEST"] = dict(working.settings_dict.get("TEST") or {})
    broken = type(working)(broken_settings, alias="default")
    connections["default"] = broken
    try:
        yield
    finally:
        broken.close()
        connections["default"] = working


@pytest.fixture
def client() -> Client:
    return Client(raise_request_exception=False)


@pytest.mark.django_db
def test_rest_api_answers_503_json(database_down: None, client: Client, settings: Any) -> None:
    response = client.get("/api/v1/cases/", HTTP_AUTHORIZATION="Token abc.def")
    assert response.status_code == 503
    assert response["Retry-After"] == str(settings.CITYOPS_OUTAGE_RETRY_AFTER)
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "unavailable"


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_open311_answers_503_error_document(database_down: None, client: Client, fmt: str) -> None:
    response = client.get(f"/open311/v2/requests/2026000001.{fmt}")
    assert response.status_code == 503
    assert response["Retry-After"]
    body = response.content.decode()
    if fmt == "json":
        assert json.loads(body)[0]["code"] == 503
    else:
        assert response["Content-Type"].startswith("text/xml") or "xml" in response["Content-Type"]
        assert "<code>503</code>" in body


@pytest.mark.django_db
def test_site_answers_503_page(database_down: None, client: Client) -> None:
    client.cookies["sessionid"] = "a-session-to-look-up"
    response = client.get("/console/")
    assert response.status_code == 503
    assert response["Retry-After"]
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.django_db
def test_healthz_names_the_database(database_down: None, client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response["Retry-After"]
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"]["ok"] is False


@pytest.mark.django_db
def test_unknown_api_route_and_bad_id_answer_json_404(client: Client) -> None:
    for url in (
        "/api/v1/nothing-here/",
        "/api/v1/webhooks/deliveries/null%2Cnull/redeliver/",
        "/api/v1/webhooks/deliveries/-1/redeliver/",
    ):
        response = client.post(url)
        assert response.status_code == 404, url
        assert response.json()["code"] == "not_found"


@pytest.mark.django_db
def test_oversized_multipart_field_answers_json_413(
    client: Client, settings: Any, personas: Any
) -> None:
    from cityops.api.tokens import api_token_create

    token = api_token_create(name="big", user=personas.dispatcher)[1]
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000  # stands for the 25 MB default
    response = client.post(
        "/api/v1/cases/X-1/actions/dispatch/",
        {"note": "x" * 2000},
        HTTP_AUTHORIZATION=f"Token {token}",
    )
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
