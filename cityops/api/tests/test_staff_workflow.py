"""REST side of the staff workflow (issue 15): 督办 (urge) as an action, its webhook event, and
the reply a unit publishes with its handling."""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from cityops.api.models import WebhookDelivery
from cityops.api.tests.conftest import Receiver
from cityops.api.webhooks import webhook_endpoint_register
from cityops.cases.models import Case, CaseEvent
from cityops.cases.testing import jpeg

pytestmark = pytest.mark.django_db
Api = Callable[..., APIClient]


@pytest.fixture(autouse=True)
def _loopback_allowed(settings: Any) -> None:
    settings.CITYOPS_WEBHOOK_ALLOW_HTTP_LOOPBACK = True


def test_urge_over_rest(api: Api, personas: Any, dispatched: Callable[..., Case]) -> None:
    case = dispatched()
    url = f"/api/v1/cases/{case.number}/actions/urge/"
    missing = api(personas.supervisor).post(url, {}, format="json")
    assert missing.status_code == 400
    assert missing.json()["field"] == "reason"
    assert api(personas.dispatcher).post(url, {"reason": "快"}, format="json").status_code == 403
    assert api(personas.operator_b).post(url, {"reason": "快"}, format="json").status_code == 404
    done = api(personas.shift_lead).post(url, {"reason": "市民再次来电"}, format="json")
    assert done.status_code == 200
    assert done.json()["urge_count"] == 1
    seen = api(personas.operator_a).get(f"/api/v1/cases/{case.number}/").json()
    assert seen["urge_count"] == 1
    assert seen["events"][-1]["action"] == "urge"


def test_schema_lists_urge_with_a_required_reason(api: Api, personas: Any) -> None:
    schema = api(personas.dispatcher).get("/api/schema/?format=json").json()
    assert "/api/v1/cases/{number}/actions/urge/" in schema["paths"]
    components = schema["components"]["schemas"]
    assert components["ActionUrgeRequest"]["required"] == ["reason"]
    handle = components["ActionHandleUploadRequest"]["properties"]
    assert handle["publish_reply"]["type"] == "boolean"
    assert "public_reply" in handle
    case = components["CaseDetail"]["properties"]
    assert {"urge_count", "verify_by", "verify_light"} <= set(case)


def test_handle_publishes_a_reply_over_rest(
    api: Api, personas: Any, dispatched: Callable[..., Case]
) -> None:
    case = dispatched()
    photo = io.BytesIO(jpeg("green"))
    photo.name = "after.jpg"
    response = api(personas.operator_a).post(
        f"/api/v1/cases/{case.number}/actions/handle/",
        {"note": "内部备注", "publish_reply": "true", "public_reply": "已处理", "photos": photo},
        format="multipart",
    )
    assert response.status_code == 200
    event = CaseEvent.objects.get(case=case, action="handle")
    assert (event.data["note"], event.data["public_reply"]) == ("内部备注", "已处理")


def test_urge_is_a_webhook_event_for_the_unit(
    receiver: tuple[Receiver, str], small_city: Any, personas: Any,
    dispatched: Callable[..., Case], django_capture_on_commit_callbacks: Any, api: Api,
) -> None:  # fmt: skip
    state, url = receiver
    webhook_endpoint_register(organisation=small_city.operator_a, url=url)
    case = dispatched()
    with django_capture_on_commit_callbacks(execute=True):
        response = api(personas.supervisor).post(
            f"/api/v1/cases/{case.number}/actions/urge/", {"reason": "督办"}, format="json"
        )
    assert response.status_code == 200
    for _ in range(100):  # the receiver thread answers asynchronously
        if any(h["x-cityops-event"] == "case.urged" for h, _b in state.received):
            break
        time.sleep(0.01)
    events = [h["x-cityops-event"] for h, _b in state.received]
    assert "case.urged" in events
    assert WebhookDelivery.objects.filter(event="case.urged").count() == 1
