"""The area hierarchy: city → district → street → community → grid."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from cityops.registry import validators
from cityops.registry.models.base import AreaModel, clean_code


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
        clean_code(self, "code", lambda: validators.validate_admin_code(self.code))
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
        clean_code(self, "code", lambda: validators.validate_admin_code(self.code))
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
            clean_code(
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
            clean_code(
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
            clean_code(
                self,
                "code",
                lambda: validators.validate_grid_code(
                    self.code, community_code=self.community.code
                ),
            )
        self.clean_geometry()


# --- Organisations -----------------------------------------------------------------------
