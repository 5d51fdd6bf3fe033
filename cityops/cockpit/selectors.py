"""Reads of the cockpit: the newest snapshot (one query) and the votes behind a figure."""

from __future__ import annotations

from django.db.models import QuerySet

from cityops.cockpit.models import Snapshot
from cityops.cockpit.sources import votes_held_q
from cityops.core.periods import Period
from cityops.estates.models import Proposal

VOTES_LISTED = 500


def snapshot_latest() -> Snapshot | None:
    return Snapshot.objects.order_by("-computed_at", "-id").first()


def snapshot_head() -> Snapshot | None:
    """The newest snapshot without its figures (loaded only when its HTML is not cached)."""
    return Snapshot.objects.defer("data").order_by("-computed_at", "-id").first()


def votes_held(*, period: Period) -> QuerySet[Proposal]:
    """The owners' votes the property panel counts as held in the period."""
    return (
        Proposal.objects.filter(votes_held_q(period))
        .select_related("compound")
        .order_by("-closes_at", "-id")
    )
