"""The one place where PDFs get their Chinese font (rankings, monthly reports, certificates).

The font is embedded (subset) in every PDF, so any reader — poppler, a phone, a printer —
shows the Chinese text. A CID font such as reportlab's STSong-Light is only *referenced*:
readers without the Adobe Asian font pack draw every Chinese character blank.

The TrueType file (Noto Sans SC, OFL) comes from the npm registry at set-up
(``scripts/vendor_assets.py`` copies it to ``var/vendor/fonts/``); ``CITYOPS_PDF_FONT``
points at it. reportlab needs TrueType outlines (an OTF with CFF outlines is refused).
"""

from __future__ import annotations

import threading
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

CJK_FONT = "CityOpsSansSC"
_lock = threading.Lock()


def cjk_font() -> str:
    """Register the embedded Chinese font once per process; return its reportlab name."""
    if CJK_FONT in pdfmetrics.getRegisteredFontNames():
        return CJK_FONT
    with _lock:
        if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
            path = Path(settings.CITYOPS_PDF_FONT)
            if not path.is_file():
                raise ImproperlyConfigured(
                    f"PDF font {path} is missing: run `make assets` (scripts/vendor_assets.py)."
                )
            pdfmetrics.registerFont(TTFont(CJK_FONT, str(path)))
    return CJK_FONT
