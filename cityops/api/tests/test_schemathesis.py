"""Fuzz the REST API from its own OpenAPI schema: no 5xx, every answer matches the schema.

Bounded (``max_examples``) so it runs in the suite; a longer run: ``SCHEMATHESIS_EXAMPLES=200``.
Authenticated as the dispatcher (sees every case) over the real WSGI application.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis")
from django.core.wsgi import get_wsgi_application  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import not_a_server_error, response_schema_conformance  # noqa: E402

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "8"))
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())


@pytest.fixture
def token(personas: Any, catalogue: Any, dispatched: Any) -> str:
    from cityops.api.tokens import api_token_create

    dispatched()
    return api_token_create(name="fuzz", user=personas.dispatcher)[1]


@pytest.mark.django_db(transaction=True)
@schema.include(path_regex="^/api/v1/").parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_fuzz(case: Any, token: str) -> None:
    case.call_and_validate(
        headers={"Authorization": f"Token {token}"},
        checks=[not_a_server_error, response_schema_conformance],
    )
