"""Service contracts and their lots (what an operator maintains where)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from cityops.core import geo
from cityops.core.models import BaseModel
from cityops.registry.models.assets import Compound, GreenSpace, RoadSegment
from cityops.registry.models.base import ServiceType
from cityops.registry.models.organisations import Organisation, OrganisationKind


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
