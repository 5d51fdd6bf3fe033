"""Field parsers for one input row: each returns a clean value or records an ``Issue``.

Pure: the caller passes plain lookup dicts (``Refs``) for parent codes, never a queryset,
so every rule can be tested without a database.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

import numpy as np
import shapely
from django.utils.translation import gettext as _
from shapely import wkt
from shapely.errors import ShapelyError
from shapely.geometry.base import BaseGeometry

from cityops.core import geo, jsonlimits
from cityops.registry import validators
from cityops.registry.io.records import Issue, Record

#: Vectorised ``(lon[], lat[]) -> (lon[], lat[])`` to WGS-84 (``cityops.core.coords``).
Converter = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]

N = TypeVar("N", int, float)

_CHINESE_GRADES = {"一": 1, "二": 2, "三": 3, "四": 4}


@dataclass
class Refs:
    """Existing registry keys → primary keys, loaded once per import by the service."""

    cities: dict[str, int] = field(default_factory=dict)
    districts: dict[str, int] = field(default_factory=dict)
    streets: dict[str, int] = field(default_factory=dict)
    communities: dict[str, int] = field(default_factory=dict)
    grids: dict[str, int] = field(default_factory=dict)
    org_by_uscc: dict[str, int] = field(default_factory=dict)
    org_by_name: dict[str, int] = field(default_factory=dict)
    org_kind: dict[int, str] = field(default_factory=dict)
    component_types: dict[str, int] = field(default_factory=dict)
    components: dict[str, int] = field(default_factory=dict)
    road_segments: dict[str, int] = field(default_factory=dict)
    green_spaces: dict[str, int] = field(default_factory=dict)
    compounds: dict[str, int] = field(default_factory=dict)
    contracts: dict[str, int] = field(default_factory=dict)
    lots: dict[str, int] = field(default_factory=dict)


# C0 controls except tab, line feed and carriage return (allowed in quoted CSV cells), DEL, C1.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class RowReader:
    """Reads the fields of one record, collecting every problem instead of stopping."""

    def __init__(self, record: Record, *, convert: Converter | None = None) -> None:
        self.record = record
        self.issues: list[Issue] = []
        self._convert = convert
        self._where = record.label()

    # -- plumbing ---------------------------------------------------------------------
    def error(self, name: str, message: str) -> None:
        self.issues.append(Issue(self._where, name, message))

    def raw(self, name: str) -> Any:
        value = self.record.values.get(name)
        control = _CONTROL.search(value) if isinstance(value, str) else None
        if control:
            # NUL and other control characters: PostgreSQL refuses NUL in text (without saying
            # which row), the others are invisible garbage from a broken export.
            self.error(
                name,
                _("The value contains a control character (U+%(code)04X).")
                % {"code": ord(control.group())},
            )
            return None
        return None if _is_blank(value) else value

    def _missing(self, name: str) -> None:
        self.error(name, _("This field is required."))

    # -- scalars ----------------------------------------------------------------------
    def text(self, name: str, *, required: bool = False, max_length: int | None = None) -> str:
        value = self.raw(name)
        if value is None:
            if required:
                self._missing(name)
            return ""
        if isinstance(value, dict | list):
            self.error(name, _("Expected text, not a list or an object."))
            return ""
        result = str(value).strip()
        if max_length is not None and len(result) > max_length:
            self.error(
                name,
                _("At most %(max)d characters allowed; this value has %(n)d.")
                % {"max": max_length, "n": len(result)},
            )
        return result

    def code(self, name: str, check: Callable[[str], str], *, required: bool = True) -> str:
        value = self.text(name, required=required)
        if not value:
            return ""
        try:
            return check(value)
        except validators.CodeError as exc:
            self.error(name, str(exc))
            return value

    def integer(
        self,
        name: str,
        *,
        required: bool = False,
        default: int | None = None,
        minimum: int | None = None,
        maximum: int | None = None,
    ) -> int | None:
        value = self.raw(name)
        if value is None:
            if required:
                self._missing(name)
            return default
        try:
            if isinstance(value, bool):
                raise ValueError
            if isinstance(value, float):
                if not value.is_integer():
                    raise ValueError
                result = int(value)
            else:
                result = int(str(value).strip())
        except ValueError:
            self.error(name, _("%(value)r is not a whole number.") % {"value": value})
            return default
        return self._in_range(name, result, minimum, maximum)

    def number(
        self,
        name: str,
        *,
        required: bool = False,
        default: float | None = None,
        minimum: float | None = None,
        positive: bool = False,
    ) -> float | None:
        value = self.raw(name)
        if value is None:
            if required:
                self._missing(name)
            return default
        try:
            if isinstance(value, bool):
                raise ValueError
            result = float(str(value).strip().replace(",", ""))
            if not math.isfinite(result):
                raise ValueError
        except ValueError:
            self.error(name, _("%(value)r is not a number.") % {"value": value})
            return default
        if positive and result <= 0:
            self.error(name, _("The value must be greater than zero."))
        return self._in_range(name, result, minimum, None)

    def decimal(
        self, name: str, *, required: bool = False, places: int = 2, digits: int = 14
    ) -> Decimal | None:
        value = self.raw(name)
        if value is None:
            if required:
                self._missing(name)
            return None
        try:
            result = Decimal(str(value).strip().replace(",", ""))
            if not result.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            self.error(name, _("%(value)r is not a number.") % {"value": value})
            return None
        if result < 0:
            self.error(name, _("The value cannot be negative."))
        if result != result.quantize(Decimal(1).scaleb(-places)):
            self.error(name, _("At most %(n)d decimal places.") % {"n": places})
        elif abs(result) >= Decimal(10) ** (digits - places):
            self.error(name, _("The value is too large."))
        return result

    def date(self, name: str, *, required: bool = False) -> dt.date | None:
        value = self.raw(name)
        if value is None:
            if required:
                self._missing(name)
            return None
        text = str(value).strip().replace("/", "-")
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            self.error(name, _("%(value)r is not a date (YYYY-MM-DD).") % {"value": value})
            return None

    def boolean(self, name: str, *, default: bool) -> bool:
        value = self.raw(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in {"1", "true", "yes", "y", "是"}:
            return True
        if text in {"0", "false", "no", "n", "否"}:
            return False
        self.error(name, _("%(value)r is not yes/no (use 1 or 0).") % {"value": value})
        return default

    def choice(
        self, name: str, choices: Iterable[str], *, default: str = "", required: bool = False
    ) -> str:
        allowed = list(choices)
        value = self.text(name, required=required)
        if not value:
            return default
        if value not in allowed:
            self.error(
                name,
                _("%(value)r is not one of: %(allowed)s.")
                % {"value": value, "allowed": ", ".join(allowed)},
            )
            return default
        return value

    def grade(self, name: str, *, top: int, default: int) -> int:
        """A grade 1…top written as a digit or as 一级/二级… (how Chinese tables write it)."""
        value = self.raw(name)
        if value is None:
            return default
        text = str(value).strip().removesuffix("级")
        number = _CHINESE_GRADES.get(text)
        if number is None and text.isdigit():
            number = int(text)
        if number is None or not 1 <= number <= top:
            self.error(
                name,
                _("%(value)r is not a grade from 1 to %(top)d.") % {"value": value, "top": top},
            )
            return default
        return number

    def _in_range(self, name: str, value: N, minimum: N | None, maximum: N | None) -> N:
        if minimum is not None and value < minimum:
            self.error(name, _("The value must be at least %(min)s.") % {"min": minimum})
        if maximum is not None and value > maximum:
            self.error(name, _("The value must be at most %(max)s.") % {"max": maximum})
        return value

    # -- references -------------------------------------------------------------------
    def ref(
        self, name: str, known: Mapping[str, int], *, what: str, required: bool = False
    ) -> int | None:
        value = self.text(name, required=required)
        if not value:
            return None
        pk = known.get(value)
        if pk is None:
            self.error(
                name,
                _("Unknown %(what)s code %(code)s (import the parent layer first).")
                % {"what": what, "code": value},
            )
        return pk

    def org(self, name: str, refs: Refs, *, required: bool = False) -> int | None:
        """An organisation named by its unified social credit code or by its full name."""
        value = self.text(name, required=required)
        if not value:
            return None
        pk = refs.org_by_uscc.get(value.upper()) or refs.org_by_name.get(value)
        if pk is None:
            self.error(
                name,
                _("Unknown organisation %(value)s (give its credit code or its full name).")
                % {"value": value},
            )
        return pk

    def ref_list(self, name: str, known: Mapping[str, int], *, what: str) -> list[int]:
        value = self.raw(name)
        if value is None:
            return []
        if isinstance(value, list):
            items = [str(v).strip() for v in value]
        else:
            items = [v.strip() for v in str(value).replace("；", ";").split(";")]
        pks: list[int] = []
        for item in filter(None, items):
            pk = known.get(item)
            if pk is None:
                self.error(
                    name, _("Unknown %(what)s code %(code)s.") % {"what": what, "code": item}
                )
            elif pk not in pks:
                pks.append(pk)
        return pks

    # -- geometry ---------------------------------------------------------------------
    def geometry(self, allowed: tuple[str, ...], *, required: bool = True) -> dict[str, Any] | None:
        """The record's GeoJSON geometry, validated, converted to WGS-84 if asked."""
        geojson = self.record.geometry
        if geojson is None:
            if required:
                self.error("geometry", _("The feature has no geometry."))
            return None
        return self._checked(geojson, allowed, "geometry")

    def geometry_column(self, name: str, allowed: tuple[str, ...]) -> dict[str, Any] | None:
        """A geometry written in a CSV cell as WKT or as GeoJSON."""
        value = self.text(name)
        if not value:
            return None
        if value.startswith("{"):
            try:
                geojson = jsonlimits.loads(value)
            except jsonlimits.JsonDepthError as exc:
                self.error(
                    name,
                    _("The JSON is nested deeper than %(limit)d levels.") % {"limit": exc.limit},
                )
                return None
            except json.JSONDecodeError as exc:
                self.error(name, _("Not valid GeoJSON: %(error)s") % {"error": exc.msg})
                return None
        else:
            try:
                geojson = geo.mapping(wkt.loads(value), precision=0)
            except (ShapelyError, ValueError) as exc:
                self.error(name, _("Not valid WKT: %(error)s") % {"error": exc})
                return None
        return self._checked(geojson, allowed, name)

    def point(self, lon_name: str, lat_name: str) -> tuple[float, float] | None:
        lon = self.number(lon_name, minimum=-180)
        lat = self.number(lat_name, minimum=-90)
        if lon is None or lat is None:
            if (lon is None) != (lat is None):
                self.error(lon_name if lon is None else lat_name, _("Give both lon and lat."))
            return None
        if lon > 180 or lat > 90:
            self.error(lon_name, _("Coordinates are outside WGS-84 longitude/latitude ranges."))
            return None
        if self._convert is None:
            return lon, lat
        xs, ys = self._convert(np.array([lon]), np.array([lat]))
        return round(float(xs[0]), 7), round(float(ys[0]), 7)

    def _checked(self, geojson: Any, allowed: tuple[str, ...], name: str) -> dict[str, Any] | None:
        try:
            shp = geo.to_shape(geojson, allowed=allowed)
            if self._convert is None:
                return geo.mapping(shp, precision=0)
            shp = geo.to_shape(geo.mapping(self._converted(shp), precision=0), allowed=allowed)
        except geo.GeometryError as exc:
            self.error(name, str(exc))
            return None
        return geo.mapping(shp, precision=0)

    def _converted(self, shp: BaseGeometry) -> BaseGeometry:
        convert = self._convert
        assert convert is not None

        def _tf(coords: np.ndarray) -> np.ndarray:
            xs, ys = convert(coords[:, 0], coords[:, 1])
            # 1e-7° ≈ 1 cm: the converted digits beyond that are noise.
            return np.round(np.column_stack([xs, ys]), 7)

        return shapely.transform(shp, _tf)
