import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from cityops.core.errors import Conflict, DomainError, PermissionDenied
from cityops.estates import access, selectors
from cityops.estates.models import Committee, CommitteeKind, FundAccount, Proposal
from cityops.estates.services.bodies import (
    Seat,
    committee_elect,
    committee_file,
    committee_interim_form,
    fund_deposit,
    fund_spend,
)
from cityops.estates.services.votes import ballot_cast, proposal_transition
from cityops.estates.testing import open_proposal


def run_vote(register: Any, officer: Any, *, matter: str, agree: int = 6, **extra: Any) -> Proposal:
    p = open_proposal(register.compound, matter=matter, actor=officer, **extra)
    for owner, user in list(zip(register.owners, register.users, strict=True))[:agree]:
        ballot_cast(proposal_id=p.pk, owner=owner, choice="agree", actor=user)
    with time_machine.travel(p.closes_at, tick=False):
        proposal_transition(proposal_id=p.pk, to="closed", actor=officer)
        return proposal_transition(proposal_id=p.pk, to="certified", actor=officer)


def seats(register: Any, n: int) -> list[Seat]:
    return [
        Seat(display_name=f"委员{i}", owner=o, position="chair" if i == 0 else "member")
        for i, o in enumerate(register.owners[:n])
    ]


def test_elected_committee_filing_deadline_and_its_powers(register, personas):
    officer = personas.community_officer
    election = run_vote(register, officer, matter="elect_committee")
    committee = committee_elect(election=election, seats=seats(register, 5), actor=officer)
    assert committee.kind == CommitteeKind.OWNERS
    formed = committee.formed_on
    assert committee.filing_due_on == formed + dt.timedelta(days=30)
    assert committee.term_ends_on == formed.replace(year=formed.year + 5)
    assert not committee.is_filing_overdue(formed + dt.timedelta(days=30))
    assert committee.is_filing_overdue(formed + dt.timedelta(days=31))
    assert selectors.committees_filing_overdue(today=formed + dt.timedelta(days=31)) == [committee]
    # A member now runs the compound's votes; an ordinary owner does not.
    assert access.can_manage_compound(register.users[0], register.compound)
    assert not access.can_manage_compound(register.users[5], register.compound)
    with pytest.raises(PermissionDenied):
        committee_file(committee=committee, filed_on=formed, reference="x", actor=register.users[0])
    assert election.certified_at is not None
    with time_machine.travel(election.certified_at + dt.timedelta(days=3), tick=False):
        with pytest.raises(DomainError, match="plausible"):
            committee_file(
                committee=committee,
                filed_on=formed + dt.timedelta(days=4),
                reference="x",
                actor=officer,
            )
        committee_file(committee=committee, filed_on=formed, reference="备案2026-1", actor=officer)
    assert selectors.committees_filing_overdue(today=formed + dt.timedelta(days=31)) == []
    with pytest.raises(Conflict):
        committee_elect(election=election, seats=seats(register, 5), actor=officer)


@pytest.mark.parametrize("size", [3, 4, 6, 12])
def test_committee_size_is_odd_between_5_and_11(register, personas, size):
    from cityops.estates.testing import make_register

    officer = personas.community_officer
    election = run_vote(register, officer, matter="elect_committee")
    make_register(register.compound, [100] * 6, prefix="Z")
    owners = list(register.compound.owners.filter(is_developer=False))
    chosen = [
        Seat(f"委员{i}", o, position="chair" if i == 0 else "member")
        for i, o in enumerate(owners[:size])
    ]
    with pytest.raises(DomainError, match="odd number"):
        committee_elect(election=election, seats=chosen, actor=officer)


def test_election_must_be_a_passed_certified_item_3_vote(register, personas):
    officer = personas.community_officer
    wrong_matter = run_vote(register, officer, matter="hire_manager")
    with pytest.raises(DomainError, match="election vote"):
        committee_elect(election=wrong_matter, seats=seats(register, 5), actor=officer)
    failed = run_vote(register, officer, matter="elect_committee", agree=2)
    assert failed.passed is False
    with pytest.raises(DomainError, match="passed"):
        committee_elect(election=failed, seats=seats(register, 5), actor=officer)


def test_interim_committee_only_without_owners_committee(register, personas):
    officer = personas.community_officer
    seven = [
        Seat(f"成员{i}", o, position="chair" if i == 0 else "member")
        for i, o in enumerate(register.owners)
    ] + [Seat("街道代表")]
    with pytest.raises(PermissionDenied):
        committee_interim_form(compound=register.compound, seats=seven, actor=register.users[0])
    with pytest.raises(DomainError, match="half"):
        committee_interim_form(
            compound=register.compound,
            seats=[*seven[:3], *(Seat(f"代表{i}") for i in range(4))],
            actor=officer,
        )
    interim = committee_interim_form(compound=register.compound, seats=seven, actor=officer)
    assert interim.filing_due_on is None
    election = run_vote(register, officer, matter="elect_committee")
    elected = committee_elect(election=election, seats=seats(register, 5), actor=officer)
    interim.refresh_from_db()
    assert interim.ended_on == elected.formed_on  # the elected committee replaces it
    with pytest.raises(Conflict):
        committee_interim_form(compound=register.compound, seats=seven, actor=officer)
    assert Committee.objects.filter(compound=register.compound, ended_on__isnull=True).count() == 1


def test_fund_spending_needs_a_passed_use_vote(register, personas):
    officer = personas.community_officer
    fund_deposit(compound=register.compound, amount=Decimal("50000"), note="首期", actor=officer)
    raise_vote = run_vote(register, officer, matter="hire_manager")
    with pytest.raises(DomainError, match="using the maintenance fund"):
        fund_spend(proposal=raise_vote, amount=Decimal(1), note="x", actor=officer)
    failed = run_vote(register, officer, matter="use_fund", agree=2, amount=Decimal("8000"))
    with pytest.raises(DomainError, match="not approved"):
        fund_spend(proposal=failed, amount=Decimal("8000"), note="电梯", actor=officer)
    approved = run_vote(register, officer, matter="use_fund", amount=Decimal("8000"))
    with pytest.raises(PermissionDenied):
        fund_spend(proposal=approved, amount=Decimal(1), note="x", actor=personas.operator_b)
    entry = fund_spend(proposal=approved, amount=Decimal("6000"), note="电梯维修", actor=officer)
    assert entry.balance_after == Decimal("44000")
    with pytest.raises(DomainError, match="already spent"):
        fund_spend(proposal=approved, amount=Decimal("2000.01"), note="x", actor=officer)
    fund_spend(proposal=approved, amount=Decimal("2000"), note="尾款", actor=officer)
    assert FundAccount.objects.get(compound=register.compound).balance == Decimal("42000")


def test_fund_balance_cannot_go_negative(register, personas):
    officer = personas.community_officer
    approved = run_vote(register, officer, matter="use_fund", amount=Decimal("8000"))
    with pytest.raises(DomainError, match="too low"):
        fund_spend(proposal=approved, amount=Decimal("100"), note="x", actor=officer)
    with pytest.raises(DomainError, match="did not approve"):
        fund_deposit(
            compound=register.compound,
            amount=Decimal(5),
            note="x",
            proposal=approved,
            actor=officer,
        )
    assert timezone.now()
