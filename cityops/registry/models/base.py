"""ServiceType, geometry and area bases, the registry version counter."""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from cityops.core import geo
from cityops.core.models import BaseModel
from cityops.registry import validators


class ServiceType(models.TextChoices):
    SANITATION = "sanitation", _("Sanitation")
    MUNICIPAL = "municipal", _("Municipal facilities")
    LANDSCAPING = "landscaping", _("Landscaping")
    PROPERTY = "property", _("Property management")
    OTHER = "other", _("Other")


class GeoModel(BaseModel):
    """A row with a GeoJSON geometry, its bounding box and derived measures."""

    geometry_types: ClassVar[tuple[str, ...]] = ()

    geometry = models.JSONField(_("geometry (GeoJSON, WGS-84)"))
    min_lon = models.FloatField(editable=False, default=0)
    min_lat = models.FloatField(editable=False, default=0)
    max_lon = models.FloatField(editable=False, default=0)
    max_lat = models.FloatField(editable=False, default=0)

    class Meta:
        abstract = True

    def shape(self) -> Any:
        return geo.to_shape(self.geometry, allowed=self.geometry_types)

    def clean_geometry(self) -> Any:
        try:
            return self.shape()
        except geo.GeometryError as exc:
            raise ValidationError({"geometry": str(exc)}) from exc

    def refresh_measures(self) -> None:
        """Recompute the bounding box and measures from the row's own geometry."""
        shp = self.shape()
        self.min_lon, self.min_lat, self.max_lon, self.max_lat = geo.bbox(shp)
        self._refresh_extra_measures(shp)

    def _refresh_extra_measures(self, shp: Any) -> None:
        return None

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.refresh_measures()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "geometry" in update_fields:
            kwargs["update_fields"] = {*update_fields, *self._measure_fields()}
        super().save(*args, **kwargs)

    def _measure_fields(self) -> set[str]:
        return {"min_lon", "min_lat", "max_lon", "max_lat"}


class AreaModel(GeoModel):
    geometry_types = geo.AREA

    area_m2 = models.FloatField(_("area (m²)"), editable=False, default=0)

    class Meta:
        abstract = True

    def _refresh_extra_measures(self, shp: Any) -> None:
        self.area_m2 = round(geo.area_m2(shp), 2)

    def _measure_fields(self) -> set[str]:
        return {*super()._measure_fields(), "area_m2"}


# --- Administrative hierarchy: city → district → street → community → grid -----------------


class RegistryVersion(models.Model):
    """A counter bumped on every registry change; spatial indexes rebuild when it moves."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    version = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("registry version")
        verbose_name_plural = _("registry version")

    def __str__(self) -> str:
        return str(self.version)


def clean_code(obj: models.Model, field: str, check: Any) -> None:
    try:
        setattr(obj, field, check())
    except validators.CodeError as exc:
        raise ValidationError({field: str(exc)}) from exc
