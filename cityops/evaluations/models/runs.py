"""The monthly run as a background job, and the editable rules of surveys and appeals.

``EvaluationRun`` is one request to (re-)run a month: queued by a supervisor, executed by a
django-tasks task that reports its progress on the row (polled by the run page). At most one run
of a month is queued or running at a time (a partial unique constraint: two clicks, one run).

``EvaluationPolicy`` is a single row of editable numbers (◐ defaults, not in any standard seen):
how long an operator may appeal, and how survey answers and case feedback are weighted.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cityops.core.models import BaseModel


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


ACTIVE_RUN_STATUSES = (RunStatus.QUEUED, RunStatus.RUNNING)


class RunBase(BaseModel):
    """A background job's row: who asked, its status and progress, its outcome."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    status = models.CharField(
        _("status"), max_length=20, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    done = models.PositiveIntegerField(_("contracts done"), default=0)
    total = models.PositiveIntegerField(_("contracts in total"), default=0)
    message = models.TextField(_("message"), blank=True)
    report = models.JSONField(_("report"), default=dict, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # The expiring lease of the worker that owns the run (``runs.lease``): renewed while it
    # works, so a run whose worker was killed can be taken over once it has expired.
    leased_until = models.DateTimeField(_("leased until"), null=True, blank=True)
    lease_holder = models.CharField(_("lease holder"), max_length=64, blank=True)

    audit_prefix: ClassVar[str] = "evaluation.run"

    class Meta:
        abstract = True

    @property
    def percent(self) -> int:
        if self.status == RunStatus.DONE:
            return 100
        return int(self.done * 100 / self.total) if self.total else 0

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_RUN_STATUSES


class EvaluationRun(RunBase):
    month = models.DateField(_("month"), help_text=_("The first day of the month."))

    class Meta:
        verbose_name = _("evaluation run")
        verbose_name_plural = _("evaluation runs")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["month"],
                condition=models.Q(status__in=["queued", "running"]),
                name="eval_run_one_active_per_month",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.status}"


class AppealDays(models.TextChoices):
    CALENDAR = "calendar", _("Calendar days")
    WORKING = "working", _("Working days")


SHARE = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]


class EvaluationPolicy(BaseModel):
    """The editable numbers of surveys and appeals; one row (``policy_get`` creates it)."""

    appeal_days = models.PositiveSmallIntegerField(
        _("appeal window (days)"), default=7,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("◐ Counted from the publication of the month; no national figure was found."),
    )  # fmt: skip
    appeal_day_kind = models.CharField(
        _("appeal window counted in"), max_length=20, choices=AppealDays.choices,
        default=AppealDays.CALENDAR,
    )  # fmt: skip
    survey_weight = models.DecimalField(
        _("weight of survey answers (%)"), max_digits=5, decimal_places=2,
        default=Decimal(70), validators=SHARE,
    )  # fmt: skip
    feedback_weight = models.DecimalField(
        _("weight of case feedback (%)"), max_digits=5, decimal_places=2,
        default=Decimal(30), validators=SHARE,
    )  # fmt: skip
    snow_fee_percent = models.DecimalField(
        _("fee base of a snowfall event (% of the monthly fee)"), max_digits=5,
        decimal_places=2, default=Decimal(10), validators=SHARE,
        help_text=_(
            "◐ The snow-removal scheme's payment rule is applied to this share of the contract's "
            "monthly fee for each event; no source fixes it."
        ),
    )  # fmt: skip
    min_feedback = models.PositiveSmallIntegerField(
        _("minimum feedback ratings"), default=1,
        help_text=_("Fewer ratings in a month than this: case feedback is left out."),
    )  # fmt: skip

    class Meta:
        verbose_name = _("evaluation policy")
        verbose_name_plural = _("evaluation policy")

    def __str__(self) -> str:
        return str(_("Evaluation policy"))
