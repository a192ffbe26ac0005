"""The deletion of a whole organization may delete that organization's audit rows, inside
its own transaction (PostgreSQL: the trigger function reads `portevoix.audit_purge`; SQLite
needs no change, its unlock is the connection's function). See portevoix.governance.db."""

from django.db import migrations

from portevoix.governance import db as audit_db


def _run(schema_editor, statements: list[str]) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for sql in statements:
        schema_editor.execute(sql)


def forward(apps, schema_editor) -> None:
    _run(schema_editor, audit_db.POSTGRES_PURGE_FORWARD)


def backward(apps, schema_editor) -> None:
    _run(schema_editor, audit_db.POSTGRES_PURGE_BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("governance", "0003_erasure")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
