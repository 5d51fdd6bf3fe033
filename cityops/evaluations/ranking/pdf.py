"""The monthly evaluation report of one contract as PDF (for printing and signing).

The Chinese font is embedded (``core.pdffonts``), so every reader shows the text; figures are
set in Helvetica so that a reader (or a test) can find them in the page content. Contents: the
facts, a bar chart of the components and a line chart of the score over the last months, the
deduction table, the payment computation (fee, deduction %, penalties, cap, payable) and the
explanation of every step.
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from cityops.core.pdffonts import CJK_FONT, cjk_font
from cityops.evaluations.models import Evaluation, PeriodStatus
from cityops.evaluations.ranking.selectors import TREND_MONTHS, deduction_rows, drilldown
from cityops.registry.models import ServiceType

FONT = CJK_FONT
NUMBERS = "Helvetica"
CHART_W, CHART_H = 170 * mm, 60 * mm


def _font() -> str:
    return cjk_font()


def money(value: Any) -> str:
    return f"{Decimal(str(value or 0)):,.2f}"


def _table(rows: list[list[Any]], widths: list[float], numeric_from: int) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1)
    style: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), FONT, 9),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]
    if numeric_from < len(rows[0]):
        style += [
            ("FONT", (numeric_from, 1), (-1, -1), NUMBERS, 9),
            ("ALIGN", (numeric_from, 1), (-1, -1), "RIGHT"),
        ]
    table.setStyle(TableStyle(style))
    return table


def _component_chart(components: list[dict[str, Any]]) -> Drawing:
    present = [c for c in components if c.get("present")]
    drawing = Drawing(CHART_W, CHART_H)
    drawing.add(String(0, CHART_H - 10, _("Component scores"), fontName=FONT, fontSize=9))
    if not present:
        return drawing
    chart = VerticalBarChart()
    chart.x, chart.y = 30, 20
    chart.width, chart.height = int(CHART_W - 40), int(CHART_H - 40)
    chart.data = [[float(c["score"]) for c in present]]
    chart.categoryAxis.categoryNames = [str(c["name"])[:12] for c in present]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = max(100.0, *(float(c["score"]) for c in present))
    chart.bars[0].fillColor = colors.HexColor("#4477aa")
    drawing.add(chart)
    return drawing


def _trend(evaluation: Evaluation) -> list[tuple[str, float]]:
    """This contract's scores up to this month: published months, and this one."""
    rows = (
        Evaluation.objects.filter(
            contract_id=evaluation.contract_id,
            is_current=True,
            period__month__lte=evaluation.period.month,
        )
        .filter(period__status=PeriodStatus.PUBLISHED)
        .values_list("period__month", "score")
        .order_by("-period__month")[:TREND_MONTHS]
    )
    points = {f"{m:%Y-%m}": float(s) for m, s in rows}
    points[f"{evaluation.period.month:%Y-%m}"] = float(evaluation.score)
    return sorted(points.items())[-TREND_MONTHS:]


def _trend_chart(points: list[tuple[str, float]]) -> Drawing:
    drawing = Drawing(CHART_W, CHART_H)
    drawing.add(String(0, CHART_H - 10, _("Score across months"), fontName=FONT, fontSize=9))
    chart = HorizontalLineChart()
    chart.x, chart.y = 30, 20
    chart.width, chart.height = int(CHART_W - 40), int(CHART_H - 40)
    chart.data = [[score for _m, score in points]]
    chart.categoryAxis.categoryNames = [m for m, _s in points]
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = 100
    chart.lines[0].strokeColor = colors.HexColor("#aa3377")
    chart.lines[0].symbol = None
    drawing.add(chart)
    return drawing


