"""The demo step: ~200 people in three units at different steps, some blocked for each reason,
the stored flags the same as the services compute, idempotent."""

from __future__ import annotations

from collections import Counter

from cityops.core.management.demo_steps import DemoContext
from cityops.staffing.demo import setup_step
from cityops.staffing.models import StaffMember, StaffStatus
from cityops.staffing.selectors import transfer_progress
from cityops.staffing.services import staff_flags_refresh


def _context(reset: bool = False) -> DemoContext:
    return DemoContext(seed=2026, scale=1.0, reset=reset, progress_stream=None, show_progress=False)


def test_demo_staff(db: None) -> None:
    setup_step(_context())
    progress = transfer_progress()
    assert 190 <= progress["total"] <= 210
    assert len(progress["units"]) == 3
    assert all(u["total"] > 40 for u in progress["units"])
    assert progress["flags"]["pay_cut"] >= 3
    assert progress["flags"]["early_leave_forbidden"] >= 2
    steps = Counter(StaffMember.objects.values_list("status", flat=True))
    assert len(steps) >= 5
    assert steps[StaffStatus.COMPLETED] > 0
    # Nobody past approval is blocked (approval refuses blocked people).
    past = [StaffStatus.APPROVED, StaffStatus.ADJUSTED, StaffStatus.PAYROLL, StaffStatus.COMPLETED]
    assert not StaffMember.objects.filter(status__in=past, blocked=True).exists()
    # The stored flags are what the services compute.
    for member in StaffMember.objects.select_related("batch").prefetch_related("pay"):
        assert staff_flags_refresh(member) is False, member
    # Idempotent: a second run keeps the rows; a reset rebuilds the same ones.
    setup_step(_context())
    assert StaffMember.objects.count() == progress["total"]
    setup_step(_context(reset=True))
    assert transfer_progress()["flags"] == progress["flags"]


def test_demo_pages_for_the_task_force(db: None) -> None:
    from django.test import Client
    from django.urls import reverse

    from cityops.accounts.models import Role
    from cityops.accounts.services import user_ensure

    setup_step(_context())
    hr = Client()
    hr.force_login(user_ensure(username="hr", password="x-pass-123", role=Role.HR_OFFICER))
    page = hr.get(reverse("staffing:progress"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "按法定退休日期不得内部退养" in body
    assert "待遇降低且理由未经批准" in body
    blocked = StaffMember.objects.filter(flags__isnull=False, blocked=True).first()
    assert blocked is not None
    assert hr.get(reverse("staffing:staff", args=[blocked.pk])).status_code == 200
    listing = hr.get(reverse("staffing:staff-list"), {"flag": "early_leave_forbidden"})
    assert str(blocked.unit.code) in listing.content.decode()
    mayor = Client()
    mayor.force_login(user_ensure(username="m", password="x-pass-123", role=Role.MAYOR_VIEWER))
    body = mayor.get(reverse("staffing:progress")).content.decode()
    assert 'id="blocked"' not in body
