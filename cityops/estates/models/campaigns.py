"""Improvement campaigns (e.g. 2022 住宅物业管理提升年) for compounds without management."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import FileExtensionValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cityops.core.models import BaseModel
from cityops.estates.models.votes import EVIDENCE_EXTENSIONS
from cityops.registry.models import Community, Compound, ManagementModel, Street


class Campaign(BaseModel):
    name = models.CharField(_("name"), max_length=100, unique=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("improvement campaign")
        verbose_name_plural = _("improvement campaigns")
        ordering = ["-starts_on"]

    def __str__(self) -> str:
        return self.name


class TargetStatus(models.TextChoices):
    TARGETED = "targeted", _("Targeted")
    PLANNED = "planned", _("Plan agreed")
    RESOLVED = "resolved", _("Resolved")


class CampaignTarget(BaseModel):
    """One compound on a campaign's list, with its resolution plan."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="targets"
    )
    compound = models.ForeignKey(
        Compound, verbose_name=_("compound"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=TargetStatus, default=TargetStatus.TARGETED
    )
    chosen_model = models.CharField(
        _("chosen management model"), max_length=20, choices=ManagementModel.choices, blank=True
    )
    street = models.ForeignKey(
        Street,
        verbose_name=_("responsible street"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    community = models.ForeignKey(
        Community,
        verbose_name=_("responsible community"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    resolution = models.ForeignKey(
        "estates.CompoundManagement",
        verbose_name=_("resulting management"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("campaign target")
        verbose_name_plural = _("campaign targets")
        ordering = ["campaign", "compound"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "compound"], name="estates_target_unique")
        ]

    def __str__(self) -> str:
        return f"{self.campaign}: {self.compound}"

    def is_overdue(self, today: dt.date) -> bool:
        return bool(
            self.status != TargetStatus.RESOLVED
            and self.deadline is not None
            and today > self.deadline
        )


class Milestone(BaseModel):
    target = models.ForeignKey(
        CampaignTarget,
        verbose_name=_("target"),
        on_delete=models.CASCADE,
        related_name="milestones",
    )
    title = models.CharField(_("milestone"), max_length=200)
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["target", "due_on", "id"]

    def __str__(self) -> str:
        return self.title


class ProgressReport(BaseModel):
    target = models.ForeignKey(
        CampaignTarget, verbose_name=_("target"), on_delete=models.CASCADE, related_name="reports"
    )
    text = models.TextField(_("progress"))
    evidence = models.FileField(
        _("evidence"),
        upload_to="estates/campaigns/%Y/%m/",
        blank=True,
        validators=[FileExtensionValidator(EVIDENCE_EXTENSIONS)],
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reported_on = models.DateField(_("reported on"))

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["target", "-reported_on", "-id"]

    def __str__(self) -> str:
        return f"{self.target} {self.reported_on}"
