import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from cityops.accounts.models import User
from cityops.core.models import AuditEvent
from cityops.estates.demo import DEMO_VOTE_MINUTES
from cityops.estates.models import (
    Ballot,
    Campaign,
    Committee,
    CreditScoreChange,
    Owner,
    Proposal,
    TargetStatus,
    Unit,
)


def test_without_demo_district_it_does_nothing(small_city):
    out = StringIO()
    call_command("load_demo_estates", stdout=out)
    assert "not loaded" in out.getvalue()
    assert not Owner.objects.exists()
    assert not Campaign.objects.exists()


@pytest.mark.slow
def test_demo_on_the_demo_district_is_idempotent(db):
    from cityops.registry.demo.loader import demo_city_load

    demo_city_load(scale=0.3)
    call_command("load_demo_estates", stdout=StringIO())
    counts = (Unit.objects.count(), Owner.objects.count(), Proposal.objects.count())
    assert 200 * 3 <= counts[0] <= 600 * 3
    assert counts[1] < counts[0]  # multi-unit buyers and the developer count once
    campaign = Campaign.objects.get()
    statuses = list(campaign.targets.values_list("status", flat=True))
    assert TargetStatus.RESOLVED in statuses
    assert TargetStatus.PLANNED in statuses
    assert Proposal.objects.filter(status="open").count() == 1
    # The journey of the README: the demo street officer (first street by code) has a planned
    # task to resolve, and the open vote closes soon enough to be certified during the demo.
    from django.utils import timezone

    from cityops.accounts.demo import demo_users_ensure
    from cityops.estates.selectors import territory_targets

    demo_users_ensure()
    street_officer = User.objects.get(username="demo_street")
    assert territory_targets(street_officer).filter(status=TargetStatus.PLANNED).exists()
    vote = Proposal.objects.get(status="open")
    assert vote.closes_at <= timezone.now() + dt.timedelta(minutes=DEMO_VOTE_MINUTES)
    assert (vote.closes_at.second, vote.closes_at.microsecond) == (0, 0)  # whole minutes
    # demo_setup prints the owners' logins next to the staff's.
    from cityops.core.management.demo_steps import demo_tables
    from cityops.estates.demo import owner_logins_table

    assert "cityops.estates.demo.owner_logins_table" in demo_tables()
    table = owner_logins_table()
    assert table is not None
    assert [row[0] for row in table.rows] == ["demo_owner", "demo_owner_chair"]
    certified = Proposal.objects.get(status="certified", passed=True)
    # certified through the writer: audited, dated the day after its vote closed
    assert AuditEvent.objects.filter(
        code="vote.proposal.certified", target_id=str(certified.pk)
    ).exists()
    assert certified.certified_at == certified.closes_at + dt.timedelta(days=1)
    assert Committee.objects.filter(kind="owners").count() == 1
    assert Committee.objects.filter(kind="interim").count() == 1
    assert CreditScoreChange.objects.exists()
    assert Ballot.objects.exists()
    out = StringIO()
    call_command("load_demo_estates", stdout=out)
    assert "already loaded" in out.getvalue()
    assert (Unit.objects.count(), Owner.objects.count(), Proposal.objects.count()) == counts
    from cityops.estates.demo import demo_estates_delete
    from cityops.registry.demo.loader import demo_city_delete

    deleted = demo_estates_delete()
    assert deleted["units"] == counts[0]
    assert not Owner.objects.exists()
    demo_city_delete()  # nothing of ours PROTECTs the demo compounds any more
