"""Shared test fixtures of the cases domain (a pytest plugin: the root conftest.py loads it).

The demo catalogue on the small city, JPEG bytes, and factories for cases in each workflow
state (reported → dispatched → handled → verified). A test folder changes what ``report``
passes by default by overriding ``report_defaults`` (the console tests attach a photo).
Photos written by the tests go to a temporary folder: conftests that store photos use the
``case_media_in_tmp`` fixture (autouse there).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from PIL import Image

from cityops.cases.catalogue_demo import CATALOGUE
from cityops.cases.models import Case, Category
from cityops.cases.services import case_report, case_transition
from cityops.cases.services.catalogue import catalogue_load
from cityops.cases.services.payloads import File, Handle, Verify

WEST = (122.255, 43.615)  # operator A's lot, west street, grid west_south
EAST = (122.265, 43.625)  # operator B's lot, east street, grid east_north


def jpeg(color: str = "red", size: tuple[int, int] = (64, 48)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "JPEG")
    return buf.getvalue()


@pytest.fixture
def case_media_in_tmp(settings: Any, tmp_path: Any) -> None:
    """Photos written by the tests go to a temporary folder, not var/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CITYOPS_PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def catalogue(small_city: Any) -> dict[str, Category]:
    catalogue_load(data=CATALOGUE)
    return {
        "garbage": Category.objects.get(kind="event", code="0102"),
        "cover": Category.objects.get(kind="component", code="0102"),
        "elevator": Category.objects.get(kind="property", code="0101"),
        "snow": Category.objects.get(kind="snow", code="0101"),
        "illegal_building": Category.objects.get(kind="event", code="0101"),
        "collapse": Category.objects.get(kind="event", code="0402"),
    }


@pytest.fixture
def report_defaults() -> dict[str, Any]:
    """Extra keyword arguments every ``report(...)`` passes unless the test overrides them."""
    return {}


@pytest.fixture
def report(
    catalogue: dict[str, Category], personas: Any, report_defaults: dict[str, Any]
) -> Callable[..., Case]:
    def make(point: tuple[float, float] = WEST, **kwargs: Any) -> Case:
        values: dict[str, Any] = {
            "source": "inspector",
            "category": catalogue["garbage"],
            "lon": point[0],
            "lat": point[1],
            "address": "西拉木伦大街100号",
            "description": "路边暴露垃圾一堆",
            "actor": personas.inspector,
            **report_defaults,
        }
        values.update(kwargs)
        return case_report(**values)

    return make


@pytest.fixture
def dispatched(report: Callable[..., Case], personas: Any) -> Callable[..., Case]:
    """A case (in the west by default), dispatched to operator A."""

    def make(**kwargs: Any) -> Case:
        case = report(**kwargs)
        case_transition(case_id=case.pk, action="accept", actor=personas.intake_clerk)
        case_transition(
            case_id=case.pk,
            action="file",
            actor=personas.shift_lead,
            payload=File(condition_met=True),
        )
        return case_transition(case_id=case.pk, action="dispatch", actor=personas.dispatcher)

    return make


@pytest.fixture
def handled(dispatched: Callable[..., Case], personas: Any) -> Callable[..., Case]:
    def make(**kwargs: Any) -> Case:
        case = dispatched(**kwargs)
        return case_transition(
            case_id=case.pk,
            action="handle",
            actor=personas.operator_a,
            payload=Handle(note="已清理", photos=[jpeg("green")]),
        )

    return make


@pytest.fixture
def verified(handled: Callable[..., Case], personas: Any) -> Callable[..., Case]:
    def make(**kwargs: Any) -> Case:
        case = handled(**kwargs)
        return case_transition(
            case_id=case.pk,
            action="verify",
            actor=personas.inspector,
            payload=Verify(photos=[jpeg("blue")]),
        )

    return make
