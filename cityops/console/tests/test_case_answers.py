"""The case page shows a category's answers as "question：answer" in words, under a label
that means answers (not the surveys' "答复数")."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_answers_are_labelled_in_words(client, catalogue, report, personas):
    case = report(category=catalogue["collapse"], answers={"size": "small"})
    client.force_login(personas.dispatcher)
    html = client.get(
        reverse("console:case-detail", args=[case.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert "塌陷范围：小于1平方米" in html
    assert "size: small" not in html
    assert "答复数" not in html
    assert "补充信息" in html
