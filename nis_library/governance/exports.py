"""The register as CSV and JSON. CSV cells that a spreadsheet would run as a formula (starting
=, +, -, @, tab or carriage return) are prefixed with an apostrophe, as OWASP advises."""

from __future__ import annotations

import csv
import io
import json

from nis_library.governance.register import Entry

CSV_COLUMNS = (
    "id",
    "url",
    "review",
    "publication",
    "status",
    "text",
    "rationale",
    "items",
    "areas",
    "layers",
    "published",
    "response",
    "response_date",
    "explanation",
    "response_due",
    "response_overdue",
    "withdrawn",
    "withdrawal_reason",
    "implemented_by",
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _flat(row: dict) -> dict:
    row = dict(row)
    for name in ("items", "areas", "layers"):
        row[name] = "; ".join(row[name])
    row["implemented_by"] = "; ".join(f"{i['item']} v{i['version']} ({i['edition']})" for i in row["implemented_by"])
    return row


def to_csv(entries: list[Entry], root: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for entry in entries:
        row = _flat(entry.as_dict(root))
        writer.writerow([safe_cell(row[name]) for name in CSV_COLUMNS])
    return out.getvalue()


def to_json(entries: list[Entry], root: str) -> str:
    return json.dumps({"recommendations": [e.as_dict(root) for e in entries]}, ensure_ascii=False, indent=2)
