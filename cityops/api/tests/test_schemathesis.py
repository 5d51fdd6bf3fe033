"""Fuzz the REST API from its own OpenAPI schema with every schemathesis check: no 5xx, every
status code, header and body documented, bad input refused.

Bounded (``max_examples``) so it runs in the suite; a longer run: ``SCHEMATHESIS_EXAMPLES=200``.
Authenticated as an operator's staff (sees its own cases) and as the command centre's
dispatcher (sees every case), over the real WSGI application. One check is left out:
``positive_data_acceptance`` (any schema-valid request answers 2xx) cannot hold where validity
depends on data, not shape: a well-formed but unknown category code, an upload whose bytes are
not an image, a webhook URL the SSRF guard refuses; those answer a documented 400.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis")
from django.core.wsgi import get_wsgi_application  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import positive_data_acceptance  # noqa: E402

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "5"))
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())


@pytest.fixture(params=["operator_a", "dispatcher"])
def token(request: Any, personas: Any, catalogue: Any, dispatched: Any) -> str:
    from cityops.api.tokens import api_token_create

    dispatched()
    return api_token_create(name="fuzz", user=getattr(personas, request.param))[1]


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
        excluded_checks=[positive_data_acceptance],
    )
