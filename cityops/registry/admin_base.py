"""Base classes of the registry back office: audited writes, map widget and read-only map."""

from __future__ import annotations

import copy
from typing import Any, Generic, TypeVar

from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.formats import number_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from cityops.core.admin_base import AuditedAdmin
from cityops.registry import models as m
from cityops.registry.admin_widgets import (
    ContextLayer,
    GeoJSONMapWidget,
    geometry_preview_html,
    map_media,
)

_M = TypeVar("_M", bound=models.Model)
_GM = TypeVar("_GM", bound=models.Model)

RECORD_FIELDSET: Any = (
    _("Record"),
    {"fields": ("created_at", "updated_at"), "classes": ("collapse",)},
)


def number(value: float | None, decimals: int = 0) -> str:
    if value is None:
        return ""
    return number_format(value, decimal_pos=decimals, force_grouping=True)


class RegistryAdmin(AuditedAdmin[_M], Generic[_M]):
    """Audits every write made through the back office as ``registry.<model>.<verb>``."""

    audit_prefix = "registry"
    list_per_page = 50
    show_full_result_count = False


class GeoAdmin(RegistryAdmin[_GM], Generic[_GM]):
    """A registry admin whose model has a GeoJSON ``geometry``: map widget and read-only map."""

    # Related objects (dotted paths from the row) whose outline gives the map its context.
    map_context_paths: tuple[str, ...] = ()
    NEIGHBOUR_LIMIT = 80

    @property
    def media(self) -> Any:
        return super().media + map_media()

    @admin.display(description=_("area (m²)"), ordering="area_m2")
    def area(self, obj: Any) -> str:
        return number(obj.area_m2)

    @admin.display(description=_("area (km²)"), ordering="area_m2")
    def area_km2(self, obj: Any) -> str:
        return number(obj.area_m2 / 1_000_000, 2)

    @admin.display(description=_("length (m)"), ordering="length_m")
    def length(self, obj: Any) -> str:
        return number(obj.length_m, 1)

    @admin.display(description=_("bounding box (W, S, E, N)"))
    def bounding_box(self, obj: Any) -> str:
        values = (obj.min_lon, obj.min_lat, obj.max_lon, obj.max_lat)
        return ", ".join(f"{v:.6f}" for v in values)

    def _geometry_types(self) -> tuple[str, ...]:
        return tuple(getattr(self.model, "geometry_types", ()) or ("Polygon", "MultiPolygon"))

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "geometry":
            kwargs["widget"] = GeoJSONMapWidget(geometry_types=self._geometry_types())
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def map_context(self, obj: _GM) -> list[ContextLayer]:
        """The parent outline(s), then the nearest rows of the same layer (cheap: by bbox)."""
        layers = []
        for path in self.map_context_paths:
            related: Any = obj
            for part in path.split("."):
                related = getattr(related, part, None) if related is not None else None
            if related is not None and getattr(related, "geometry", None):
                label = f"{related._meta.verbose_name}: {related}"
                layers.append(ContextLayer(label=label, geometry=related.geometry, kind="parent"))
        for row in self._neighbours(obj):
            layers.append(ContextLayer(label=str(row), geometry=row.geometry, kind="neighbour"))
        return layers

    def _neighbours(self, obj: Any) -> QuerySet[Any]:
        if not isinstance(obj, m.GeoModel) or obj.pk is None:
            return self.model._default_manager.none()
        # Half the row's own size around it (at least ~200 m), so the map shows its surroundings.
        dx = max((obj.max_lon - obj.min_lon) / 2, 0.002)
        dy = max((obj.max_lat - obj.min_lat) / 2, 0.002)
        return (
            type(obj)
            ._default_manager.filter(
                min_lon__lte=obj.max_lon + dx,
                max_lon__gte=obj.min_lon - dx,
                min_lat__lte=obj.max_lat + dy,
                max_lat__gte=obj.min_lat - dy,
            )
            .exclude(pk=obj.pk)
            .order_by()[: self.NEIGHBOUR_LIMIT]
        )

    def get_form(
        self, request: HttpRequest, obj: _GM | None = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        field = form.base_fields.get("geometry")
        if obj is not None and field is not None and isinstance(field.widget, GeoJSONMapWidget):
            field.widget.context_layers = tuple(self.map_context(obj))
        return form

    def get_fieldsets(self, request: HttpRequest, obj: _GM | None = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or self.has_change_permission(request, obj):
            return fieldsets
        # View-only: the widget is not rendered, so show the read-only map in its place.
        swapped = copy.deepcopy(list(fieldsets))
        for _name, options in swapped:
            options["fields"] = tuple(
                "geometry_map" if f == "geometry" else f for f in options["fields"]
            )
        return swapped

    @admin.display(description=_("map"))
    def geometry_map(self, obj: _GM) -> SafeString:
        return geometry_preview_html(
            getattr(obj, "geometry", None),
            element_id=f"geometry-preview-{obj.pk}",
            geometry_types=self._geometry_types(),
            context_layers=self.map_context(obj),
        )
