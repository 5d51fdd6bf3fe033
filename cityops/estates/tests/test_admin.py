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
