"""The thresholds of the mayor's monthly red/black ranking (红黑榜), owned by the ranking
(``ranking/selectors.py``) that applies them."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cityops.core.models import BaseModel
from cityops.registry.models import ServiceType

SCORE = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]


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
        # Created by ``assessment`` before the ranking owned its rules: the table keeps its name.
        db_table = "assessment_rankingrule"
        verbose_name = _("ranking rule")
        verbose_name_plural = _("ranking rules")
        ordering = ["service_type"]

    def __str__(self) -> str:
        return self.get_service_type_display() or str(_("All service types"))
