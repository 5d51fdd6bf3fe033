import datetime as dt
import threading
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone, translation

from cityops.core.errors import Conflict, DomainError, PermissionDenied
from cityops.core.models import AuditEvent
from cityops.core.testing_pdf import pdf_text
from cityops.estates import selectors
from cityops.estates.certificate import certificate_pdf
from cityops.estates.models import Ballot, Proposal, ProposalStatus
from cityops.estates.services.votes import (
    TRANSITIONS,
    ballot_cast,
    proposal_create,
    proposal_transition,
    proposals_advance,
)
from cityops.estates.testing import open_proposal


def draft(register: Any, officer: Any, **kw: Any) -> Proposal:
    now = timezone.now()
    return proposal_create(
        compound=register.compound,
        matter=kw.pop("matter", "hire_manager"),
        title="选聘物业",
        text="是否选聘甲物业公司。",
        opens_at=kw.pop("opens_at", now + dt.timedelta(days=15, minutes=1)),
        closes_at=kw.pop("closes_at", now + dt.timedelta(days=22)),
        actor=officer,
        **kw,
    )


def test_full_lifecycle_with_the_clock(register, personas):
    officer = personas.community_officer
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        p = draft(register, officer)
        p = proposal_transition(proposal_id=p.pk, to="noticed", actor=officer)
        assert p.noticed_at == start
        with pytest.raises(DomainError, match="not started"):
            proposal_transition(proposal_id=p.pk, to="open", actor=officer)
        clock.move_to(p.opens_at)
        assert proposals_advance() == {"opened": 1, "closed": 0}
        for i, user in enumerate(register.users[:5]):
            ballot_cast(proposal_id=p.pk, owner=register.owners[i], choice="agree", actor=user)
        ballot_cast(
            proposal_id=p.pk, owner=register.owners[0], choice="disagree", actor=register.users[0]
        )
        clock.move_to(p.closes_at)
        with pytest.raises(Conflict, match="not open"):
            ballot_cast(
                proposal_id=p.pk, owner=register.owners[5], choice="agree", actor=register.users[5]
            )
        assert proposals_advance() == {"opened": 0, "closed": 1}
        p.refresh_from_db()
        # 7 owners (6 + developer), 700 m²; 5 took part (500 m²); 4 agree of 5 → passes.
        assert p.status == ProposalStatus.CLOSED
        assert p.passed is True
        assert p.result["total_owners"] == 7
        assert p.result["total_area"] == "700.00"
        assert p.result["agree_owners"] == 4
        assert p.result["disagree_owners"] == 1
        with pytest.raises(Conflict):
            ballot_cast(
                proposal_id=p.pk, owner=register.owners[0], choice="agree", actor=register.users[0]
            )
        p = proposal_transition(proposal_id=p.pk, to="certified", actor=officer)
    assert p.certified_by == officer
    codes = list(
        AuditEvent.objects.filter(target_type="estates.proposal", target_id=str(p.pk))
        .order_by("at", "id")
        .values_list("code", flat=True)
    )
    assert codes == [
        "vote.proposal.created",
        "vote.proposal.noticed",
        "vote.proposal.open",
        "vote.proposal.closed",
        "vote.proposal.certified",
    ]
    # The audit trail never carries an individual choice.
    for event in AuditEvent.objects.filter(code__in=["vote.cast", "vote.changed"]):
        assert "choice" not in event.data
    with translation.override("zh-hans"):
        pdf = certificate_pdf(p)
    assert pdf.startswith(b"%PDF")
    # The Chinese is embedded: poppler extracts it (a referenced CID font drew it blank).
    text = pdf_text(pdf)
    assert "表决结果证明" in text
    assert p.title in text


def test_notice_must_be_at_least_15_days_before_opening(register, personas):
    officer = personas.community_officer
    with time_machine.travel(timezone.now(), tick=False):
        short = draft(register, officer, opens_at=timezone.now() + dt.timedelta(days=14, hours=23))
        with pytest.raises(DomainError, match="15 days"):
            proposal_transition(proposal_id=short.pk, to="noticed", actor=officer)
        exact = draft(register, officer, opens_at=timezone.now() + dt.timedelta(days=15))
        assert proposal_transition(proposal_id=exact.pk, to="noticed", actor=officer).noticed_at


