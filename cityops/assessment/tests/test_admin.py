"""The editable rules in the back office: validated, audited."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from cityops.accounts.models import User
from cityops.assessment.models import AssessmentRules
from cityops.core.models import AuditEvent


@pytest.fixture
def root(db: None) -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("root", "root@example.org", "x-pass-123"))
    return client


def test_bad_rules_json_is_a_form_error(root: Client) -> None:
    url = reverse("admin:assessment_assessmentrules_add")
    bad = {"code": "default", "data": json.dumps({"unit": {"weights": {"bogus": 1}}})}
    response = root.post(url, bad)
    assert response.status_code == 200
    assert "bogus" in response.content.decode()
    assert not AssessmentRules.objects.exists()
    good = {"code": "default", "data": json.dumps({"grades": [{"code": "A", "min": 80}]})}
    assert root.post(url, good).status_code == 302
    assert AuditEvent.objects.filter(code="assessment.rules.changed").count() == 1


def test_rules_page_stays_closed_to_others(personas: Any) -> None:
    client = Client()
    client.force_login(personas.operator_a)
    response = client.get(reverse("admin:assessment_assessmentrules_changelist"))
    assert response.status_code in (302, 403)
