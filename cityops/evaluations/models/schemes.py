"""Evaluation schemes as versioned data (考评标准).

A scheme *family* (road cleaning, landscaping grade 一级 …) has numbered *versions*. A version is
edited as a draft, then published with its validity (whole months); a published version never
changes again: editing one creates the next draft (``schemes.services.scheme_new_version``). A
month is scored with the version in force on its first day (``models.months``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cityops.core.models import BaseModel
from cityops.evaluations.scoring import DeductionRule, MissingInput, VetoMode
from cityops.registry.models import MaintenanceGrade, ServiceType

PERCENT = [MinValueValidator(Decimal(0))]


def _choices(enum: type, labels: dict[str, object]) -> list[tuple[str, object]]:
    return [(member.value, labels[member.value]) for member in enum]  # type: ignore[attr-defined]


class SchemeScope(models.TextChoices):
    MONTHLY = "monthly", _("Monthly, per contract")
    SNOW_EVENT = "snow_event", _("Per snowfall event")


class SchemeFamily(BaseModel):
    """What a scheme is for; its versions carry the rules."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    service_type = models.CharField(_("service type"), max_length=20, choices=ServiceType.choices)
    maintenance_grade = models.PositiveSmallIntegerField(
        _("maintenance grade"), choices=MaintenanceGrade.choices, null=True, blank=True,
        help_text=_("Landscaping: the scheme applies to contracts of this maintenance grade."),
    )  # fmt: skip
    scope = models.CharField(
        _("scope"), max_length=20, choices=SchemeScope.choices, default=SchemeScope.MONTHLY
    )

    class Meta:
        verbose_name = _("scheme family")
        verbose_name_plural = _("scheme families")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class SchemeStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


VETO_MODE_CHOICES = _choices(
    VetoMode,
    {
        "grade_only": _("Lowest grade, score unchanged"),
        "cap": _("Lowest grade, score capped"),
        "zero": _("Lowest grade, score 0"),
    },
)


