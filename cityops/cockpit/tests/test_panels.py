"""The panel registry: another app's panel appears when registered, is absent otherwise, and a
panel that fails leaves the others' figures in the snapshot."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from cityops.cockpit.panels import Panel, panel_register, panel_unregister, registered_panels
from cityops.cockpit.refresh import cockpit_refresh


def extra_compute(*, now: dt.datetime) -> dict[str, Any]:
    return {"late": 3, "owner": "市城管局"}


def broken_compute(*, now: dt.datetime) -> dict[str, Any]:
    raise RuntimeError("the decisions app is not ready")


@pytest.fixture
def extra_panel(settings: Any) -> Iterator[None]:
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [*templates[0]["DIRS"], Path(__file__).parent / "templates"]
    settings.TEMPLATES = templates
    panel_register(
        Panel(
            "extra",
            "Extra",
            f"{__name__}.extra_compute",
            "cockpit/tests/decisions_panel.html",
            order=45,
        )
    )
    yield
    panel_unregister("extra")


def test_builtin_panels_in_order() -> None:
    assert [p.name for p in registered_panels()][:3] == ["cases", "operators", "property"]


def test_an_unregistered_panel_has_no_section(client: Any, personas: Any, db: None) -> None:
    cockpit_refresh()
    client.force_login(personas.mayor)
    body = client.get(reverse("cockpit:page")).content.decode()
    assert "panel--cases" in body
    assert "panel--extra" not in body


@pytest.mark.usefixtures("extra_panel")
def test_a_registered_panel_is_computed_and_shown(client: Any, personas: Any) -> None:
    snapshot = cockpit_refresh()
    assert snapshot.data["panels"]["extra"] == {"late": 3, "owner": "市城管局"}
    client.force_login(personas.mayor)
    for name in ("cockpit:page", "cockpit:wall"):
        body = client.get(reverse(name)).content.decode()
        assert "panel--extra" in body
        assert 'data-late="3"' in body
        assert body.index("panel--decisions") < body.index("panel--extra")


def test_a_failing_panel_is_marked_and_the_others_kept(client: Any, personas: Any) -> None:
    panel_register(Panel("broken", "Broken", f"{__name__}.broken_compute", "x.html", order=45))
    try:
        snapshot = cockpit_refresh()
        client.force_login(personas.mayor)
        body = client.get(reverse("cockpit:page")).content.decode()
    finally:
        panel_unregister("broken")
    assert snapshot.data["failed"] == ["broken"]
    assert "cases" in snapshot.data["panels"]
    assert "panel--broken" in body
