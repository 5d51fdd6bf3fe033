"""Owners' committees (业主委员会), interim committees (物业管理委员会) and the maintenance fund."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cityops.core.audit import audit_record
from cityops.core.errors import Conflict, DomainError
from cityops.estates import access
from cityops.estates.models import (
    Committee,
    CommitteeKind,
    CommitteeMember,
    FundAccount,
    FundEntry,
    FundEntryKind,
    Matter,
    Owner,
    Proposal,
    ProposalStatus,
)
from cityops.registry.models import Compound

FILING_DAYS = 30  # 物业管理条例 art. 16
OWNERS_COMMITTEE_SIZE = (5, 11)  # 业主大会和业主委员会指导规则 art. 31: 5–11, odd
INTERIM_COMMITTEE_SIZE = (7, 11)  # 杭州 2022 试行: 7–11, odd, owners ≥ 1/2
MAX_TERM_YEARS = 5
INTERIM_MAX_TERM_YEARS = 2


@dataclass(frozen=True)
class Seat:
    display_name: str
    owner: Owner | None = None
    user: Any = None
    position: str = "member"


def _check_size(seats: Sequence[Seat], bounds: tuple[int, int]) -> None:
    low, high = bounds
    if not (low <= len(seats) <= high) or len(seats) % 2 == 0:
        raise DomainError(
            _("A committee has an odd number of members between %(low)s and %(high)s.")
            % {"low": low, "high": high},
            field="members",
        )
    if sum(1 for s in seats if s.position == "chair") != 1:
        raise DomainError(_("A committee has exactly one chair."), field="members")


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _create(
    *,
    compound: Compound,
    kind: CommitteeKind,
    seats: Sequence[Seat],
    formed_on: dt.date,
    term_years: int,
    election: Proposal | None,
    actor: Any,
) -> Committee:
    with transaction.atomic():
        Compound.objects.select_for_update().get(pk=compound.pk)
        current = Committee.objects.filter(compound=compound, ended_on__isnull=True).first()
        if current is not None:
            if kind == CommitteeKind.INTERIM and current.kind == CommitteeKind.OWNERS:
                raise Conflict(_("The compound has an owners' committee; no interim one."))
            # An elected committee replaces the interim one or its predecessor.
            current.ended_on = formed_on
            current.save(update_fields=["ended_on", "updated_at"])
        community = compound.community
        committee = Committee.objects.create(
            compound=compound,
            kind=kind,
            election=election,
            formed_on=formed_on,
            term_ends_on=_add_years(formed_on, term_years),
            filing_due_on=formed_on + dt.timedelta(days=FILING_DAYS)
            if kind == CommitteeKind.OWNERS
            else None,
            street=community.street if community is not None else None,
        )
        CommitteeMember.objects.bulk_create(
            CommitteeMember(
                committee=committee,
                owner=s.owner,
                user=s.user if s.user is not None else (s.owner.user if s.owner else None),
                display_name=s.display_name,
                position=s.position,
            )
            for s in seats
        )
        audit_record(
            code=f"estates.committee.{'elected' if election else 'formed'}",
            target=committee,
            actor=actor,
            summary=f"{compound.code} {kind.value} {len(seats)}",
            data={
                "kind": kind.value,
                "members": len(seats),
                "election": election.pk if election else None,
                "replaced": current.pk if current else None,
            },
        )
    return committee


def committee_elect(
    *,
    election: Proposal,
    seats: Sequence[Seat],
    term_years: int = 5,
    actor: Any = None,
) -> Committee:
    """Record the owners' committee elected by a certified, passed art. 278 item-3 vote."""
    compound = election.compound
    access.require_compound_manager(actor, compound)
    if election.matter != Matter.ELECT_COMMITTEE:
        raise DomainError(_("Only an election vote can form an owners' committee."))
    if election.status != ProposalStatus.CERTIFIED or not election.passed:
        raise DomainError(_("The election vote must have passed and been certified."))
    if not 1 <= term_years <= MAX_TERM_YEARS:
        raise DomainError(_("The term is 1 to 5 years."), field="term_years")
    _check_size(seats, OWNERS_COMMITTEE_SIZE)
    for seat in seats:
        if seat.owner is None or seat.owner.compound_id != compound.pk or seat.owner.is_developer:
            raise DomainError(
                _("Every member of an owners' committee is an owner of the compound."),
                field="members",
            )
    if Committee.objects.filter(election=election).exists():
        raise Conflict(_("This election has already been recorded."))
    assert election.certified_at is not None
    formed_on = timezone.localdate(election.certified_at)
    return _create(
        compound=compound,
        kind=CommitteeKind.OWNERS,
        seats=seats,
        formed_on=formed_on,
        term_years=term_years,
        election=election,
        actor=actor,
    )


