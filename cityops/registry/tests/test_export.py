"""export_registry writes what import_registry reads back: a lossless round trip."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from cityops.registry import models as m
from cityops.registry.io.layers import CSV, LAYERS

# Deleting children first: the registry protects parents that still have children.
DELETE_ORDER = (
    m.Lot,
    m.Contract,
    m.Component,
    m.ComponentType,
    m.Compound,
    m.GreenSpace,
    m.RoadSegment,
    m.Grid,
    m.Organisation,
    m.Community,
    m.Street,
    m.District,
    m.City,
)
MEASURES = ("min_lon", "min_lat", "max_lon", "max_lat")


def export(layer: str, tmp_path: Path, fmt: str | None = None) -> Path:
    suffix = fmt or LAYERS[layer].formats[0]
    path = tmp_path / f"{layer}.{suffix}"
    options = {"format": fmt} if fmt else {}
    call_command("export_registry", layer, "-o", str(path), verbosity=0, **options)
    return path


def snapshot() -> dict[str, list[tuple[object, ...]]]:
    """Every row without its primary key, foreign keys by natural key, measures included."""
    return {
        "grids": list(
            m.Grid.objects.values_list(
                "code", "community__code", "responsible_org__name", "area_m2"
            )
        ),
        "roads": list(
            m.RoadSegment.objects.values_list(
                "code", "name", "width_m", "length_m", "area_m2", "street__code", *MEASURES
            )
        ),
        "orgs": list(
            m.Organisation.objects.values_list(
                "name", "kind", "operator_type", "uscc", "street__code", "active"
            ).order_by("name")
        ),
        "components": list(
            m.Component.objects.values_list("code", "type__minor_name", "owner__name", "geometry")
        ),
        "compounds": list(
            m.Compound.objects.values_list(
                "code", "households", "management_model", "property_company__name", "area_m2"
            )
        ),
        "contracts": list(
            m.Contract.objects.values_list("number", "operator__name", "monthly_fee", "end_date")
        ),
        "lots": [
            (
                lot.code,
                lot.contract.number,
                lot.area_m2,
                sorted(r.code for r in lot.road_segments.all()),
            )
            for lot in m.Lot.objects.order_by("code")
        ],
    }


def test_round_trip_into_an_empty_registry(small_city, tmp_path):
    files = {layer: export(layer, tmp_path) for layer in LAYERS}
    texts = {layer: path.read_text(encoding="utf-8-sig") for layer, path in files.items()}
    before = snapshot()
    for model in DELETE_ORDER:
        model.objects.all().delete()
    assert m.Grid.objects.count() == m.Organisation.objects.count() == 0

    for layer, path in files.items():  # LAYERS is in dependency order
        call_command("import_registry", layer, str(path), verbosity=0)

    assert snapshot() == before
    again = tmp_path / "again"
    again.mkdir()
    for layer in LAYERS:
        assert export(layer, again).read_text(encoding="utf-8-sig") == texts[layer], layer


def test_geojson_export_shape(small_city, tmp_path):
    doc = json.loads(export("grids", tmp_path).read_text(encoding="utf-8"))
    assert doc["type"] == "FeatureCollection"
    first = doc["features"][0]
    assert first["properties"]["code"] == "150502001001001"
    assert first["properties"]["community"] == "150502001001"
    assert first["geometry"] == small_city.grids["west_south"].geometry
    lots = json.loads(export("lots", tmp_path).read_text(encoding="utf-8"))
    lot_a = next(f for f in lots["features"] if f["properties"]["code"] == "HW-A-1")
    assert lot_a["properties"]["road_segments"] == ["R-W-1"]
    assert lot_a["properties"]["contract"] == "HW-A"


def test_csv_export_has_bom_and_references_by_credit_code(small_city, tmp_path):
    raw = export("contracts", tmp_path).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # so that Excel opens it as UTF-8
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0] == "number,title,operator,service_type,start_date,end_date,monthly_fee"
    assert f"HW-A,西片环卫一体化,{small_city.operator_a.uscc},sanitation" in lines[1]


def test_compounds_round_trip_through_csv(small_city, tmp_path):
    path = export("compounds", tmp_path, CSV)
    header = path.read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.endswith(",geometry")
    geometries = dict(m.Compound.objects.values_list("code", "geometry"))
    m.Lot.objects.all().delete()
    m.Compound.objects.all().delete()
    call_command("import_registry", "compounds", str(path), verbosity=0)
    assert dict(m.Compound.objects.values_list("code", "geometry")) == geometries
    assert m.Compound.objects.get(code="C-1").property_company == small_city.property_company


def test_export_to_stdout_and_format_errors(small_city):
    out = io.StringIO()
    call_command("export_registry", "streets", stdout=out)
    assert [f["properties"]["code"] for f in json.loads(out.getvalue())["features"]] == [
        "150502001",
        "150502002",
    ]
    with pytest.raises(CommandError, match="csv"):
        call_command("export_registry", "organisations", format="geojson")


def test_csv_export_neutralises_formulas_and_reads_them_back(small_city, tmp_path):
    contract = small_city.contract_a
    contract.title = '=HYPERLINK("http://evil.example")'
    contract.save(update_fields=["title"])
    path = export("contracts", tmp_path)
    assert ",\"'=HYPERLINK(" in path.read_text(encoding="utf-8-sig")
    m.Lot.objects.all().delete()
    m.Contract.objects.all().delete()
    call_command("import_registry", "contracts", str(path), verbosity=0)
    assert m.Contract.objects.get(number=contract.number).title == contract.title
