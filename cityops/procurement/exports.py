"""The task force's exports: one project's timeline as PDF, every project as XLSX.

PDF: reportlab with the CID font of the evaluation reports (``evaluations.reports.pdf``'s
``_font``: STSong-Light, no system font); XLSX through ``core.exports.workbook_bytes`` (no
cell becomes a formula).
"""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from cityops.core.exports import workbook_bytes
from cityops.evaluations.ranking.pdf import FONT, _font
from cityops.procurement.models import Project
from cityops.procurement.selectors import (
    challenge_window,
    procurement_progress,
    project_rule_day,
    project_timeline,
    rule_set,
)
from cityops.procurement.texts import STEP_TITLES


def _d(value: Any) -> str:
    return value.isoformat() if value else "—"


def project_pdf(project: Project) -> bytes:
    font = _font()
    rs = rule_set(project_rule_day(project))
    title = ParagraphStyle("t", fontName=font, fontSize=15, leading=20)
    body = ParagraphStyle("b", fontName=font, fontSize=9.5, leading=13)
    facts = {
        "m": project.get_method_display(),
        "b": f"{project.budget:,.2f}",
        "s": project.get_status_display(),
    }
    story: list[Any] = [
        Paragraph(escape(f"{project.number} {project.title}"), title),
        Spacer(1, 3 * mm),
        Paragraph(escape(_("Method: %(m)s · Budget: %(b)s CNY · Status: %(s)s") % facts), body),
    ]
    if project.winner:
        story.append(Paragraph(escape(_("Winner: %(w)s") % {"w": project.winner.name}), body))
    if project.contract:
        story.append(
            Paragraph(escape(_("Registry contract: %(c)s") % {"c": project.contract.number}), body)
        )
    story.append(Spacer(1, 4 * mm))
    rows: list[list[Any]] = [
        [_("Step"), _("Done"), _("Earliest lawful"), _("Last lawful"), _("Rules")]
    ]
    for view in project_timeline(project, rs):
        rules = "; ".join(f"{code} {text}" for code, text in view.rules)
        if view.breach:
            rules += " · " + _("late: %(r)s") % {"r": view.breach.get("reason", "")}
        rows.append(
            [view.title, _d(view.done), _d(view.earliest), _d(view.latest),
             Paragraph(escape(rules), body)]
        )  # fmt: skip
    table = Table(rows, colWidths=[35 * mm, 22 * mm, 24 * mm, 24 * mm, 70 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 8.5),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    story.append(table)
    window = challenge_window(project, rs)
    if window.challenge_until:
        story += [
            Spacer(1, 4 * mm),
            Paragraph(
                escape(
                    _("Challenge window ends %(d)s (announcement period ends %(a)s).")
                    % {"d": _d(window.challenge_until), "a": _d(window.announcement_ends)}
                ),
                body,
            ),
        ]
    for c in project.challenges.order_by("received_on", "id"):
        story.append(
            Paragraph(
                escape(
                    _("Challenge by %(s)s received %(r)s, answer due %(d)s: %(st)s")
                    % {"s": c.supplier, "r": _d(c.received_on), "d": _d(c.answer_due),
                       "st": c.get_status_display()}
                ),
                body,
            )
        )  # fmt: skip
    printed = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    story += [Spacer(1, 4 * mm), Paragraph(escape(_("Printed %(t)s") % {"t": printed}), body)]
    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm).build(story)
    return buf.getvalue()


def projects_xlsx() -> bytes:
    progress = procurement_progress()
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("Projects")
    sheet.append(
        [_("Number"), _("Title"), _("Status"), _("Next step"), _("Last lawful day"),
         _("Overdue"), _("Open challenges"), _("Late steps"), _("Registry contract")]
    )  # fmt: skip
    labels = dict(Project._meta.get_field("status").choices or [])
    for row in progress["projects"]:
        sheet.append(
            [
                row["number"],
                row["title"],
                str(labels.get(row["status"], row["status"])),
                str(STEP_TITLES.get(row["next_step"], "")) if row["next_step"] else "",
                row["next_latest"],
                _("yes") if row["next_overdue"] else "",
                row["open_challenges"],
                ", ".join(row["late_steps"]),
                row["contract"] or "",
            ]
        )
    summary = book.create_sheet(_("By status"))
    summary.append([_("Status"), _("Projects")])
    for value, count in progress["by_status"].items():
        summary.append([str(labels.get(value, value)), count])
    return workbook_bytes(book)
