"""Registry models, one module per family, re-exported here.

Geometry is GeoJSON (WGS-84) in a JSON column; measures are derived.

Every geometry-bearing model keeps a bounding box (min/max lon/lat) so that a map can ask the
database for the current viewport without a GIS extension; exact spatial answers come from the
in-process shapely index (``registry.spatial``).
"""

from __future__ import annotations

from cityops.registry.models.areas import City, Community, District, Grid, Street
from cityops.registry.models.assets import (
    CleaningGrade,
    Component,
    ComponentStatus,
    ComponentType,
    Compound,
    GreenSpace,
    MaintenanceGrade,
    ManagementModel,
    RoadClass,
    RoadSegment,
)
from cityops.registry.models.base import AreaModel, GeoModel, RegistryVersion, ServiceType
from cityops.registry.models.contracts import Contract, Lot
from cityops.registry.models.organisations import Organisation, OrganisationKind

__all__ = [
    "AreaModel",
    "City",
    "CleaningGrade",
    "Community",
    "Component",
    "ComponentStatus",
    "ComponentType",
    "Compound",
    "Contract",
    "District",
    "GeoModel",
    "GreenSpace",
    "Grid",
    "Lot",
    "MaintenanceGrade",
    "ManagementModel",
    "Organisation",
    "OrganisationKind",
    "RegistryVersion",
    "RoadClass",
    "RoadSegment",
    "ServiceType",
    "Street",
]
