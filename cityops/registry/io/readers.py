"""Read import files into ``Record`` lists: GeoJSON FeatureCollections and CSV (as Excel
writes it: UTF-8 with or without a byte-order mark, comma-separated, quoted as needed)."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from django.utils.translation import gettext as _

from cityops.core import jsonlimits
from cityops.core.exports import restore_cell
from cityops.registry.io.records import FileFormatError, Issue, Record


def _decode(data: bytes) -> str:
    try:
        # utf-8-sig drops the byte-order mark Excel puts in front of "CSV UTF-8" files.
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileFormatError(
            _(
                "The file is not UTF-8 text (byte %(pos)d). Save it as UTF-8 "
                "(in Excel: “CSV UTF-8”)."
            )
            % {"pos": exc.start + 1}
        ) from exc


def read_geojson(data: bytes) -> tuple[list[Record], list[Issue]]:
    """Features of a FeatureCollection; structural problems of single features are issues."""
    try:
        doc = jsonlimits.loads(_decode(data))
    except jsonlimits.JsonDepthError as exc:
        raise FileFormatError(
            _("The JSON is nested deeper than %(limit)d levels.") % {"limit": exc.limit}
        ) from exc
    except json.JSONDecodeError as exc:
        raise FileFormatError(
            _("The file is not valid JSON: %(error)s (line %(line)d, column %(col)d).")
            % {"error": exc.msg, "line": exc.lineno, "col": exc.colno}
        ) from exc
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise FileFormatError(_("The file is not a GeoJSON FeatureCollection."))
    features = doc.get("features")
    if not isinstance(features, list):
        raise FileFormatError(_("The FeatureCollection has no list of features."))
    records: list[Record] = []
    issues: list[Issue] = []
    for index, feature in enumerate(features, start=1):
        where = _("feature %(n)d") % {"n": index}
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            issues.append(Issue(where, "", _("Not a GeoJSON Feature object.")))
            continue
        props: Any = feature.get("properties") or {}
        if not isinstance(props, dict):
            issues.append(Issue(where, "properties", _("The properties must be an object.")))
            continue
        geometry = feature.get("geometry")
        if geometry is not None and not isinstance(geometry, dict):
            issues.append(Issue(where, "geometry", _("Not a GeoJSON geometry object.")))
            continue
        records.append(Record(index, dict(props), geometry, is_feature=True))
    return records, issues


def read_csv(data: bytes) -> tuple[list[Record], list[Issue]]:
    """Rows of a CSV file with a header line; row numbers are spreadsheet rows (header = 1)."""
    text = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise FileFormatError(
            _("The CSV file is malformed near line %(line)d: %(error)s")
            % {"line": reader.line_num, "error": exc}
        ) from exc
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise FileFormatError(_("The CSV file has no header row."))
    header = [cell.strip() for cell in rows[0]]
    if any(not name for name in header):
        raise FileFormatError(_("The CSV header has an empty column name."))
    duplicates = sorted({name for name in header if header.count(name) > 1})
    if duplicates:
        raise FileFormatError(
            _("The CSV header repeats the column(s) %(names)s.") % {"names": ", ".join(duplicates)}
        )
    records: list[Record] = []
    issues: list[Issue] = []
    for index, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue  # Excel leaves empty lines at the end of a sheet
        if len(row) != len(header):
            issues.append(
                Issue(
                    _("row %(n)d") % {"n": index},
                    "",
                    _("The row has %(found)d fields but the header has %(expected)d.")
                    % {"found": len(row), "expected": len(header)},
                )
            )
            continue
        records.append(Record(index, dict(zip(header, map(restore_cell, row), strict=True))))
    return records, issues
