"""Fixtures of the Open311 tests: the demo catalogue, a category with all six datatypes, a key."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from PIL import Image

from cityops.cases.catalogue_demo import CATALOGUE
from cityops.cases.models import Case, Category, Question
from cityops.cases.services.catalogue import catalogue_load
from cityops.open311.keys import key_create
from cityops.open311.models import Open311Request

WEST = (122.255, 43.615)  # operator A's lot


def jpeg_with_exif() -> bytes:
    image = Image.new("RGB", (64, 48), "red")
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    buf = io.BytesIO()
    image.save(buf, "JPEG", exif=exif)
    return buf.getvalue()


@pytest.fixture
def catalogue(small_city: Any) -> dict[str, Category]:
    catalogue_load(data=CATALOGUE)
    garbage = Category.objects.get(kind="event", code="0102")
    survey = Category.objects.create(
        kind="event", code="0199", name="六种问题", parent=garbage.parent, service_type="sanitation"
    )
    kinds = [
        ("s", "string", False, []),
        ("n", "number", True, []),
        ("d", "datetime", False, []),
        ("t", "text", False, []),
        (
            "one",
            "single_choice",
            True,
            [{"code": "a", "label": "甲"}, {"code": "b", "label": "乙"}],
        ),
        (
            "many",
            "multiple_choice",
            False,
            [{"code": "x", "label": "X"}, {"code": "y", "label": "Y"}],
        ),
    ]
    for order, (code, kind, required, choices) in enumerate(kinds):
        Question.objects.create(
            category=survey, code=code, label=f"问题 {code}", kind=kind, required=required,
            choices=choices, order=order,
        )  # fmt: skip
    return {"garbage": garbage, "survey": survey}


def filed_case(token: str) -> Case:
    """The case the intake queue filed for the request with this token (tests run tasks at
    once, so a POST has been drained before it answers)."""
    record = Open311Request.objects.select_related("case").get(token=token)
    assert record.status == "filed", (record.status, record.error)
    assert record.case is not None
    return record.case


@pytest.fixture
def api_key(db: None) -> str:
    return key_create(name="test app")[1]


@pytest.fixture
def admit(personas: Any) -> Any:
    """Verify and accept (核实, 受理) the report behind a POST's token; its case number."""
    from cityops.cases.services import case_transition

    def run(token: str) -> str:
        case = filed_case(token)
        case_transition(case_id=case.pk, action="confirm_report", actor=personas.inspector)
        case_transition(case_id=case.pk, action="accept", actor=personas.intake_clerk)
        return case.number

    return run


@pytest.fixture
def post(client: Client, api_key: str, catalogue: dict[str, Category]) -> Any:
    def send(fmt: str = "json", **data: Any) -> Any:
        values: dict[str, Any] = {
            "api_key": api_key,
            "service_code": "event-0102",
            "lat": WEST[1],
            "long": WEST[0],
            "description": "路边暴露垃圾一堆",
        }
        values.update(data)
        values = {k: v for k, v in values.items() if v is not None}
        return client.post(f"/open311/v2/requests.{fmt}", values)

    return send


@pytest.fixture(autouse=True)
def _fresh_rate_counters() -> None:
    """Rate-limit counters live in the cache (per key, per IP): one test's calls must not
    count against the next test's."""
    from django.core.cache import cache

    cache.clear()
