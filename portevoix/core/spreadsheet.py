"""Tables as CSV and XLSX files, with formula injection neutralized (pure, no app import).

A text cell that a spreadsheet would read as a formula (it starts with = + - @, a tab or a
carriage return) gets a leading quote, in both formats: `=HYPERLINK("http://evil", "x")`
is shown as text, never evaluated. Numbers (a negative one too) stay numbers.

- `cell_safe(value)`: one cell.
- `Sheet(title, headers, rows)`: one table.
- `csv_bytes(sheet)`: UTF-8 with a byte order mark (spreadsheets then read accents right).
- `xlsx_bytes(sheets)`: one worksheet per table (openpyxl, write-only).
- `zip_bytes(files)`: several files in one zip (a CSV per table).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
# Characters a worksheet title may not hold, and its length limit.
_BAD_TITLE = re.compile(r"[\[\]:*?/\\]")
TITLE_MAX = 31


def cell_safe(value: Any) -> Any:
    """A text cell that a spreadsheet would read as a formula gets a leading quote."""
    if isinstance(value, str) and value.startswith(DANGEROUS):
        return "'" + value
    return value


def row_safe(row: Iterable[Any]) -> list[Any]:
    return [cell_safe(value) for value in row]


@dataclass(frozen=True)
class Sheet:
    title: str
    headers: Sequence[Any]
    rows: Iterable[Sequence[Any]]


def csv_text(sheet: Sheet) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(row_safe(str(h) for h in sheet.headers))
    for row in sheet.rows:
        writer.writerow(row_safe(row))
    return out.getvalue()


def csv_bytes(sheet: Sheet) -> bytes:
    return csv_text(sheet).encode("utf-8-sig")


def sheet_title(title: str, taken: set[str] | None = None) -> str:
    """A valid, unique worksheet title (31 characters, none of []:*?/\\)."""
    clean = _BAD_TITLE.sub(" ", title).strip().strip("'") or "Sheet"
    clean = clean[:TITLE_MAX]
    taken = taken if taken is not None else set()
    candidate, n = clean, 2
    while candidate.casefold() in taken:
        suffix = f" ({n})"
        candidate = clean[: TITLE_MAX - len(suffix)] + suffix
        n += 1
    taken.add(candidate.casefold())
    return candidate


def xlsx_bytes(sheets: Iterable[Sheet]) -> bytes:
    """One worksheet per table, its headers in the first row."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    taken: set[str] = set()
    for sheet in sheets:
        worksheet = workbook.create_sheet(title=sheet_title(sheet.title, taken))
        worksheet.append(row_safe(str(h) for h in sheet.headers))
        for row in sheet.rows:
            worksheet.append(row_safe(row))
    if not taken:
        workbook.create_sheet(title="Sheet")
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def zip_bytes(files: Iterable[tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files:
            archive.writestr(name, data)
    return out.getvalue()