def _payment_rows(evaluation: Evaluation, payment: dict[str, Any]) -> list[list[Any]]:
    snapshot = (evaluation.scheme_snapshot or {}).get("payment", {})
    names = {p["code"]: p["name"] for p in snapshot.get("penalties", [])}
    rows: list[list[Any]] = [[_("Item"), _("Basis"), _("Amount (CNY)")]]
    rows.append([_("Monthly fee"), "", money(payment.get("fee"))])
    below = [
        s for s in (evaluation.result or {}).get("steps", []) if s["code"] == "payment.points_below"
    ]
    basis = ""
    if below:
        v = below[0]["values"]
        basis = _("%(below)s point(s) below %(mark)s × %(percent)s %%") % {
            "below": v["below"],
            "mark": v["pass_mark"],
            "percent": v["percent"],
        }
    rows.append([_("Deduction for the score"), basis, money(payment.get("score_deduction"))])
    for step in (evaluation.result or {}).get("steps", []):
        if step["code"] == "payment.penalty":
            v = step["values"]
            basis = _("%(count)s × (%(percent)s %% + %(fixed)s CNY)") % v
            rows.append([names.get(step["subject"], step["subject"]), basis, money(v["amount"])])
    rows.append([_("Veto deduction"), "", money(payment.get("veto_deduction"))])
    cap = snapshot.get("cap_percent")
    cap_basis = _("%(percent)s %% of the fee") % {"percent": cap} if cap is not None else ""
    rows.append([_("Cap on the deduction"), cap_basis, money(payment.get("cap"))])
    snow = (evaluation.result or {}).get("snow")
    if snow:  # snowfall events of the month: a separate line after the month's own cap
        rows.append([_("Deduction of the monthly rule"), "", money(payment.get("deduction"))])
        for line in snow["events"]:
            basis = _("score %(score)s, %(grade)s") % {
                "score": line["score"],
                "grade": line["grade"],
            }
            rows.append([line["event"], basis, money(line["deduction"])])
        rows.append([_("Snow-removal deduction"), "", money(snow["deduction"])])
        rows.append([_("Total deduction"), "", money(evaluation.deduction)])
        rows.append([_("Amount payable"), "", money(evaluation.payable)])
        return rows
    rows.append([_("Total deduction"), "", money(payment.get("deduction"))])
    rows.append([_("Amount payable"), "", money(payment.get("payable"))])
    return rows


def operator_report_pdf(evaluation: Evaluation, *, compress: bool = True) -> bytes:
    font = _font()
    title = ParagraphStyle("t", fontName=font, fontSize=16, leading=22, alignment=1)
    h2 = ParagraphStyle("h", fontName=font, fontSize=12, leading=18, spaceBefore=8)
    body = ParagraphStyle("b", fontName=font, fontSize=9.5, leading=14)
    drill = drilldown(evaluation)
    contract = evaluation.contract
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        pageCompression=1 if compress else 0,
        title=_("Monthly evaluation report"),
        author="CityOps",
    )

    def p(text: str, style: ParagraphStyle = body) -> Paragraph:
        return Paragraph(escape(text), style)

    status = _("published") if evaluation.period.is_frozen else _("draft, not published")
    veto = " (" + _("veto") + ")"
    facts = [
        [_("Operator"), contract.operator.name],
        [_("Contract"), f"{contract.number} {contract.title}"],
        [_("Service"), str(dict(ServiceType.choices).get(contract.service_type, ""))],
        [_("Month"), f"{evaluation.period.month:%Y-%m} ({status})"],
        [
            _("Scheme version"),
            _("%(scheme)s, revision %(revision)s")
            % {"scheme": evaluation.scheme, "revision": evaluation.revision},
        ],
        [_("Score"), f"{evaluation.score}"],
        [_("Grade"), evaluation.grade_name + (veto if evaluation.vetoed else "")],
    ]
    deductions = [[_("Component"), _("Item"), _("Quantity"), _("Points"), _("Deduction")]]
    for row in deduction_rows(evaluation):
        name = row["name"] + (veto if row.get("veto") else "")
        deductions.append(
            [
                row["component"],
                name,
                row["quantity"],
                row["points"],
                row["deduction"] + (" *" if row.get("capped") else ""),
            ]
        )
    story: list[Flowable] = [
        p(_("Monthly evaluation report"), title),
        Spacer(1, 4 * mm),
        _table([[_("Fact"), _("Value")], *facts], [40 * mm, 134 * mm], numeric_from=2),
        p(_("Components and trend"), h2),
        _component_chart(drill["components"]),
        _trend_chart(_trend(evaluation)),
        p(_("Deductions"), h2),
    ]
    if len(deductions) > 1:
        story.append(_table(deductions, [38 * mm, 70 * mm, 20 * mm, 20 * mm, 26 * mm], 2))
        story.append(p(_("* capped at the item's monthly cap.")))
    else:
        story.append(p(_("No deductions this month.")))
    story += [
        p(_("Payment computation"), h2),
        _table(_payment_rows(evaluation, drill["payment"]), [60 * mm, 74 * mm, 40 * mm], 2),
        p(_("How the score was computed"), h2),
        *[p(f"{n}. {line}") for n, line in enumerate(drill["explanation"], 1)],
        Spacer(1, 6 * mm),
        p(
            _("Generated by CityOps at %(time)s (Asia/Shanghai).")
            % {"time": f"{timezone.localtime():%Y-%m-%d %H:%M}"}
        ),
    ]
    doc.build(story)
    return buf.getvalue()
