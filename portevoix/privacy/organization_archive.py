"""The archive of a whole organization: every table that holds its rows (found by
`core.org_data`), each as a CSV file (formulas neutralised by `core.spreadsheet`) and as JSON
Lines (one object per row, values as stored), with `manifest.json` (each table: its model,
its columns, its row count) and a README. Written row by row to a temporary file, so a large
organization never sits in memory. Secrets are never written (`org_data.is_secret`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import tempfile
import zipfile
from typing import IO, TYPE_CHECKING, Any

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext as _

from portevoix.core import org_data
from portevoix.core.spreadsheet import row_safe

if TYPE_CHECKING:
    from portevoix.accounts.models import Organization

FORMAT = "portevoix-organization/1"


def _csv_value(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return value


def _readme(organization: Organization, now: dt.datetime) -> bytes:
    lines = [
        _("Every table of %(org)s in Portevoix, prepared on %(when)s.")
        % {"org": organization.name, "when": now.isoformat(timespec="minutes")},
        "",
        _(
            "manifest.json: each table, the part of Portevoix it belongs to, its columns and "
            "how many rows it holds."
        ),
        _(
            "csv/<table>.csv: one table, UTF-8, comma-separated, with a header row. A cell that "
            "a spreadsheet would read as a formula starts with a quote."
        ),
        _("jsonl/<table>.jsonl: the same rows, one JSON object per line, values as stored."),
        _(
            "Columns holding secrets (passwords, keys, tokens and their hashes, encrypted "
            "values) and the visitors' hashes of clicks are left out."
        ),
        _("Dates and times are ISO 8601, in UTC unless a time zone is written."),
    ]
    return ("\r\n".join(str(line) for line in lines) + "\r\n").encode("utf-8")


def write_zip(organization: Organization, now: dt.datetime, out: IO[bytes]) -> dict[str, int]:
    """Write the archive to `out` (call it in the reader's language: the README follows it).
    Returns the row count per table."""
    counts: dict[str, int] = {}
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "organization": {"id": organization.pk, "name": organization.name},
        "prepared_at": now.isoformat(),
        "tables": {},
    }
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for table in org_data.org_tables():
            fields = table.exported_fields()
            rows = 0
            # One entry open at a time (zipfile's rule): the CSV, then the JSON Lines.
            with archive.open(f"csv/{table.name}.csv", "w", force_zip64=True) as raw:
                text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
                writer = csv.writer(text)
                writer.writerow(fields)
                for row in org_data.table_rows(table, organization.pk):
                    writer.writerow(row_safe(_csv_value(row[name]) for name in fields))
                    rows += 1
                text.flush()
                text.detach()
            with archive.open(f"jsonl/{table.name}.jsonl", "w", force_zip64=True) as raw:
                text = io.TextIOWrapper(raw, encoding="utf-8", newline="\n")
                for row in org_data.table_rows(table, organization.pk):
                    text.write(json.dumps(row, cls=DjangoJSONEncoder, ensure_ascii=False) + "\n")
                text.flush()
                text.detach()
            counts[table.name] = rows
            manifest["tables"][table.name] = {"model": table.label, "columns": fields, "rows": rows}
        archive.writestr(
            "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8")
        )
        archive.writestr("README.txt", _readme(organization, now))
    return counts


def build(organization: Organization, now: dt.datetime) -> tuple[IO[bytes], dict[str, int]]:
    """The archive in a temporary file (rewound), and the row count per table."""
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - the caller stores then closes it
    counts = write_zip(organization, now, spool)
    spool.seek(0)
    return spool, counts
