"""Erasure may replace a person's words in audit rows, never change what a row records
(its id, organization, action, object, time) nor delete one (portevoix.governance.db,
docs/decisions/0022-erasure.md)."""

from django.db import migrations

from portevoix.governance import db as audit_db

STATEMENTS = {
    "postgresql": (audit_db.POSTGRES_SCRUB_FORWARD, audit_db.POSTGRES_SCRUB_BACKWARD),
    "sqlite": (audit_db.SQLITE_SCRUB_FORWARD, audit_db.SQLITE_SCRUB_BACKWARD),
}


def _run(schema_editor, forward: bool) -> None:
    vendor = schema_editor.connection.vendor
    if vendor not in STATEMENTS:  # pragma: no cover - other databases: model layer only
        return
    for sql in STATEMENTS[vendor][0 if forward else 1]:
        schema_editor.execute(sql)


def forward(apps, schema_editor) -> None:
    _run(schema_editor, forward=True)


def backward(apps, schema_editor) -> None:
    _run(schema_editor, forward=False)


class Migration(migrations.Migration):
    dependencies = [("governance", "0002_audit_triggers")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
