"""Fuzz the REST API from its own OpenAPI schema with every schemathesis check: no 5xx, every
status code, header and body documented, bad input refused, and schema-valid input accepted
(``positive_data_acceptance``: refused only for the server's state, 403/404/409/412).

Authenticated as an operator's staff (sees its own cases) and as the command centre's
dispatcher (sees every case), over the real WSGI application. The schema is generated inside
the test, from the test database, as a client gets it: ``category`` is an enum of the live
catalogue's service codes with the answers each takes (``cityops/api/schema.py``). (Loading it
when the module is collected, before the test database exists, gave a schema without them;
schemathesis's lazy ``from_fixture`` loader does not work under pytest 9, hence one hypothesis
test per operation, run here.) ``photos`` parts are real images and webhook URLs name public
addresses (``fuzz_hooks``); the expected statuses come from ``schemathesis.toml``. Bounded
(``max_examples``) so it runs in the suite; a longer run: ``SCHEMATHESIS_EXAMPLES=200``, and the
live run against a served demo: ``scripts/schemathesis_live.sh``.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from pathlib import Path
from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis")
from django.core.wsgi import get_wsgi_application  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from schemathesis.config import SchemathesisConfig  # noqa: E402

from cityops.api.tests import fuzz_hooks  # noqa: E402, F401  (registers the strategies)

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "5"))
CONFIG = Path(__file__).resolve().parents[3] / "schemathesis.toml"


@pytest.fixture
def no_internet(monkeypatch: pytest.MonkeyPatch) -> None:
    """Webhooks the fuzzer registers name public addresses: a delivery (tasks run at once in
    tests) must fail fast instead of reaching out (the network is the outside boundary)."""
    real = socket.create_connection

    def connect(address: Any, *args: Any, **kwargs: Any) -> socket.socket:
        if not ipaddress.ip_address(str(address[0]).strip("[]")).is_loopback:
            raise OSError("no internet in tests")
        return real(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", connect)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("persona", ["operator_a", "dispatcher"])
def test_api_fuzz(
    persona: str, personas: Any, catalogue: Any, dispatched: Any, no_internet: None
) -> None:
    from cityops.api.tokens import api_token_create

    dispatched()
    token = api_token_create(name="fuzz", user=getattr(personas, persona))[1]
    schema = schemathesis.openapi.from_wsgi(
        "/api/schema/?format=json",
        get_wsgi_application(),
        config=SchemathesisConfig.from_path(CONFIG),
    )
    operations = [
        result.ok() for result in schema.include(path_regex="^/api/v1/").get_all_operations()
    ]
    assert len(operations) > 30  # one per workflow action among them
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        )
        def fuzz(case: Any) -> None:
            case.call_and_validate(headers={"Authorization": f"Token {token}"})

        fuzz()