def committee_interim_form(
    *,
    compound: Compound,
    seats: Sequence[Seat],
    formed_on: dt.date | None = None,
    term_years: int = INTERIM_MAX_TERM_YEARS,
    actor: Any = None,
) -> Committee:
    """物业管理委员会 where no owners' committee exists (street/community officers only)."""
    access.require_territory_officer(actor, compound)
    if not 1 <= term_years <= INTERIM_MAX_TERM_YEARS:
        raise DomainError(_("An interim committee serves at most 2 years."), field="term_years")
    _check_size(seats, INTERIM_COMMITTEE_SIZE)
    owners = sum(1 for s in seats if s.owner is not None and s.owner.compound_id == compound.pk)
    if owners * 2 < len(seats):
        raise DomainError(_("At least half of the members are owners."), field="members")
    return _create(
        compound=compound,
        kind=CommitteeKind.INTERIM,
        seats=seats,
        formed_on=formed_on or timezone.localdate(),
        term_years=term_years,
        election=None,
        actor=actor,
    )


def committee_file(
    *, committee: Committee, filed_on: dt.date, reference: str, actor: Any = None
) -> Committee:
    """The committee's filing with the street and the housing authority was received."""
    access.require_territory_officer(actor, committee.compound)
    with transaction.atomic():
        locked = Committee.objects.select_for_update().get(pk=committee.pk)
        if locked.filed_on is not None:
            raise Conflict(_("The filing is already recorded."))
        if filed_on < locked.formed_on or filed_on > timezone.localdate():
            raise DomainError(_("The filing date is not plausible."), field="filed_on")
        locked.filed_on = filed_on
        locked.filing_reference = reference.strip()
        locked.save(update_fields=["filed_on", "filing_reference", "updated_at"])
        audit_record(
            code="estates.committee.filed",
            target=locked,
            actor=actor,
            data={
                "filed_on": filed_on.isoformat(),
                "late": bool(locked.filing_due_on and filed_on > locked.filing_due_on),
            },
        )
    return locked


def fund_deposit(
    *,
    compound: Compound,
    amount: Decimal,
    note: str,
    proposal: Proposal | None = None,
    booked_on: dt.date | None = None,
    actor: Any = None,
) -> FundEntry:
    """Money paid in (initial deposits at move-in, or a raise approved by an item-6 vote)."""
    access.require_compound_manager(actor, compound)
    if amount <= 0:
        raise DomainError(_("The amount must be positive."), field="amount")
    if proposal is not None and not (
        proposal.compound_id == compound.pk
        and proposal.matter == Matter.RAISE_FUND
        and proposal.passed
    ):
        raise DomainError(_("That vote did not approve raising the fund."), field="proposal")
    return _book(compound, FundEntryKind.DEPOSIT, amount, note, proposal, booked_on, actor)


def fund_spend(
    *,
    proposal: Proposal,
    amount: Decimal,
    note: str,
    booked_on: dt.date | None = None,
    actor: Any = None,
) -> FundEntry:
    """Spending is recorded only against a passed art. 278 item-5 vote, up to its amount."""
    access.require_compound_manager(actor, proposal.compound)
    if amount <= 0:
        raise DomainError(_("The amount must be positive."), field="amount")
    if proposal.matter != Matter.USE_FUND:
        raise DomainError(_("Spending needs a vote on using the maintenance fund."))
    if proposal.status not in (ProposalStatus.CLOSED, ProposalStatus.CERTIFIED) or not (
        proposal.passed
    ):
        raise DomainError(_("The owners have not approved this spending."), code="not_approved")
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
        spent = sum((e.amount for e in FundEntry.objects.filter(proposal=locked)), Decimal(0))
        if locked.amount is not None and spent + amount > locked.amount:
            raise DomainError(
                _("The owners approved %(approved)s; %(spent)s is already spent.")
                % {"approved": locked.amount, "spent": spent},
                field="amount",
            )
        return _book(
            proposal.compound, FundEntryKind.SPENDING, amount, note, locked, booked_on, actor
        )


def _book(
    compound: Compound,
    kind: FundEntryKind,
    amount: Decimal,
    note: str,
    proposal: Proposal | None,
    booked_on: dt.date | None,
    actor: Any,
) -> FundEntry:
    with transaction.atomic():
        FundAccount.objects.get_or_create(compound=compound)
        account = FundAccount.objects.select_for_update().get(compound=compound)
        balance = (
            account.balance + amount if kind == FundEntryKind.DEPOSIT else account.balance - amount
        )
        if balance < 0:
            raise DomainError(_("The fund's balance is too low."), field="amount")
        account.balance = balance
        account.save(update_fields=["balance", "updated_at"])
        entry = FundEntry.objects.create(
            account=account,
            kind=kind,
            amount=amount,
            balance_after=balance,
            proposal=proposal,
            note=note,
            booked_on=booked_on or timezone.localdate(),
            recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit_record(
            code=f"estates.fund.{kind.value}",
            target=entry,
            actor=actor,
            summary=f"{compound.code} {kind.value} {amount}",
            data={
                "amount": str(amount),
                "balance": str(balance),
                "proposal": getattr(proposal, "pk", None),
            },
        )
    return entry
