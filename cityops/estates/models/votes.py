"""Owners' assembly votes (业主大会表决) under Civil Code art. 278."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.validators import FileExtensionValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cityops.core.models import BaseModel
from cityops.estates import tally
from cityops.registry.models import Compound

EVIDENCE_EXTENSIONS = ["pdf", "jpg", "jpeg", "png"]


class Matter(models.TextChoices):
    """The nine items of Civil Code art. 278; values equal :class:`tally.Matter`."""

    RULES_OF_PROCEDURE = (
        tally.Matter.RULES_OF_PROCEDURE.value,
        _("(1) Adopt or amend the assembly's rules of procedure"),
    )
    MANAGEMENT_STATUTE = (
        tally.Matter.MANAGEMENT_STATUTE.value,
        _("(2) Adopt or amend the management statute"),
    )
    ELECT_COMMITTEE = (
        tally.Matter.ELECT_COMMITTEE.value,
        _("(3) Elect the owners' committee or replace its members"),
    )
    HIRE_MANAGER = (
        tally.Matter.HIRE_MANAGER.value,
        _("(4) Hire or dismiss the property company or other manager"),
    )
    USE_FUND = tally.Matter.USE_FUND.value, _("(5) Use the maintenance fund")
    RAISE_FUND = tally.Matter.RAISE_FUND.value, _("(6) Raise the maintenance fund")
    REBUILD = tally.Matter.REBUILD.value, _("(7) Alter or rebuild buildings and their facilities")
    COMMON_PARTS_USE = (
        tally.Matter.COMMON_PARTS_USE.value,
        _("(8) Change the use of common parts or use them for business"),
    )
    OTHER = tally.Matter.OTHER.value, _("(9) Other major matters of common ownership")


class ProposalStatus(models.TextChoices):
    # A context of its own: "Closed" alone is the case term 已结案 in the cases catalogue.
    DRAFT = "draft", pgettext_lazy("vote status", "Draft")
    NOTICED = "noticed", pgettext_lazy("vote status", "Noticed")
    OPEN = "open", pgettext_lazy("vote status", "Voting open")
    CLOSED = "closed", pgettext_lazy("vote status", "Closed")
    CERTIFIED = "certified", pgettext_lazy("vote status", "Certified")
    CANCELLED = "cancelled", pgettext_lazy("vote status", "Cancelled")


class Proposal(BaseModel):
    compound = models.ForeignKey(
        Compound, verbose_name=_("compound"), on_delete=models.PROTECT, related_name="proposals"
    )
    matter = models.CharField(_("matter (Civil Code art. 278)"), max_length=30, choices=Matter)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"))
    amount = models.DecimalField(
        _("amount (CNY)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("For maintenance fund matters: the amount to raise or spend."),
    )
    opens_at = models.DateTimeField(_("voting opens"))
    closes_at = models.DateTimeField(_("voting closes"))
    noticed_at = models.DateTimeField(_("notice given"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ProposalStatus, default=ProposalStatus.DRAFT
    )
    committee_sees_choices = models.BooleanField(
        _("committee sees individual choices"),
        default=False,
        help_text=_("Only where the assembly's rules of procedure require it."),
    )
    rules = models.JSONField(_("thresholds"), default=dict, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True, editable=False)
    passed = models.BooleanField(_("passed"), null=True, editable=False)
    certified_at = models.DateTimeField(_("certified at"), null=True, blank=True, editable=False)
    certified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("certified by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-opens_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")),
                name="estates_proposal_window_valid",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_major(self) -> bool:
        return tally.Matter(self.matter) in tally.MAJOR_MATTERS

    def window_contains(self, now: dt.datetime) -> bool:
        return bool(self.opens_at <= now < self.closes_at)

    def tally_rules(self) -> tally.Rules:
        return tally.Rules.from_dict(self.rules)

    @property
    def result_data(self) -> dict[str, Any]:
        return dict(self.result or {})


class BallotChannel(models.TextChoices):
    ONLINE = "online", _("Online")
    PROXY = "proxy", _("By proxy")
    PAPER = "paper", _("Paper ballot")


class Ballot(BaseModel):
    """One owner's ballot on one proposal; changeable until the window closes."""

    proposal = models.ForeignKey(
        Proposal, verbose_name=_("proposal"), on_delete=models.CASCADE, related_name="ballots"
    )
    owner = models.ForeignKey(
        "estates.Owner", verbose_name=_("owner"), on_delete=models.PROTECT, related_name="ballots"
    )
    choice = models.CharField(
        _("choice"),
        max_length=10,
        choices=[
            (tally.Choice.AGREE.value, _("Agree")),
            (tally.Choice.DISAGREE.value, _("Disagree")),
            (tally.Choice.ABSTAIN.value, _("Abstain")),
        ],
    )
    channel = models.CharField(
        _("channel"), max_length=10, choices=BallotChannel, default=BallotChannel.ONLINE
    )
    proxy_name = models.CharField(_("proxy"), max_length=100, blank=True)
    authorisation = models.FileField(
        _("proxy authorisation"),
        upload_to="estates/proxies/%Y/%m/",
        blank=True,
        validators=[FileExtensionValidator(EVIDENCE_EXTENSIONS)],
    )
    scan = models.FileField(
        _("paper ballot scan"),
        upload_to="estates/ballots/%Y/%m/",
        blank=True,
        validators=[FileExtensionValidator(EVIDENCE_EXTENSIONS)],
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revision = models.PositiveIntegerField(_("revision"), default=1)

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        ordering = ["proposal", "owner"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "owner"], name="estates_ballot_one_per_owner"
            )
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id}/{self.owner_id}"
