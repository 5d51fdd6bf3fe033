"""The demo step on the demo district: the meeting of 17 November at its stages."""

from __future__ import annotations

from typing import Any

import pytest

from cityops.decisions.demo import delete_hook, load_demo_decisions
from cityops.decisions.models import (
    DecisionItem,
    DocumentStatus,
    ExtensionStatus,
    IndicatorSnapshot,
    ItemStatus,
    Level,
    MeetingKind,
    PolicyDocument,
    TaskForce,
)
from cityops.decisions.selectors import decision_overview


@pytest.mark.slow
def test_the_demo_meeting_at_its_stages(db: None, settings: Any, tmp_path: Any) -> None:
    from cityops.accounts.demo import demo_users_ensure
    from cityops.accounts.models import User
    from cityops.registry.demo.loader import demo_city_load

    settings.CITYOPS_PRIVATE_MEDIA_ROOT = tmp_path / "private"
    district = demo_city_load(scale=0.3)
    demo_users_ensure()
    load_demo_decisions()
    assert "Already" in load_demo_decisions() or "已" in load_demo_decisions()
    items = DecisionItem.objects.filter(meeting__kind=MeetingKind.MAYOR_OFFICE)
    assert items.filter(meeting__held_on__month=11, meeting__held_on__day=17).count() == 10
    done = items.filter(status=ItemStatus.DONE)
    assert done.filter(reports__kind="completion", reports__attachments__isnull=False).exists()
    assert items.filter(escalation_level__gte=Level.LISTED, status=ItemStatus.IN_PROGRESS).exists()
    assert items.filter(extensions__status=ExtensionStatus.APPROVED).exists()
    statuses = set(PolicyDocument.objects.values_list("status", flat=True))
    assert {DocumentStatus.DRAFT, DocumentStatus.CONSULTATION, DocumentStatus.ISSUED} <= statuses
    assert TaskForce.objects.get().meetings.count() == 2
    assert IndicatorSnapshot.objects.values("day").distinct().count() >= 50
    mayor = User.objects.get(username="demo_mayor")
    overview = decision_overview(user=mayor)
    assert overview["counts"]["late"] >= 1
    assert overview["counts"]["listed"] >= 1
    counts = delete_hook(district)
    assert counts["decision_items"] >= 10
    assert not DecisionItem.objects.exists()
    assert not PolicyDocument.objects.exists()
