"""Phone layout of the inspector's pages: "my inspections" in pages of cards, tables marked
to become cards on phones, the folding main menu."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from cityops.inspections.services.inspections import inspection_create
from cityops.inspections.tests.conftest import OCT

pytestmark = pytest.mark.usefixtures("schemes")


@pytest.fixture
def seventeen(personas: Any, small_city: Any) -> None:
    for _k in range(17):
        inspection_create(
            kind="ad_hoc",
            asset=f"road:{small_city.road_east.pk}",
            actor=personas.inspector,
            month=OCT,
        )


def test_my_inspections_come_in_pages(personas: Any, seventeen: None) -> None:
    client = Client()
    client.force_login(personas.inspector)
    url = reverse("inspections:mine")
    first = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert first.count('<li class="case-card">') == 15
    assert "第 1 页，共 2 页" in first
    assert 'href="?page=2"' in first
    second = client.get(url, {"page": "2"}).content.decode()
    assert second.count('<li class="case-card">') == 2
    assert client.get(url, {"page": "nonsense"}).status_code == 200
    assert '<details class="nav-menu" open data-nav-menu>' in first


def test_the_inspection_list_is_paged_and_cards_on_phones(
    personas: Any, seventeen: None, monkeypatch: Any
) -> None:
    from cityops.inspections.views import detail

    monkeypatch.setattr(detail, "PAGE", 10)
    client = Client()
    client.force_login(personas.supervisor)
    url = reverse("inspections:list")
    html = client.get(url, {"month": "2026-10"}).content.decode()
    assert '<table class="cards">' in html
    assert html.count("<tr><td><a href=") == 10
    assert 'href="?month=2026-10&amp;page=2"' in html
    rest = client.get(url, {"month": "2026-10", "page": "2"}).content.decode()
    assert rest.count("<tr><td><a href=") == 7


def test_the_inspection_form_items_become_cards_on_phones(personas: Any, seventeen: None) -> None:
    from cityops.inspections.models import Inspection

    row = Inspection.objects.filter(inspector=personas.inspector).first()
    assert row is not None
    client = Client()
    client.force_login(personas.inspector)
    html = client.get(
        reverse("inspections:form", args=[row.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert '<table class="cards items">' in html
    # each input cell names its column, shown before the input when the row is a card
    assert re.search(r'<td data-label="[^"<]+"><input type="number"', html)
    assert re.search(r'<td data-label="[^"<]+"><input type="text"', html)
