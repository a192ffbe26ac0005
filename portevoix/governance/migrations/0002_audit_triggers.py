"""The audit log refuses UPDATE and DELETE in the database itself (PostgreSQL and SQLite).

The SQL differs per database, so it runs through RunPython, which picks the vendor's
statements (see portevoix.governance.db for the statements and the SQLite unlock used by
`flush` only).
"""

from django.db import migrations

from portevoix.governance import db as audit_db

STATEMENTS = {
    "postgresql": (audit_db.POSTGRES_FORWARD, audit_db.POSTGRES_BACKWARD),
    "sqlite": (audit_db.SQLITE_FORWARD, audit_db.SQLITE_BACKWARD),
}


def _run(schema_editor, forward: bool) -> None:
    vendor = schema_editor.connection.vendor
    if vendor not in STATEMENTS:  # pragma: no cover - other databases: model layer only
        return
    statements = STATEMENTS[vendor][0 if forward else 1]
    for sql in statements:
        schema_editor.execute(sql)


def create_triggers(apps, schema_editor) -> None:
    _run(schema_editor, forward=True)


def drop_triggers(apps, schema_editor) -> None:
    _run(schema_editor, forward=False)


class Migration(migrations.Migration):
    dependencies = [("governance", "0001_initial")]

    operations = [migrations.RunPython(create_triggers, drop_triggers, elidable=False)]
