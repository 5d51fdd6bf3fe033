"""The registry back office: every model browsable, searchable and editable, in both languages,
with a map of each geometry; bad input refused with a translated message; roles respected."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from cityops.core.models import AuditEvent
from cityops.registry import models as m
from cityops.registry.admin_widgets import GeoJSONMapWidget
from cityops.registry.testing import SmallCity, box, make_uscc

LEAFLET_TAG = '<script src="/static/vendor/leaflet/leaflet.js"></script>'
BASE_TAG = '<script src="/static/cityops/map-base.js"></script>'
PREVIEW_TAG = '<script src="/static/cityops/map-preview.js"></script>'

# model -> (a sample row of the small city, a search term that finds it, the changelist's own
# query budget: count, rows, filter choices; on top of what every admin page costs).
MODELS: dict[type[Any], tuple[Callable[[SmallCity], Any], str, int]] = {
    m.City: (lambda c: c.city, "150500", 2),
    m.District: (lambda c: c.district, "150502", 3),
    m.Street: (lambda c: c.street_west, "150502001", 3),
    m.Community: (lambda c: c.community_west, "150502001001", 4),
    m.Grid: (lambda c: c.grids["west_south"], "150502001001001", 5),
    m.Organisation: (lambda c: c.operator_a, make_uscc(1), 3),
    m.RoadSegment: (lambda c: c.road_west, "R-W-1", 3),
    m.GreenSpace: (lambda c: c.green, "G-1", 4),
    m.ComponentType: (lambda c: c.component_type, "污水井盖", 3),
    m.Component: (lambda c: c.component, "1505020102000001", 4),
    m.Compound: (lambda c: c.compound, "C-1", 4),
    m.Contract: (lambda c: c.contract_a, "HW-A", 3),
    m.Lot: (lambda c: c.lot_a, "HW-A-1", 3),
}
GEO_MODELS = [model for model in MODELS if any(f.name == "geometry" for f in model._meta.fields)]


def url(model: type[Any], view: str, *args: Any) -> str:
    return reverse(f"admin:registry_{model._meta.model_name}_{view}", args=args)


def client_for(user: Any, language: str = "zh-hans") -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def plural(model: type[Any], language: str) -> str:
    with translation.override(language):
        return str(model._meta.verbose_name_plural)


def form_data(response: Any) -> dict[str, Any]:
    """The POST body that would resubmit a change form unchanged."""
    form = response.context["adminform"].form
    data: dict[str, Any] = {}
    for name in form.fields:
        value = form[name].value()
        if value is None:
            continue
        data[name] = [str(v) for v in value] if isinstance(value, list | tuple) else str(value)
    return data


@pytest.fixture
def admin_zh(personas: Any) -> Client:
    return client_for(personas.admin)


@pytest.mark.parametrize("model", list(MODELS), ids=lambda model: model.__name__)
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_page_renders_in_both_languages(
    personas: Any, small_city: SmallCity, model: type[Any], language: str
) -> None:
    client = client_for(personas.admin, language)
    obj = MODELS[model][0](small_city)
    other = "en" if language == "zh-hans" else "zh-hans"
    assert plural(model, language) != plural(model, other)

    changelist = client.get(url(model, "changelist"))
    assert changelist.status_code == 200
    assert changelist.context["cl"].result_count >= 1
    assert plural(model, language) in changelist.content.decode()
    with translation.override(language):
        header = str(changelist.context["site_header"])
    assert header.startswith("CityOps")
    assert ("城市运管服平台" in header) == (language != "en")

    for page in (client.get(url(model, "add")), client.get(url(model, "change", obj.pk))):
        assert page.status_code == 200
        html = page.content.decode()
        assert f'<html lang="{language}"' in html
        if model in GEO_MODELS:
            assert "data-map-preview" in html
            assert LEAFLET_TAG in html
            # Leaflet, then the shared base map, then the preview that uses both.
            assert html.index(LEAFLET_TAG) < html.index(BASE_TAG) < html.index(PREVIEW_TAG)
            assert "https://" not in html.split("<body")[0]  # nothing from a CDN


@pytest.mark.parametrize("model", list(MODELS), ids=lambda model: model.__name__)
def test_search_finds_a_known_row(
    admin_zh: Client, small_city: SmallCity, model: type[Any]
) -> None:
    getter, term, _budget = MODELS[model]
    obj = getter(small_city)
    found = admin_zh.get(url(model, "changelist"), {"q": term})
    assert found.status_code == 200
    assert obj in list(found.context["cl"].result_list)
    missing = admin_zh.get(url(model, "changelist"), {"q": "no-such-row-xyz"})
    assert list(missing.context["cl"].result_list) == []


@pytest.mark.parametrize("model", list(MODELS), ids=lambda model: model.__name__)
def test_changelist_query_count_is_pinned(
    admin_zh: Client, small_city: SmallCity, model: type[Any], django_assert_max_num_queries: Any
) -> None:
    # Every admin page reads the session and the user and builds the app list (other apps'
    # admins may query there): the index page costs exactly that.
    overhead = _query_count(admin_zh, reverse("admin:index"))
    with django_assert_max_num_queries(overhead + MODELS[model][2]):
        assert admin_zh.get(url(model, "changelist")).status_code == 200


def _query_count(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


def test_changelists_do_not_query_per_row(admin_zh: Client, small_city: SmallCity) -> None:
    c = small_city
    before = {
        model: _query_count(admin_zh, url(model, "changelist"))
        for model in (m.Grid, m.Component, m.Lot, m.Compound)
    }
    for i in range(10):
        x = 122.2505 + i * 0.0005
        m.Grid.objects.create(
            community=c.community_west,
            code=f"150502001001{100 + i}",
            responsible_org=c.street_office_west,
            geometry=box(x, 43.611, x + 0.0004, 43.6114),
        )
        m.Component.objects.create(
            code=f"15050201020001{10 + i}",
            type=c.component_type,
            grid=c.grids["east_north"],
            owner=c.department,
            maintainer=c.operator_b,
            geometry={"type": "Point", "coordinates": [x, 43.615]},
        )
        lot = m.Lot.objects.create(contract=c.contract_b, code=f"HW-B-{10 + i}", name=f"片{i}")
        lot.road_segments.add(c.road_east)
        m.Compound.objects.create(
            code=f"C-{10 + i}",
            name=f"小区{i}",
            community=c.community_east,
            property_company=c.property_company,
            management_model=m.ManagementModel.PROFESSIONAL,
            geometry=box(x, 43.62, x + 0.0004, 43.6204),
        )
    for model, count in before.items():
        assert _query_count(admin_zh, url(model, "changelist")) == count, model


def test_add_grid_saves_and_audits(personas: Any, small_city: SmallCity) -> None:
    client = client_for(personas.admin)
    data = {
        "community": small_city.community_east.pk,
        "code": "150502002001009",
        "name": "新网格",
        "geometry": json.dumps(box(122.261, 43.611, 122.262, 43.612)),
    }
    response = client.post(url(m.Grid, "add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    grid = m.Grid.objects.get(code="150502002001009")
    assert 8_000 < grid.area_m2 < 9_000  # derived on save
    event = AuditEvent.objects.get(code="registry.grid.created")
    assert event.target_id == str(grid.pk)
    assert event.actor == personas.admin
    assert "geometry" in event.data["fields"]


def test_change_and_delete_are_audited(admin_zh: Client, small_city: SmallCity) -> None:
    road = small_city.road_east
    data = form_data(admin_zh.get(url(m.RoadSegment, "change", road.pk)))
    data["width_m"] = "15"
    response = admin_zh.post(url(m.RoadSegment, "change", road.pk), data)
    assert response.status_code == 302
    road.refresh_from_db()
    assert road.area_m2 == pytest.approx(road.length_m * 15)
    assert AuditEvent.objects.get(code="registry.roadsegment.changed").data["fields"] == ["width_m"]

    ctype = m.ComponentType.objects.create(
        major_code="02", major_name="道路交通", minor_code="01", minor_name="路灯"
    )
    response = admin_zh.post(url(m.ComponentType, "delete", ctype.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not m.ComponentType.objects.filter(pk=ctype.pk).exists()
    assert AuditEvent.objects.filter(
        code="registry.componenttype.deleted", target_id=str(ctype.pk)
    ).exists()


def test_lot_assets_are_edited_with_autocomplete(admin_zh: Client, small_city: SmallCity) -> None:
    lot = small_city.lot_b
    page = admin_zh.get(url(m.Lot, "change", lot.pk))
    html = page.content.decode()
    assert 'name="road_segments"' in html
    assert "admin-autocomplete" in html
    data = form_data(page)
    data["compounds"] = [str(small_city.compound.pk)]
    assert admin_zh.post(url(m.Lot, "change", lot.pk), data).status_code == 302
    assert list(lot.compounds.all()) == [small_city.compound]


def test_contract_operator_autocomplete_offers_only_operators(
    admin_zh: Client, small_city: SmallCity
) -> None:
    response = admin_zh.get(
        reverse("admin:autocomplete"),
        {"app_label": "registry", "model_name": "contract", "field_name": "operator", "term": ""},
    )
    assert response.status_code == 200
    ids = {int(row["id"]) for row in response.json()["results"]}
    assert small_city.operator_a.pk in ids
    assert small_city.department.pk not in ids
    assert small_city.street_office_west.pk not in ids


# --- Bad input: translated field errors, nothing saved -------------------------------------

BOWTIE = {
    "type": "Polygon",
    "coordinates": [
        [[122.26, 43.61], [122.27, 43.62], [122.27, 43.61], [122.26, 43.62], [122.26, 43.61]]
    ],
}


@pytest.mark.parametrize(
    ("language", "expected"),
    [("zh-hans", "无效的几何图形"), ("en", "Invalid geometry")],
)
def test_bad_geometry_is_refused(
    personas: Any, small_city: SmallCity, language: str, expected: str
) -> None:
    client = client_for(personas.admin, language)
    before = m.Grid.objects.count()
    response = client.post(
        url(m.Grid, "add"),
        {
            "community": small_city.community_east.pk,
            "code": "150502002001009",
            "geometry": json.dumps(BOWTIE),
        },
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert expected in " ".join(errors["geometry"])
    assert expected in response.content.decode()
    assert m.Grid.objects.count() == before


def test_wrong_geometry_type_and_broken_json_are_refused(
    admin_zh: Client, small_city: SmallCity
) -> None:
    before = m.GreenSpace.objects.count()
    for text, expected in (
        (json.dumps({"type": "Point", "coordinates": [122.26, 43.62]}), "不允许使用几何类型 Point"),
        ('{"type": "Polygon", "coordinates": [[[122.26, 43.6', "JSON"),
    ):
        response = admin_zh.post(
            url(m.GreenSpace, "add"),
            {"code": "G-9", "name": "坏绿地", "maintenance_grade": 2, "geometry": text},
        )
        assert response.status_code == 200
        assert expected in " ".join(response.context["adminform"].form.errors["geometry"])
    assert m.GreenSpace.objects.count() == before


def test_bad_credit_code_is_refused(admin_zh: Client, small_city: SmallCity) -> None:
    good = make_uscc(77)
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    before = m.Organisation.objects.count()
    response = admin_zh.post(
        url(m.Organisation, "add"),
        {
            "kind": m.OrganisationKind.OPERATOR,
            "operator_type": m.ServiceType.SANITATION,
            "name": "坏代码公司",
            "uscc": bad,
            "active": "on",
        },
    )
    assert response.status_code == 200
    message = " ".join(response.context["adminform"].form.errors["uscc"])
    assert "统一社会信用代码的校验码错误" in message
    assert good[17] in message
    assert m.Organisation.objects.count() == before


def test_credit_code_with_full_width_digits_is_a_form_error(
    admin_zh: Client, small_city: SmallCity
) -> None:
    good = make_uscc(78)
    bad = (
        good[:2]
        + good[2:8].translate(str.maketrans("0123456789", "０１２３４５６７８９"))
        + good[8:]
    )
    before = m.Organisation.objects.count()
    response = admin_zh.post(
        url(m.Organisation, "add"),
        {
            "kind": m.OrganisationKind.OPERATOR,
            "operator_type": m.ServiceType.SANITATION,
            "name": "全角代码公司",
            "uscc": bad,
            "active": "on",
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["uscc"]
    assert m.Organisation.objects.count() == before


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("150502001001009", "必须以上级编码 150502002001 开头"),  # another community's prefix
        ("150502002001000", "最后三位不能是 000"),
        ("15050200200101", "恰好 15 位数字"),
    ],
)
def test_bad_grid_code_is_refused(
    admin_zh: Client, small_city: SmallCity, code: str, expected: str
) -> None:
    before = m.Grid.objects.count()
    response = admin_zh.post(
        url(m.Grid, "add"),
        {
            "community": small_city.community_east.pk,
            "code": code,
            "geometry": json.dumps(box(122.261, 43.611, 122.262, 43.612)),
        },
    )
    assert response.status_code == 200
    assert expected in " ".join(response.context["adminform"].form.errors["code"])
    assert m.Grid.objects.count() == before


# --- Roles ---------------------------------------------------------------------------------


@pytest.mark.parametrize("model", list(MODELS), ids=lambda model: model.__name__)
def test_supervisor_views_but_cannot_write(
    personas: Any, small_city: SmallCity, model: type[Any]
) -> None:
    obj = MODELS[model][0](small_city)
    admin_page = client_for(personas.admin).get(url(model, "change", obj.pk))
    data = form_data(admin_page)
    supervisor = client_for(personas.supervisor)

    assert supervisor.get(url(model, "changelist")).status_code == 200
    view = supervisor.get(url(model, "change", obj.pk))
    assert view.status_code == 200
    html = view.content.decode()
    if model in GEO_MODELS:
        assert "data-map-preview" in html
        assert LEAFLET_TAG in html
        assert 'name="geometry"' not in html  # no editing widget, the read-only map instead
    assert supervisor.get(url(model, "add")).status_code == 403
    assert supervisor.post(url(model, "add"), data).status_code == 403
    assert supervisor.post(url(model, "change", obj.pk), data).status_code == 403
    assert supervisor.post(url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=obj.pk).exists()
    assert not AuditEvent.objects.filter(code__startswith="registry.").exists()


def test_supervisor_sees_the_geometry_and_its_context(personas: Any, small_city: SmallCity) -> None:
    grid = small_city.grids["east_north"]
    view = client_for(personas.supervisor).get(url(m.Grid, "change", grid.pk))
    html = view.content.decode()
    prefix = f"geometry-preview-{grid.pk}"
    geometry = json.loads(
        html.split(f'id="{prefix}_geometry" type="application/json">')[1].split("<")[0]
    )
    options = json.loads(
        html.split(f'id="{prefix}_options" type="application/json">')[1].split("</script>")[0]
    )
    assert geometry == grid.geometry
    parent, *others = options["context"]
    assert parent["kind"] == "parent"
    assert parent["geometry"] == small_city.community_east.geometry
    neighbours = {layer["label"] for layer in others if layer["kind"] == "neighbour"}
    assert neighbours == {str(g) for key, g in small_city.grids.items() if key != "east_north"}
    # Offline default: the district drawn from the registry itself (cityops/core/mapconfig.py).
    assert options["base"]["kind"] == "registry"


def test_operator_staff_cannot_enter_the_admin(personas: Any, small_city: SmallCity) -> None:
    client = client_for(personas.operator_a)
    for path in (reverse("admin:index"), url(m.Grid, "changelist")):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


def test_language_switch_in_the_admin_header(admin_zh: Client, small_city: SmallCity) -> None:
    page = admin_zh.get(url(m.Grid, "changelist"))
    html = page.content.decode()
    assert f'action="{reverse("set_language")}"' in html
    assert 'name="language"' in html
    assert plural(m.Grid, "zh-hans") in html
    switched = admin_zh.post(
        reverse("set_language"), {"language": "en", "next": url(m.Grid, "changelist")}
    )
    assert switched.status_code == 302
    english = admin_zh.get(url(m.Grid, "changelist")).content.decode()
    assert "Select grid to change" in english
    assert plural(m.Grid, "zh-hans") not in english


# --- The map script in a real browser ------------------------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
LEAFLET = Path(settings.BASE_DIR) / "var" / "vendor" / "leaflet"


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
@pytest.mark.skipif(not (LEAFLET / "leaflet.js").exists(), reason="run `make assets` first")
def test_map_script_draws_valid_geometry_and_explains_bad_text(tmp_path: Path) -> None:
    cases = {
        "good": json.dumps(box(122.25, 43.61, 122.26, 43.62)),
        "broken": '{"type": "Polygon", "coordinates": [[[122.26, 43.6',
        "point": json.dumps({"type": "Point", "coordinates": [122.26, 43.62]}),
        "nonsense": '{"type": "Polygon", "coordinates": "nonsense"}',
    }
    with translation.override("en"):
        fields = "".join(
            f'<div id="case-{key}">'
            f"{GeoJSONMapWidget(geometry_types=('Polygon',)).render(key, text, {'id': key})}"
            "</div>"
            for key, text in cases.items()
        )
    static = Path(settings.BASE_DIR) / "static" / "cityops"
    page = tmp_path / "page.html"
    page.write_text(
        f'<!doctype html><html><head><meta charset="utf-8">'
        f'<link rel="stylesheet" href="{(LEAFLET / "leaflet.css").as_uri()}">'
        f'<link rel="stylesheet" href="{(static / "map-preview.css").as_uri()}">'
        f"</head><body>{fields}"
        f'<script src="{(LEAFLET / "leaflet.js").as_uri()}"></script>'
        f'<script src="{(static / "map-base.js").as_uri()}"></script>'
        f'<script src="{(static / "map-preview.js").as_uri()}"></script></body></html>',
        encoding="utf-8",
    )
    result = subprocess.run(  # noqa: S603  (our own page, a fixed executable)
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--enable-logging=stderr",
            "--virtual-time-budget=3000",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    dom, log = result.stdout, result.stderr
    assert "Uncaught" not in log

    def case(key: str) -> str:
        start = dom.index(f'id="case-{key}"')
        return dom[start : dom.find('id="case-', start + 1) if key != "nonsense" else None]

    def message(key: str) -> str:
        html = case(key)
        return html.split("data-map-message", 1)[1].split(">", 1)[1].split("</p>", 1)[0]

    assert "leaflet-interactive" in case("good")
    assert message("good") == ""
    assert "not valid JSON" in message("broken")
    assert "not allowed here" in message("point")
    assert "Polygon" in message("point")
    assert "not a GeoJSON geometry" in message("nonsense")
