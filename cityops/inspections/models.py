"""Inspections (检查) of the operators' work: monthly plans drawn by stratified random sampling,
planned / ad hoc / unannounced (暗查) inspections with findings per scheme item, sensory
road-cleaning sections, photos, GPS and signatures, and the acceptance inspections of snowfall
events (扫雪; the event itself, the evaluated subject, is ``evaluations.SnowEvent``). The
evaluation reads them through ``sources``, registered in ``apps.py``.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cityops.core.models import BaseModel, SettingsRow
from cityops.core.private_media import RandomName, private_storage
from cityops.evaluations.models import SnowLevel
from cityops.registry.models import RoadClass


class InspectionSettings(SettingsRow, models.Model):
    """Editable rules of the inspection module (one row, created with the defaults)."""

    far_distance_m = models.PositiveIntegerField(
        _("flag inspections farther than (m) from their asset"),
        default=200,
        help_text=_("◐ default 200 m: a local practice, not a national rule."),
    )
    sample_rate = models.DecimalField(
        _("share of each stratum drawn per month"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.300"),
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    sample_minimum = models.PositiveSmallIntegerField(_("minimum drawn per stratum"), default=1)
    sensory_section_m = models.PositiveSmallIntegerField(
        _("sensory sample section length (m)"), default=300
    )

    class Meta:
        verbose_name = _("inspection settings")
        verbose_name_plural = _("inspection settings")

    def __str__(self) -> str:
        return str(_("Inspection settings"))


class InspectionPlan(BaseModel):
    """One lot's planned inspections of a month: the strata, the seed and the drawn sample."""

    lot = models.ForeignKey(
        "registry.Lot", verbose_name=_("lot"), on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    seed = models.BigIntegerField(_("random seed"))
    rate = models.DecimalField(_("share drawn"), max_digits=4, decimal_places=3)
    minimum = models.PositiveSmallIntegerField(_("minimum per stratum"))
    strata = models.JSONField(_("strata (population)"), default=dict)
    drawn = models.JSONField(_("drawn assets"), default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("drawn by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("inspection plan")
        verbose_name_plural = _("inspection plans")
        ordering = ["-month", "lot"]
        constraints = [
            models.UniqueConstraint(fields=["lot", "month"], name="insp_plan_lot_month"),
        ]

    def __str__(self) -> str:
        return f"{self.lot_id} {self.month:%Y-%m}"


class Kind(models.TextChoices):
    PLANNED = "planned", _("Planned")
    AD_HOC = "ad_hoc", _("Ad hoc")
    UNANNOUNCED = "unannounced", _("Unannounced (暗查)")
    SNOW = "snow", _("Snow acceptance")


class Status(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    SUBMITTED = "submitted", _("Submitted")


class AssetKind(models.TextChoices):
    ROAD = "road", _("Road segment")
    GREEN = "green", _("Green space")
    COMPOUND = "compound", _("Compound")


class SnowDeadline(models.Model):
    """Default clearing and haul-out deadlines (hours after the snow stops) per level and road
    class; copied into each event, where they can be edited. Defaults: cn-standards §6 ◐."""

    level = models.CharField(_("snowfall level"), max_length=20, choices=SnowLevel.choices)
    road_class = models.CharField(_("road class"), max_length=20, choices=RoadClass.choices)
    clear_hours = models.PositiveIntegerField(_("cleared within (h)"))
    haul_hours = models.PositiveIntegerField(_("hauled out within (h)"))

    class Meta:
        verbose_name = _("snow-removal deadline")
        verbose_name_plural = _("snow-removal deadlines")
        ordering = ["level", "road_class"]
        constraints = [
            models.UniqueConstraint(fields=["level", "road_class"], name="insp_snow_deadline"),
        ]

    def __str__(self) -> str:
        return f"{self.level} {self.road_class}: {self.clear_hours} h / {self.haul_hours} h"


class Inspection(BaseModel):
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )
    plan = models.ForeignKey(
        InspectionPlan,
        verbose_name=_("plan"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    snow_event = models.ForeignKey(
        "evaluations.SnowEvent",
        verbose_name=_("snowfall event"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    contract = models.ForeignKey(
        "registry.Contract",
        verbose_name=_("contract"),
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    lot = models.ForeignKey(
        "registry.Lot",
        verbose_name=_("lot"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    asset_kind = models.CharField(_("asset kind"), max_length=20, choices=AssetKind.choices)
    road_segment = models.ForeignKey(
        "registry.RoadSegment",
        verbose_name=_("road segment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    green_space = models.ForeignKey(
        "registry.GreenSpace",
        verbose_name=_("green space"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    compound = models.ForeignKey(
        "registry.Compound",
        verbose_name=_("compound"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    scheme = models.ForeignKey(
        "evaluations.Scheme",
        verbose_name=_("scheme version"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    month = models.DateField(_("evaluation month"), help_text=_("The first day of the month."))
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("inspector"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    co_inspectors = models.CharField(_("other inspectors"), max_length=200, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    lon = models.FloatField(_("longitude (WGS-84)"), null=True, blank=True)
    lat = models.FloatField(_("latitude (WGS-84)"), null=True, blank=True)
    gps_accuracy_m = models.FloatField(_("GPS accuracy (m)"), null=True, blank=True)
    position_source = models.CharField(_("position from"), max_length=20, blank=True)
    distance_m = models.FloatField(_("distance from the asset (m)"), null=True, blank=True)
    far_from_asset = models.BooleanField(_("far from the asset"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    operator_signer = models.CharField(_("operator's representative"), max_length=100, blank=True)
    inspector_signature = models.FileField(
        _("inspector's signature"), upload_to="inspections/signatures/%Y/%m/", blank=True
    )
    operator_signature = models.FileField(
        _("operator's signature"), upload_to="inspections/signatures/%Y/%m/", blank=True
    )
    revision = models.PositiveSmallIntegerField(_("corrections"), default=0)

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-month", "status", "id"]
        indexes = [
            models.Index(fields=["contract", "month", "status"], name="insp_contract_month"),
            models.Index(fields=["inspector", "status"], name="insp_inspector_status"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()} {self.month:%Y-%m}"

    @property
    def is_submitted(self) -> bool:
        return self.status == Status.SUBMITTED

    @property
    def announced(self) -> bool:
        return self.kind != Kind.UNANNOUNCED

    @property
    def asset(self) -> models.Model | None:
        return self.road_segment or self.green_space or self.compound


class Finding(models.Model):
    """A deduction found by an inspection, against one item of the scheme version in force."""

    inspection = models.ForeignKey(
        Inspection,
        verbose_name=_("inspection"),
        on_delete=models.CASCADE,
        related_name="findings",
    )
    component_code = models.SlugField(_("component"), max_length=50)
    item_code = models.SlugField(_("item"), max_length=50)
    item_name = models.CharField(_("item name"), max_length=200)
    quantity = models.DecimalField(
        _("quantity"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(0)],
        help_text=_("Occurrences, square metres or days late, per the item's rule."),
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case opened"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["inspection", "component_code", "item_code", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "component_code", "item_code"], name="insp_finding_item"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_code} × {self.quantity}"


class SensorySection(models.Model):
    """One side of one 300 m sample section rated C1..C4 (0–5) by one inspector."""

    inspection = models.ForeignKey(
        Inspection,
        verbose_name=_("inspection"),
        on_delete=models.CASCADE,
        related_name="sections",
    )
    component_code = models.SlugField(_("component"), max_length=50)
    number = models.PositiveSmallIntegerField(_("section"))
    side = models.CharField(_("side"), max_length=10)
    rater = models.CharField(_("inspector"), max_length=100)
    ratings = models.JSONField(_("ratings C1..C4"))

    class Meta:
        verbose_name = _("sensory section rating")
        verbose_name_plural = _("sensory section ratings")
        ordering = ["inspection", "component_code", "number", "side", "rater"]
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "component_code", "number", "side", "rater"],
                name="insp_section_rating",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}/{self.side} {self.ratings}"


class InspectionPhoto(BaseModel):
    inspection = models.ForeignKey(
        Inspection, verbose_name=_("inspection"), on_delete=models.CASCADE, related_name="photos"
    )
    item_code = models.SlugField(
        _("item"), max_length=50, blank=True, help_text=_("The finding the photo documents.")
    )
    # Private storage, random name: see cityops.core.private_media (staff view only).
    original = models.FileField(
        _("original (staff only)"),
        storage=private_storage,
        upload_to=RandomName("inspections/original"),
        max_length=200,
    )
    public = models.FileField(_("copy without metadata"), upload_to="inspections/public/%Y/%m/")
    thumbnail = models.FileField(_("thumbnail"), upload_to="inspections/thumb/%Y/%m/")
    content_type = models.CharField(_("content type"), max_length=40)
    gps_lon = models.FloatField(_("photo longitude"), null=True, blank=True)
    gps_lat = models.FloatField(_("photo latitude"), null=True, blank=True)
    taken_at = models.DateTimeField(_("taken at"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64)

    class Meta:
        verbose_name = _("inspection photo")
        verbose_name_plural = _("inspection photos")
        ordering = ["inspection", "id"]

    def __str__(self) -> str:
        return f"{self.inspection_id}/{self.pk}"
