"""The Chinese font is embedded in our PDFs: poppler extracts and draws the Chinese text."""

from __future__ import annotations

import io

from reportlab.lib.pagesizes import A6
from reportlab.pdfgen import canvas

from cityops.core.pdffonts import CJK_FONT, cjk_font
from cityops.core.testing_pdf import pdf_fonts, pdf_page_ink, pdf_text


def _page(text: str, font: str) -> bytes:
    buf = io.BytesIO()
    page = canvas.Canvas(buf, pagesize=A6)
    page.setFont(font, 18)
    page.drawString(20, 200, text)
    page.showPage()
    page.save()
    return buf.getvalue()


def test_a_chinese_line_is_embedded_extracted_and_drawn() -> None:
    pdf = _page("参与表决面积已确认", cjk_font())
    assert "参与表决面积已确认" in pdf_text(pdf)
    line = next(row for row in pdf_fonts(pdf).splitlines() if "NotoSansSC" in row)
    assert line.split()[-5] == "yes"  # the "emb" column: the glyphs travel with the file
    assert pdf_page_ink(pdf) > 50


def test_registration_happens_once() -> None:
    assert cjk_font() == cjk_font() == CJK_FONT