def test_transitions_forbidden_and_refused(register, personas):
    p = draft(register, personas.community_officer)
    with pytest.raises(PermissionDenied):  # the west street officer does not cover C-1
        proposal_transition(proposal_id=p.pk, to="noticed", actor=personas.street_officer)
    with pytest.raises(PermissionDenied):
        proposal_transition(proposal_id=p.pk, to="noticed", actor=register.users[0])
    with pytest.raises(PermissionDenied):  # the periodic job may not give notice
        proposal_transition(proposal_id=p.pk, to="noticed", actor=None)
    with pytest.raises(Conflict):
        proposal_transition(proposal_id=p.pk, to="closed", actor=personas.community_officer)
    with pytest.raises(Conflict, match="changed meanwhile"):
        proposal_transition(
            proposal_id=p.pk, to="cancelled", actor=personas.community_officer, expected="open"
        )
    p = proposal_transition(proposal_id=p.pk, to="cancelled", actor=personas.community_officer)
    assert TRANSITIONS.get(p.status) is None
    with pytest.raises(Conflict):
        proposal_transition(proposal_id=p.pk, to="noticed", actor=personas.community_officer)
    with pytest.raises(PermissionDenied):
        draft(register, personas.street_officer)


def test_create_validates_input(register, personas):
    now = timezone.now()
    with pytest.raises(DomainError, match="after it opens"):
        draft(register, personas.community_officer, opens_at=now, closes_at=now)
    with pytest.raises(DomainError, match="amount"):
        draft(register, personas.community_officer, matter="use_fund")
    with pytest.raises(ValueError, match="item10"):
        draft(register, personas.community_officer, matter="item10")


def test_ballot_rules(register, personas):
    officer = personas.community_officer
    p = open_proposal(register.compound, actor=officer)
    owner, user = register.owners[0], register.users[0]
    with pytest.raises(PermissionDenied):  # someone else's ballot online
        ballot_cast(proposal_id=p.pk, owner=owner, choice="agree", actor=register.users[1])
    with pytest.raises(PermissionDenied):  # owner of another compound
        ballot_cast(
            proposal_id=p.pk,
            owner=register.other_compound_user.estate_owners.get(),
            choice="agree",
            actor=register.other_compound_user,
        )
    with pytest.raises(DomainError, match="agree"):
        ballot_cast(proposal_id=p.pk, owner=owner, choice="yes", actor=user)
    b1 = ballot_cast(proposal_id=p.pk, owner=owner, choice="agree", actor=user)
    b2 = ballot_cast(proposal_id=p.pk, owner=owner, choice="abstain", actor=user)
    assert b1.pk == b2.pk
    assert b2.revision == 2
    assert Ballot.objects.filter(proposal=p).count() == 1
    # Proxy and paper ballots: the committee enters them, with their documents.
    with pytest.raises(DomainError, match="authorisation"):
        ballot_cast(
            proposal_id=p.pk,
            owner=register.owners[1],
            choice="agree",
            actor=officer,
            channel="proxy",
            proxy_name="李四",
        )
    with pytest.raises(PermissionDenied):
        ballot_cast(
            proposal_id=p.pk,
            owner=register.owners[1],
            choice="agree",
            actor=register.users[2],
            channel="paper",
            scan=SimpleUploadedFile("s.pdf", b"%PDF-1.4"),
        )
    proxy = ballot_cast(
        proposal_id=p.pk,
        owner=register.owners[1],
        choice="agree",
        actor=officer,
        channel="proxy",
        proxy_name="李四",
        authorisation=SimpleUploadedFile("auth.pdf", b"%PDF-1.4 signed"),
    )
    assert proxy.authorisation.name.endswith(".pdf")
    developer = register.compound.owners.get(is_developer=True)
    with pytest.raises(DomainError, match="paper"):
        ballot_cast(proposal_id=p.pk, owner=developer, choice="agree", actor=officer)
    paper = ballot_cast(
        proposal_id=p.pk,
        owner=developer,
        choice="disagree",
        actor=officer,
        channel="paper",
        scan=SimpleUploadedFile("scan.png", b"\x89PNG"),
    )
    assert paper.scan
    assert paper.entered_by == officer


