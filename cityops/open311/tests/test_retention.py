"""The reporter retention job (cityops.cases.retention) erases the Open311 contact data too."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import time_machine

from cityops.cases.retention import reporter_contacts_erase
from cityops.cases.services import case_transition
from cityops.open311.keys import key_create
from cityops.open311.models import Open311Request

SH = ZoneInfo("Asia/Shanghai")


def test_open311_contact_data_of_an_erased_case_is_erased(verified, personas) -> None:
    key, _secret = key_create(name="app")
    with time_machine.travel(dt.datetime(2025, 1, 10, 10, tzinfo=SH), tick=False):
        case = verified(source="hotline", actor=personas.intake_clerk, reporter_phone="13812345678")
        case_transition(case_id=case.pk, action="close", actor=personas.shift_lead)
    request = Open311Request.objects.create(
        case=case,
        api_key=key,
        token="t-1",
        email="a@example.org",
        device_id="dev",
        account_id="acc",
    )
    other = Open311Request.objects.create(api_key=key, token="t-2", email="b@example.org")
    with time_machine.travel(dt.datetime(2026, 2, 1, tzinfo=SH), tick=False):
        assert reporter_contacts_erase() == 1
    request.refresh_from_db()
    other.refresh_from_db()
    assert (request.email, request.device_id, request.account_id, request.payload) == ("",) * 4
    assert request.case_id == case.pk  # the request row stays, linked to its case
    assert other.email == "b@example.org"
