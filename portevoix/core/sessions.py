"""Django's database session store, with the one read every request makes written as plain
SQL.

Every signed-in page reads its session row first. Through the ORM, compiling that query
cost more than running it (`bench/feed_cpu.py --profile`: SQL compilation was a fifth of
a feed page). The statement here is built once per process from the model's metadata
(table and column names, quoted), and runs with the same two parameters and the same
condition as Django's: the key and an expiry after now. Everything else (creating,
saving, rotating, deleting, the async reads) is Django's own.

`SESSION_ENGINE = "portevoix.core.sessions"` (config/settings.py).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone

from . import prepared


@cache
def _statement(alias: str, table: str, key: str, data: str, expiry: str) -> str:
    quote = connections[alias].ops.quote_name
    return (
        f"SELECT {quote(data)} FROM {quote(table)}"  # noqa: S608 - names from the model
        f" WHERE {quote(key)} = %s AND {quote(expiry)} > %s"
    )


class SessionStore(db.SessionStore):
    def _get_session_from_db(self) -> Any:
        model = self.model
        alias = router.db_for_read(model)
        connection = connections[alias]
        meta = model._meta
        sql = _statement(
            alias,
            meta.db_table,
            meta.get_field("session_key").column,
            meta.get_field("session_data").column,
            meta.get_field("expire_date").column,
        )
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with prepared.cursor(alias) as cursor:
            cursor.execute(sql, [self.session_key, now])
            row = cursor.fetchone()
        key = self.session_key
        if row is None or key is None:
            self._session_key = None
            return None
        return model(session_key=key, session_data=row[0])
