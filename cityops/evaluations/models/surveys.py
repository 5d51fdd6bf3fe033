"""Resident satisfaction surveys (满意度调查) per contract and month.

Staff enter the answers of sampled residents, or residents answer online through the survey's
unguessable link. Each answer is one overall rating 1–5 (非常不满意 … 非常满意), turned into
0–100 by ``surveys.monthly_satisfaction`` together with the post-closure case feedback.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cityops.core.models import BaseModel


def _token() -> str:
    return secrets.token_urlsafe(18)


class SurveyStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Survey(BaseModel):
    contract = models.ForeignKey(
        "registry.Contract", verbose_name=_("contract"), on_delete=models.PROTECT,
        related_name="surveys",
    )  # fmt: skip
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    title = models.CharField(_("title"), max_length=200)
    sample_size = models.PositiveIntegerField(
        _("planned sample size"), default=30, validators=[MinValueValidator(1)]
    )
    online = models.BooleanField(_("collected online"), default=False)
    token = models.CharField(_("link code"), max_length=40, unique=True, default=_token)
    status = models.CharField(
        _("status"), max_length=20, choices=SurveyStatus.choices, default=SurveyStatus.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")
        ordering = ["-month", "contract", "id"]
        indexes = [models.Index(fields=["contract", "month"], name="eval_survey_month")]

    def __str__(self) -> str:
        return self.title


class SurveyChannel(models.TextChoices):
    STAFF = "staff", _("Entered by staff")
    ONLINE = "online", _("Answered online")


class SurveyAnswer(models.Model):
    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="answers"
    )
    rating = models.PositiveSmallIntegerField(
        _("overall satisfaction (1–5)"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("comment"), blank=True)
    respondent = models.CharField(
        _("respondent (optional)"), max_length=100, blank=True,
        help_text=_("Address or initials; never a full name and phone number together."),
    )  # fmt: skip
    channel = models.CharField(_("channel"), max_length=10, choices=SurveyChannel.choices)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(_("answered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        ordering = ["survey", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__gte=1, rating__lte=5), name="eval_answer_rating_1_5"
            )
        ]

    def __str__(self) -> str:
        return f"{self.survey_id}: {self.rating}"
