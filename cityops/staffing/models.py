"""The staff transfer register (人员划转): former units, difficulty classes and batches, the
people with their encrypted personal data, pay items, and the editable plan parameters."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cityops.core.crypto import EncryptedTextField, blind_index
from cityops.core.models import BaseModel, SettingsRow
from cityops.staffing import retirement as ret
from cityops.staffing.rules import Limits

ID_INDEX_PURPOSE = "staffing_id_number"


class UnitKind(models.TextChoices):
    SANITATION = "sanitation", _("Sanitation")
    MUNICIPAL = "municipal", _("Municipal facilities")
    LANDSCAPING = "landscaping", _("Landscaping")


class FormerUnit(BaseModel):
    """A former public maintenance unit (环卫处, 市政处, 园林处) whose staff are transferred."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=UnitKind.choices)

    class Meta:
        ordering = ["code"]
        verbose_name = _("former unit")
        verbose_name_plural = _("former units")

    def __str__(self) -> str:
        return self.name


class DifficultyClass(BaseModel):
    """How hard a group is to move (先易后难: easy first). Editable data, ordered by ``rank``."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    rank = models.PositiveSmallIntegerField(_("rank (1 = easiest)"), default=1)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["rank", "code"]
        verbose_name = _("difficulty class")
        verbose_name_plural = _("difficulty classes")

    def __str__(self) -> str:
        return self.name


class Batch(BaseModel):
    """One step of the batch plan: a difficulty class with planned dates."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    difficulty = models.ForeignKey(
        DifficultyClass, verbose_name=_("difficulty class"), on_delete=models.PROTECT
    )
    planned_start = models.DateField(_("planned start"))
    planned_end = models.DateField(_("planned end"))

    class Meta:
        ordering = ["difficulty__rank", "planned_start", "code"]
        verbose_name = _("batch")
        verbose_name_plural = _("batches")

    def __str__(self) -> str:
        return self.name


class RetirementRule(BaseModel):
    """One category's statutory schedule (2024 reform); defaults seeded from ``retirement``."""

    category = models.CharField(
        _("category"), max_length=16, unique=True, choices=[
            (ret.MEN, _("Men (60 → 63)")),
            (ret.WOMEN_55, _("Women formerly 55 (55 → 58)")),
            (ret.WOMEN_50, _("Women formerly 50 (50 → 55)")),
        ],
    )  # fmt: skip
    old_age_years = models.PositiveSmallIntegerField(_("old age (years)"))
    first_birth_year = models.PositiveSmallIntegerField(_("first affected birth year"))
    first_birth_month = models.PositiveSmallIntegerField(_("first affected birth month"))
    step_months = models.PositiveSmallIntegerField(
        _("birth months per month of delay"), validators=[MinValueValidator(1)]
    )
    max_delay_months = models.PositiveSmallIntegerField(_("maximum delay (months)"))

    class Meta:
        ordering = ["category"]
        verbose_name = _("retirement rule")
        verbose_name_plural = _("retirement rules")

    def __str__(self) -> str:
        return self.get_category_display()

    def as_rule(self) -> ret.Rule:
        return ret.Rule(
            self.category,
            self.old_age_years,
            self.first_birth_year,
            self.first_birth_month,
            max(self.step_months, 1),
            self.max_delay_months,
        )


class StaffingSettings(SettingsRow, BaseModel):
    """The plan's own parameters (one row; ◐ defaults from the Shandong rule, §4.2 C)."""

    early_leave_max_years = models.PositiveSmallIntegerField(
        _("internal early retirement: at most years to statutory retirement"), default=5
    )
    early_leave_min_service_years = models.PositiveSmallIntegerField(
        _("internal early retirement: at least years of service"), default=20
    )

    class Meta:
        verbose_name = _("staff transfer settings")
        verbose_name_plural = _("staff transfer settings")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    def limits(self) -> Limits:
        return Limits(
            early_leave_max_months_to_retirement=self.early_leave_max_years * 12,
            early_leave_min_service_months=self.early_leave_min_service_years * 12,
        )


class EstablishmentType(models.TextChoices):
    ADMINISTRATIVE = "administrative", _("Administrative (行政编制)")
    CIVIL_SERVANT_LIKE = "civil_servant_like", _("Managed as civil servants (参公)")
    FULLY_FUNDED = "fully_funded", _("Public unit, fully funded (全额拨款事业)")
    PARTLY_FUNDED = "partly_funded", _("Public unit, partly funded (差额拨款事业)")
    SELF_FUNDED = "self_funded", _("Public unit, self-funded (自收自支)")
    CONTRACT = "contract", _("Contract staff outside the establishment (编外合同制)")
    DISPATCHED = "dispatched", _("Dispatched labour (劳务派遣)")


class Sex(models.TextChoices):
    MALE = "m", _("male")
    FEMALE = "f", _("female")


