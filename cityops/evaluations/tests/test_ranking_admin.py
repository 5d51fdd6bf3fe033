"""The ranking's rules in the back office: audited (they moved here from ``assessment``)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from cityops.accounts.models import User
from cityops.core.models import AuditEvent
from cityops.evaluations.models import RankingRule


@pytest.fixture
def root(db: None) -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("root", "root@example.org", "x-pass-123"))
    return client


def test_ranking_rule_change_is_audited(root: Client) -> None:
    response = root.post(
        reverse("admin:evaluations_rankingrule_add"),
        {"service_type": "sanitation", "red_count": 2, "red_min_score": "92",
         "black_count": 1, "black_below_score": "75", "black_failing": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    rule = RankingRule.objects.get(service_type="sanitation")
    assert (rule.red_count, rule.red_min_score) == (2, Decimal(92))
    assert AuditEvent.objects.filter(code="ranking.rule.created", target_id=str(rule.pk)).exists()
    rule_url = reverse("admin:evaluations_rankingrule_change", args=[rule.pk])
    changed = {"service_type": "sanitation", "red_count": 3, "red_min_score": "92",
               "black_count": 1, "black_below_score": "75", "black_failing": "on"}  # fmt: skip
    assert root.post(rule_url, changed).status_code == 302
    assert AuditEvent.objects.filter(code="ranking.rule.changed", target_id=str(rule.pk)).exists()
