"""Residents' satisfaction feedback on a closed case (counts in the evaluations later)."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Feedback(models.Model):
    """One rating per case, given by whoever holds the case's private tracking code."""

    case = models.OneToOneField(
        "cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="feedback"
    )
    score = models.PositiveSmallIntegerField(
        _("satisfaction (1–5)"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("given at"), auto_now_add=True)

    class Meta:
        verbose_name = _("satisfaction feedback")
        verbose_name_plural = _("satisfaction feedback")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="public_feedback_score_1_5"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.score}"


class Support(models.Model):
    """ "This is my problem too": one per person or device on an existing public case, instead
    of a duplicate report. ``supporter`` is a keyed hash (``core.crypto.blind_index``) of the
    signed-in user or of the browser's random device cookie: no personal data is stored."""

    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="supports"
    )
    supporter = models.CharField(_("supporter (keyed hash)"), max_length=64)
    created_at = models.DateTimeField(_("given at"), auto_now_add=True)

    class Meta:
        verbose_name = _("supporter")
        verbose_name_plural = _("supporters")
        constraints = [
            models.UniqueConstraint(fields=["case", "supporter"], name="public_support_once")
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.supporter[:8]}"
