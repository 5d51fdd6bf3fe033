"""Fuzz the REST API from its own OpenAPI schema with every schemathesis check but one: no 5xx,
every status code, header and body documented, bad input refused.

Authenticated as an operator's staff (sees its own cases) and as the command centre's
dispatcher (sees every case), over the real WSGI application; ``photos`` parts are real
JPEG/PNG/WebP images (``fuzz_hooks``). Bounded (``max_examples``) so it runs in the suite; a
longer run: ``SCHEMATHESIS_EXAMPLES=200``.

Left out: ``positive_data_acceptance`` (any schema-valid request answers 2xx). The schema now
says what the API accepts where a schema can (the live catalogue's service codes, images, clean
text; ``cityops/api/schema.py``), but here it is loaded when the module is collected, before the
test database exists, so its ``category`` has no enum; and some acceptance stays data-dependent
(a webhook host's DNS answer, ``date_to`` before ``date_from``). A live run checks it:
``SCHEMATHESIS_HOOKS=cityops.api.tests.fuzz_hooks schemathesis run … --checks all``.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis")
from django.core.wsgi import get_wsgi_application  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import positive_data_acceptance  # noqa: E402

from cityops.api.tests import fuzz_hooks  # noqa: E402, F401  (registers the image strategies)

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
