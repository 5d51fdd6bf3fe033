"""Procurement projects (政府采购项目), their lots, clarifications and challenges (质疑).

One ``Project`` per contract to procure; its dated steps are columns named like the steps of
``periods.STEPS``, so the pure rules read them as a plain mapping (``Project.dates``). The
statutory numbers are data: ``StatutoryPeriod`` rows (code, valid_from) override the defaults
of ``periods.DEFAULT_RULES`` / ``CHALLENGE_DEFAULTS``; ``ProcurementSettings`` holds the
weekend roll-forward flag (❓ in the domain document).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cityops.core.models import BaseModel, SettingsRow
from cityops.procurement.periods import STEPS, DayType, Method
from cityops.registry.models import (
    Compound,
    Contract,
    GreenSpace,
    Lot,
    Organisation,
    RoadSegment,
    ServiceType,
)


class MethodChoice(models.TextChoices):
    OPEN_TENDER = Method.OPEN_TENDER.value, _("Open tender (公开招标)")
    INVITED_TENDER = Method.INVITED_TENDER.value, _("Invited tender (邀请招标)")
    CONSULTATION = Method.CONSULTATION.value, _("Competitive consultation (竞争性磋商)")
    NEGOTIATION = Method.NEGOTIATION.value, _("Competitive negotiation (竞争性谈判)")
    INQUIRY = Method.INQUIRY.value, _("Request for quotations (询价)")
    SINGLE_SOURCE = Method.SINGLE_SOURCE.value, _("Single source (单一来源)")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    INTENTION_PUBLISHED = "intention_published", _("Intention published")
    DOCUMENTS_ISSUED = "documents_issued", _("Documents issued")
    BIDS_OPENED = "bids_opened", _("Bids opened")
    EVALUATED = "evaluated", _("Evaluated")
    WINNER_DECIDED = "winner_decided", _("Winner decided")
    AWARD_ANNOUNCED = "award_announced", _("Award announced")
    CONTRACT_SIGNED = "contract_signed", _("Contract signed")
    CONTRACT_PUBLISHED = "contract_published", _("Contract published")
    FILED = "filed", _("Filed")
    CANCELLED = "cancelled", _("Cancelled")


class DayTypeChoice(models.TextChoices):
    CALENDAR = DayType.CALENDAR.value, _("calendar days")
    WORKING = DayType.WORKING.value, _("working days")


class ProcurementSettings(SettingsRow, BaseModel):
    """One row of editable counting policy."""

    weekend_rolls = models.BooleanField(
        _("a period ending on a weekend rolls forward"),
        default=True,
        help_text=_(
            "Civil Code art. 203 rolls a period that ends on a statutory holiday forward; "
            "courts usually treat a plain weekend the same way."
        ),
    )

    max_contract_years = models.PositiveSmallIntegerField(
        _("longest service contract (years)"),
        default=3,
        validators=[MinValueValidator(1)],
        help_text=_(
            "A government-purchased service contract runs at most this long (102号令: generally "
            "1 year, up to 3 where the budget is assured; P31)."
        ),
    )

    file_retention_years = models.PositiveSmallIntegerField(
        _("procurement files kept (years)"),
        default=15,
        validators=[MinValueValidator(1)],
        help_text=_(
            "Procurement files are kept at least this long from the end of the procurement "
            "(政府采购法 art. 42: 15 years; P30). Shown on the project page."
        ),
    )

    bid_bond_max_percent = models.DecimalField(
        _("largest bid bond (percent of the budget)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("2"),
        validators=[MinValueValidator(0)],
        help_text=_("政府采购法实施条例 art. 33: at most 2 percent of the budget (P26)."),
    )
    performance_bond_max_percent = models.DecimalField(
        _("largest performance bond (percent of the contract amount)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("10"),
        validators=[MinValueValidator(0)],
        help_text=_("政府采购法实施条例 art. 48: at most 10 percent of the contract amount (P28)."),
    )

    class Meta:
        verbose_name = _("procurement settings")
        verbose_name_plural = _("procurement settings")

    def __str__(self) -> str:
        return str(_("procurement settings"))


class StatutoryPeriod(BaseModel):
    """The number of one statutory period (code P1…P25 of the domain document) from a date."""

    code = models.CharField(_("rule code"), max_length=20)
    valid_from = models.DateField(_("valid from"), default=dt.date(2015, 3, 1))
    amount = models.PositiveIntegerField(_("days"))
    day_type = models.CharField(_("day type"), max_length=2, choices=DayTypeChoice.choices)
    roll_forward = models.BooleanField(_("roll forward over holidays"), default=True)
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("statutory period")
        verbose_name_plural = _("statutory periods")
        ordering = ["code", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["code", "valid_from"], name="procurement_period_once")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.amount} {self.day_type} ({self.valid_from})"


class Project(BaseModel):
    number = models.CharField(_("project number"), max_length=50, unique=True)
    title = models.CharField(_("title"), max_length=200)
    service_type = models.CharField(_("service type"), max_length=20, choices=ServiceType.choices)
    method = models.CharField(_("method"), max_length=30, choices=MethodChoice.choices)
    budget = models.DecimalField(
        _("budget (CNY)"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )
    purchaser = models.ForeignKey(
        Organisation,
        verbose_name=_("purchaser"),
        on_delete=models.PROTECT,
        related_name="procurements_purchased",
        null=True,
        blank=True,
    )
    status = models.CharField(
        _("status"), max_length=30, choices=Status.choices, default=Status.DRAFT
    )
    # The dated steps (periods.STEPS); "clarification" is the latest clarification that may
    # affect the bids (a Clarification row).
    intention_published = models.DateField(_("intention published"), null=True, blank=True)
    documents_issued = models.DateField(_("documents issued"), null=True, blank=True)
    documents_until = models.DateField(_("documents available until"), null=True, blank=True)
    bid_deadline = models.DateField(_("bid / response deadline"), null=True, blank=True)
    bids_opened = models.DateField(_("bids opened"), null=True, blank=True)
    evaluation_ended = models.DateField(_("evaluation ended"), null=True, blank=True)
    report_received = models.DateField(_("evaluation report received"), null=True, blank=True)
    winner_decided = models.DateField(_("winner decided"), null=True, blank=True)
    award_announced = models.DateField(_("award announced"), null=True, blank=True)
    contract_signed = models.DateField(_("contract signed"), null=True, blank=True)
    contract_published = models.DateField(_("contract published"), null=True, blank=True)
    contract_filed = models.DateField(_("contract filed"), null=True, blank=True)
    cancelled_on = models.DateField(_("cancelled on"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    # The award and the contract terms (copied into the registry's contract on signing).
    winner = models.ForeignKey(
        Organisation,
        verbose_name=_("winning supplier"),
        on_delete=models.PROTECT,
        related_name="procurements_won",
        null=True,
        blank=True,
    )
    award_amount = models.DecimalField(
        _("award amount (CNY)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    bid_bond = models.DecimalField(
        _("bid bond (CNY)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    performance_bond = models.DecimalField(
        _("performance bond (CNY)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    contract_number = models.CharField(_("contract number"), max_length=50, blank=True)
    service_start = models.DateField(_("service starts"), null=True, blank=True)
    service_end = models.DateField(_("service ends"), null=True, blank=True)
    monthly_fee = models.DecimalField(
        _("monthly fee (CNY)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    contract = models.ForeignKey(
        Contract,
        verbose_name=_("contract in the registry"),
        on_delete=models.PROTECT,
        related_name="procurements",
        null=True,
        blank=True,
    )
    # Steps recorded after their last lawful day with a stated reason (code → reason).
    breaches = models.JSONField(_("late steps with reasons"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
    )

    class Meta:
        verbose_name = _("procurement project")
        verbose_name_plural = _("procurement projects")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(budget__gte=0), name="procurement_budget_nonnegative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def dates(self, clarification: dt.date | None = None) -> dict[str, dt.date | None]:
        """The dated steps as the pure rules read them."""
        out: dict[str, dt.date | None] = {
            step: getattr(self, step) for step in STEPS if step != "clarification"
        }
        out["clarification"] = clarification
        return out


class ProjectLot(BaseModel):
    """A lot (标段) of the project; becomes a registry ``Lot`` when the contract is signed."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="lots"
    )
    code = models.CharField(_("lot code"), max_length=20)
    name = models.CharField(_("name"), max_length=100)
    geometry = models.JSONField(_("service area (GeoJSON, WGS-84)"), null=True, blank=True)
    road_segments = models.ManyToManyField(
        RoadSegment, verbose_name=_("road segments"), blank=True, related_name="+"
    )
    green_spaces = models.ManyToManyField(
        GreenSpace, verbose_name=_("green spaces"), blank=True, related_name="+"
    )
    compounds = models.ManyToManyField(
        Compound, verbose_name=_("compounds"), blank=True, related_name="+"
    )
    lot = models.OneToOneField(
        Lot,
        verbose_name=_("lot in the registry"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="procurement_lot",
    )

    class Meta:
        verbose_name = _("project lot")
        verbose_name_plural = _("project lots")
        ordering = ["project", "code"]
        constraints = [
            models.UniqueConstraint(fields=["project", "code"], name="procurement_lot_code_once")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Clarification(BaseModel):
    """澄清或者修改 of the documents; one that may affect the bids counts for P5/P10."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="clarifications"
    )
    issued_on = models.DateField(_("issued on"))
    affects_bids = models.BooleanField(_("may affect the bids"), default=True)
    summary = models.CharField(_("summary"), max_length=300)
    deadline_before = models.DateField(_("deadline before"), null=True, blank=True)
    deadline_after = models.DateField(_("deadline after"), null=True, blank=True)

    class Meta:
        verbose_name = _("clarification")
        verbose_name_plural = _("clarifications")
        ordering = ["project", "issued_on", "id"]

    def __str__(self) -> str:
        return f"{self.issued_on} {self.summary}"


class ChallengeStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    ANSWERED = "answered", _("Answered")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ChallengeSubject(models.TextChoices):
    DOCUMENTS = "documents", _("Procurement documents")
    PROCESS = "process", _("Procurement process")
    RESULT = "result", _("Award result")


class ChallengeOutcome(models.TextChoices):
    UPHELD = "upheld", _("Upheld (affects the result)")
    UPHELD_MINOR = "upheld_minor", _("Upheld (does not affect the result)")
    DISMISSED = "dismissed", _("Dismissed")


class Challenge(BaseModel):
    """质疑 of a supplier; the purchaser answers within P19 (7 working days)."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="challenges"
    )
    supplier = models.CharField(_("supplier"), max_length=200)
    subject = models.CharField(_("about"), max_length=20, choices=ChallengeSubject.choices)
    knew_on = models.DateField(
        _("known or should have known on"),
        null=True,
        blank=True,
        help_text=_("Empty for the award result: the end of the announcement period (P18)."),
    )
    received_on = models.DateField(_("received on"))
    in_time = models.BooleanField(_("filed within the challenge period"), default=True)
    text = models.TextField(_("challenge"), max_length=4000)
    answer_due = models.DateField(_("answer due"))
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ChallengeStatus.choices,
        default=ChallengeStatus.RECEIVED,
    )
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=ChallengeOutcome.choices, blank=True
    )
    answer = models.TextField(_("answer"), max_length=4000, blank=True)

    class Meta:
        verbose_name = _("challenge")
        verbose_name_plural = _("challenges")
        ordering = ["project", "received_on", "id"]

    def __str__(self) -> str:
        return f"{self.supplier} {self.received_on}"


class ComplaintStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    DECIDED = "decided", _("Decided")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Complaint(BaseModel):
    """投诉 of a supplier to the finance department after a challenge (P20); the department
    decides within P21 (30 working days, testing/expert days excluded); the procurement may be
    suspended meanwhile for at most P22 (30 days)."""

    challenge = models.ForeignKey(
        Challenge,
        verbose_name=_("challenge"),
        on_delete=models.CASCADE,
        related_name="complaints",
    )
    received_on = models.DateField(_("received on"))
    in_time = models.BooleanField(_("filed within the complaint period"), default=True)
    text = models.TextField(_("complaint"), max_length=4000)
    excluded_days = models.PositiveSmallIntegerField(
        _("working days not counted"),
        default=0,
        help_text=_("Testing, expert opinions or corrections (实施条例 art. 58)."),
    )
    decision_due = models.DateField(_("decision due"))
    suspended_on = models.DateField(_("procurement suspended on"), null=True, blank=True)
    suspension_until = models.DateField(_("suspension ends at the latest"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ComplaintStatus.choices,
        default=ComplaintStatus.RECEIVED,
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decision = models.TextField(_("decision"), max_length=4000, blank=True)

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["challenge", "received_on", "id"]

    def __str__(self) -> str:
        return f"{self.challenge.supplier} {self.received_on}"
