"""PostgreSQL: a transactional test's flush deletes the rows instead of truncating every table.

After each test that asks for a transactional database (threads, processes, the live server
of the browser tests), Django empties every table with one `TRUNCATE` of all of them. On
PostgreSQL a TRUNCATE gives each table and index a new file and syncs it at commit: five to
ten seconds a test on a loaded machine, most of the teardown of the browser and concurrency
tests. Here one query finds the tables that hold rows, and one transaction deletes them
(tens of milliseconds), with the session in replica mode (`SET LOCAL
session_replication_role`, for that transaction only) so that no trigger fires: neither the
foreign keys' (every table with rows is emptied, the others are empty already) nor the audit
log's refusal to delete (which TRUNCATE does not see either: portevoix/governance/db.py).
The database ends as empty as with TRUNCATE. Replica mode needs a superuser (CI's
`postgres`); otherwise, and with `reset_sequences`, Django's TRUNCATE runs as usual. Only the
test run changes: `manage.py flush` itself is untouched.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.backends.postgresql.operations import DatabaseOperations


def install() -> Callable[[], None]:
    """Wrap PostgreSQL's `sql_flush` for the test run; returns the function that restores it."""
    original = DatabaseOperations.sql_flush
    superuser: dict[str, bool] = {}

    def sql_flush(
        self: DatabaseOperations,
        style: Any,
        tables: Any,
        *,
        reset_sequences: bool = False,
        allow_cascade: bool = False,
    ) -> list[str]:
        names = list(tables)
        if not reset_sequences and names:
            with self.connection.cursor() as cursor:
                if "answer" not in superuser:
                    cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
                    superuser["answer"] = bool(cursor.fetchone()[0])
                if superuser["answer"]:
                    exists = "SELECT %s WHERE EXISTS (SELECT 1 FROM {})"  # Django's tables, quoted
                    cursor.execute(
                        " UNION ALL ".join(exists.format(self.quote_name(t)) for t in names), names
                    )
                    filled = [row[0] for row in cursor.fetchall()]
                    if not filled:
                        return []
                    return ["SET LOCAL session_replication_role = replica;"] + [
                        f"DELETE FROM {self.quote_name(table)};"  # noqa: S608 - quoted table names
                        for table in filled
                    ]
        return original(
            self, style, names, reset_sequences=reset_sequences, allow_cascade=allow_cascade
        )

    DatabaseOperations.sql_flush = sql_flush  # type: ignore[method-assign,assignment]

    def restore() -> None:
        DatabaseOperations.sql_flush = original  # type: ignore[method-assign]

    return restore
