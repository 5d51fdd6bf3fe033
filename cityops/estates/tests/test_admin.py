from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from cityops.estates.models import Proposal
from cityops.estates.testing import open_proposal

MODELS = [
    "owner",
    "unit",
    "compoundmanagement",
    "proposal",
    "ballot",
    "committee",
    "fundaccount",
    "fundentry",
    "campaign",
    "campaigntarget",
    "creditrecord",
    "creditobjection",
    "creditband",
    "blacklistentry",
    "creditscorechange",
]


@pytest.mark.parametrize("model", MODELS)
def test_admin_pages_load(client, register, personas, model):
    client.force_login(personas.admin)
    response = client.get(reverse(f"admin:estates_{model}_changelist"))
    assert response.status_code == 200


def test_ballot_admin_never_shows_the_choice(client, register, personas):
    from cityops.estates.services.votes import ballot_cast

    p = open_proposal(register.compound, actor=personas.community_officer)
    ballot = ballot_cast(
        proposal_id=p.pk, owner=register.owners[0], choice="disagree", actor=register.users[0]
    )
    client.force_login(personas.admin)
    page = client.get(reverse("admin:estates_ballot_change", args=[ballot.pk])).content.decode()
    assert "反对" not in page
    assert "disagree" not in page


def test_admin_actions_and_periodic_command_use_the_transition(client, register, personas):
    p = open_proposal(register.compound, actor=personas.community_officer)
    client.force_login(personas.admin)
    url = reverse("admin:estates_proposal_changelist")
    client.post(url, {"action": "close_selected", "_selected_action": [p.pk]})
    assert Proposal.objects.get(pk=p.pk).status == "open"  # window not ended: refused
    with time_machine.travel(p.closes_at, tick=False):
        out = StringIO()
        call_command("estates_advance", stdout=out)
        assert Proposal.objects.get(pk=p.pk).status == "closed"
        client.post(url, {"action": "certify_selected", "_selected_action": [p.pk]})
    assert Proposal.objects.get(pk=p.pk).status == "certified"


@pytest.mark.parametrize("who", ["supervisor", "admin"])
def test_owner_personal_data_is_masked_and_revealed_only_with_a_purpose(
    client, register, personas, who
):
    from cityops.core.models import AuditEvent
    from cityops.estates.services.register import owners_import, read_csv

    csv = (
        "building,entrance,room,area,owner_key,owner_name,co_owners,phone,id_number,"
        "developer_held\n9,1,101,88.00,Z9,欧阳明月,,13912345678,152301199001011234,0\n"
    )
    owners_import(compound=register.compound, rows=read_csv(csv.encode()))
    owner = register.compound.owners.get(key="Z9")
    client.force_login(getattr(personas, who))
    change = reverse("admin:estates_owner_change", args=[owner.pk])
    page = client.get(change)
    if page.status_code != 200:
        pytest.skip(f"{who} has no access to the owner register in the admin")
    listing = client.get(reverse("admin:estates_owner_changelist")).content.decode()
    for text in (page.content.decode(), listing):
        assert "欧阳明月" not in text
        assert "13912345678" not in text
        assert "152301199001011234" not in text
    reveal = reverse("admin:estates_owner_reveal", args=[owner.pk])
    assert reveal in page.content.decode()
    refused = client.post(reveal, {"purpose": "  "})
    assert refused.status_code == 400
    assert "13912345678" not in refused.content.decode()
    assert not AuditEvent.objects.filter(code="estates.owner.personal_data_revealed").exists()
    shown = client.post(reveal, {"purpose": "核实业主身份（投诉处理）"})
    assert shown.status_code == 200
    assert "13912345678" in shown.content.decode()
    assert "152301199001011234" in shown.content.decode()
    event = AuditEvent.objects.get(code="estates.owner.personal_data_revealed")
    assert event.data["purpose"] == "核实业主身份（投诉处理）"
