"""发文字号 (document number) rules of GB/T 9704-2012 §7.2.5 — a pure core, no ORM.

Agency code + full year in hexagonal brackets 〔〕 (U+3014/U+3015) + serial without leading
zeros + 号, e.g. 通政办发〔2022〕12号. 字 inside the agency code is allowed (内政办字〔2021〕14号);
第 before the serial or after the year is not. Uniqueness is the model's constraint.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

PATTERN = re.compile(r"^(?P<code>[\u4e00-\u9fa5A-Za-z0-9]+)〔(?P<year>\d{4})〕(?P<seq>[1-9]\d*)号$")


@dataclass(frozen=True)
class DocNumber:
    code: str
    year: int
    serial: int

    def __str__(self) -> str:
        return f"{self.code}〔{self.year}〕{self.serial}号"


class DocNumberError(ValueError):
    pass


def parse_doc_number(text: str, *, current_year: int) -> DocNumber:
    """The parts of a valid number; ``DocNumberError`` with a user message otherwise."""
    text = text.strip()
    for wrong in ("[", "]", "(", ")", "（", "）", "【", "】", "〔〕"):
        if wrong in text:
            raise DocNumberError(_("The year goes in hexagonal brackets 〔 〕, e.g. 〔2022〕."))
    match = PATTERN.match(text)
    if match is None:
        if re.search(r"〕0\d*号$", text):
            raise DocNumberError(_("The serial number has no leading zeros (1, not 01)."))
        if "第" in text.split("〔")[-1]:
            raise DocNumberError(_("No 第 before the serial number."))
        if re.search(r"〔\d{2}〕", text):
            raise DocNumberError(_("Write the year in full, with four digits."))
        raise DocNumberError(
            _("A document number looks like 通政办发〔2022〕12号: agency code, year, serial, 号.")
        )
    code, year = match["code"], int(match["year"])
    if code.endswith("第"):
        raise DocNumberError(_("No 第 before the serial number."))
    if year > current_year + 1 or year < 1949:
        raise DocNumberError(_("The year %(year)d is not plausible.") % {"year": year})
    return DocNumber(code=code, year=year, serial=int(match["seq"]))
