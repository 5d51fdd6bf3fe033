"""Managed assets: road segments, green spaces, components (部件), residential compounds."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from cityops.core import geo
from cityops.core.models import BaseModel
from cityops.registry import validators
from cityops.registry.models.areas import Community, District, Grid, Street
from cityops.registry.models.base import AreaModel, GeoModel, clean_code
from cityops.registry.models.organisations import Organisation


class CleaningGrade(models.IntegerChoices):
    GRADE_1 = 1, _("Grade 1")
    GRADE_2 = 2, _("Grade 2")
    GRADE_3 = 3, _("Grade 3")
    GRADE_4 = 4, _("Grade 4")


class RoadClass(models.TextChoices):
    """Road class used by snow-removal deadlines."""

    MAIN = "main", _("Main road")
    SECONDARY = "secondary", _("Secondary road")
    BRANCH = "branch", _("Branch road / lane")
    BRIDGE_SLOPE = "bridge_slope", _("Bridge / slope")


class MaintenanceGrade(models.IntegerChoices):
    GRADE_1 = 1, _("Grade 1")
    GRADE_2 = 2, _("Grade 2")
    GRADE_3 = 3, _("Grade 3")


class RoadSegment(GeoModel):
    geometry_types = geo.LINE

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("road name"), max_length=100)
    cleaning_grade = models.PositiveSmallIntegerField(
        _("cleaning grade"), choices=CleaningGrade.choices, default=CleaningGrade.GRADE_2
    )
    road_class = models.CharField(
        _("road class (snow removal)"),
        max_length=20,
        choices=RoadClass.choices,
        default=RoadClass.SECONDARY,
    )
    width_m = models.FloatField(_("width (m)"))
    length_m = models.FloatField(_("length (m)"), editable=False, default=0)
    area_m2 = models.FloatField(_("area (m²)"), editable=False, default=0)
    street = models.ForeignKey(
        Street,
        verbose_name=_("street"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="road_segments",
    )
    maintainer = models.ForeignKey(
        Organisation,
        verbose_name=_("maintainer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("road segment")
        verbose_name_plural = _("road segments")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def clean(self) -> None:
        self.clean_geometry()
        if self.width_m is not None and self.width_m <= 0:
            raise ValidationError({"width_m": _("The width must be positive.")})

    def _refresh_extra_measures(self, shp: Any) -> None:
        self.length_m = round(geo.length_m(shp), 2)
        self.area_m2 = round(self.length_m * float(self.width_m or 0), 2)

    def _measure_fields(self) -> set[str]:
        return {*super()._measure_fields(), "length_m", "area_m2"}


class GreenSpace(AreaModel):
    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(
        _("kind"), max_length=40, blank=True, help_text=_("Park, roadside green belt, square, …")
    )
    maintenance_grade = models.PositiveSmallIntegerField(
        _("maintenance grade"), choices=MaintenanceGrade.choices, default=MaintenanceGrade.GRADE_2
    )
    street = models.ForeignKey(
        Street,
        verbose_name=_("street"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="green_spaces",
    )
    maintainer = models.ForeignKey(
        Organisation,
        verbose_name=_("maintainer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("green space")
        verbose_name_plural = _("green spaces")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def clean(self) -> None:
        self.clean_geometry()


class ComponentType(BaseModel):
    """部件 class: 2-digit major + 2-digit minor code (CJ/T 214 / GB/T 30428.2 style)."""

    major_code = models.CharField(_("major class code"), max_length=2)
    major_name = models.CharField(_("major class"), max_length=50)
    minor_code = models.CharField(_("minor class code"), max_length=2)
    minor_name = models.CharField(_("minor class"), max_length=50)

    class Meta:
        verbose_name = _("component type")
        verbose_name_plural = _("component types")
        ordering = ["major_code", "minor_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["major_code", "minor_code"], name="registry_componenttype_code_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.major_code}{self.minor_code} {self.minor_name}"

    @property
    def code(self) -> str:
        return f"{self.major_code}{self.minor_code}"


class ComponentStatus(models.TextChoices):
    NORMAL = "normal", _("Normal")
    DAMAGED = "damaged", _("Damaged")
    MISSING = "missing", _("Missing")
    REMOVED = "removed", _("Removed")


class Component(GeoModel):
    """部件: a fixed public asset with a 16-digit code."""

    geometry_types = geo.POINT

    code = models.CharField(
        _("component code"),
        max_length=16,
        unique=True,
        help_text=_("16 digits: 6 admin + 2 major + 2 minor + 6 serial."),
    )
    type = models.ForeignKey(
        ComponentType, verbose_name=_("type"), on_delete=models.PROTECT, related_name="components"
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ComponentStatus.choices, default=ComponentStatus.NORMAL
    )
    grid = models.ForeignKey(
        Grid,
        verbose_name=_("grid"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="components",
    )
    owner = models.ForeignKey(
        Organisation,
        verbose_name=_("owner (权属单位)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    maintainer = models.ForeignKey(
        Organisation,
        verbose_name=_("maintainer (养护单位)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    location_note = models.CharField(_("location description"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("component")
        verbose_name_plural = _("components")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code

    def clean(self) -> None:
        self.clean_geometry()
        if self.type_id and self.code:
            admin_code = self.code[:6]
            clean_code(
                self,
                "code",
                lambda: validators.validate_component_code(
                    self.code,
                    admin_code=admin_code,
                    major=self.type.major_code,
                    minor=self.type.minor_code,
                ),
            )
            if not District.objects.filter(code=admin_code).exists():
                raise ValidationError(
                    {
                        "code": _("The first six digits %(code)s are not a known district code.")
                        % {"code": admin_code}
                    }
                )


class ManagementModel(models.TextChoices):
    """How a residential compound is managed (物业管理模式)."""

    PROFESSIONAL = "professional", _("Professional property company")
    FALLBACK = "fallback", _("State-owned fallback manager")
    TRUSTEESHIP = "trusteeship", _("Community trusteeship")
    SELF_MANAGED = "self_managed", _("Owners' self-management")
    NONE = "none", _("No property management")


class Compound(AreaModel):
    """小区: a residential compound (management area)."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=200, blank=True)
    community = models.ForeignKey(
        Community,
        verbose_name=_("community"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="compounds",
    )
    households = models.PositiveIntegerField(_("households"), default=0)
    floor_area_m2 = models.FloatField(_("floor area (m²)"), default=0)
    built_year = models.PositiveSmallIntegerField(_("year built"), null=True, blank=True)
    management_model = models.CharField(
        _("management model"),
        max_length=20,
        choices=ManagementModel.choices,
        default=ManagementModel.NONE,
    )
    property_company = models.ForeignKey(
        Organisation,
        verbose_name=_("property company"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_compounds",
    )

    class Meta:
        verbose_name = _("residential compound")
        verbose_name_plural = _("residential compounds")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.clean_geometry()
        if self.management_model == ManagementModel.PROFESSIONAL and not self.property_company_id:
            raise ValidationError(
                {"property_company": _("A professionally managed compound needs its company.")}
            )
        if self.management_model == ManagementModel.NONE and self.property_company_id:
            raise ValidationError(
                {"management_model": _("A compound with a property company is not unmanaged.")}
            )


# --- Contracts and lots ------------------------------------------------------------------
