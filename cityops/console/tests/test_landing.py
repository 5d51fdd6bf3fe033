"""The role-aware home sends people without a staff role to their own pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cityops.estates.testing import make_register, owner_user

pytestmark = pytest.mark.django_db


def test_resident_without_property_lands_on_the_report_page(client, personas):
    client.force_login(personas.citizen)
    response = client.get(reverse("console:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("public:report")


def test_owner_lands_on_the_estates_home(client, small_city, personas):
    owner = make_register(small_city.compound, [90])[0]
    user = owner_user(owner, "landing-owner")
    client.force_login(user)
    response = client.get(reverse("console:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("estates:home")
    assert client.get(response["Location"]).status_code == 200


def test_staff_stay_on_the_console_home(client, personas):
    client.force_login(personas.dispatcher)
    assert client.get(reverse("console:home")).status_code == 200
