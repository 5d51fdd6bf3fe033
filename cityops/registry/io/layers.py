"""One parser per registry layer: a ``RowReader`` and ``Refs`` in, a ``Cleaned`` row out.

Columns are named after the model fields; foreign keys are given by the parent's natural key
(code, contract number, organisation credit code or name) and come out as ``<field>_id``.
``Cleaned.pk`` is the existing row with the same natural key (update) or None (create).
The column lists here are the contract documented in docs/import-formats.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import shapely
from django.db import models
from django.utils.translation import gettext as _

from cityops.core import geo
from cityops.registry import models as m
from cityops.registry import validators
from cityops.registry.io.cleaning import Refs, RowReader
from cityops.registry.io.records import Cleaned

Parser = Callable[[RowReader, Refs], Cleaned]

GEOJSON, CSV = "geojson", "csv"
DEFAULT_SIDE_M = 100.0
MAX_INT = 2**31 - 1  # PositiveIntegerField on PostgreSQL


@dataclass(frozen=True)
class Layer:
    name: str
    model: type[models.Model]
    columns: tuple[str, ...]
    formats: tuple[str, ...]
    parse: Parser
    #: Extra CSV-only columns (compounds: a WKT/GeoJSON cell or a centre point).
    csv_columns: tuple[str, ...] = ()


def _digits(value: str, n: int, what: str) -> str:
    return validators._digits(value, n, what)


def _max(model: type[models.Model], name: str) -> int | None:
    field = model._meta.get_field(name)
    return getattr(field, "max_length", None)


def _name(r: RowReader, model: type[models.Model], *, required: bool = True) -> str:
    return r.text("name", required=required, max_length=_max(model, "name"))


def _child_code(r: RowReader, parent: str, length: int, what: str) -> str:
    """Check the code's own shape, then (when the parent is known) its parent prefix."""
    if not parent:
        return r.code("code", lambda v: _digits(v, length, what))
    return r.code(
        "code",
        lambda v: validators.validate_child_code(v, parent_code=parent, length=length, what=what),
    )


# --- administrative hierarchy -------------------------------------------------------------


def parse_city(r: RowReader, refs: Refs) -> Cleaned:
    code = r.code("code", validators.validate_admin_code)
    values = {"code": code, "name": _name(r, m.City), "geometry": r.geometry(geo.AREA)}
    return Cleaned(code, values, pk=refs.cities.get(code))


def parse_district(r: RowReader, refs: Refs) -> Cleaned:
    code = r.code("code", validators.validate_admin_code)
    values = {
        "code": code,
        "name": _name(r, m.District),
        "city_id": r.ref("city", refs.cities, what=_("city"), required=True),
        "geometry": r.geometry(geo.AREA),
    }
    return Cleaned(code, values, pk=refs.districts.get(code))


def parse_street(r: RowReader, refs: Refs) -> Cleaned:
    parent = r.text("district", required=True)
    district_id = r.ref("district", refs.districts, what=_("district"), required=True)
    code = _child_code(r, parent if district_id else "", 9, _("street"))
    values = {
        "code": code,
        "name": _name(r, m.Street),
        "district_id": district_id,
        "geometry": r.geometry(geo.AREA),
    }
    return Cleaned(code, values, pk=refs.streets.get(code))


def parse_community(r: RowReader, refs: Refs) -> Cleaned:
    parent = r.text("street", required=True)
    street_id = r.ref("street", refs.streets, what=_("street"), required=True)
    code = _child_code(r, parent if street_id else "", 12, _("community"))
    values = {
        "code": code,
        "name": _name(r, m.Community),
        "street_id": street_id,
        "area_class": r.integer("area_class", default=1, minimum=1, maximum=2),
        "geometry": r.geometry(geo.AREA),
    }
    return Cleaned(code, values, pk=refs.communities.get(code))


