"""The database half of the audit log's immutability: triggers that refuse UPDATE and DELETE
on `governance_auditentry`, on PostgreSQL and SQLite (created by migration 0002).

SQLite has no session variables, so its DELETE trigger asks a function that each connection
registers (`portevoix_audit_unlocked()`, 0 unless `flush_unlocked()` is active). A
connection without the function (the `sqlite3` shell) cannot delete either: the trigger
fails with "no such function". Only `manage.py flush`, which empties every table on
purpose (the test suite calls it between transactional tests), unlocks it. PostgreSQL's
flush uses TRUNCATE, which the row triggers do not see, so it has no unlock at all.

The deletion of a whole organization (`purge_unlocked`, migration 0004) is the one other
exception: inside its transaction, the rows of that one organization may be deleted. On
PostgreSQL the transaction sets `portevoix.audit_purge` to the organization's id (SET LOCAL:
gone at the transaction's end), and the trigger lets a DELETE of a row of that organization
through; on SQLite the same thread-local unlock as `flush` is held for the DELETE statement,
which names that organization only. An UPDATE is let through only by the erasure (below).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

TABLE = "governance_auditentry"
MESSAGE = "audit log entries cannot be changed or deleted"
SQLITE_FUNCTION = "portevoix_audit_unlocked"
SQLITE_SCRUB_FUNCTION = "portevoix_audit_scrubbing"
POSTGRES_SCRUB_SETTING = "portevoix.audit_scrub"
PURGE_SETTING = "portevoix.audit_purge"

_state = threading.local()

POSTGRES_FORWARD = [
    f"""
    CREATE OR REPLACE FUNCTION governance_auditentry_refuse() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'restrict_violation';
    END;
    $$;
    """,
    f"""
    CREATE TRIGGER governance_auditentry_immutable
    BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION governance_auditentry_refuse();
    """,
]
POSTGRES_BACKWARD = [
    f"DROP TRIGGER IF EXISTS governance_auditentry_immutable ON {TABLE};",
    "DROP FUNCTION IF EXISTS governance_auditentry_refuse();",
]


SQLITE_FORWARD = [
    f"""
    CREATE TRIGGER governance_auditentry_no_update BEFORE UPDATE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;
    """,
    f"""
    CREATE TRIGGER governance_auditentry_no_delete BEFORE DELETE ON {TABLE}
    WHEN NOT {SQLITE_FUNCTION}()
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;
    """,
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS governance_auditentry_no_update;",
    "DROP TRIGGER IF EXISTS governance_auditentry_no_delete;",
]


# Erasure (migration 0003, docs/decisions/0022-erasure.md): an UPDATE is let through only
# while the erasure service scrubs a person's words (a transaction-local setting on
# PostgreSQL, this thread's flag on SQLite), and only when it keeps the row's identity:
# its id, organization, action, object and time. DELETE stays refused.
_KEEP = ("id", "organization_id", "action", "object_type", "object_id", "at")
POSTGRES_SCRUB_FORWARD = [
    f"""
    CREATE OR REPLACE FUNCTION governance_auditentry_refuse() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE'
           AND coalesce(current_setting('{POSTGRES_SCRUB_SETTING}', true), '') = 'on'
           AND {" AND ".join(f"NEW.{c} = OLD.{c}" for c in _KEEP)} THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'restrict_violation';
    END;
    $$;
    """,
]
POSTGRES_SCRUB_BACKWARD = POSTGRES_FORWARD[:1]
SQLITE_SCRUB_FORWARD = [
    "DROP TRIGGER IF EXISTS governance_auditentry_no_update;",
    f"""
    CREATE TRIGGER governance_auditentry_no_update BEFORE UPDATE ON {TABLE}
    WHEN NOT {SQLITE_SCRUB_FUNCTION}()
      OR {" OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in _KEEP)}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;
    """,
]
SQLITE_SCRUB_BACKWARD = [
    "DROP TRIGGER IF EXISTS governance_auditentry_no_update;",
    SQLITE_FORWARD[0],
]


# Migration 0004: besides the erasure's UPDATE above, a DELETE of the rows of the
# organization named by `portevoix.audit_purge` (set for one transaction by
# `purge_unlocked`: the whole organization is being deleted) goes through.
POSTGRES_PURGE_FORWARD = [
    f"""
    CREATE OR REPLACE FUNCTION governance_auditentry_refuse() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE'
           AND coalesce(current_setting('{POSTGRES_SCRUB_SETTING}', true), '') = 'on'
           AND {" AND ".join(f"NEW.{c} = OLD.{c}" for c in _KEEP)} THEN
            RETURN NEW;
        END IF;
        IF TG_OP = 'DELETE'
           AND current_setting('{PURGE_SETTING}', true) = OLD.organization_id::text THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'restrict_violation';
    END;
    $$;
    """,
]
POSTGRES_PURGE_BACKWARD = POSTGRES_SCRUB_FORWARD


def _scrubbing() -> int:
    return 1 if getattr(_state, "scrubbing", False) else 0


@contextmanager
def scrub_unlocked(connection: Any) -> Iterator[None]:
    """Let this transaction replace personal words in audit rows (erasure only)."""
    previous = getattr(_state, "scrubbing", False)
    postgres = connection.vendor == "postgresql"

    def set_postgres(value: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, %s, true)", [POSTGRES_SCRUB_SETTING, value])

    _state.scrubbing = True
    if postgres:
        set_postgres("on")
    try:
        yield
    except BaseException:
        _state.scrubbing = previous
        if postgres:
            # The transaction is usually aborted (its end drops the setting anyway): the
            # error that brought us here is the one to raise.
            with contextlib.suppress(Exception):
                set_postgres("on" if previous else "off")
        raise
    _state.scrubbing = previous
    if postgres:
        set_postgres("on" if previous else "off")


def _unlocked() -> int:
    return 1 if getattr(_state, "unlocked", False) else 0


def register_sqlite_function(sender: Any, connection: Any, **kwargs: Any) -> None:
    """`connection_created` receiver: give each SQLite connection the unlock function."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(SQLITE_FUNCTION, 0, _unlocked)
        connection.connection.create_function(SQLITE_SCRUB_FUNCTION, 0, _scrubbing)


@contextmanager
def purge_unlocked(connection: Any, organization_id: int) -> Iterator[None]:
    """Inside a transaction: let DELETE statements remove that organization's audit rows
    (the whole organization is being deleted). The caller's DELETE must name it."""
    if not connection.in_atomic_block:
        raise RuntimeError("purge_unlocked() needs a transaction")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, %s, true)", [PURGE_SETTING, str(organization_id)])
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config(%s, '', true)", [PURGE_SETTING])
        return
    previous = getattr(_state, "unlocked", False)
    _state.unlocked = True
    try:
        yield
    finally:
        _state.unlocked = previous


@contextmanager
def flush_unlocked() -> Iterator[None]:
    """Let this thread's SQLite connection delete audit rows: for `flush` only."""
    previous = getattr(_state, "unlocked", False)
    _state.unlocked = True
    try:
        yield
    finally:
        _state.unlocked = previous
