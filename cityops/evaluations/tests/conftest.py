"""Fixtures of the evaluation tests: demo schemes, and cases walked through the case services."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.utils import timezone
from PIL import Image

from cityops.cases.catalogue_demo import CATALOGUE
from cityops.cases.models import Case, Category
from cityops.cases.services import case_report, case_transition, payload_for
from cityops.cases.services.catalogue import catalogue_load
from cityops.cases.services.payloads import File, Handle
from cityops.evaluations.demo import load_demo_schemes

WEST = (122.255, 43.615)  # operator A's lot (contract HW-A)


def jpeg(color: str = "red") -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (32, 24), color).save(buf, "JPEG")
    return buf.getvalue()


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=timezone.get_current_timezone())


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def schemes(db: None) -> None:
    load_demo_schemes()


@pytest.fixture
def garbage(small_city: Any) -> Category:
    catalogue_load(data=CATALOGUE)
    return Category.objects.get(kind="event", code="0102")


@pytest.fixture
def walk(garbage: Category, personas: Any) -> Callable[..., Case]:
    """A case in operator A's lot, reported at ``when`` and walked as far as asked."""

    def make(
        when: dt.datetime,
        *,
        handle_after: dt.timedelta | None = None,
        rework: bool = False,
        close: bool = False,
        source: str = "inspector",
    ) -> Case:
        with time_machine.travel(when, tick=False):
            reporter = personas.intake_clerk if source == "hotline" else personas.inspector
            extra: dict[str, Any] = {"reporter_phone": "13800138000"} if source == "hotline" else {}
            case = case_report(
                source=source, category=garbage, lon=WEST[0], lat=WEST[1],
                address="西拉木伦大街100号", description="路边暴露垃圾一堆", actor=reporter,
                **extra,
            )  # fmt: skip
            if case.status == "reported":
                case_transition(case_id=case.pk, action="accept", actor=personas.intake_clerk)
            case_transition(
                case_id=case.pk,
                action="file",
                actor=personas.shift_lead,
                payload=File(condition_met=True),
            )
            case = case_transition(case_id=case.pk, action="dispatch", actor=personas.dispatcher)
        if handle_after is None:
            return case
        moment = when + handle_after
        with time_machine.travel(moment, tick=False):
            case_transition(
                case_id=case.pk,
                action="handle",
                actor=personas.operator_a,
                payload=Handle(note="已清理", photos=[jpeg()]),
            )
        with time_machine.travel(moment + dt.timedelta(minutes=10), tick=False):
            action = "rework" if rework else "verify"
            photos = [jpeg("blue")]
            payload = payload_for(
                action, {"photos": photos, "reason": "仍有残留" if rework else ""}
            )
            case = case_transition(
                case_id=case.pk, action=action, actor=personas.inspector, payload=payload
            )
            if close and not rework:
                case = case_transition(case_id=case.pk, action="close", actor=personas.shift_lead)
        return case

    return make


@pytest.fixture(autouse=True)
def _clear_cache() -> Any:
    """Rate-limit counters live in the cache: every test starts without them."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
