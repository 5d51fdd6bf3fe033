"""The printable result certificate (表决结果证明) of a certified vote, as PDF.

The Chinese font is embedded (``core.pdffonts``), so every reader shows the text.
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from cityops.core.pdffonts import CJK_FONT, cjk_font
from cityops.estates.models import Proposal
from cityops.estates.results import reason_text, step_lines

FONT = CJK_FONT


def _font() -> str:
    return cjk_font()


def certificate_pdf(proposal: Proposal) -> bytes:
    font = _font()
    title_style = ParagraphStyle("t", fontName=font, fontSize=16, leading=22, alignment=1)
    body = ParagraphStyle("b", fontName=font, fontSize=10.5, leading=16)
    result = proposal.result_data
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        title=_("Vote result certificate"),
    )

    def p(text: str) -> Paragraph:
        return Paragraph(escape(text), body)

    tz = timezone.get_current_timezone()
    story = [
        Paragraph(escape(_("Vote result certificate")), title_style),
        Spacer(1, 6 * mm),
        p(
            _("Compound: %(name)s (%(code)s)")
            % {"name": proposal.compound.name, "code": proposal.compound.code}
        ),
        p(_("Proposal: %(title)s") % {"title": proposal.title}),
        p(
            _("Matter: %(matter)s — %(kind)s")
            % {
                "matter": proposal.get_matter_display(),
                "kind": _("major matter (3/4)")
                if proposal.is_major
                else _("ordinary matter (more than half)"),
            }
        ),
        p(
            _("Voting window: %(start)s – %(end)s")
            % {
                "start": proposal.opens_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
                "end": proposal.closes_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
            }
        ),
        p(
            _("Register: %(owners)s owners, %(area)s m² exclusive area")
            % {
                "owners": result.get("total_owners", 0),
                "area": result.get("total_area", "0"),
            }
        ),
        p(
            _(
                "Agree %(a)s owners / %(aa)s m²; disagree %(d)s / %(da)s m²; "
                "abstain %(b)s / %(ba)s m²"
            )
            % {
                "a": result.get("agree_owners", 0),
                "aa": result.get("agree_area", "0"),
                "d": result.get("disagree_owners", 0),
                "da": result.get("disagree_area", "0"),
                "b": result.get("abstain_owners", 0),
                "ba": result.get("abstain_area", "0"),
            }
        ),
        Spacer(1, 4 * mm),
    ]
    rows: list[list[object]] = [
        [p(_("Step")), p(_("Count")), p(_("Share")), p(_("Rule")), p(_("Met"))]
    ]
    for line in step_lines(result):
        rows.append(
            [
                p(line.label),
                p(f"{line.numerator} / {line.denominator}"),
                p(line.percent),
                p(line.rule),
                p(_("yes") if line.met else _("no")),
            ]
        )
    table = Table(rows, colWidths=[70 * mm, 38 * mm, 22 * mm, 22 * mm, 15 * mm])
    table.setStyle(
        TableStyle(
            [("GRID", (0, 0), (-1, -1), 0.5, colors.grey), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]
        )
    )
    story += [
        table,
        Spacer(1, 4 * mm),
        p(reason_text(result)),
        p(_('Thresholds: Civil Code art. 278; "at least" includes the number itself (art. 1259).')),
        Spacer(1, 6 * mm),
        p(
            _("Certified on %(date)s by %(who)s. Record no. %(id)s.")
            % {
                "date": proposal.certified_at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
                if proposal.certified_at
                else "—",
                "who": str(proposal.certified_by or "—"),
                "id": proposal.pk,
            }
        ),
    ]
    doc.build(story)
    return buf.getvalue()
