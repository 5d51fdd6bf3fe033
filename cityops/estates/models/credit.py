"""Credit rating of property companies (物业服务企业信用评价)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import FileExtensionValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cityops.core.models import BaseModel
from cityops.estates import scoring
from cityops.estates.models.votes import EVIDENCE_EXTENSIONS
from cityops.registry.models import Organisation


class CreditKind(models.TextChoices):
    BASE = scoring.Kind.BASE.value, _("Base record")
    GOOD = scoring.Kind.GOOD.value, _("Good record")
    BAD = scoring.Kind.BAD.value, _("Bad record")


class CreditSource(models.TextChoices):
    CASE_STATISTICS = "case_statistics", _("Case statistics")
    INSPECTION = "inspection", _("Inspection")
    AWARD = "award", _("Award")
    PENALTY = "penalty", _("Penalty")
    MANUAL = "manual", _("Manual record")


class CreditRecord(BaseModel):
    company = models.ForeignKey(
        Organisation,
        verbose_name=_("property company"),
        on_delete=models.PROTECT,
        related_name="credit_records",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=CreditKind)
    source = models.CharField(_("source"), max_length=20, choices=CreditSource)
    source_ref = models.CharField(
        _("source reference"),
        max_length=80,
        blank=True,
        help_text=_("E.g. the statistics period and measure, or the inspection number."),
    )
    points = models.DecimalField(_("points"), max_digits=6, decimal_places=2)
    reason = models.CharField(_("reason"), max_length=300)
    evidence = models.FileField(
        _("evidence"),
        upload_to="estates/credit/%Y/%m/",
        blank=True,
        validators=[FileExtensionValidator(EVIDENCE_EXTENSIONS)],
    )
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    voided = models.BooleanField(_("voided"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("credit record")
        verbose_name_plural = _("credit records")
        ordering = ["company", "-valid_from", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(points__gte=0), name="estates_credit_pts"),
            models.CheckConstraint(
                condition=models.Q(valid_until__gte=models.F("valid_from")),
                name="estates_credit_validity",
            ),
            models.UniqueConstraint(
                fields=["company", "source", "source_ref"],
                condition=models.Q(source="case_statistics", voided=False),
                name="estates_credit_case_stats_once",
            ),
        ]

    def __str__(self) -> str:
        sign = "-" if self.kind == CreditKind.BAD else "+"
        return f"{self.company} {sign}{self.points} {self.reason}"

    @property
    def pending_objection(self) -> bool:
        """An objection awaits a decision (uses prefetched objections when present)."""
        return any(o.status == ObjectionStatus.PENDING for o in self.objections.all())  # type: ignore[attr-defined]

    def as_item(self) -> scoring.Item:
        return scoring.Item(
            ref=str(self.pk),
            kind=scoring.Kind(self.kind),
            points=self.points,
            valid_from=self.valid_from,
            valid_until=self.valid_until,
            voided=self.voided,
        )


class CreditRatedPeriod(BaseModel):
    """A period whose case records have been rated into one company's credit.

    The case-statistics job counts, for a period, only the days that no period rated *earlier*
    (lower id) for the company covers, so overlapping periods (the demo's history window, then
    the monthly timer's month) never count a case twice, and rerunning a period replaces its
    own records with the same figures.
    """

    company = models.ForeignKey(
        Organisation,
        verbose_name=_("property company"),
        on_delete=models.PROTECT,
        related_name="credit_rated_periods",
    )
    first = models.DateField(_("first day"))
    last = models.DateField(_("last day"))
    label = models.CharField(_("period"), max_length=20)

    class Meta:
        verbose_name = _("rated case period")
        verbose_name_plural = _("rated case periods")
        ordering = ["company", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "first", "last"], name="estates_credit_rated_once"
            ),
            models.CheckConstraint(
                condition=models.Q(last__gte=models.F("first")),
                name="estates_credit_rated_days",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company} {self.label}"


class ObjectionStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    UPHELD = "upheld", _("Upheld")
    REJECTED = "rejected", _("Rejected")


class CreditObjection(BaseModel):
    """A company contests one of its records; a supervisor upholds (record voided) or rejects."""

    record = models.ForeignKey(
        CreditRecord, verbose_name=_("record"), on_delete=models.CASCADE, related_name="objections"
    )
    reason = models.TextField(_("grounds"))
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("raised by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ObjectionStatus, default=ObjectionStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("credit objection")
        verbose_name_plural = _("credit objections")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["record"],
                condition=models.Q(status="pending"),
                name="estates_objection_one_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.record} ({self.get_status_display()})"


class CreditBand(models.Model):
    """Grade bands as data (◐ defaults AAA ≥ 85, AA ≥ 80, A ≥ 70, B ≥ 60, C below)."""

    grade = models.CharField(_("grade"), max_length=10, unique=True)
    min_score = models.DecimalField(
        _("minimum score"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Empty for the lowest grade."),
    )

    class Meta:
        verbose_name = _("credit grade band")
        verbose_name_plural = _("credit grade bands")
        ordering = [models.F("min_score").desc(nulls_last=True)]

    def __str__(self) -> str:
        return f"{self.grade} ≥ {self.min_score}" if self.min_score is not None else self.grade


class BlacklistEntry(BaseModel):
    company = models.ForeignKey(
        Organisation, verbose_name=_("property company"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=300)
    listed_on = models.DateField(_("listed on"))
    lifted_on = models.DateField(_("lifted on"), null=True, blank=True)

    class Meta:
        verbose_name = _("black list entry")
        verbose_name_plural = _("black list")
        ordering = ["-listed_on"]

    def __str__(self) -> str:
        return f"{self.company} {self.listed_on}"

    def is_active_on(self, day: dt.date) -> bool:
        return self.listed_on <= day and (self.lifted_on is None or day < self.lifted_on)


class CreditScoreChange(BaseModel):
    """The score history: every recomputation that changes something, with its cause."""

    company = models.ForeignKey(
        Organisation, verbose_name=_("property company"), on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField(_("as of"))
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2)
    grade = models.CharField(_("grade"), max_length=10)
    previous_score = models.DecimalField(
        _("previous score"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    previous_grade = models.CharField(_("previous grade"), max_length=10, blank=True)
    cause = models.CharField(_("cause"), max_length=300)
    record = models.ForeignKey(
        CreditRecord,
        verbose_name=_("record"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    breakdown = models.JSONField(_("breakdown"), default=dict)

    class Meta:
        verbose_name = _("credit score change")
        verbose_name_plural = _("credit score history")
        ordering = ["company", "-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.company} {self.day} {self.score} {self.grade}"