def parse_grid(r: RowReader, refs: Refs) -> Cleaned:
    parent = r.text("community", required=True)
    community_id = r.ref("community", refs.communities, what=_("community"), required=True)
    code = _child_code(r, parent if community_id else "", 15, _("grid"))
    valid_from, valid_to = r.date("valid_from"), r.date("valid_to")
    if valid_from and valid_to and valid_to < valid_from:
        r.error("valid_to", _("The end date is before the start date."))
    values = {
        "code": code,
        "name": _name(r, m.Grid, required=False),
        "community_id": community_id,
        "land_use": r.text("land_use", max_length=_max(m.Grid, "land_use")),
        "management_level": r.text("management_level", max_length=_max(m.Grid, "management_level")),
        "responsible_org_id": r.org("responsible_org", refs),
        "valid_from": valid_from,
        "valid_to": valid_to,
        "geometry": r.geometry(geo.AREA),
    }
    return Cleaned(code, values, pk=refs.grids.get(code))


# --- organisations --------------------------------------------------------------------------


def parse_organisation(r: RowReader, refs: Refs) -> Cleaned:
    name = _name(r, m.Organisation)
    uscc = r.code("uscc", validators.validate_uscc, required=False)
    kind = r.choice("kind", m.OrganisationKind.values, required=True)
    operator_type = r.choice("operator_type", m.ServiceType.values)
    if kind == m.OrganisationKind.OPERATOR and not operator_type:
        r.error("operator_type", _("An operator needs an operator type."))
    if kind != m.OrganisationKind.OPERATOR:
        operator_type = ""
    street_id = r.ref("street", refs.streets, what=_("street"))
    community_id = r.ref("community", refs.communities, what=_("community"))
    if kind == m.OrganisationKind.STREET_OFFICE and not r.raw("street"):
        r.error("street", _("A street office belongs to a street."))
    if kind == m.OrganisationKind.COMMUNITY and not r.raw("community"):
        r.error("community", _("A community committee needs its community."))
    by_uscc = refs.org_by_uscc.get(uscc) if uscc else None
    by_name = refs.org_by_name.get(name) if name else None
    if by_uscc and by_name and by_uscc != by_name:
        r.error(
            "name",
            _("Another organisation with a different credit code already has this name."),
        )
    values = {
        "name": name,
        "kind": kind,
        "operator_type": operator_type,
        "short_name": r.text("short_name", max_length=_max(m.Organisation, "short_name")),
        "uscc": uscc or None,
        "street_id": street_id,
        "community_id": community_id,
        "contact_phone": r.text("contact_phone", max_length=_max(m.Organisation, "contact_phone")),
        "address": r.text("address", max_length=_max(m.Organisation, "address")),
        "active": r.boolean("active", default=True),
    }
    return Cleaned(uscc or name, values, pk=by_uscc or by_name)


# --- assets ---------------------------------------------------------------------------------


def parse_road_segment(r: RowReader, refs: Refs) -> Cleaned:
    code = r.text("code", required=True, max_length=_max(m.RoadSegment, "code"))
    values = {
        "code": code,
        "name": _name(r, m.RoadSegment),
        "cleaning_grade": r.grade("cleaning_grade", top=4, default=m.CleaningGrade.GRADE_2),
        "road_class": r.choice("road_class", m.RoadClass.values, default=m.RoadClass.SECONDARY),
        "width_m": r.number("width_m", required=True, positive=True),
        "street_id": r.ref("street", refs.streets, what=_("street")),
        "maintainer_id": r.org("maintainer", refs),
        "geometry": r.geometry(geo.LINE),
    }
    return Cleaned(code, values, pk=refs.road_segments.get(code))


def parse_green_space(r: RowReader, refs: Refs) -> Cleaned:
    code = r.text("code", required=True, max_length=_max(m.GreenSpace, "code"))
    values = {
        "code": code,
        "name": _name(r, m.GreenSpace),
        "kind": r.text("kind", max_length=_max(m.GreenSpace, "kind")),
        "maintenance_grade": r.grade(
            "maintenance_grade", top=3, default=m.MaintenanceGrade.GRADE_2
        ),
        "street_id": r.ref("street", refs.streets, what=_("street")),
        "maintainer_id": r.org("maintainer", refs),
        "geometry": r.geometry(geo.AREA),
    }
    return Cleaned(code, values, pk=refs.green_spaces.get(code))


def _two_digits(what: str) -> Callable[[str], str]:
    return lambda v: _digits(v, 2, what)


def parse_component_type(r: RowReader, refs: Refs) -> Cleaned:
    major = r.code("major_code", _two_digits(_("major class")))
    minor = r.code("minor_code", _two_digits(_("minor class")))
    values = {
        "major_code": major,
        "major_name": r.text("major_name", required=True, max_length=50),
        "minor_code": minor,
        "minor_name": r.text("minor_name", required=True, max_length=50),
    }
    key = f"{major}{minor}"
    return Cleaned(key, values, pk=refs.component_types.get(key))


