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


def test_exports_carry_the_answers_in_words(client, catalogue, report, personas):
    import csv
    import io

    from openpyxl import load_workbook

    report(category=catalogue["collapse"], answers={"size": "large"})
    report()  # a category without questions: an empty cell
    client.force_login(personas.dispatcher)
    url = reverse("console:case-export", args=["csv"])
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    column = rows[0].index("补充信息")
    assert sorted(row[column] for row in rows[1:]) == ["", "塌陷范围：1平方米及以上"]
    assert "large" not in {row[column] for row in rows}
    xlsx = client.get(reverse("console:case-export", args=["xlsx"]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    cells = {row[column] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert "塌陷范围：1平方米及以上" in cells