def test_privacy_of_choices_and_totals(register, personas, small_city):
    officer = personas.community_officer
    p = open_proposal(register.compound, actor=officer)
    ballot_cast(proposal_id=p.pk, owner=register.owners[0], choice="agree", actor=register.users[0])
    own = selectors.ballot_of_owner(p, register.owners[0])
    assert own is not None
    assert own.choice == "agree"
    assert selectors.ballot_of_owner(p, register.owners[1]) is None
    assert selectors.proposal_totals(p, register.users[1]) is None  # not before closing
    assert selectors.proposal_choices(p, officer) == []  # rules of procedure say no
    with time_machine.travel(p.closes_at, tick=False):
        proposal_transition(proposal_id=p.pk, to="closed", actor=officer)
    p.refresh_from_db()
    totals = selectors.proposal_totals(p, register.users[1])
    assert totals is not None
    assert totals["agree_owners"] == 1
    assert selectors.proposal_totals(p, register.other_compound_user) is None
    assert selectors.proposal_totals(p, personas.operator_b) is None


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="in-memory SQLite has table locks, no concurrent writers (bench/ covers SQLite files)",
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_casting_loses_none_and_counts_none_twice(small_city, personas):
    from cityops.estates.testing import make_register, owner_user

    officer = personas.community_officer
    owners = make_register(small_city.compound, [Decimal("90.5")] * 24)
    users = [owner_user(o) for o in owners]
    p = open_proposal(small_city.compound, actor=officer)
    errors: list[Exception] = []
    barrier = threading.Barrier(8)

    def cast(worker: int) -> None:
        try:
            barrier.wait()
            for i in range(worker, len(owners), 4):  # workers w and w+4 share their owners
                ballot_cast(proposal_id=p.pk, owner=owners[i], choice="agree", actor=users[i])
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=cast, args=(w % 4,)) for w in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert Ballot.objects.filter(proposal=p).count() == 24
    assert sorted(Ballot.objects.filter(proposal=p).values_list("revision", flat=True)) == [2] * 24
    with time_machine.travel(p.closes_at, tick=False):
        closed = proposal_transition(proposal_id=p.pk, to="closed", actor=officer)
    assert closed.result["agree_owners"] == 24


def test_concurrent_transitions_one_wins(register, personas):
    # Sequential stand-in for the race: the loser's compare-and-swap sees the new status.
    p = draft(register, personas.community_officer)
    proposal_transition(
        proposal_id=p.pk, to="cancelled", actor=personas.community_officer, expected="draft"
    )
    with pytest.raises(Conflict):
        proposal_transition(
            proposal_id=p.pk, to="noticed", actor=personas.community_officer, expected="draft"
        )
    assert Proposal.objects.get(pk=p.pk).status == "cancelled"


def test_thresholds_below_art_278_are_refused_at_creation(register: Any, personas: Any) -> None:
    from fractions import Fraction

    from cityops.estates import tally

    officer = personas.community_officer
    before = Proposal.objects.count()
    loose = tally.Rules(major_owners=tally.Threshold(Fraction(2, 3), inclusive=True))
    with pytest.raises(DomainError) as excinfo:
        draft(register, officer, matter="rebuild", rules=loose)
    assert excinfo.value.field == "rules"
    assert Proposal.objects.count() == before
    strict = tally.Rules(major_owners=tally.Threshold(Fraction(4, 5), inclusive=True))
    p = draft(register, officer, matter="rebuild", rules=strict)
    assert p.tally_rules() == strict


def test_database_tally_equals_the_core_over_the_rows(small_city, personas):
    """The aggregate (one query) and the core over every row agree exactly: odd areas, one
    person under two references (counted once, latest ballot), changed ballots, no ballot."""
    from cityops.estates.models import Owner
    from cityops.estates.services.votes import _tally_from_rows, proposal_tally
    from cityops.estates.testing import make_register, owner_user

    officer = personas.community_officer
    owners = make_register(
        small_city.compound, ["80.15", "99.99", "0.01", "120.50", "64.33", "77.77"],
        developer_areas=["1000.05"],
    )  # fmt: skip
    Owner.objects.filter(pk__in=[owners[1].pk, owners[2].pk]).update(id_index="same-person")
    users = [owner_user(o, f"tally{i}") for i, o in enumerate(owners)]
    proposal = open_proposal(small_city.compound, actor=officer)
    empty = proposal_tally(proposal)
    assert empty.to_dict() == _tally_from_rows(proposal).to_dict()
    assert empty.participating_area == Decimal(0)
    for i, choice in [(0, "agree"), (1, "agree"), (2, "disagree"), (3, "abstain"), (0, "agree")]:
        ballot_cast(proposal_id=proposal.pk, owner=owners[i], choice=choice, actor=users[i])
    ours = proposal_tally(proposal)
    assert ours.to_dict() == _tally_from_rows(proposal).to_dict()
    assert ours.total_owners == 6  # 7 references, 2 of them one person
    assert ours.total_area == Decimal("1442.80")
    assert (ours.agree_owners, ours.disagree_owners, ours.abstain_owners) == (1, 1, 1)
    assert ours.disagree_area == Decimal("100.00")  # the person's latest ballot, both units
