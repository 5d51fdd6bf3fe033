"""Editable rules of the comprehensive evaluation.

They are data, never constants: ``AssessmentRules`` holds the weights, bands and step time
limits of GB/T 30428.4-style evaluation (defaults in ``defaults.py``, marked ◐/❓ there). The
thresholds of the mayor's red/black ranking (``RankingRule``) belong to the ranking, in
``evaluations``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cityops.core.models import BaseModel


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
