"""Every cases endpoint × every persona: scoped exactly like the UI (404 out of scope)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

Api = Callable[..., APIClient]
# Case in the west (street_west, community_west), dispatched to operator A.
DETAIL = {
    "admin": 200, "mayor": 200, "supervisor": 200, "intake_clerk": 200, "shift_lead": 200,
    "dispatcher": 200, "inspector": 200, "operator_a": 200, "operator_b": 404,
    "landscaper": 404, "property_staff": 404, "street_officer": 200,
    "community_officer": 404, "citizen": 404,
}  # fmt: skip
RETURN = {**{k: 403 for k, v in DETAIL.items() if v == 200}, "operator_a": 200,
          "admin": 200}  # fmt: skip
CREATE = {"inspector": 201, "citizen": 403, "operator_a": 403, "dispatcher": 403, "admin": 201}


@pytest.mark.parametrize("persona", [*DETAIL, None])
def test_detail_list_and_action(
    api: Api, personas: Any, dispatched: Any, persona: str | None
) -> None:
    case = dispatched()
    client = api(getattr(personas, persona) if persona else None)
    detail = client.get(f"/api/v1/cases/{case.number}/").status_code
    listed = client.get("/api/v1/cases/")
    action = client.post(
        f"/api/v1/cases/{case.number}/actions/request_return/", {"reason": "不归我们"}
    ).status_code
    if persona is None:
        assert detail in (401, 403)
        assert listed.status_code in (401, 403)
        assert action in (401, 403)
        return
    assert detail == DETAIL[persona]
    seen = [r["number"] for r in listed.json()["results"]]
    assert seen == ([case.number] if DETAIL[persona] == 200 else [])
    assert action == RETURN.get(persona, 404)


@pytest.mark.parametrize(("persona", "expected"), list(CREATE.items()))
def test_create_by_role(
    api: Api, personas: Any, catalogue: Any, persona: str, expected: int
) -> None:
    data = {"source": "inspector", "category": "event-0401", "lon": 122.255, "lat": 43.615,
            "description": "积水"}  # fmt: skip
    response = api(getattr(personas, persona)).post("/api/v1/cases/", data, format="json")
    assert response.status_code == expected, response.content


STAFF = {name: 200 for name in DETAIL} | {"citizen": 403}
# Registry reads and the responsibility lookup: every working role; residents are refused.
OTHER_ENDPOINTS = {
    "/api/v1/registry/areas/?level=street": STAFF,
    "/api/v1/registry/assets/?kind=road": STAFF,
    "/api/v1/registry/lots/": STAFF,
    "/api/v1/responsibility/?lon=122.255&lat=43.615": STAFF,
    # Webhooks belong to an operator's unit: only its staff see (their own) endpoints.
    "/api/v1/webhooks/": {name: 403 for name in DETAIL}
    | {"operator_a": 200, "operator_b": 200, "landscaper": 200, "property_staff": 200},
}


@pytest.mark.parametrize("url", list(OTHER_ENDPOINTS))
@pytest.mark.parametrize("persona", [*DETAIL, None])
def test_read_endpoints_by_persona(
    api: Api, personas: Any, catalogue: Any, url: str, persona: str | None
) -> None:
    client = api(getattr(personas, persona) if persona else None)
    status = client.get(url).status_code
    if persona is None:
        assert status in (401, 403)
    else:
        assert status == OTHER_ENDPOINTS[url][persona], (url, persona)


@pytest.mark.parametrize("persona", [*DETAIL, None])
def test_hotline_intake_is_for_intake_clerks(
    api: Api, personas: Any, catalogue: Any, persona: str | None
) -> None:
    client = api(getattr(personas, persona) if persona else None)
    status = client.post("/api/v1/hotline/orders/", {}, format="json").status_code
    if persona is None:
        assert status in (401, 403)
    elif persona in ("intake_clerk", "admin"):
        assert status == 400  # allowed in; the empty order is refused naming a field
    else:
        assert status == 403
