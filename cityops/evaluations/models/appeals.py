"""Appeals (申诉): an operator contests one deduction of a published evaluation.

The appeal names the evaluation revision it contests and the deduction (a component's item, or a
payment penalty under the pseudo-component ``payment``). A deduction of a snowfall event's
evaluation (``SnowEvaluation``) is appealed the same way: the appeal also names that snow
revision, and ``evaluation`` is the month's evaluation that carries the event's payment line
(same window, same queue, same scope); a changed quantity makes a new snow revision and the
month's evaluation follows as its own new revision. A supervisor upholds the deduction or
overturns it, wholly (quantity 0) or partly (an adjusted quantity); a changed quantity is scored
again as a new revision of the evaluation (``appeals.appeal_decide``), the old one kept.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cityops.core.models import BaseModel

PAYMENT_COMPONENT = "payment"


class AppealStatus(models.TextChoices):
    OPEN = "open", _("Awaiting decision")
    UPHELD = "upheld", _("Deduction upheld")
    OVERTURNED = "overturned", _("Deduction overturned")
    PARTLY = "partly", _("Deduction reduced")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Appeal(BaseModel):
    evaluation = models.ForeignKey(
        "evaluations.Evaluation", verbose_name=_("contested revision"),
        on_delete=models.PROTECT, related_name="appeals",
    )  # fmt: skip
    snow_evaluation = models.ForeignKey(
        "evaluations.SnowEvaluation", verbose_name=_("contested snow-removal revision"),
        null=True, blank=True, on_delete=models.PROTECT, related_name="appeals",
    )  # fmt: skip
    component = models.CharField(_("component"), max_length=50)
    item = models.CharField(_("item"), max_length=50)
    quantity = models.DecimalField(_("quantity contested"), max_digits=10, decimal_places=2)
    deduction = models.DecimalField(
        _("deduction contested"), max_digits=14, decimal_places=2,
        help_text=_("Points, or CNY for a payment penalty."),
    )  # fmt: skip
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=20, choices=AppealStatus.choices, default=AppealStatus.OPEN
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("filed by"), null=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    deadline = models.DateTimeField(_("appeal deadline"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision reasons"), blank=True)
    adjusted_quantity = models.DecimalField(
        _("adjusted quantity"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    result_revision = models.ForeignKey(
        "evaluations.Evaluation", verbose_name=_("resulting revision"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    result_snow_revision = models.ForeignKey(
        "evaluations.SnowEvaluation", verbose_name=_("resulting snow-removal revision"),
        null=True, blank=True, on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "component", "item"],
                condition=models.Q(status="open", snow_evaluation__isnull=True),
                name="eval_appeal_one_open_per_item",
            ),
            models.UniqueConstraint(
                fields=["snow_evaluation", "component", "item"],
                condition=models.Q(status="open", snow_evaluation__isnull=False),
                name="eval_appeal_one_open_per_snow_item",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.evaluation_id} {self.component}/{self.item} {self.status}"

    @property
    def is_open(self) -> bool:
        return self.status == AppealStatus.OPEN

    @property
    def is_snow(self) -> bool:
        return self.snow_evaluation_id is not None


def _evidence_path(instance: AppealEvidence, filename: str) -> str:
    return f"evaluations/appeals/{instance.appeal_id}/{filename}"


class AppealEvidence(BaseModel):
    appeal = models.ForeignKey(
        Appeal, verbose_name=_("appeal"), on_delete=models.CASCADE, related_name="evidence"
    )
    file = models.FileField(_("file"), upload_to=_evidence_path)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=60)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)

    class Meta:
        verbose_name = _("appeal evidence")
        verbose_name_plural = _("appeal evidence")
        ordering = ["appeal", "id"]

    def __str__(self) -> str:
        return self.name