def parse_component(r: RowReader, refs: Refs) -> Cleaned:
    code = r.code("code", lambda v: _digits(v, 16, _("component")))
    type_code = r.text("type") or code[6:10]
    type_id = refs.component_types.get(type_code)
    if code and type_id is None:
        r.error("type", _("Unknown component type %(code)s.") % {"code": type_code})
    elif code and type_id is not None:
        admin = code[:6]
        r.code(
            "code",
            lambda v: validators.validate_component_code(
                v, admin_code=admin, major=type_code[:2], minor=type_code[2:]
            ),
        )
        if admin not in refs.districts:
            r.error(
                "code",
                _("The first six digits %(code)s are not a known district code.") % {"code": admin},
            )
    values = {
        "code": code,
        "type_id": type_id,
        "name": _name(r, m.Component, required=False),
        "status": r.choice("status", m.ComponentStatus.values, default=m.ComponentStatus.NORMAL),
        "grid_id": r.ref("grid", refs.grids, what=_("grid")),
        "owner_id": r.org("owner", refs),
        "maintainer_id": r.org("maintainer", refs),
        "location_note": r.text("location_note", max_length=_max(m.Component, "location_note")),
        "geometry": r.geometry(geo.POINT),
    }
    return Cleaned(code, values, pk=refs.components.get(code))


def parse_compound(r: RowReader, refs: Refs) -> Cleaned:
    code = r.text("code", required=True, max_length=_max(m.Compound, "code"))
    model = r.choice("management_model", m.ManagementModel.values, default=m.ManagementModel.NONE)
    company_id = r.org("property_company", refs)
    if model == m.ManagementModel.PROFESSIONAL and not r.raw("property_company"):
        r.error("property_company", _("A professionally managed compound needs its company."))
    if model == m.ManagementModel.NONE and r.raw("property_company"):
        r.error("management_model", _("A compound with a property company is not unmanaged."))
    values = {
        "code": code,
        "name": _name(r, m.Compound),
        "address": r.text("address", max_length=_max(m.Compound, "address")),
        "community_id": r.ref("community", refs.communities, what=_("community")),
        "households": r.integer("households", default=0, minimum=0, maximum=MAX_INT),
        "floor_area_m2": r.number("floor_area_m2", default=0, minimum=0),
        "built_year": r.integer("built_year", minimum=1800, maximum=2200),
        "management_model": model,
        "property_company_id": company_id,
        "geometry": _compound_geometry(r),
    }
    return Cleaned(code, values, pk=refs.compounds.get(code))


def _compound_geometry(r: RowReader) -> dict[str, Any] | None:
    """A feature's polygon; in CSV a WKT/GeoJSON ``geometry`` cell and/or a ``lon``/``lat``
    centre. A centre alone becomes a square of ``side_m`` metres (default 100): a placeholder
    outline to be replaced by a surveyed one, so the compound can already be found by point."""
    if r.record.is_feature:
        return r.geometry(geo.AREA)
    polygon = r.geometry_column("geometry", geo.AREA)
    centre = r.point("lon", "lat")
    side = r.number("side_m", default=DEFAULT_SIDE_M, positive=True) or DEFAULT_SIDE_M
    if polygon is None and centre is None:
        if not r.raw("geometry"):
            r.error("geometry", _("Give a geometry (WKT or GeoJSON) or the lon/lat of a centre."))
        return None
    if polygon is not None and centre is not None:
        if not geo.to_shape(polygon).covers(shapely.Point(*centre)):
            r.error("lon", _("The centre lies outside the compound's polygon."))
        return polygon
    if polygon is not None:
        return polygon
    assert centre is not None
    proj = geo.LocalProjection(*centre)
    half = side / 2
    xs, ys = proj.inverse([-half, half, half, -half, -half], [-half, -half, half, half, -half])
    ring = [[round(float(x), 7), round(float(y), 7)] for x, y in zip(xs, ys, strict=True)]
    return {"type": "Polygon", "coordinates": [ring]}


# --- contracts and lots ---------------------------------------------------------------------


