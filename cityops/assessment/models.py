"""Editable rules of the comprehensive evaluation and of the mayor's red/black ranking.

Both are data, never constants: ``AssessmentRules`` holds the weights, bands and step time
limits of GB/T 30428.4-style evaluation (defaults in ``defaults.py``, marked ◐/❓ there);
``RankingRule`` holds the thresholds of the 红黑榜 per service type.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cityops.core.models import BaseModel
from cityops.registry.models import ServiceType

SCORE = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]


class AssessmentRules(BaseModel):
    """The rule set in force (one row, code ``default``); the JSON is completed with the
    defaults for every key it leaves out."""

    code = models.SlugField(_("code"), max_length=30, unique=True, default="default")
    data = models.JSONField(
        _("rules"),
        default=dict,
        blank=True,
        help_text=_("Weights, bands, grades and step time limits; missing keys use the defaults."),
    )
    notes = models.TextField(_("notes and sources"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("comprehensive evaluation rules")
        verbose_name_plural = _("comprehensive evaluation rules")

    def __str__(self) -> str:
        return self.code


class RankingRule(BaseModel):
    """Who enters the red list (top) and the black list (bottom) of the monthly ranking.

    Red: the ``red_count`` best with a score ≥ ``red_min_score``. Black: the ``black_count``
    lowest with a score < ``black_below_score``, plus every failing grade when
    ``black_failing`` is set. A rule without a service type applies to the types that have
    no rule of their own.
    """

    service_type = models.CharField(
        _("service type"), max_length=20, choices=ServiceType.choices, blank=True, unique=True
    )
    red_count = models.PositiveSmallIntegerField(_("red list: at most"), default=3)
    red_min_score = models.DecimalField(
        _("red list: minimum score"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(90),
        validators=SCORE,
    )
    black_count = models.PositiveSmallIntegerField(_("black list: at most"), default=3)
    black_below_score = models.DecimalField(
        _("black list: score below"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(80),
        validators=SCORE,
    )
    black_failing = models.BooleanField(
        _("black list: every failing grade"),
        default=True,
        help_text=_("A failing grade (不合格, or a veto) always enters the black list."),
    )

    class Meta:
        verbose_name = _("ranking rule")
        verbose_name_plural = _("ranking rules")
        ordering = ["service_type"]

    def __str__(self) -> str:
        return self.get_service_type_display() or str(_("All service types"))
