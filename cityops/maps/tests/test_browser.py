"""In Chromium, with no tile source configured: the public map draws the registry's roads, and
the report form's address is searched and filled in from the registry."""

from __future__ import annotations

from typing import Any

import pytest

from cityops.console.tests.browser.test_journey import DESKTOP, new_page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("vendor_assets"),
]


def _bucket(page: Any, selector: str, bucket: int) -> None:
    page.wait_for_selector(f"{selector}[data-basemap-bucket='{bucket}']")


def test_the_public_map_draws_the_registry_without_tiles(
    chromium: Any, browser_contexts: Any, live_server: Any, crossing_city: Any, shot: Any
) -> None:
    page = new_page(chromium, browser_contexts, DESKTOP)
    tiles: list[str] = []
    page.on("request", lambda r: tiles.append(r.url) if "tile" in r.url else None)
    page.goto(f"{live_server.url}/public/")
    _bucket(page, "#public-map", 13)
    assert page.get_attribute("#public-map", "data-basemap") == "registry"
    # Roads (casing + line per road), the district, communities: SVG paths in the base pane.
    paths = page.locator(".leaflet-cityopsBase-pane svg path")
    assert paths.count() >= 2 * 3 + 1
    assert page.locator(".leaflet-tile").count() == 0
    assert tiles == []
    # A secondary road's name appears from zoom 14 on.
    assert page.locator(".map-label--roads", has_text="建国路").count() == 0
    page.click(".leaflet-control-zoom-in")
    _bucket(page, "#public-map", 14)
    assert page.locator(".map-label--roads", has_text="建国路").count() == 1
    shot(page, "public-map-registry-base")
    # Grids are an optional layer from zoom 15: off by default, on from the layer switch.
    page.click(".leaflet-control-zoom-in")
    _bucket(page, "#public-map", 15)
    before = paths.count()
    page.hover(".leaflet-control-layers")
    page.get_by_label("网格边界").check()
    page.wait_for_function(
        "n => document.querySelectorAll('.leaflet-cityopsBase-pane svg path').length > n",
        arg=before,
    )


def test_the_report_address_is_searched_and_filled_in(
    chromium: Any, browser_contexts: Any, live_server: Any, crossing_city: Any, catalogue: Any
) -> None:
    page = new_page(chromium, browser_contexts, DESKTOP)
    page.goto(f"{live_server.url}/report/?category={catalogue['garbage'].pk}")
    _bucket(page, "[data-pick-map]", 13)
    address = page.locator("input[name=address]")
    # Typing an intersection suggests it; choosing it places the pin there.
    address.fill("建国路与新华街")
    hit = page.locator("[data-geo-suggest] button[data-geo-hit=intersection]")
    hit.first.wait_for()
    hit.first.click()
    assert address.input_value() == "建国路与新华街交叉口"
    assert float(page.input_value("[data-geo=lon]")) == pytest.approx(122.265, abs=1e-5)
    assert float(page.input_value("[data-geo=lat]")) == pytest.approx(43.625, abs=1e-5)
    # A pin placed on the map replaces an address we filled in with the pin's own words.
    box = page.locator("[data-pick-map]").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.5)
    page.wait_for_function(
        "() => document.querySelector('input[name=address]').value.includes('社区')"
    )
    # The resident's own words are never overwritten.
    address.fill("菜市场门口")
    page.keyboard.press("Escape")
    page.mouse.click(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.4)
    page.wait_for_timeout(800)  # a reverse look-up would have answered by now
    assert address.input_value() == "菜市场门口"


def test_case_clusters_wear_the_worst_light_and_the_counter_opens_the_list(
    chromium: Any, browser_contexts: Any, live_server: Any, personas: Any, dispatched: Any
) -> None:
    from cityops.cases.models import Case, Light
    from cityops.cases.testing import WEST
    from cityops.console.tests.browser.test_journey import staff_page

    calm = dispatched()
    late = dispatched(point=(WEST[0] + 0.0002, WEST[1]))
    Case.objects.filter(pk=calm.pk).update(light=Light.GREEN)
    Case.objects.filter(pk=late.pk).update(light=Light.RED)  # test data: an overdue case
    page = staff_page(chromium, browser_contexts, live_server, personas.dispatcher)
    page.goto(f"{live_server.url}/console/cases/map/")
    page.wait_for_selector("#case-map[data-loaded]")
    cluster = page.locator(".marker-cluster")
    assert cluster.count() == 1  # the two cases 17 m apart, one cluster at zoom 13
    assert "marker-cluster--red" in (cluster.get_attribute("class") or "")
    assert "最严重" in cluster.inner_text()  # its accessible name says why it is red
    # The hotspot layer (leaflet.heat from npm, served from var/vendor) draws on demand.
    page.get_by_label("热点（热力图）").check()
    page.wait_for_selector("#case-map[data-heat-points]")
    # One heat cell holds both cases, or two neighbouring cells one each.
    assert page.get_attribute("#case-map", "data-heat-points") in ("1", "2")
    assert page.locator("canvas.leaflet-heatmap-layer").count() == 1
    link = page.locator("#map-list-link")
    assert "2" in link.inner_text()
    link.click()
    page.wait_for_url("**/console/cases/?*area=*")
    body = page.locator("main").inner_text()
    assert calm.number in body
    assert late.number in body


def test_gcj02_tiles_get_the_shifted_projection(
    chromium: Any, browser_contexts: Any, live_server: Any, small_city: Any, settings: Any
) -> None:
    """With Amap-style tiles the script projects WGS-84 through GCJ-02 with the same formulas
    as cityops/core/coords.py (so our data lands on the tiles' streets)."""
    from cityops.core.coords import gcj02_to_wgs84, wgs84_to_gcj02

    settings.CITYOPS_TILE_URL = f"{live_server.url}/maps/tiles/{{z}}/{{x}}/{{y}}"
    settings.CITYOPS_TILE_DATUM = "gcj02"
    page = new_page(chromium, browser_contexts, DESKTOP)
    page.goto(f"{live_server.url}/public/")
    page.wait_for_selector("#public-map[data-basemap='tiles'][data-datum='gcj02']")
    points = [(122.26, 43.62), (116.397, 39.908), (121.47, 31.23), (2.35, 48.85)]
    forward = page.evaluate(
        "pts => pts.map(p => window.CityOpsMapBase.wgsToGcj(p[0], p[1]))", points
    )
    back = page.evaluate("pts => pts.map(p => window.CityOpsMapBase.gcjToWgs(p[0], p[1]))", forward)
    for (lon, lat), (gx, gy), (bx, by) in zip(points, forward, back, strict=True):
        ex, ey = wgs84_to_gcj02(lon, lat)
        assert gx == pytest.approx(ex, abs=1e-9)
        assert gy == pytest.approx(ey, abs=1e-9)
        wx, wy = gcj02_to_wgs84(gx, gy)
        assert bx == pytest.approx(wx, abs=1e-8)
        assert by == pytest.approx(wy, abs=1e-8)