def parse_contract(r: RowReader, refs: Refs) -> Cleaned:
    number = r.text("number", required=True, max_length=_max(m.Contract, "number"))
    operator_id = r.org("operator", refs, required=True)
    if operator_id is not None and refs.org_kind.get(operator_id) != m.OrganisationKind.OPERATOR:
        r.error("operator", _("Only an operator company can hold a contract."))
    start, end = r.date("start_date", required=True), r.date("end_date", required=True)
    if start and end and end < start:
        r.error("end_date", _("The contract ends before it starts."))
    values = {
        "number": number,
        "title": r.text("title", required=True, max_length=_max(m.Contract, "title")),
        "operator_id": operator_id,
        "service_type": r.choice("service_type", m.ServiceType.values, required=True),
        "start_date": start,
        "end_date": end,
        "monthly_fee": r.decimal("monthly_fee", required=True),
    }
    return Cleaned(number, values, pk=refs.contracts.get(number))


def parse_lot(r: RowReader, refs: Refs) -> Cleaned:
    code = r.text("code", required=True, max_length=_max(m.Lot, "code"))
    values: dict[str, Any] = {
        "code": code,
        "name": _name(r, m.Lot),
        "contract_id": r.ref("contract", refs.contracts, what=_("contract"), required=True),
        "geometry": r.geometry(geo.AREA, required=False),
    }
    m2m = {
        "road_segments": r.ref_list("road_segments", refs.road_segments, what=_("road segment")),
        "green_spaces": r.ref_list("green_spaces", refs.green_spaces, what=_("green space")),
        "compounds": r.ref_list("compounds", refs.compounds, what=_("compound")),
    }
    return Cleaned(code, values, m2m=m2m, pk=refs.lots.get(code))


_AREA = ("code", "name")
LAYERS: dict[str, Layer] = {
    layer.name: layer
    for layer in (
        Layer("cities", m.City, _AREA, (GEOJSON,), parse_city),
        Layer("districts", m.District, (*_AREA, "city"), (GEOJSON,), parse_district),
        Layer("streets", m.Street, (*_AREA, "district"), (GEOJSON,), parse_street),
        Layer(
            "communities",
            m.Community,
            (*_AREA, "street", "area_class"),
            (GEOJSON,),
            parse_community,
        ),
        Layer(
            "organisations",
            m.Organisation,
            (
                "name",
                "kind",
                "operator_type",
                "short_name",
                "uscc",
                "street",
                "community",
                "contact_phone",
                "address",
                "active",
            ),
            (CSV,),
            parse_organisation,
        ),
        Layer(
            "grids",
            m.Grid,
            (
                *_AREA,
                "community",
                "land_use",
                "management_level",
                "responsible_org",
                "valid_from",
                "valid_to",
            ),
            (GEOJSON,),
            parse_grid,
        ),
        Layer(
            "road_segments",
            m.RoadSegment,
            (*_AREA, "cleaning_grade", "road_class", "width_m", "street", "maintainer"),
            (GEOJSON,),
            parse_road_segment,
        ),
        Layer(
            "green_spaces",
            m.GreenSpace,
            (*_AREA, "kind", "maintenance_grade", "street", "maintainer"),
            (GEOJSON,),
            parse_green_space,
        ),
        Layer(
            "component_types",
            m.ComponentType,
            ("major_code", "major_name", "minor_code", "minor_name"),
            (CSV,),
            parse_component_type,
        ),
        Layer(
            "components",
            m.Component,
            (*_AREA, "type", "status", "grid", "owner", "maintainer", "location_note"),
            (GEOJSON,),
            parse_component,
        ),
        Layer(
            "compounds",
            m.Compound,
            (
                *_AREA,
                "address",
                "community",
                "households",
                "floor_area_m2",
                "built_year",
                "management_model",
                "property_company",
            ),
            (GEOJSON, CSV),
            parse_compound,
            csv_columns=("geometry", "lon", "lat", "side_m"),
        ),
        Layer(
            "contracts",
            m.Contract,
            (
                "number",
                "title",
                "operator",
                "service_type",
                "start_date",
                "end_date",
                "monthly_fee",
            ),
            (CSV,),
            parse_contract,
        ),
        Layer(
            "lots",
            m.Lot,
            (*_AREA, "contract", "road_segments", "green_spaces"),
            (GEOJSON,),
            parse_lot,
        ),
    )
}
