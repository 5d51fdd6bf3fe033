"""The ranking page's words: an empty list says so in a sentence (not a numbered "1."), and
the rule sentence ends with the language's own full stop."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal as D
from typing import Any

import pytest
from django.urls import reverse

from cityops.evaluations.models import RankingRule
from cityops.evaluations.tests.test_ranking import build_months, client_for

pytestmark = pytest.mark.usefixtures("schemes")


@pytest.fixture
def months(walk: Callable[..., Any], personas: Any, small_city: Any) -> dict[str, Any]:
    return build_months(walk, personas, small_city)


@pytest.mark.parametrize("failing", [True, False])
def test_empty_lists_and_rule_sentence_in_chinese(
    months: dict[str, Any], personas: Any, failing: bool
) -> None:
    RankingRule.objects.create(
        service_type="sanitation", red_count=0, black_count=0, black_failing=failing,
        black_below_score=D(0),
    )  # fmt: skip
    html = client_for(personas.supervisor, "zh-hans").get(reverse("ranking:page")).content
    text = html.decode()
    assert "<li>本月无" not in text
    assert "data-empty-list" in text
    rule = text.split("data-ranking-rule>", 1)[1].split("</p>", 1)[0]
    assert rule.endswith("。")
    assert not rule.endswith(".")
