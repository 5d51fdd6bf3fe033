"""The task force's XLSX workbook and PDF report of the staff transfer: progress by unit and
batch, and who is blocked and why (masked names). XLSX through ``core.exports.workbook_bytes``
(formula-safe); PDF with reportlab's built-in CID font, like the other reports."""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from cityops.core.exports import workbook_bytes
from cityops.staffing.models import StaffStatus

FONT = "STSong-Light"


def _progress_rows(groups: list[dict[str, Any]], first: str) -> list[list[Any]]:
    header = [first, _("Total"), _("Completed"), _("Blocked")]
    header += [str(s.label) for s in StaffStatus]
    rows: list[list[Any]] = [header]
    for g in groups:
        rows.append(
            [g["name"], g["total"], g["completed"], g["blocked"]]
            + [g["steps"][s.value] for s in StaffStatus]
        )
    return rows


def _blocked_table(blocked: list[dict[str, Any]]) -> list[list[Any]]:
    rows: list[list[Any]] = [[_("Staff"), _("Name"), _("Unit"), _("Batch"), _("Step"), _("Why")]]
    for b in blocked:
        rows.append([b["ref"], b["name"], b["unit"], b["batch"], b["status"], "; ".join(b["why"])])
    return rows


def progress_xlsx_bytes(progress: dict[str, Any], blocked: list[dict[str, Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("By unit")[:31]
    for row in _progress_rows(progress["units"], _("Unit")):
        sheet.append(row)
    batches = book.create_sheet(_("By batch")[:31])
    for row in _progress_rows(progress["batches"], _("Batch")):
        batches.append(row)
    blocked_sheet = book.create_sheet(_("Blocked")[:31])
    for row in _blocked_table(blocked):
        blocked_sheet.append(row)
    return workbook_bytes(book)


def _font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def _table(rows: list[list[Any]]) -> Table:
    cells = [[Paragraph(escape(str(c)), _cell()) for c in row] for row in rows]
    table = Table(cells, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    return table


def _cell() -> ParagraphStyle:
    return ParagraphStyle("c", fontName=_font(), fontSize=8, leading=10)


def progress_pdf_bytes(progress: dict[str, Any], blocked: list[dict[str, Any]]) -> bytes:
    font = _font()
    title = ParagraphStyle("t", fontName=font, fontSize=15, leading=20, alignment=1)
    heading = ParagraphStyle("h", fontName=font, fontSize=11, leading=16)
    body = ParagraphStyle("b", fontName=font, fontSize=9.5, leading=14)
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf, pagesize=landscape(A4), leftMargin=12 * mm, rightMargin=12 * mm,
        title=_("Staff transfer progress"),
    )  # fmt: skip
    now = timezone.localtime()
    story: list[Any] = [
        Paragraph(escape(_("Staff transfer progress")), title),
        Spacer(1, 4 * mm),
        Paragraph(
            escape(
                _("As of %(when)s: %(total)d staff, %(done)d completed, %(blocked)d blocked.")
                % {
                    "when": f"{now:%Y-%m-%d %H:%M}",
                    "total": progress["total"],
                    "done": progress["completed"],
                    "blocked": progress["blocked"],
                }
            ),
            body,
        ),
        Spacer(1, 4 * mm),
        Paragraph(escape(_("By unit")), heading),
        _table(_progress_rows(progress["units"], _("Unit"))),
        Spacer(1, 4 * mm),
        Paragraph(escape(_("By batch")), heading),
        _table(_progress_rows(progress["batches"], _("Batch"))),
    ]
    if blocked:
        story += [
            Spacer(1, 4 * mm),
            Paragraph(escape(_("Blocked")), heading),
            _table(_blocked_table(blocked)),
        ]
    doc.build(story)
    return buf.getvalue()
