"""Registry back office: browse, search and edit the city as data, with a map of each geometry.

Writes go through the admin's model forms, so the models' ``clean()`` rules (codes, credit codes,
geometry) apply; every save and delete is written to the audit log. Users who may only view
(bureau supervisors, the mayor's office) get a read-only map instead of the editing widget.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from cityops.registry import models as m
from cityops.registry.admin_base import RECORD_FIELDSET, GeoAdmin, RegistryAdmin, number
from cityops.registry.admin_widgets import ContextLayer

admin.site.site_header = _("CityOps urban operations platform")
admin.site.site_title = _("CityOps urban operations platform")
admin.site.index_title = _("Back office")


def _geometry_fieldset(*measures: str) -> Any:
    return (_("Geometry"), {"fields": ("geometry", *measures, "bounding_box")})


# --- Administrative hierarchy -------------------------------------------------------------


@admin.register(m.City)
class CityAdmin(GeoAdmin[m.City]):
    list_display = ("code", "name", "area_km2", "updated_at")
    search_fields = ("code", "name")
    readonly_fields = ("created_at", "updated_at", "area_km2", "bounding_box")
    fieldsets = (
        (None, {"fields": ("code", "name")}),
        _geometry_fieldset("area_km2"),
        RECORD_FIELDSET,
    )


@admin.register(m.District)
class DistrictAdmin(GeoAdmin[m.District]):
    list_display = ("code", "name", "city", "area_km2")
    list_filter = ("city",)
    list_select_related = ("city",)
    search_fields = ("code", "name")
    autocomplete_fields = ("city",)
    readonly_fields = ("created_at", "updated_at", "area_km2", "bounding_box")
    map_context_paths = ("city",)
    fieldsets = (
        (None, {"fields": ("city", "code", "name")}),
        _geometry_fieldset("area_km2"),
        RECORD_FIELDSET,
    )


@admin.register(m.Street)
class StreetAdmin(GeoAdmin[m.Street]):
    list_display = ("code", "name", "district", "area_km2")
    list_filter = ("district",)
    list_select_related = ("district",)
    search_fields = ("code", "name")
    autocomplete_fields = ("district",)
    readonly_fields = ("created_at", "updated_at", "area_km2", "bounding_box")
    map_context_paths = ("district",)
    fieldsets = (
        (None, {"fields": ("district", "code", "name")}),
        _geometry_fieldset("area_km2"),
        RECORD_FIELDSET,
    )


@admin.register(m.Community)
class CommunityAdmin(GeoAdmin[m.Community]):
    list_display = ("code", "name", "street", "area_class", "area_km2")
    list_filter = ("street__district", "street", "area_class")
    list_select_related = ("street",)
    search_fields = ("code", "name", "street__name")
    autocomplete_fields = ("street",)
    readonly_fields = ("created_at", "updated_at", "area_km2", "bounding_box")
    map_context_paths = ("street",)
    fieldsets = (
        (None, {"fields": ("street", "code", "name", "area_class")}),
        _geometry_fieldset("area_km2"),
        RECORD_FIELDSET,
    )


@admin.register(m.Grid)
class GridAdmin(GeoAdmin[m.Grid]):
    list_display = ("code", "name", "community", "street", "responsible_org", "area")
    list_filter = ("community__street", "management_level", "land_use")
    list_select_related = ("community__street", "responsible_org")
    search_fields = ("code", "name", "community__name", "community__code")
    autocomplete_fields = ("community", "responsible_org")
    readonly_fields = ("created_at", "updated_at", "area", "bounding_box")
    map_context_paths = ("community",)
    fieldsets = (
        (None, {"fields": ("community", "code", "name", "responsible_org")}),
        (
            _("Classification"),
            {"fields": ("land_use", "management_level", ("valid_from", "valid_to"))},
        ),
        _geometry_fieldset("area"),
        RECORD_FIELDSET,
    )

    @admin.display(description=_("street"), ordering="community__street__code")
    def street(self, obj: m.Grid) -> str:
        return str(obj.community.street)


# --- Organisations ------------------------------------------------------------------------


@admin.register(m.Organisation)
class OrganisationAdmin(RegistryAdmin[m.Organisation]):
    list_display = ("name", "short_name", "kind", "operator_type", "uscc", "street", "active")
    list_filter = ("kind", "operator_type", "active", ("street", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("street",)
    search_fields = ("name", "short_name", "uscc")
    autocomplete_fields = ("street", "community")
    readonly_fields = ("created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("kind", "operator_type", "name", "short_name", "uscc", "active")}),
        (_("Territory"), {"fields": ("street", "community")}),
        (_("Contact"), {"fields": ("contact_phone", "address")}),
        RECORD_FIELDSET,
    )

    # Autocomplete boxes that only make sense for operator companies.
    OPERATOR_ONLY = {("contract", "operator"), ("compound", "property_company")}

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[m.Organisation], search_term: str
    ) -> tuple[QuerySet[m.Organisation], bool]:
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        asked_by = (request.GET.get("model_name"), request.GET.get("field_name"))
        if asked_by in self.OPERATOR_ONLY:
            queryset = queryset.filter(kind=m.OrganisationKind.OPERATOR)
        return queryset, may_have_duplicates


# --- Assets -------------------------------------------------------------------------------


@admin.register(m.RoadSegment)
class RoadSegmentAdmin(GeoAdmin[m.RoadSegment]):
    list_display = (
        "code",
        "name",
        "cleaning_grade",
        "road_class",
        "length",
        "area",
        "street",
    )
    list_filter = ("cleaning_grade", "road_class", "street")
    list_select_related = ("street",)
    search_fields = ("code", "name")
    autocomplete_fields = ("street", "maintainer")
    readonly_fields = ("created_at", "updated_at", "length", "area", "bounding_box")
    map_context_paths = ("street",)
    fieldsets = (
        (None, {"fields": ("code", "name", "street", "maintainer")}),
        (_("Grades"), {"fields": ("cleaning_grade", "road_class", "width_m")}),
        _geometry_fieldset("length", "area"),
        RECORD_FIELDSET,
    )


@admin.register(m.GreenSpace)
class GreenSpaceAdmin(GeoAdmin[m.GreenSpace]):
    list_display = ("code", "name", "kind", "maintenance_grade", "area", "street", "maintainer")
    list_filter = ("maintenance_grade", "street", "kind")
    list_select_related = ("street", "maintainer")
    search_fields = ("code", "name")
    autocomplete_fields = ("street", "maintainer")
    readonly_fields = ("created_at", "updated_at", "area", "bounding_box")
    map_context_paths = ("street",)
    fieldsets = (
        (None, {"fields": ("code", "name", "kind", "maintenance_grade", "street", "maintainer")}),
        _geometry_fieldset("area"),
        RECORD_FIELDSET,
    )


@admin.register(m.ComponentType)
class ComponentTypeAdmin(RegistryAdmin[m.ComponentType]):
    list_display = ("type_code", "major_name", "minor_name")
    list_filter = ("major_name",)
    search_fields = ("major_code", "minor_code", "major_name", "minor_name")
    readonly_fields = ("created_at", "updated_at")
    fieldsets = (
        (None, {"fields": (("major_code", "major_name"), ("minor_code", "minor_name"))}),
        RECORD_FIELDSET,
    )

    @admin.display(description=_("code"), ordering="major_code")
    def type_code(self, obj: m.ComponentType) -> str:
        return obj.code


@admin.register(m.Component)
class ComponentAdmin(GeoAdmin[m.Component]):
    list_display = ("code", "type", "name", "status", "grid", "owner", "maintainer")
    list_filter = ("status", "type__major_name", ("type", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("type", "grid", "owner", "maintainer")
    search_fields = ("code", "name", "location_note")
    autocomplete_fields = ("type", "grid", "owner", "maintainer")
    readonly_fields = ("created_at", "updated_at", "bounding_box")
    map_context_paths = ("grid",)
    fieldsets = (
        (None, {"fields": ("type", "code", "name", "status")}),
        (_("Responsibility"), {"fields": ("grid", "owner", "maintainer", "location_note")}),
        _geometry_fieldset(),
        RECORD_FIELDSET,
    )


@admin.register(m.Compound)
class CompoundAdmin(GeoAdmin[m.Compound]):
    list_display = (
        "code",
        "name",
        "community",
        "households",
        "floor_area",
        "management_model",
        "property_company",
        "area",
    )
    list_filter = (
        "management_model",
        "community__street",
        ("property_company", admin.RelatedOnlyFieldListFilter),
    )
    list_select_related = ("community", "property_company")
    search_fields = ("code", "name", "address", "property_company__name")
    autocomplete_fields = ("community", "property_company")
    readonly_fields = ("created_at", "updated_at", "area", "bounding_box")
    map_context_paths = ("community",)
    fieldsets = (
        (None, {"fields": ("code", "name", "address", "community")}),
        (
            _("Property management"),
            {"fields": ("management_model", "property_company")},
        ),
        (_("Size"), {"fields": ("households", "floor_area_m2", "built_year")}),
        _geometry_fieldset("area"),
        RECORD_FIELDSET,
    )

    @admin.display(description=_("floor area (m²)"), ordering="floor_area_m2")
    def floor_area(self, obj: m.Compound) -> str:
        return number(obj.floor_area_m2)


# --- Contracts and lots -------------------------------------------------------------------


@admin.register(m.Contract)
class ContractAdmin(RegistryAdmin[m.Contract]):
    list_display = (
        "number",
        "title",
        "operator",
        "service_type",
        "start_date",
        "end_date",
        "fee",
        "active_today",
    )
    list_filter = ("service_type", ("operator", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("operator",)
    search_fields = ("number", "title", "operator__name")
    autocomplete_fields = ("operator",)
    readonly_fields = ("created_at", "updated_at", "lot_links", "procurement_links")
    fieldsets = (
        (None, {"fields": ("number", "title", "operator", "service_type")}),
        (_("Terms"), {"fields": (("start_date", "end_date"), "monthly_fee")}),
        (_("Lots"), {"fields": ("lot_links", "procurement_links")}),
        RECORD_FIELDSET,
    )

    @admin.display(description=_("monthly fee (CNY)"), ordering="monthly_fee")
    def fee(self, obj: m.Contract) -> str:
        return number(float(obj.monthly_fee), 2)

    @admin.display(description=_("in force today"), boolean=True)
    def active_today(self, obj: m.Contract) -> bool:
        return obj.is_active_on(timezone.localdate())

    @admin.display(description=_("lots"))
    def lot_links(self, obj: m.Contract) -> str:
        lots: Iterable[m.Lot] = obj.lots.all() if obj.pk else ()
        return format_html_join(
            ", ",
            '<a href="{}">{}</a>',
            ((reverse("admin:registry_lot_change", args=[lot.pk]), str(lot)) for lot in lots),
        ) or str(_("none yet"))

    @admin.display(description=_("procurement"))
    def procurement_links(self, obj: m.Contract) -> str:
        # The procurement that awarded this contract (procurement.Project.contract): read
        # through the reverse relation, so the registry imports nothing of that app.
        related = getattr(obj, "procurements", None)
        projects: Iterable[Any] = related.all() if obj.pk and related is not None else ()
        return format_html_join(
            ", ",
            '<a href="{}">{}</a>',
            ((reverse("procurement:detail", args=[p.pk]), str(p)) for p in projects),
        ) or str(_("none"))


@admin.register(m.Lot)
class LotAdmin(GeoAdmin[m.Lot]):
    list_display = (
        "code",
        "name",
        "contract",
        "operator",
        "service_type",
        "area",
        "road_count",
        "green_count",
        "compound_count",
    )
    list_filter = ("contract__service_type", ("contract", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("contract__operator",)
    search_fields = ("code", "name", "contract__number", "contract__operator__name")
    autocomplete_fields = ("contract", "road_segments", "green_spaces", "compounds")
    readonly_fields = ("created_at", "updated_at", "area")
    fieldsets = (
        (None, {"fields": ("contract", "code", "name")}),
        (_("Service area"), {"fields": ("geometry", "area")}),
        (_("Assets"), {"fields": ("road_segments", "green_spaces", "compounds")}),
        RECORD_FIELDSET,
    )
    # Enough assets to see the lot's shape; a city-wide lot would otherwise send thousands.
    CONTEXT_LIMIT = 300

    def get_queryset(self, request: HttpRequest) -> QuerySet[m.Lot]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_roads=Count("road_segments", distinct=True),
                n_greens=Count("green_spaces", distinct=True),
                n_compounds=Count("compounds", distinct=True),
            )
        )

    def map_context(self, obj: m.Lot) -> list[ContextLayer]:
        layers = []
        for related in (obj.road_segments, obj.green_spaces, obj.compounds):
            for asset in related.only("code", "name", "geometry")[: self.CONTEXT_LIMIT]:
                layers.append(ContextLayer(label=str(asset), geometry=asset.geometry, kind="asset"))
        return layers

    @admin.display(description=_("operator"), ordering="contract__operator__name")
    def operator(self, obj: m.Lot) -> str:
        return str(obj.contract.operator)

    @admin.display(description=_("service type"), ordering="contract__service_type")
    def service_type(self, obj: m.Lot) -> str:
        return str(obj.contract.get_service_type_display())

    @admin.display(description=_("road segments"), ordering="n_roads")
    def road_count(self, obj: Any) -> int:
        return int(obj.n_roads)

    @admin.display(description=_("green spaces"), ordering="n_greens")
    def green_count(self, obj: Any) -> int:
        return int(obj.n_greens)

    @admin.display(description=_("compounds"), ordering="n_compounds")
    def compound_count(self, obj: Any) -> int:
        return int(obj.n_compounds)
