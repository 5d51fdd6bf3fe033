"""Snowfall events and the evaluation of one contract's work in each (除雪考评, issue 6).

The event (``SnowEvent``) is the evaluated subject, as the month is for the monthly evaluation;
the inspections app records it and its acceptance inspections.

A sibling of the monthly ``Evaluation`` rather than a row of it: an event is not a month (a
contract may have several events in one month, each with its own scheme version in force on
the event day), and keeping them apart leaves the month's one-current-row rule intact. Like the
monthly rows it stores the inputs and the scheme snapshot (a re-run gives the same result) and
keeps its revisions; the month's evaluation of the contract lists the current snow results of
the events that ended in that month and adds their payment deductions as a separate line.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cityops.core.models import BaseModel
from cityops.evaluations.models.months import ResultBase
from cityops.evaluations.models.runs import RunBase


class SnowLevel(models.TextChoices):
    LIGHT = "light", _("Light snow (小雪)")
    MODERATE = "moderate", _("Moderate snow (中雪)")
    HEAVY = "heavy", _("Heavy snow (大雪)")
    BLIZZARD = "blizzard", _("Blizzard (暴雪)")


class SnowEvent(BaseModel):
    """A snowfall (降雪): the subject of the per-event snow-removal evaluation, as the month is
    the subject of the monthly one. The inspections app records it and its acceptance
    inspections; ``deadlines`` are copied from ``inspections.SnowDeadline`` when it is recorded."""

    name = models.CharField(_("name"), max_length=100)
    started_at = models.DateTimeField(_("snow started"))
    ended_at = models.DateTimeField(_("snow stopped"))
    level = models.CharField(_("snowfall level"), max_length=20, choices=SnowLevel.choices)
    amount_mm = models.DecimalField(
        _("amount (mm water equivalent)"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    deadlines = models.JSONField(
        _("deadlines per road class"),
        default=dict,
        help_text=_("road class → {clear_hours, haul_hours}"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        # Created by ``inspections`` before the event became the evaluated subject of this app:
        # the table keeps its name.
        db_table = "inspections_snowevent"
        verbose_name = _("snowfall event")
        verbose_name_plural = _("snowfall events")
        ordering = ["-ended_at"]

    def __str__(self) -> str:
        return self.name


class SnowEvaluation(ResultBase):
    event = models.ForeignKey(
        SnowEvent, verbose_name=_("snowfall event"), on_delete=models.PROTECT,
        related_name="evaluations",
    )  # fmt: skip
    contract = models.ForeignKey(
        "registry.Contract", verbose_name=_("contract"), on_delete=models.PROTECT,
        related_name="snow_evaluations",
    )  # fmt: skip
    scheme = models.ForeignKey(
        "evaluations.Scheme", verbose_name=_("scheme version"), on_delete=models.PROTECT,
        related_name="snow_evaluations",
    )  # fmt: skip
    fee = models.DecimalField(_("fee base of the event (CNY)"), max_digits=14, decimal_places=2)
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("evaluated by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = _("snow-removal evaluation")
        verbose_name_plural = _("snow-removal evaluations")
        ordering = ["event", "contract", "-revision"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "contract", "revision"], name="eval_snow_revision"
            ),
            models.UniqueConstraint(
                fields=["event", "contract"],
                condition=models.Q(is_current=True),
                name="eval_snow_one_current",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} {self.contract_id} r{self.revision}: {self.score}"


class SnowEvaluationRun(RunBase):
    """One request to evaluate a snowfall event, executed in the background like a monthly run.

    At most one run of an event is queued or running (a partial unique constraint): a second
    click while one is under way is refused, and an unchanged result keeps its row.
    """

    audit_prefix: ClassVar[str] = "evaluation.snow_run"

    event = models.ForeignKey(
        SnowEvent, verbose_name=_("snowfall event"), on_delete=models.CASCADE,
        related_name="evaluation_runs",
    )  # fmt: skip

    class Meta:
        verbose_name = _("snow-removal evaluation run")
        verbose_name_plural = _("snow-removal evaluation runs")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event"],
                condition=models.Q(status__in=["queued", "running"]),
                name="eval_snow_run_one_active",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} {self.status}"
