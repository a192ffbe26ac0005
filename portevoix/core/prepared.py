"""The few statements every signed-in page runs, prepared once per connection on PostgreSQL
(docs/decisions/0040-prepared-hot-statements.md).

On PostgreSQL, planning a statement costs more than running it: the membership's read (three
tables, two version probes) took about 0.35 ms of the server's CPU a time, 0.1 ms once
prepared (`bench/RESULTS.md`, "Feed: the hot statements prepared"). Django turns psycopg's
prepared statements off for every query, so that transaction-pooling proxies keep working.
Here they are on for the statements that ask for them (the session's, the user's with their
membership, the feed's stamp: built once per process, the same text every time), through
`cursor(alias)`: a Django cursor whose `execute` binds its parameters on the server and
prepares the statement on that connection (psycopg keeps the names, up to 100 a
connection). Errors are Django's as with any cursor. While statements are logged (DEBUG,
`CaptureQueriesContext`: the query counts of the tests and benchmarks), the cursor is
Django's own, so that each statement is counted with its text.

Behind a proxy that pools transactions (PgBouncer before 1.21 in `transaction` mode), a
prepared statement may be missing on the next server connection: set
`DATABASE_PREPARED_STATEMENTS=0`. On SQLite, and with the setting off, `cursor(alias)` is
Django's own cursor.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.backends.utils import CursorWrapper

_ONLY_WHEN_ASKED = 2**62


@cache
def _preparing_class() -> type:
    # Imported here: psycopg is only needed where PostgreSQL is used.
    from django.db.backends.postgresql import base

    class Preparing(base.ServerBindingCursor):  # type: ignore[name-defined]
        """psycopg's cursor binding on the server, preparing every statement it runs."""

        def execute(  # type: ignore[no-untyped-def]
            self, query, params=None, *, prepare=None, binary=None
        ):
            return super().execute(query, params, prepare=True, binary=binary)

    return Preparing


def enabled(alias: str) -> bool:
    return connections[alias].vendor == "postgresql" and bool(
        getattr(settings, "DATABASE_PREPARED_STATEMENTS", True)
    )


@contextmanager
def cursor(alias: str) -> Iterator[CursorWrapper]:
    """A cursor on `alias` whose statements are prepared on the connection (PostgreSQL,
    `DATABASE_PREPARED_STATEMENTS` on); else the connection's own cursor."""
    connection = connections[alias]
    if not enabled(alias) or connection.queries_logged:
        # Logged statements (DEBUG, `CaptureQueriesContext`) keep their text: Django reads it
        # from psycopg's last query, which a prepared execution does not set.
        with connection.cursor() as plain:
            yield plain
        return
    # What `connection.cursor()` does, around a cursor that prepares: Django's wrapper
    # (errors translated, transactions checked) on psycopg's server-binding cursor.
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    pg: Any = connection.connection
    if pg.prepare_threshold is None:
        # Django's default: psycopg prepares nothing, even when asked. A threshold no
        # statement reaches: only the statements asked for here are prepared (Django's own
        # cursors bind on the client and never are).
        pg.prepare_threshold = _ONLY_WHEN_ASKED
    with connection.wrap_database_errors:
        native = _preparing_class()(pg)
    try:
        yield connection.make_cursor(native)
    finally:
        native.close()
