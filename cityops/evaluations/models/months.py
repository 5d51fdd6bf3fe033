"""The monthly evaluation of each contract (考评): the month (``Period``) is the evaluated
subject, ``Evaluation`` one contract's result for it.

The evaluation stores the scheme version in force on the month's first day, a snapshot of it and
every input, so that a re-run gives the same result.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cityops.core.models import BaseModel
from cityops.evaluations.models.schemes import Scheme


class ResultBase(BaseModel):
    """What every evaluated subject's result has (a contract's month: ``Evaluation``; its work
    in a snowfall event: ``SnowEvaluation``): revisions with one current per subject and
    contract, the inputs and scheme snapshot it was scored from, the result with its
    explanation, and the payment deduction. ``subjects`` says which subject a row belongs to."""

    revision = models.PositiveSmallIntegerField(_("revision"), default=1)
    is_current = models.BooleanField(_("current revision"), default=True)
    inputs = models.JSONField(_("inputs"))
    scheme_snapshot = models.JSONField(_("scheme snapshot"))
    result = models.JSONField(_("result with its explanation"))
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2)
    grade = models.CharField(_("grade"), max_length=30)
    grade_name = models.CharField(_("grade name"), max_length=50)
    vetoed = models.BooleanField(_("vetoed"), default=False)
    deduction = models.DecimalField(_("payment deduction (CNY)"), max_digits=14, decimal_places=2)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        abstract = True


class PeriodStatus(models.TextChoices):
    OPEN = "open", _("Open (may be re-run)")
    PUBLISHED = "published", _("Published (frozen)")


class Period(BaseModel):
    """An evaluation month. Once published, its evaluations are frozen (appeals only)."""

    month = models.DateField(_("month"), unique=True, help_text=_("The first day of the month."))
    status = models.CharField(
        _("status"), max_length=20, choices=PeriodStatus.choices, default=PeriodStatus.OPEN
    )
    last_run_at = models.DateTimeField(_("last run at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("published by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = _("evaluation month")
        verbose_name_plural = _("evaluation months")
        ordering = ["-month"]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"

    @property
    def is_frozen(self) -> bool:
        return self.status == PeriodStatus.PUBLISHED


class Evaluation(ResultBase):
    """One contract's month: inputs, scheme version (and its snapshot), result.

    ``revision`` starts at 1; an upheld appeal (next step of issue 6) adds revision 2 and moves
    ``is_current``, keeping the history.
    """

    period = models.ForeignKey(
        Period, verbose_name=_("month"), on_delete=models.PROTECT, related_name="evaluations"
    )
    contract = models.ForeignKey(
        "registry.Contract", verbose_name=_("contract"), on_delete=models.PROTECT,
        related_name="evaluations",
    )  # fmt: skip
    scheme = models.ForeignKey(
        Scheme, verbose_name=_("scheme version"), on_delete=models.PROTECT,
        related_name="evaluations",
    )  # fmt: skip
    fee = models.DecimalField(_("monthly fee (CNY)"), max_digits=14, decimal_places=2)
    payable = models.DecimalField(_("amount payable (CNY)"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        ordering = ["period", "contract", "-revision"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "contract", "revision"], name="eval_evaluation_revision"
            ),
            models.UniqueConstraint(
                fields=["period", "contract"],
                condition=models.Q(is_current=True),
                name="eval_evaluation_one_current",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.contract_id} r{self.revision}: {self.score}"
