"""The demo step: two procurements, lawful on today's calendar, idempotent, reset-safe."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from cityops.procurement.demo import ROADS, SANITATION, delete_hook, procurement_step
from cityops.procurement.models import ChallengeStatus, Project, Status
from cityops.procurement.selectors import challenge_window
from cityops.registry.models import Lot


def test_without_the_demo_district_it_does_nothing(db: None) -> None:
    procurement_step(None)
    assert not Project.objects.exists()


@pytest.mark.slow
@pytest.mark.parametrize(
    "today",
    [dt.datetime(2026, 12, 4, 2, tzinfo=dt.UTC), dt.datetime(2026, 10, 9, 2, tzinfo=dt.UTC)],
)
def test_demo_procurements_on_the_demo_district(db: None, today: dt.datetime) -> None:
    from cityops.accounts.demo import demo_users_ensure
    from cityops.registry.demo.loader import demo_city_load, demo_district

    with time_machine.travel(today, tick=False):
        demo_city_load(scale=0.3)
        demo_users_ensure()
        procurement_step(None)
        procurement_step(None)  # idempotent
        roads = Project.objects.get(number=ROADS)
        sanitation = Project.objects.get(number=SANITATION)
        assert roads.status == Status.FILED
        assert roads.contract is not None
        assert roads.breaches == {}
        assert Lot.objects.filter(contract=roads.contract).count() == 2
        assert roads.contract.start_date > today.date()  # takes over next year
        assert sanitation.status == Status.AWARD_ANNOUNCED
        window = challenge_window(sanitation)
        assert window.challenge_until is not None
        assert window.challenge_until >= today.date()  # still in the challenge window
        challenge = sanitation.challenges.get()
        assert challenge.status == ChallengeStatus.RECEIVED
        assert challenge.in_time
        district = demo_district()
        assert district is not None
        delete_hook(district)
        assert not Project.objects.exists()
