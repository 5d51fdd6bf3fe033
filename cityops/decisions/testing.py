"""Fixtures of the decisions tests: the supervision section, two units with their liaisons,
and a meeting of the mayor's office."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cityops.accounts.models import Role, User
from cityops.accounts.services import user_ensure
from cityops.decisions.models import Meeting, MeetingKind
from cityops.decisions.services.items import meeting_create
from cityops.registry.models import Organisation, OrganisationKind

PASSWORD = "persona-pass-123"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf_file(name: str = "evidence.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@dataclass
class Desk:
    section: User
    mayor: User
    housing: Organisation
    urban: Organisation
    housing_liaison: User
    urban_liaison: User
    meeting: Meeting


@pytest.fixture
def desk(personas: Any, small_city: Any, settings: Any, tmp_path: Any) -> Desk:
    settings.CITYOPS_PRIVATE_MEDIA_ROOT = tmp_path / "private"
    housing = small_city.department
    urban = Organisation.objects.create(
        kind=OrganisationKind.DEPARTMENT, name="城管局(测试)", short_name="城管局"
    )

    def mk(username: str, role: Role, **scope: Any) -> User:
        return user_ensure(username=username, password=PASSWORD, role=role, **scope)

    section = mk("duchashi", Role.SUPERVISION_SECTION)
    meeting = meeting_create(
        kind=MeetingKind.MAYOR_OFFICE,
        number="2021年第12次",
        held_on=dt.date(2021, 11, 17),
        chair="市长",
        minutes_number="通政办发〔2021〕88号",
        actor=section,
    )
    return Desk(
        section=section,
        mayor=personas.mayor,
        housing=housing,
        urban=urban,
        housing_liaison=mk("housing_liaison", Role.UNIT_LIAISON, organisation=housing),
        urban_liaison=mk("urban_liaison", Role.UNIT_LIAISON, organisation=urban),
        meeting=meeting,
    )
