"""The operator's PDF report and the city summary XLSX: content, and who may download them."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from cityops.core.testing_pdf import pdf_text
from cityops.evaluations.ranking.pdf import money, operator_report_pdf
from cityops.evaluations.tests.test_ranking import build_months, client_for

pytestmark = pytest.mark.usefixtures("schemes")


@pytest.fixture
def months(walk: Callable[..., Any], personas: Any, small_city: Any) -> dict[str, Any]:
    return build_months(walk, personas, small_city)


def pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type /Page\b(?!s)", pdf))


def test_pdf_has_the_payable_figure_and_the_tables(months: dict[str, Any]) -> None:
    evaluation = months["a_sep"]
    pdf = operator_report_pdf(evaluation, compress=False)
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    assert pages(pdf) >= 1
    # figures are set in Helvetica: visible in the uncompressed page content
    assert f"({money(evaluation.payable)})".encode() == b"(350,000.00)"
    assert b"(350,000.00) Tj" in pdf
    assert f"({money(evaluation.deduction)}) Tj".encode() in pdf  # 150,000.00: capped
    assert f"({money(evaluation.fee)}) Tj".encode() in pdf
    assert b"(6.00) Tj" in pdf  # the exposed-garbage deduction row
    # The Chinese font is embedded (core.pdffonts): poppler extracts the Chinese text.
    with translation.override("zh-hans"):
        text = pdf_text(operator_report_pdf(evaluation))
        assert _("Component scores") in text
        assert _("Score across months") in text
    assert re.search(r"[\u4e00-\u9fff]{4}", text)
    # the charts: bar chart and line chart are vector drawings (no images)
    assert b" re" in pdf
    assert b" l" in pdf


def test_pdf_download_for_viewers_and_the_contracts_own_operator(
    months: dict[str, Any], personas: Any
) -> None:
    url = reverse("ranking:report-pdf", args=[months["a_sep"].pk])
    for who in (personas.mayor, personas.supervisor, personas.admin, personas.operator_a):
        response = client_for(who).get(url)
        assert response.status_code == 200, who
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF-")
    # charlie: another operator's report does not exist for operator B
    assert client_for(personas.operator_b).get(url).status_code == 404
    assert client_for(personas.inspector).get(url).status_code == 404
    # operator A's own report of a month still open is not theirs to see yet
    draft = reverse("ranking:report-pdf", args=[months["a_oct"].pk])
    assert client_for(personas.operator_a).get(draft).status_code == 404
    assert client_for(personas.supervisor).get(draft).status_code == 200


def test_operator_b_gets_own_report(months: dict[str, Any], personas: Any, small_city: Any) -> None:
    own = small_city.contract_b.evaluations.get(period__month=months["a_sep"].period.month)
    response = client_for(personas.operator_b).get(reverse("ranking:report-pdf", args=[own.pk]))
    assert response.status_code == 200


SHEETS = {  # the sheet names as each language writes them (names are translated)
    "en": ["Month 2026-09", "Components", "Deductions", "Snowfall events", "Trends"],
    "zh-hans": ["2026-09 月度汇总", "考评项", "扣分明细", "降雪过程", "趋势"],
}


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_city_summary_xlsx(
    months: dict[str, Any], personas: Any, small_city: Any, language: str
) -> None:
    response = client_for(personas.mayor, language).get(
        reverse("ranking:summary-xlsx", args=["2026-09"])
    )
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    # The sheet names follow the reader's language; the figures do not.
    assert book.sheetnames == SHEETS[language]
    with translation.override(language):
        names = [
            str(_("Components")),
            str(_("Deductions")),
            str(_("Snowfall events")),
            str(_("Trends")),
        ]
    assert names == SHEETS[language][1:]
    components_name, deductions_name, _snow_name, trends_name = names
    rows = list(book[book.sheetnames[0]].iter_rows(values_only=True))
    a = next(r for r in rows if r[2] == small_city.contract_a.number)
    assert a[5] == 83.75
    assert a[8] == 500000.0
    assert a[13] is None  # no snowfall in September: the snow column stays empty
    assert a[14] == 150000.0
    assert a[15] == 350000.0
    total = rows[-1]
    contracts = [r for r in rows[1:] if r and r[2]]
    assert total[15] == sum(float(str(r[15])) for r in contracts)
    deductions = list(book[deductions_name].iter_rows(values_only=True))
    garbage = next(r for r in deductions if r[0] == "HW-A" and r[3] == 3.0)
    assert garbage[4] == 6.0
    assert garbage[7] == "#11, #12"
    trend = list(book[trends_name].iter_rows(values_only=True))
    assert trend[0][1:] == ("2026-09",)  # the mayor sees published months only, up to this one
    components = list(book[components_name].iter_rows(values_only=True))
    assert any(r[0] == "HW-A" and r[5] is not None for r in components[1:])
    # Every column header says something different (扣分项 ≠ 扣分).
    for sheet in book.worksheets:
        header = [h for h in next(sheet.iter_rows(values_only=True)) if h]
        assert len(header) == len(set(header)), (sheet.title, header)


def test_city_summary_neutralises_formulas(
    months: dict[str, Any], personas: Any, small_city: Any
) -> None:
    operator = small_city.operator_a
    operator.name = '=HYPERLINK("http://evil.example")'
    operator.save(update_fields=["name"])
    response = client_for(personas.mayor, "en").get(
        reverse("ranking:summary-xlsx", args=["2026-09"])
    )
    book = load_workbook(io.BytesIO(response.content))
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    assert any(c.value == "'" + operator.name for c in cells)
    assert not any(c.data_type == "f" for c in cells)


def test_summary_of_an_open_month_for_supervisors(months: dict[str, Any], personas: Any) -> None:
    response = client_for(personas.supervisor, "en").get(
        reverse("ranking:summary-xlsx", args=["2026-10"])
    )
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    trend = list(book[book.sheetnames[-1]].iter_rows(values_only=True))  # the trends sheet
    assert trend[0][1:] == ("2026-09", "2026-10")
    status = [
        r[17] for r in book[book.sheetnames[0]].iter_rows(min_row=2, values_only=True) if r[17]
    ]
    assert status
    assert all("draft" in str(s) for s in status)


def test_operator_pages_link_to_the_pdf_report(months: dict[str, Any], personas: Any) -> None:
    a_sep, a_oct = months["a_sep"], months["a_oct"]
    pdf = reverse("ranking:report-pdf", args=[a_sep.pk])
    operator = client_for(personas.operator_a, "en")
    page = operator.get(reverse("evaluations:evaluation", args=[a_sep.pk]))
    assert page.status_code == 200
    assert f'href="{pdf}"' in page.content.decode()
    assert operator.get(pdf).status_code == 200  # the link works for the one who sees it
    listing = operator.get(reverse("evaluations:mine")).content.decode()
    assert f'href="{pdf}"' in listing
    # the open month's report is not the operator's yet: no link anywhere
    draft_pdf = reverse("ranking:report-pdf", args=[a_oct.pk])
    assert draft_pdf not in listing
    # the supervisor sees the draft month's page with its report link
    draft = client_for(personas.supervisor, "en").get(
        reverse("evaluations:evaluation", args=[a_oct.pk])
    )
    assert f'href="{draft_pdf}"' in draft.content.decode()