class RetirementCategory(models.TextChoices):
    MEN = ret.MEN, _("men (60 → 63)")
    WOMEN_55 = ret.WOMEN_55, _("women formerly 55 (cadres, 55 → 58)")
    WOMEN_50 = ret.WOMEN_50, _("women formerly 50 (workers, 50 → 55)")


class Option(models.TextChoices):
    NONE = "", _("not chosen yet")
    OPERATOR_CONTRACT = "operator_contract", _("Transfer into the operator (labour contract)")
    SECONDED = "seconded", _("Keep public status, seconded")
    EARLY_LEAVE = "early_leave", _("Internal early retirement (内部退养)")
    OTHER_UNIT = "other_unit", _("Transfer to another public unit")
    OWN_CHOICE = "own_choice", _("Own choice (leave with compensation)")


# Which closing steps each option goes through: (payroll switched, social insurance moved).
OPTION_STEPS: dict[str, tuple[bool, bool]] = {
    Option.OPERATOR_CONTRACT: (True, True),
    Option.SECONDED: (False, False),
    Option.EARLY_LEAVE: (False, False),
    Option.OTHER_UNIT: (True, False),
    Option.OWN_CHOICE: (True, True),
}


class StaffStatus(models.TextChoices):
    REGISTERED = "registered", _("registered")
    TALKED = "talked", _("talk held")
    SIGNED = "signed", _("option agreed and signed")
    APPROVED = "approved", _("approved")
    ADJUSTED = "adjusted", _("labour contract / establishment adjusted")
    PAYROLL = "payroll", _("payroll switched")
    COMPLETED = "completed", _("completed")


class StaffMember(BaseModel):
    """One person of a former unit. Name, ID number and birth date are encrypted at rest; the
    statutory retirement date (derived, needed to count and flag) is stored in clear."""

    unit = models.ForeignKey(
        FormerUnit, verbose_name=_("former unit"), on_delete=models.PROTECT, related_name="staff"
    )
    staff_no = models.CharField(_("staff number"), max_length=32)
    name = EncryptedTextField(_("name"))
    id_number = EncryptedTextField(_("ID number"), blank=True, default="")
    id_number_index = models.CharField(max_length=64, blank=True, default="", db_index=True)
    birth_date_text = EncryptedTextField(_("birth date"))
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    retirement_category = models.CharField(
        _("retirement category"), max_length=16, choices=RetirementCategory.choices
    )
    post = models.CharField(_("post"), max_length=100, blank=True)
    establishment_type = models.CharField(
        _("establishment type"), max_length=24, choices=EstablishmentType.choices
    )
    service_start = models.DateField(_("service start"), null=True, blank=True)
    retirement_date = models.DateField(_("statutory retirement date"))
    batch = models.ForeignKey(
        Batch,
        verbose_name=_("batch"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    option = models.CharField(
        _("option"), max_length=24, choices=Option.choices, blank=True, default=""
    )
    status = models.CharField(
        _("step"), max_length=16, choices=StaffStatus.choices, default=StaffStatus.REGISTERED
    )
    pay_cut_reason = models.TextField(_("reason for the lower pay"), blank=True, default="")
    pay_cut_reason_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reason recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    pay_cut_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reason approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    pay_cut_approved_at = models.DateTimeField(_("reason approved at"), null=True, blank=True)
    flags = models.JSONField(_("flags"), default=list, blank=True)
    blocked = models.BooleanField(_("blocked"), default=False, db_index=True)
    step_dates = models.JSONField(_("step dates"), default=dict, blank=True)

    class Meta:
        ordering = ["unit__code", "staff_no"]
        verbose_name = _("staff member")
        verbose_name_plural = _("staff members")
        constraints = [
            models.UniqueConstraint(fields=["unit", "staff_no"], name="staffing_staff_no_unique")
        ]
        indexes = [models.Index(fields=["status"], name="staffing_staff_status")]

    def __str__(self) -> str:
        return f"{self.unit.code}-{self.staff_no}"

    @property
    def birth_date(self) -> dt.date:
        return dt.date.fromisoformat(self.birth_date_text)

    def set_id_number(self, value: str) -> None:
        self.id_number = value.strip()
        self.id_number_index = (
            blind_index(self.id_number, purpose=ID_INDEX_PURPOSE) if self.id_number else ""
        )


class PayItem(BaseModel):
    """One pay item: the current amount and the agreed new one (monthly, yuan)."""

    staff = models.ForeignKey(
        StaffMember, verbose_name=_("staff member"), on_delete=models.CASCADE, related_name="pay"
    )
    item = models.CharField(_("pay item"), max_length=60)
    old_amount = models.DecimalField(
        _("current amount"), max_digits=10, decimal_places=2, default=Decimal("0")
    )
    new_amount = models.DecimalField(
        _("agreed new amount"), max_digits=10, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["staff", "item"]
        verbose_name = _("pay item")
        verbose_name_plural = _("pay items")
        constraints = [
            models.UniqueConstraint(fields=["staff", "item"], name="staffing_pay_item_unique")
        ]

    def __str__(self) -> str:
        return self.item
