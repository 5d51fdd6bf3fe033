"""PIPL: an owner who holds no unit any more leaves the register; personal data erased,
audited; the ballots cast stay."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cityops.core.errors import DomainError
from cityops.core.models import AuditEvent
from cityops.estates.models import Ballot, Owner
from cityops.estates.services.register import (
    LEFT_OWNER_NAME,
    owner_leave,
    owners_import,
    read_csv,
)
from cityops.estates.services.votes import ballot_cast
from cityops.estates.testing import open_proposal

HEADER = (
    "building,entrance,room,area,owner_key,owner_name,co_owners,phone,id_number,developer_held\n"
)
BEFORE = HEADER + (
    "1,1,101,100.00,A1,张三,李梅,13912345678,152301199001011234,0\n"
    "1,2,101,100.00,A2,王五,,13800000000,152301198502021111,0\n"
)
SOLD = HEADER + (
    "1,1,101,100.00,A3,赵六,,13700000000,,0\n"  # A1 sold the flat to A3
    "1,2,101,100.00,A2,王五,,13800000000,152301198502021111,0\n"
)


def test_an_owner_who_sold_leaves_the_register_and_the_ballot_stays(small_city, personas):
    compound = small_city.compound
    owners_import(compound=compound, rows=read_csv(BEFORE.encode()))
    zhang = Owner.objects.get(compound=compound, key="A1")
    officer = personas.community_officer
    proposal = open_proposal(compound, actor=officer)
    ballot_cast(
        proposal_id=proposal.pk,
        owner=zhang,
        choice="agree",
        actor=officer,
        channel="paper",
        scan=SimpleUploadedFile("s.pdf", b"%PDF-1.4"),
    )
    owners_import(compound=compound, rows=read_csv(SOLD.encode()))
    zhang.refresh_from_db()
    assert zhang.name == LEFT_OWNER_NAME
    assert (zhang.co_owners, zhang.phone, zhang.id_number, zhang.id_index) == ("", "", "", "")
    assert zhang.left_at is not None
    assert Ballot.objects.filter(owner=zhang, proposal=proposal).exists()
    wang = Owner.objects.get(compound=compound, key="A2")
    assert wang.left_at is None
    assert wang.phone == "13800000000"
    event = AuditEvent.objects.get(code="estates.owner.left")
    assert event.target_id == str(zhang.pk)
    # Importing again changes nothing and audits nothing more.
    owners_import(compound=compound, rows=read_csv(SOLD.encode()))
    assert AuditEvent.objects.filter(code="estates.owner.left").count() == 1


def test_an_owner_holding_units_cannot_leave_and_a_returning_owner_is_back(small_city):
    compound = small_city.compound
    owners_import(compound=compound, rows=read_csv(BEFORE.encode()))
    zhang = Owner.objects.get(compound=compound, key="A1")
    with pytest.raises(DomainError):
        owner_leave(owner=zhang)
    owners_import(compound=compound, rows=read_csv(SOLD.encode()))
    owners_import(compound=compound, rows=read_csv(BEFORE.encode()))  # bought it back
    zhang.refresh_from_db()
    assert zhang.left_at is None
    assert zhang.name == "张三"
    assert zhang.id_index


def test_admin_action_removes_an_owner_without_units_only(client, small_city, personas):
    from django.urls import reverse

    compound = small_city.compound
    owners_import(compound=compound, rows=read_csv(BEFORE.encode()))
    zhang = Owner.objects.get(compound=compound, key="A1")
    wang = Owner.objects.get(compound=compound, key="A2")
    zhang.units.all().delete()  # edited in the admin: the flat is no longer zhang's
    client.force_login(personas.admin)
    url = reverse("admin:estates_owner_changelist")
    client.post(url, {"action": "leave_selected", "_selected_action": [zhang.pk, wang.pk]})
    zhang.refresh_from_db()
    wang.refresh_from_db()
    assert zhang.left_at is not None
    assert zhang.name == LEFT_OWNER_NAME
    assert wang.left_at is None  # still holds a unit: refused
    assert AuditEvent.objects.get(code="estates.owner.left").actor == personas.admin
