"""The city summary of a month as XLSX: every contract's score, grade and payment, the
components, the deductions, and a sheet of trends across the months the reader may see."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any, cast

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from cityops.core.exports import workbook_bytes
from cityops.evaluations.models import Period
from cityops.evaluations.ranking.selectors import BLACK, RED, drilldown, month_ranking, trends

BOLD = Font(bold=True)
FILLS = {RED: PatternFill("solid", fgColor="F8D7DA"), BLACK: PatternFill("solid", fgColor="D6D8DB")}


def _n(value: Any) -> float | None:
    return None if value is None or value == "" else float(Decimal(str(value)))


def _sheet(book: Workbook, title: str, header: list[str]) -> Worksheet:
    sheet = cast(Worksheet, book.create_sheet(title[:31]))
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = BOLD
    sheet.freeze_panes = "A2"
    return sheet


def city_summary_xlsx(period: Period, periods: Sequence[Period]) -> bytes:
    book = Workbook()
    default = book.active
    assert default is not None
    book.remove(default)
    status = _("published") if period.is_frozen else _("draft, not published")
    summary = _sheet(
        book,
        _("Month %(month)s") % {"month": f"{period.month:%Y-%m}"},
        [
            _("Service"),
            _("Rank"),
            _("Contract"),
            _("Operator"),
            _("Scheme version"),
            _("Score"),
            _("Grade"),
            _("Vetoed"),
            _("Monthly fee (CNY)"),
            _("Score deduction (CNY)"),
            _("Penalties (CNY)"),
            _("Veto deduction (CNY)"),
            _("Cap (CNY)"),
            _("Snow-removal deduction (CNY)"),
            _("Total deduction (CNY)"),
            _("Payable (CNY)"),
            _("List"),
            _("Status"),
        ],
    )
    components = _sheet(
        book,
        _("Components"),
        [
            _("Contract"),
            _("Component"),
            _("Present"),
            _("Weight (%)"),
            _("Base"),
            _("Score"),
            _("Contribution"),
        ],
    )
    deductions = _sheet(
        book,
        _("Deductions"),
        [
            _("Contract"),
            _("Component"),
            _("Item"),
            _("Quantity"),
            # The points taken off (扣分), not the item (扣分项): its own context.
            pgettext("points deducted", "Deduction"),
            _("Capped"),
            _("Veto"),
            _("Inspections"),
        ],
    )
    snow_sheet = _sheet(
        book,
        _("Snowfall events"),
        [
            _("Contract"),
            _("Event"),
            _("Revision"),
            _("Score"),
            _("Grade"),
            _("Payment deduction (CNY)"),
            _("Acceptance inspections"),
        ],
    )
    labels = {RED: _("Red list"), BLACK: _("Black list")}
    totals = {
        "fee": Decimal(0),
        "snow": Decimal(0),
        "deduction": Decimal(0),
        "payable": Decimal(0),
    }
    for group in month_ranking(period):
        for entry in group.entries:
            e = entry.evaluation
            pay = (e.result or {}).get("payment", {})
            drill = drilldown(e)
            summary.append(
                [
                    group.label,
                    entry.rank,
                    e.contract.number,
                    e.contract.operator.name,
                    str(e.scheme),
                    float(e.score),
                    e.grade_name,
                    _("yes") if e.vetoed else "",
                    float(e.fee),
                    _n(pay.get("score_deduction")),
                    _n(pay.get("penalty_deduction")),
                    _n(pay.get("veto_deduction")),
                    _n(pay.get("cap")),
                    _n(drill["snow"]["deduction"]),
                    float(e.deduction),
                    float(e.payable),
                    labels.get(entry.listed, ""),
                    status,
                ]
            )
            if entry.listed:
                for cell in summary[summary.max_row]:
                    cell.fill = FILLS[entry.listed]
            totals["fee"] += e.fee
            totals["deduction"] += e.deduction
            totals["payable"] += e.payable
            snow = Decimal(str(drill["snow"]["deduction"] or 0))
            totals["snow"] += snow
            for line in drill["snow"]["events"]:
                snow_sheet.append(
                    [
                        e.contract.number,
                        line["event"],
                        line["revision"],
                        _n(line["score"]),
                        line["grade"],
                        _n(line["deduction"]),
                        ", ".join(f"#{r['inspection']['id']}" for r in line["roads"]),
                    ]
                )
            for c in drill["components"]:
                components.append(
                    [
                        e.contract.number,
                        c["name"],
                        bool(c.get("present")),
                        _n(c.get("weight")),
                        _n(c.get("base")),
                        _n(c.get("score")),
                        _n(c.get("contribution")),
                    ]
                )
                for i in c["items"]:
                    if Decimal(str(i.get("quantity") or 0)) == 0:
                        continue
                    ids = ", ".join(f"#{x['id']}" for x in i["inspections"])
                    deductions.append(
                        [
                            e.contract.number,
                            c["name"],
                            i["name"],
                            _n(i.get("quantity")),
                            _n(i.get("deduction")),
                            bool(i.get("capped")),
                            bool(i.get("veto")),
                            ids,
                        ]
                    )
    summary.append([])
    summary.append(
        [
            _("Total"),
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            float(totals["fee"]),
            None,
            None,
            None,
            None,
            float(totals["snow"]),
            float(totals["deduction"]),
            float(totals["payable"]),
        ]
    )
    summary[summary.max_row][0].font = BOLD
    trend = trends(periods)
    sheet = _sheet(book, _("Trends"), [_("Operator (contract)"), *trend["months"]])
    for series in trend["series"]:
        sheet.append([series["name"], *series["data"]])
    return workbook_bytes(book)
