"""The editable rules in the back office: validated, audited."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from cityops.accounts.models import User
from cityops.assessment.models import AssessmentRules, RankingRule
from cityops.core.models import AuditEvent


@pytest.fixture
def root(db: None) -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("root", "root@example.org", "x-pass-123"))
    return client


def test_ranking_rule_change_is_audited(root: Client) -> None:
    response = root.post(
        reverse("admin:assessment_rankingrule_add"),
        {"service_type": "sanitation", "red_count": 2, "red_min_score": "92",
         "black_count": 1, "black_below_score": "75", "black_failing": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    rule = RankingRule.objects.get(service_type="sanitation")
    assert (rule.red_count, rule.red_min_score) == (2, Decimal(92))
    assert AuditEvent.objects.filter(code="ranking.rule.created", target_id=str(rule.pk)).exists()


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
