"""Map previews of GeoJSON geometry for the registry back office.

The map itself is drawn by ``static/cityops/map-preview.js``, which initialises every
``[data-map-preview]`` element on the base map of ``static/cityops/map-base.js`` (loaded
before it): configuration travels in data attributes and JSON data blocks
(``json_script``), never in inline script code, so a Content-Security-Policy without inline
scripts holds. Leaflet is served from ``/static/vendor/leaflet/`` (``make assets``), never a CDN.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from cityops.core import mapconfig

LEAFLET_JS = "vendor/leaflet/leaflet.js"
LEAFLET_CSS = "vendor/leaflet/leaflet.css"
BASE_JS = "cityops/map-base.js"  # readJson and the base map, shared with the other maps
PREVIEW_JS = "cityops/map-preview.js"
PREVIEW_CSS = "cityops/map-preview.css"


@dataclass(frozen=True)
class ContextLayer:
    """A neighbouring geometry drawn faintly behind the edited one (e.g. the parent outline)."""

    label: str
    geometry: dict[str, Any]
    kind: str = "parent"  # parent | neighbour | asset: drawn in different styles


def map_media() -> forms.Media:
    return forms.Media(
        css={"all": [LEAFLET_CSS, PREVIEW_CSS]}, js=[LEAFLET_JS, BASE_JS, PREVIEW_JS]
    )


def map_options(
    *,
    geometry_types: Sequence[str] = (),
    context_layers: Sequence[ContextLayer] = (),
) -> dict[str, Any]:
    """What the preview script needs: tile source (deployment data), centre, layers, messages."""
    return mapconfig.map_options(
        **{
            "geometryTypes": list(geometry_types),
            "context": [
                {"label": c.label, "geometry": c.geometry, "kind": c.kind} for c in context_layers
            ],
            "messages": {
                "invalidJson": str(
                    _("The text is not valid JSON; the map shows the last valid shape.")
                ),
                "notGeometry": str(_("The JSON is not a GeoJSON geometry.")),
                "wrongType": str(_("This geometry type is not allowed here. Expected:")),
                "empty": str(_("No geometry yet: paste GeoJSON into the text box.")),
            },
        }
    )


class GeoJSONMapWidget(forms.Textarea):
    """A textarea holding the GeoJSON with a live map of it next to it."""

    template_name = "registry/widgets/geojson_map.html"

    def __init__(
        self,
        *,
        geometry_types: Sequence[str] = (),
        attrs: dict[str, Any] | None = None,
    ) -> None:
        base = {"rows": 6, "cols": 80, "spellcheck": "false", "class": "geojson-source"}
        super().__init__(attrs={**base, **(attrs or {})})
        self.geometry_types = tuple(geometry_types)
        self.context_layers: tuple[ContextLayer, ...] = ()

    @property
    def media(self) -> forms.Media:
        return map_media()

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        widget_id = context["widget"]["attrs"].get("id") or f"id_{name}"
        context["map"] = {
            "source_id": widget_id,
            "options_id": f"{widget_id}_map_options",
            "options": map_options(
                geometry_types=self.geometry_types, context_layers=self.context_layers
            ),
        }
        return context


def geometry_preview_html(
    geometry: dict[str, Any] | None,
    *,
    element_id: str,
    geometry_types: Sequence[str] = (),
    context_layers: Sequence[ContextLayer] = (),
) -> SafeString:
    """A read-only map (for view-only pages), the GeoJSON itself folded away below it."""
    return SafeString(
        render_to_string(
            "registry/widgets/geometry_preview.html",
            {
                "geometry_id": f"{element_id}_geometry",
                "options_id": f"{element_id}_options",
                "geometry": geometry,
                "geometry_text": json.dumps(geometry, ensure_ascii=False) if geometry else "",
                "options": map_options(
                    geometry_types=geometry_types, context_layers=context_layers
                ),
            },
        )
    )
