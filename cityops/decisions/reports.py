"""督查通报 (monthly supervision bulletin) as PDF and XLSX, and the task force's weekly report.

PDFs reuse the evaluation report's reportlab helpers (CID font, table style); workbooks go
through ``core.exports.workbook_bytes`` (no cell becomes a live formula).
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any, cast
from xml.sax.saxutils import escape

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer

from cityops.core.exports import workbook_bytes
from cityops.decisions.models import DecisionItem, ItemReport, TaskForce
from cityops.decisions.services.common import supervision_settings
from cityops.evaluations.ranking.pdf import _font, _table

RED = PatternFill("solid", fgColor="F8D7DA")


def _pdf(title: str, flow: list[Flowable]) -> bytes:
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=title,
        author="CityOps",
    )
    doc.build(flow)
    return buf.getvalue()


def _styles() -> tuple[ParagraphStyle, ParagraphStyle, ParagraphStyle]:
    font = _font()
    return (
        ParagraphStyle("t", fontName=font, fontSize=16, leading=22, alignment=1),
        ParagraphStyle("h", fontName=font, fontSize=12, leading=18, spaceBefore=8),
        ParagraphStyle("b", fontName=font, fontSize=9, leading=13),
    )


def _rate(value: Any) -> str:
    return "—" if value is None else f"{value}%"


def bulletin_pdf(data: dict[str, Any]) -> bytes:
    title_style, h2, body = _styles()
    period, totals, rates = data["period"], data["totals"], data["rates"]
    office = supervision_settings().issuing_office
    title = _("Supervision bulletin %(month)s") % {"month": period.code}

    def p(text: str, style: ParagraphStyle = body) -> Paragraph:
        return Paragraph(escape(text), style)

    flow: list[Flowable] = [
        p(title, title_style),
        p(
            _("%(office)s, as of %(date)s")
            % {"office": office, "date": f"{timezone.localtime(data['as_of']):%Y-%m-%d %H:%M}"}
        ),
        Spacer(1, 4 * mm),
        p(_("Overall figures"), h2),
        _table(
            [
                [
                    _("Items"),
                    _("Closed"),
                    _("Closed on time"),
                    _("Overdue"),
                    _("In progress"),
                    _("Closure rate"),
                    _("On-time rate"),
                ],
                [
                    totals["total"],
                    totals["closed"],
                    totals["closed_on_time"],
                    totals["overdue"],
                    totals["in_progress"],
                    _rate(rates["closure_rate"]),
                    _rate(rates["on_time_rate"]),
                ],
            ],
            [24 * mm] * 7,
            0,
        ),
    ]
    for unit in data["units"]:
        flow += [p(unit.unit, h2)]
        rows: list[list[Any]] = [
            [
                _("Item"),
                _("Decision"),
                _("Due"),
                _("Status"),
                _("Late (working days)"),
                _("Escalation"),
            ]
        ]
        late_rows = []
        for i, row in enumerate(unit.rows, start=1):
            rows.append(
                [
                    row["item"],
                    Paragraph(escape(row["text"][:120]), body),
                    f"{row['due']:%Y-%m-%d}",
                    row["status"],
                    str(row["late_working_days"]) if row["overdue"] or row["done"] else "",
                    Paragraph(escape(" / ".join(row["escalations"]) or row["level"]), body),
                ]
            )
            if row["overdue"]:
                late_rows.append(i)
        table = _table(rows, [22 * mm, 62 * mm, 20 * mm, 26 * mm, 18 * mm, 32 * mm], 4)
        for i in late_rows:
            table.setStyle([("TEXTCOLOR", (0, i), (-1, i), colors.HexColor("#b00020"))])
        flow.append(table)
    if not data["units"]:
        flow.append(p(_("No decision items in this month.")))
    return _pdf(title, flow)


def bulletin_xlsx(data: dict[str, Any]) -> bytes:
    book = Workbook()
    sheet = cast(Worksheet, book.active)
    sheet.title = data["period"].code
    header = [
        _("Lead unit"),
        _("Item"),
        _("Decision"),
        _("Responsible leader"),
        _("Due"),
        _("Status"),
        _("Overdue"),
        _("Late (working days)"),
        _("Escalation"),
        _("Escalations this month"),
    ]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for unit in data["units"]:
        for row in unit.rows:
            sheet.append(
                [
                    unit.unit,
                    row["item"],
                    row["text"],
                    row["leader"],
                    row["due"],
                    row["status"],
                    _("yes") if row["overdue"] else "",
                    float(row["late_working_days"]),
                    row["level"],
                    " / ".join(row["escalations"]),
                ]
            )
            if row["overdue"]:
                for cell in sheet[sheet.max_row]:
                    cell.fill = RED
    totals = cast(Worksheet, book.create_sheet(_("Totals")[:31]))
    for key, label in (
        ("total", _("Items")),
        ("closed", _("Closed")),
        ("closed_on_time", _("Closed on time")),
        ("overdue", _("Overdue")),
        ("in_progress", _("In progress")),
    ):
        totals.append([label, data["totals"][key]])
    totals.append([_("Closure rate"), _rate(data["rates"]["closure_rate"])])
    totals.append([_("On-time rate"), _rate(data["rates"]["on_time_rate"])])
    return workbook_bytes(book)


def task_force_items(task_force: TaskForce) -> list[DecisionItem]:
    return list(
        DecisionItem.objects.filter(Q(meeting__task_force=task_force) | Q(task_force=task_force))
        .select_related("meeting", "lead_unit")
        .distinct()
        .order_by("assigned_at", "pk")
    )


def task_force_weekly_pdf(task_force: TaskForce, *, week_end: dt.date) -> bytes:
    """The weekly report (周调度): members, each item's status and the week's reports."""
    title_style, h2, body = _styles()
    start = week_end - dt.timedelta(days=6)
    title = _("%(name)s: weekly report %(start)s – %(end)s") % {
        "name": task_force.name,
        "start": start,
        "end": week_end,
    }

    def p(text: str, style: ParagraphStyle = body) -> Paragraph:
        return Paragraph(escape(text), style)

    flow: list[Flowable] = [p(title, title_style), Spacer(1, 4 * mm), p(_("Members"), h2)]
    members = [[_("Person"), _("Unit"), _("Role")]] + [
        [m.person, str(m.unit), m.get_role_display()]
        for m in task_force.members.select_related("unit")
    ]
    flow.append(_table(members, [40 * mm, 80 * mm, 50 * mm], 3))
    flow.append(p(_("Action items"), h2))
    items = task_force_items(task_force)
    tz = timezone.get_current_timezone()
    since = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    until = dt.datetime.combine(week_end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    reports = ItemReport.objects.filter(
        item__in=[i.pk for i in items], created_at__gte=since, created_at__lt=until
    ).order_by("created_at")
    by_item: dict[int, list[str]] = {}
    for r in reports:
        by_item.setdefault(r.item_id, []).append(
            f"{timezone.localtime(r.created_at):%m-%d} {r.get_kind_display()}: {r.text[:150]}"
        )
    rows: list[list[Any]] = [[_("Item"), _("Decision"), _("Status"), _("This week")]]
    for item in items:
        rows.append(
            [
                f"{item.meeting.number}-{item.serial}",
                Paragraph(escape(item.text[:150]), body),
                item.get_status_display(),
                Paragraph(escape("\n".join(by_item.get(item.pk, [])) or "—"), body),
            ]
        )
    flow.append(_table(rows, [25 * mm, 60 * mm, 30 * mm, 65 * mm], 4))
    return _pdf(title, flow)
