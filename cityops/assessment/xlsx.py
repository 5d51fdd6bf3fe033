"""The comprehensive evaluation as an XLSX workbook: one sheet per table, and the rules used."""

from __future__ import annotations

import json

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from cityops.assessment.columns import COUNTS, TITLES, VALUES
from cityops.assessment.selectors import Assessment
from cityops.core.exports import workbook_bytes

BOLD = Font(bold=True)


def assessment_xlsx(assessment: Assessment) -> bytes:
    book = Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    for table, rows in assessment.tables.items():
        sheet = book.create_sheet(str(TITLES[table])[:31])
        counts, values = COUNTS[table], VALUES[table]
        header = [_("Rank"), _("Name"), _("Detail")]
        header += [str(label) for _code, label in counts + values]
        header += [_("Composite score"), _("Grade")]
        sheet.append(header)
        for cell in sheet[1]:
            cell.font = BOLD
        for rank, row in enumerate(rows, 1):
            line: list[object] = [rank, row.name, row.detail]
            line += [row.counts.get(code, 0) for code, _label in counts]
            line += [
                None if row.values.get(code) is None else float(row.values[code])  # type: ignore[arg-type]
                for code, _label in values
            ]
            line += [None if row.score is None else float(row.score), row.grade]
            sheet.append(line)
        sheet.freeze_panes = "B2"
    rules = book.create_sheet(_("Rules"))
    rules.append([_("Period"), f"{assessment.first:%Y-%m} – {assessment.last:%Y-%m}"])
    for key, value in assessment.rules.items():
        rules.append([key, json.dumps(value, ensure_ascii=False)])
    return workbook_bytes(book)
