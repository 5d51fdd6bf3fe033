"""Registry models. Geometry is GeoJSON (WGS-84) in a JSON column; measures are derived.

Every geometry-bearing model keeps a bounding box (min/max lon/lat) so that a map can ask the
database for the current viewport without a GIS extension; exact spatial answers come from the
in-process shapely index (``registry.spatial``).
"""

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


class City(AreaModel):
    code = models.CharField(_("administrative code"), max_length=6, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("city")
        verbose_name_plural = _("cities")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        _clean_code(self, "code", lambda: validators.validate_admin_code(self.code))
        self.clean_geometry()


class District(AreaModel):
    city = models.ForeignKey(
        City, verbose_name=_("city"), on_delete=models.PROTECT, related_name="districts"
    )
    code = models.CharField(_("administrative code"), max_length=6, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        _clean_code(self, "code", lambda: validators.validate_admin_code(self.code))
        self.clean_geometry()


class Street(AreaModel):
    """街道 (subdistrict)."""

    district = models.ForeignKey(
        District, verbose_name=_("district"), on_delete=models.PROTECT, related_name="streets"
    )
    code = models.CharField(
        _("code"),
        max_length=9,
        unique=True,
        help_text=_("9 digits: district code + 3-digit street number."),
    )
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("street")
        verbose_name_plural = _("streets")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.district_id:
            _clean_code(
                self,
                "code",
                lambda: validators.validate_child_code(
                    self.code, parent_code=self.district.code, length=9, what=str(_("street"))
                ),
            )
        self.clean_geometry()


class Community(AreaModel):
    """社区."""

    street = models.ForeignKey(
        Street, verbose_name=_("street"), on_delete=models.PROTECT, related_name="communities"
    )
    code = models.CharField(
        _("code"),
        max_length=12,
        unique=True,
        help_text=_("12 digits: street code + 3-digit community number."),
    )
    name = models.CharField(_("name"), max_length=100)
    area_class = models.PositiveSmallIntegerField(
        _("area class"),
        default=1,
        choices=[(1, _("Class 1")), (2, _("Class 2"))],
        help_text=_("Used by the comprehensive evaluation of regions."),
    )

    class Meta:
        verbose_name = _("community")
        verbose_name_plural = _("communities")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.street_id:
            _clean_code(
                self,
                "code",
                lambda: validators.validate_child_code(
                    self.code, parent_code=self.street.code, length=12, what=str(_("community"))
                ),
            )
        self.clean_geometry()


class Grid(AreaModel):
    """单元网格 (grid): ~10,000 m² management cell with a 15-digit code."""

    community = models.ForeignKey(
        Community, verbose_name=_("community"), on_delete=models.PROTECT, related_name="grids"
    )
    code = models.CharField(
        _("grid code"),
        max_length=15,
        unique=True,
        help_text=_("15 digits: 6 admin + 3 street + 3 community + 3 sequence."),
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    land_use = models.CharField(_("land-use class"), max_length=40, blank=True)
    management_level = models.CharField(_("management level"), max_length=20, blank=True)
    responsible_org = models.ForeignKey(
        "Organisation",
        verbose_name=_("responsible body"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="grids",
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    class Meta:
        verbose_name = _("grid")
        verbose_name_plural = _("grids")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name or self.code

    def clean(self) -> None:
        if self.community_id:
            _clean_code(
                self,
                "code",
                lambda: validators.validate_grid_code(
                    self.code, community_code=self.community.code
                ),
            )
        self.clean_geometry()


# --- Organisations -----------------------------------------------------------------------


class OrganisationKind(models.TextChoices):
    DEPARTMENT = "department", _("Government department")
    STREET_OFFICE = "street_office", _("Street office")
    COMMUNITY = "community", _("Community committee")
    OPERATOR = "operator", _("Operator company")
    COMMAND_CENTRE = "command_centre", _("Command centre")


class Organisation(BaseModel):
    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)
    operator_type = models.CharField(
        _("operator type"),
        max_length=20,
        choices=ServiceType.choices,
        blank=True,
        help_text=_("For operator companies: the service they mainly provide."),
    )
    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    uscc = models.CharField(
        _("unified social credit code"),
        max_length=18,
        unique=True,
        null=True,
        blank=True,
        help_text=_("18 characters, GB 32100-2015, with a check character."),
    )
    street = models.ForeignKey(
        Street,
        verbose_name=_("street"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisations",
    )
    community = models.ForeignKey(
        Community,
        verbose_name=_("community"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisations",
    )
    contact_phone = models.CharField(_("office phone"), max_length=30, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.short_name or self.name

    def clean(self) -> None:
        if self.uscc:
            _clean_code(self, "uscc", lambda: validators.validate_uscc(self.uscc or ""))
        else:
            self.uscc = None
        if self.kind == OrganisationKind.OPERATOR and not self.operator_type:
            raise ValidationError({"operator_type": _("An operator needs an operator type.")})
        if self.kind != OrganisationKind.OPERATOR:
            self.operator_type = ""
        if self.kind == OrganisationKind.STREET_OFFICE and not self.street_id:
            raise ValidationError({"street": _("A street office belongs to a street.")})
        if self.kind == OrganisationKind.COMMUNITY and not self.community_id:
            raise ValidationError({"community": _("A community committee needs its community.")})


# --- Assets -------------------------------------------------------------------------------


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
            _clean_code(
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


class Contract(BaseModel):
    number = models.CharField(_("contract number"), max_length=50, unique=True)
    title = models.CharField(_("title"), max_length=200)
    operator = models.ForeignKey(
        Organisation, verbose_name=_("operator"), on_delete=models.PROTECT, related_name="contracts"
    )
    service_type = models.CharField(_("service type"), max_length=20, choices=ServiceType.choices)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    monthly_fee = models.DecimalField(_("monthly fee (CNY)"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="registry_contract_period_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(monthly_fee__gte=0), name="registry_contract_fee_nonnegative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The contract ends before it starts.")})
        if self.operator_id and self.operator.kind != OrganisationKind.OPERATOR:
            raise ValidationError({"operator": _("Only an operator company can hold a contract.")})

    def is_active_on(self, day: Any) -> bool:
        return bool(self.start_date <= day <= self.end_date)


class Lot(BaseModel):
    """标段: the area and the assets that one contract covers."""

    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.CASCADE, related_name="lots"
    )
    code = models.CharField(_("lot code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    geometry = models.JSONField(_("service area (GeoJSON, WGS-84)"), null=True, blank=True)
    area_m2 = models.FloatField(_("area (m²)"), editable=False, default=0)
    road_segments = models.ManyToManyField(
        RoadSegment, verbose_name=_("road segments"), blank=True, related_name="lots"
    )
    green_spaces = models.ManyToManyField(
        GreenSpace, verbose_name=_("green spaces"), blank=True, related_name="lots"
    )
    compounds = models.ManyToManyField(
        Compound, verbose_name=_("compounds"), blank=True, related_name="lots"
    )

    class Meta:
        verbose_name = _("lot")
        verbose_name_plural = _("lots")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self) -> None:
        if self.geometry:
            try:
                geo.to_shape(self.geometry, allowed=geo.AREA)
            except geo.GeometryError as exc:
                raise ValidationError({"geometry": str(exc)}) from exc

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.area_m2 = round(geo.area_m2(geo.to_shape(self.geometry)), 2) if self.geometry else 0
        super().save(*args, **kwargs)


class RegistryVersion(models.Model):
    """A counter bumped on every registry change; spatial indexes rebuild when it moves."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    version = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("registry version")
        verbose_name_plural = _("registry version")

    def __str__(self) -> str:
        return str(self.version)


def _clean_code(obj: models.Model, field: str, check: Any) -> None:
    try:
        setattr(obj, field, check())
    except validators.CodeError as exc:
        raise ValidationError({field: str(exc)}) from exc
