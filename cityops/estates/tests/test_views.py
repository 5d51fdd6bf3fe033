import time_machine
from django.urls import reverse

from cityops.estates.models import Ballot
from cityops.estates.services.votes import proposal_transition
from cityops.estates.testing import open_proposal


def test_login_required_and_non_owners_get_404(client, register, personas):
    response = client.get(reverse("estates:home"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    client.force_login(personas.operator_a)
    assert client.get(reverse("estates:home")).status_code == 404


def test_owner_sees_compound_votes_and_casts_then_changes(
    client, register, personas, django_assert_max_num_queries
):
    p = open_proposal(register.compound, actor=personas.community_officer)
    client.force_login(register.users[0])
    with django_assert_max_num_queries(12):
        home = client.get(reverse("estates:home"))
    assert home.status_code == 200
    assert p.title in home.content.decode()
    url = reverse("estates:proposal", args=[p.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert p.text in page.content.decode()
    assert "<script>" not in page.content.decode().split("</main>")[0]
    response = client.post(url, {"choice": "agree"})
    assert response.status_code == 302
    assert Ballot.objects.get(proposal=p, owner=register.owners[0]).choice == "agree"
    client.post(url, {"choice": "disagree"})
    ballot = Ballot.objects.get(proposal=p, owner=register.owners[0])
    assert (ballot.choice, ballot.revision) == ("disagree", 2)
    bad = client.post(url, {"choice": "maybe"})
    assert bad.status_code == 400


def test_csrf_is_enforced(register, personas):
    from django.test import Client

    p = open_proposal(register.compound, actor=personas.community_officer)
    client = Client(enforce_csrf_checks=True)
    client.force_login(register.users[0])
    response = client.post(reverse("estates:proposal", args=[p.pk]), {"choice": "agree"})
    assert response.status_code == 403
    assert not Ballot.objects.exists()


def test_owner_of_another_compound_gets_404(client, register, personas):
    p = open_proposal(register.compound, actor=personas.community_officer)
    client.force_login(register.other_compound_user)
    url = reverse("estates:proposal", args=[p.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"choice": "agree"}).status_code == 404
    assert not Ballot.objects.exists()


def test_after_closing_totals_are_shown_and_ballot_is_frozen(client, register, personas):
    officer = personas.community_officer
    p = open_proposal(register.compound, actor=officer)
    client.force_login(register.users[0])
    url = reverse("estates:proposal", args=[p.pk])
    client.post(url, {"choice": "agree"})
    with time_machine.travel(p.closes_at, tick=False):
        late = client.post(url, {"choice": "disagree"})
        assert late.status_code == 409
        proposal_transition(proposal_id=p.pk, to="closed", actor=officer)
        proposal_transition(proposal_id=p.pk, to="certified", actor=officer)
        client.force_login(register.users[3])  # totals are public to every owner
        page = client.get(url)
        body = page.content.decode()
    assert page.status_code == 200
    assert 'id="result"' in body
    assert "未通过" in body  # Chinese UI by default; one of six owners took part
    assert Ballot.objects.get(proposal=p).choice == "agree"
    pdf = client.get(reverse("estates:certificate", args=[p.pk]))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    client.force_login(register.other_compound_user)
    assert client.get(reverse("estates:certificate", args=[p.pk])).status_code == 404
