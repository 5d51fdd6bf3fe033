"""Owners' committees, interim committees and the maintenance fund."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cityops.core.models import BaseModel
from cityops.registry.models import Compound, Street


class CommitteeKind(models.TextChoices):
    OWNERS = "owners", _("Owners' committee")
    INTERIM = "interim", _("Interim property management committee")


class Committee(BaseModel):
    """业主委员会 (elected by an art. 278 item-3 vote) or 物业管理委员会 (interim, appointed)."""

    compound = models.ForeignKey(
        Compound, verbose_name=_("compound"), on_delete=models.PROTECT, related_name="committees"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=CommitteeKind)
    election = models.ForeignKey(
        "estates.Proposal",
        verbose_name=_("election vote"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    formed_on = models.DateField(_("elected / formed on"))
    term_ends_on = models.DateField(_("term ends on"))
    filing_due_on = models.DateField(_("filing due on"), null=True, blank=True)
    filed_on = models.DateField(
        _("filed with the street and housing authority"), null=True, blank=True
    )
    filing_reference = models.CharField(_("filing reference"), max_length=60, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    street = models.ForeignKey(
        Street,
        verbose_name=_("guiding street"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("committee")
        verbose_name_plural = _("committees")
        ordering = ["compound", "-formed_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["compound"],
                condition=models.Q(ended_on__isnull=True),
                name="estates_committee_one_active",
            )
        ]

    def __str__(self) -> str:
        return f"{self.compound} {self.get_kind_display()} {self.formed_on}"

    def is_filing_overdue(self, today: dt.date) -> bool:
        """物业管理条例 art. 16: file within 30 days of the election."""
        return bool(
            self.filing_due_on is not None and self.filed_on is None and today > self.filing_due_on
        )

    def is_active_on(self, today: dt.date) -> bool:
        return self.ended_on is None and self.formed_on <= today <= self.term_ends_on


class CommitteeMember(BaseModel):
    committee = models.ForeignKey(
        Committee, verbose_name=_("committee"), on_delete=models.CASCADE, related_name="members"
    )
    owner = models.ForeignKey(
        "estates.Owner",
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="committee_seats",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="estate_committee_seats",
    )
    display_name = models.CharField(_("name"), max_length=100)
    position = models.CharField(
        _("position"),
        max_length=10,
        choices=[("chair", _("Chair")), ("vice", _("Vice chair")), ("member", _("Member"))],
        default="member",
    )

    class Meta:
        verbose_name = _("committee member")
        verbose_name_plural = _("committee members")
        ordering = ["committee", "id"]

    def __str__(self) -> str:
        return self.display_name


class FundAccount(BaseModel):
    """住宅专项维修资金: one account per compound; the balance moves only through entries."""

    compound = models.OneToOneField(
        Compound, verbose_name=_("compound"), on_delete=models.PROTECT, related_name="fund"
    )
    balance = models.DecimalField(
        _("balance (CNY)"), max_digits=14, decimal_places=2, default=0, editable=False
    )

    class Meta:
        verbose_name = _("maintenance fund account")
        verbose_name_plural = _("maintenance fund accounts")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(balance__gte=0), name="estates_fund_balance_nonnegative"
            )
        ]

    def __str__(self) -> str:
        return f"{self.compound} {self.balance}"


class FundEntryKind(models.TextChoices):
    DEPOSIT = "deposit", _("Deposit")
    SPENDING = "spending", _("Spending")


class FundEntry(BaseModel):
    account = models.ForeignKey(
        FundAccount, verbose_name=_("account"), on_delete=models.PROTECT, related_name="entries"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=FundEntryKind)
    amount = models.DecimalField(_("amount (CNY)"), max_digits=14, decimal_places=2)
    balance_after = models.DecimalField(_("balance after"), max_digits=14, decimal_places=2)
    proposal = models.ForeignKey(
        "estates.Proposal",
        verbose_name=_("approving vote"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="fund_entries",
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    booked_on = models.DateField(_("booked on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("maintenance fund entry")
        verbose_name_plural = _("maintenance fund entries")
        ordering = ["account", "-booked_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="estates_fund_amount_pos")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"
