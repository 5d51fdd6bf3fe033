import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cityops.core.errors import Conflict, DomainError, PermissionDenied
from cityops.core.models import AuditEvent
from cityops.estates.models import CompoundManagement, TargetStatus
from cityops.estates.selectors import campaign_progress_by_street
from cityops.estates.services.campaigns import (
    campaign_create,
    milestone_done,
    progress_report_add,
    target_plan,
    target_resolve,
)
from cityops.estates.services.management import compound_management_change
from cityops.registry.models import Compound, ManagementModel

START, END = dt.date(2026, 1, 1), dt.date(2026, 12, 31)


def test_management_change_writes_history_registry_and_audit(small_city, personas):
    c = small_city.compound_unmanaged
    first = compound_management_change(
        compound=c, model="trusteeship", starts_on=dt.date(2026, 3, 1), actor=personas.admin
    )
    second = compound_management_change(
        compound=c,
        model="professional",
        company=small_city.property_company,
        contract_number="WY-9",
        contract_start=dt.date(2026, 6, 1),
        contract_end=dt.date(2029, 5, 31),
        starts_on=dt.date(2026, 6, 1),
        actor=personas.admin,
    )
    first.refresh_from_db()
    assert first.ended_on == dt.date(2026, 6, 1)
    assert second.ended_on is None
    c.refresh_from_db()
    assert c.management_model == "professional"
    assert c.property_company == small_city.property_company
    assert AuditEvent.objects.filter(code="estates.compound.management_changed").count() == 2
    with pytest.raises(DomainError, match="property company"):
        compound_management_change(compound=c, model="professional", company=small_city.operator_a)
    with pytest.raises(DomainError, match="needs a manager"):
        compound_management_change(compound=c, model="professional")
    with pytest.raises(DomainError, match="no manager"):
        compound_management_change(compound=c, model="none", company=small_city.property_company)
    with pytest.raises(DomainError, match="before the current"):
        compound_management_change(compound=c, model="none", starts_on=dt.date(2026, 1, 1))
    assert CompoundManagement.objects.filter(compound=c).count() == 2


def test_campaign_resolves_a_compound_without_management(small_city, personas):
    officer = personas.street_officer  # west street: answers for C-2
    campaign = campaign_create(name="2026 住宅物业管理提升年", starts_on=START, ends_on=END)
    target = campaign.targets.get()
    assert target.compound == small_city.compound_unmanaged
    assert target.street == small_city.street_west
    assert target.deadline == END
    with pytest.raises(DomainError, match="plan first"):
        target_resolve(target=target, actor=officer)
    with pytest.raises(PermissionDenied):
        target_plan(
            target=target,
            chosen_model="fallback",
            street=small_city.street_west,
            community=None,
            deadline=END,
            actor=personas.community_officer,
        )
    with pytest.raises(DomainError, match="not in that street"):
        target_plan(
            target=target,
            chosen_model="fallback",
            street=small_city.street_west,
            community=small_city.community_east,
            deadline=END,
            actor=officer,
        )
    target = target_plan(
        target=target,
        chosen_model="fallback",
        street=small_city.street_west,
        community=small_city.community_west,
        deadline=dt.date(2026, 9, 30),
        milestones=[
            ("召开业主协商会", dt.date(2026, 4, 1)),
            ("签订兜底服务协议", dt.date(2026, 8, 1)),
        ],
        actor=officer,
    )
    assert target.status == TargetStatus.PLANNED
    assert target.milestones.count() == 2
    first = target.milestones.first()
    assert first is not None
    milestone_done(milestone=first, done_on=dt.date(2026, 3, 28), actor=officer)
    report = progress_report_add(
        target=target,
        text="已召开协商会，同意国企兜底。",
        evidence=SimpleUploadedFile("minutes.pdf", b"%PDF-1.4"),
        actor=officer,
    )
    assert report.evidence.name.endswith(".pdf")
    with pytest.raises(DomainError, match="needs a manager"):  # fallback needs the state company
        target_resolve(target=target, actor=officer)
    target = target_resolve(target=target, company=small_city.department, actor=officer)
    assert target.status == TargetStatus.RESOLVED
    assert target.resolution is not None
    assert target.resolution.model == "fallback"
    compound = Compound.objects.get(pk=small_city.compound_unmanaged.pk)
    assert compound.management_model == ManagementModel.FALLBACK
    with pytest.raises(Conflict):
        target_resolve(target=target, company=small_city.department, actor=officer)
    codes = set(AuditEvent.objects.values_list("code", flat=True))
    assert {
        "estates.campaign.created",
        "estates.campaign.planned",
        "estates.campaign.reported",
        "estates.campaign.resolved",
        "estates.compound.management_changed",
    } <= codes


def test_progress_by_street(small_city, personas):
    extra = [
        Compound.objects.create(
            code=f"C-E{i}",
            name=f"东{i}",
            community=small_city.community_east,
            geometry=small_city.compound.geometry,
        )
        for i in range(3)
    ]
    campaign = campaign_create(name="提升年", starts_on=START, ends_on=END)
    assert campaign.targets.count() == 4
    east = campaign.targets.filter(compound__in=extra).order_by("compound__code")
    officer = personas.community_officer
    planned = target_plan(
        target=east[0],
        chosen_model="trusteeship",
        street=small_city.street_east,
        community=small_city.community_east,
        deadline=dt.date(2026, 6, 30),
        actor=officer,
    )
    done = target_plan(
        target=east[1],
        chosen_model="self_managed",
        street=small_city.street_east,
        community=None,
        deadline=dt.date(2026, 6, 30),
        actor=officer,
    )
    target_resolve(target=done, actor=officer)
    rows = {
        r.street_name: r for r in campaign_progress_by_street(campaign, today=dt.date(2026, 7, 1))
    }
    east_row, west_row = rows["东街道"], rows["西街道"]
    assert (east_row.targeted, east_row.planned, east_row.resolved, east_row.overdue) == (
        3,
        1,
        1,
        1,
    )
    assert (west_row.targeted, west_row.planned, west_row.resolved, west_row.overdue) == (
        1,
        0,
        0,
        0,
    )
    assert planned.is_overdue(dt.date(2026, 7, 1))
    later = campaign_progress_by_street(campaign, today=dt.date(2027, 1, 1))
    assert sum(r.overdue for r in later) == 3


def test_campaign_input_errors(small_city):
    with pytest.raises(DomainError, match="ends before"):
        campaign_create(name="x", starts_on=END, ends_on=START)
    campaign_create(name="x", starts_on=START, ends_on=END)
    with pytest.raises(Conflict):
        campaign_create(name="x", starts_on=START, ends_on=END)
