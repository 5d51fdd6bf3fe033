"""The one export-cell neutraliser, and that every CSV/XLSX writer of the platform uses it."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from cityops.core.exports import restore_cell, safe_cell, safe_row, workbook_bytes

DANGEROUS = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]


@pytest.mark.parametrize("text", DANGEROUS)
def test_formula_text_is_quoted_and_restored(text: str) -> None:
    assert safe_cell(text) == "'" + text
    assert restore_cell(safe_cell(text)) == text


@pytest.mark.parametrize("value", ["plain", "井盖缺失", "", "'quoted", 5, -3, 2.5, None, True])
def test_other_values_pass_unchanged(value: object) -> None:
    assert safe_cell(value) == value
    if isinstance(value, str):
        assert restore_cell(value) == value


def test_safe_row_and_workbook() -> None:
    assert safe_row(["=1", 1, "a"]) == ["'=1", 1, "a"]
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(['=HYPERLINK("http://x")', -1, "ok"])
    loaded = load_workbook(io.BytesIO(workbook_bytes(book)))
    row = next(loaded.worksheets[0].iter_rows(values_only=True))
    assert row == ('\'=HYPERLINK("http://x")', -1, "ok")
    assert loaded.worksheets[0]["A1"].data_type == "s"


WRITER = re.compile(r"csv\.writer\(|csv\.DictWriter\(|from openpyxl import .*Workbook")


def test_every_writer_uses_the_neutraliser() -> None:
    """A new CSV/XLSX writer must go through cityops.core.exports (its own test then covers it)."""
    root = Path(__file__).resolve().parents[2]
    writers = sorted(
        p.relative_to(root).as_posix()
        for p in root.rglob("*.py")
        if "tests" not in p.parts and p.name != "exports.py" and WRITER.search(p.read_text())
    )
    assert writers == [
        "assessment/xlsx.py",
        "console/views.py",
        "decisions/reports.py",
        "evaluations/ranking/xlsx.py",
        "registry/io/writers.py",
    ]
    for path in writers:
        assert "cityops.core.exports import" in (root / path).read_text(), path