class Scheme(BaseModel):
    """One version of a family: components, bands, veto rule and payment rule."""

    family = models.ForeignKey(
        SchemeFamily, verbose_name=_("family"), on_delete=models.PROTECT, related_name="versions"
    )
    version = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=20, choices=SchemeStatus.choices, default=SchemeStatus.DRAFT
    )
    valid_from = models.DateField(_("valid from"), help_text=_("The first day of a month."))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    notes = models.TextField(_("notes and sources"), blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("published by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    # 一票否决
    veto_mode = models.CharField(
        _("veto effect"), max_length=20, choices=VETO_MODE_CHOICES, default=VetoMode.GRADE_ONLY
    )
    veto_score = models.DecimalField(
        _("score cap on a veto"), max_digits=5, decimal_places=2, default=Decimal(0)
    )
    # Payment rule (§3.3)
    pass_mark = models.DecimalField(
        _("pass mark"), max_digits=5, decimal_places=2, default=Decimal(90),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )  # fmt: skip
    percent_per_point = models.DecimalField(
        _("% of the fee per point below the pass mark"), max_digits=6, decimal_places=2,
        default=Decimal(5), validators=PERCENT,
    )  # fmt: skip
    veto_percent = models.DecimalField(
        _("% of the fee deducted on a veto"), max_digits=6, decimal_places=2,
        default=Decimal(0), validators=PERCENT,
    )  # fmt: skip
    cap_percent = models.DecimalField(
        _("cap on the deduction (% of the fee)"), max_digits=6, decimal_places=2,
        null=True, blank=True, validators=PERCENT,
    )  # fmt: skip

    class Meta:
        verbose_name = _("evaluation scheme")
        verbose_name_plural = _("evaluation schemes")
        ordering = ["family", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["family", "version"], name="eval_scheme_version"),
        ]

    def __str__(self) -> str:
        return f"{self.family.name} v{self.version}"

    @property
    def is_published(self) -> bool:
        return self.status == SchemeStatus.PUBLISHED

    def in_force_on(self, day: dt.date) -> bool:
        return (
            self.is_published
            and self.valid_from <= day
            and (self.valid_to is None or day <= self.valid_to)
        )


class ComponentKind(models.TextChoices):
    """Where a component's base score and findings come from in the monthly run."""

    CHECKLIST = "checklist", _("Inspection checklist")
    SENSORY = "sensory", _("Road-cleaning sensory method")
    CASES = "cases", _("Case performance")
    SATISFACTION = "satisfaction", _("Resident satisfaction")


MISSING_CHOICES = _choices(
    MissingInput,
    {
        "reweight": _("Left out, weight shared by the others"),
        "full": _("Full marks"),
        "zero": _("Zero"),
    },
)


class SchemeComponent(models.Model):
    scheme = models.ForeignKey(
        Scheme, verbose_name=_("scheme"), on_delete=models.CASCADE, related_name="components"
    )
    code = models.SlugField(_("code"), max_length=50)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=ComponentKind.choices)
    weight = models.DecimalField(
        _("weight (%)"), max_digits=5, decimal_places=2, validators=PERCENT
    )
    max_points = models.DecimalField(
        _("maximum points"), max_digits=6, decimal_places=2, default=Decimal(100)
    )
    missing = models.CharField(
        _("without input"), max_length=20, choices=MISSING_CHOICES, default=MissingInput.REWEIGHT
    )
    config = models.JSONField(
        _("method parameters"), default=dict, blank=True,
        help_text=_("Sensory coefficients, or the case-performance formula."),
    )  # fmt: skip
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("scheme component")
        verbose_name_plural = _("scheme components")
        ordering = ["scheme", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="eval_component_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


RULE_CHOICES = _choices(
    DeductionRule,
    {
        "per_occurrence": _("Points per occurrence"),
        "per_m2": _("Points per square metre"),
        "per_day_late": _("Points per day late"),
    },
)


class SnowLeft(models.TextChoices):
    """What a found acceptance item of a snow-removal scheme shows was not done in time."""

    NONE = "", _("—")
    CLEAR = "clear", _("Snow left: not cleared")
    HAUL = "haul", _("Snow left: not hauled out")


class SchemeItem(models.Model):
    component = models.ForeignKey(
        SchemeComponent, verbose_name=_("component"), on_delete=models.CASCADE,
        related_name="items",
    )  # fmt: skip
    code = models.SlugField(_("code"), max_length=50)
    name = models.CharField(_("name"), max_length=200)
    rule = models.CharField(
        _("deduction rule"), max_length=20, choices=RULE_CHOICES,
        default=DeductionRule.PER_OCCURRENCE,
    )  # fmt: skip
    points = models.DecimalField(
        _("points"), max_digits=6, decimal_places=2, default=Decimal(0), validators=PERCENT
    )
    cap = models.DecimalField(
        _("cap per month"), max_digits=6, decimal_places=2, null=True, blank=True,
        validators=PERCENT,
    )  # fmt: skip
    veto = models.BooleanField(_("veto item (一票否决)"), default=False)
    snow_left = models.CharField(
        _("means snow left"), max_length=10, choices=SnowLeft.choices, default="", blank=True,
        help_text=_(
            "Snow-removal schemes: when an acceptance inspection finds this item after the "
            "road's deadline, the days late for clearing or haul-out are derived from the "
            "inspection time."
        ),
    )  # fmt: skip
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["component", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["component", "code"], name="eval_item_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class GradeBand(models.Model):
    scheme = models.ForeignKey(
        Scheme, verbose_name=_("scheme"), on_delete=models.CASCADE, related_name="bands"
    )
    code = models.SlugField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=50)
    min_score = models.DecimalField(_("minimum score"), max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = _("grade band")
        verbose_name_plural = _("grade bands")
        ordering = ["scheme", "-min_score"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="eval_band_code"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ≥ {self.min_score}"


class PaymentPenalty(models.Model):
    """A fixed penalty per occurrence (verified complaint not fixed in time, media exposure…)."""

    scheme = models.ForeignKey(
        Scheme, verbose_name=_("scheme"), on_delete=models.CASCADE, related_name="penalties"
    )
    code = models.SlugField(_("code"), max_length=50)
    name = models.CharField(_("name"), max_length=200)
    percent_of_fee = models.DecimalField(
        _("% of the fee"), max_digits=6, decimal_places=2, default=Decimal(0), validators=PERCENT
    )
    amount = models.DecimalField(
        _("fixed amount (CNY)"), max_digits=14, decimal_places=2, default=Decimal(0),
        validators=PERCENT,
    )  # fmt: skip

    class Meta:
        verbose_name = _("payment penalty")
        verbose_name_plural = _("payment penalties")
        ordering = ["scheme", "code"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="eval_penalty_code"),
        ]

    def __str__(self) -> str:
        return self.name


class PenaltyRecord(BaseModel):
    """A penalty occurrence recorded by a supervisor (media exposure, unpaid wages…); the
    monthly run counts them per code."""

    contract = models.ForeignKey(
        "registry.Contract", verbose_name=_("contract"), on_delete=models.PROTECT,
        related_name="penalty_records",
    )  # fmt: skip
    code = models.SlugField(_("penalty code"), max_length=50)
    occurred_on = models.DateField(_("occurred on"))
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = _("penalty record")
        verbose_name_plural = _("penalty records")
        ordering = ["-occurred_on", "-id"]
        indexes = [models.Index(fields=["contract", "occurred_on"], name="eval_penalty_month")]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.code} {self.occurred_on}"
