"""A transaction that writers of one row take one after the other."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from django.db import OperationalError, connection, transaction

P = ParamSpec("P")
R = TypeVar("R")

LOCK_RETRIES = 60


def serialized(fn: Callable[P, R]) -> Callable[P, R]:
    """Run `fn` in a transaction; `fn` locks the row it guards with select_for_update.

    PostgreSQL makes the second writer wait for the lock. SQLite has no row locks: the
    IMMEDIATE transaction mode of the settings takes the database's write lock at BEGIN,
    which serializes writers too. A busy SQLite database may still answer "locked" (at once
    with the in-memory shared-cache database of the tests, after the timeout on a file):
    the whole transaction is then retried after a short random pause. Inside an outer
    transaction the lock is already held and nothing is retried.
    """

    @wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        attempt = 0
        while True:
            retry_allowed = connection.vendor == "sqlite" and not connection.in_atomic_block
            try:
                with transaction.atomic():
                    return fn(*args, **kwargs)
            except OperationalError as exc:
                attempt += 1
                if not retry_allowed or "locked" not in str(exc) or attempt >= LOCK_RETRIES:
                    raise
                time.sleep(random.uniform(0.002, 0.02) * min(attempt, 10))

    return wrapper
