"""Fixtures shared by every test, and the test tiers.

Tiers (markers registered in pyproject.toml; `make test-fast` leaves out all three, `make test`
runs everything):
- `browser`: drives headless Chromium (module `pytestmark` in tests/browser/).
- `peers`: starts a local network peer: the Mastodon or Bluesky peer, or a fake of a network
  served over HTTP from tests/peers/. Marked by module (`pytestmark`), and here for any test
  that uses one of the PEER_FIXTURES.
- `slow`: starts subprocesses or servers (serve, kill and settings tests, benchmark smoke,
  makemessages), loads the whole demo organization, runs property-based tests (hypothesis),
  or shares its database with threads or processes: every test asking for a transactional
  database is marked here (see `needs_file_db`), plus the SLOW_TESTS below; whole modules
  carry a `pytestmark`.
A test outside these tiers that starts a subprocess or binds a socket fails and says which
marker it needs (`_fast_tier_guard`), so the fast tier stays fast as the suite grows.
"""

from __future__ import annotations

import gc
import socket
import subprocess
from collections.abc import Iterator
from multiprocessing.process import BaseProcess
from typing import Any, NoReturn

import pytest

from portevoix.accounts.roles import Role
from tests import factories, schema_cache

# Fixtures that serve a fake network over HTTP (tests/peers/server.py).
PEER_FIXTURES = frozenset({"fake_x"})
# Single tests of otherwise fast modules that start a subprocess or load the whole demo
# (node ids from the root, without parameters).
SLOW_TESTS = frozenset(
    {
        "tests/content/test_tasks.py::test_the_worker_discovers_the_schedule",
        "tests/core/test_translations.py::test_msgfmt_check_accepts_the_catalogue",
        "tests/core/test_translations.py::test_the_catalogue_has_every_string_of_its_sources",
        "tests/sharing/test_conversions.py::test_the_documented_curl_command_signs_like_the_server",
    }
)
TIERS = ("slow", "peers", "browser")


def needs_file_db(item: pytest.Item) -> bool:
    """Whether the test shares its database with threads or processes (a transactional
    database): on SQLite that needs a file, not the in-memory test database."""
    marker = item.get_closest_marker("django_db")
    if marker is not None and (marker.kwargs.get("transaction") or marker.args[:1] == (True,)):
        return True
    return bool({"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())))


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    # The suite allocates many short-lived objects (models, templates, requests): the default
    # collector thresholds make Python scan the long-lived ones (Django's app registry, the
    # URL resolver, the compiled templates) thousands of times. Collect young objects less
    # often; nothing here depends on prompt collection.
    gc.set_threshold(50_000, 50, 100)


def pytest_collection_finish(session: pytest.Session) -> None:
    # What exists once every test module is imported lives until the end: keep it out of
    # the collector's scans.
    gc.collect()
    gc.freeze()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the tiers before `-m` selects (tryfirst: ahead of pytest's own deselection)."""
    for item in items:
        if needs_file_db(item) or item.nodeid.split("[")[0] in SLOW_TESTS:
            item.add_marker(pytest.mark.slow)
        if PEER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.peers)
    # The files holding a slow, peers or browser test run first (in their order; the others
    # keep theirs after them): pytest-xdist hands files out in this order (`--dist loadfile`),
    # so the long ones start while the short ones are left to fill in at the end, instead of
    # one worker finishing a minute-long file alone while the other has nothing left to do.
    tiered = {item.path for item in items if any(item.get_closest_marker(t) for t in TIERS)}
    items.sort(key=lambda item: item.path not in tiered)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    request: pytest.FixtureRequest,
    django_db_modify_db_settings_parallel_suffix: None,
) -> None:
    """SQLite: the in-memory test database, unless a test of this session needs a file
    (`needs_file_db`); one file per xdist worker. PORTEVOIX_TEST_DB=file forces the file
    (config/settings_test.py). PostgreSQL: each worker's test database is a copy of one
    migrated template (tests/schema_cache.py `postgres_template`)."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.postgresql":
        test = database.setdefault("TEST", {})
        test.setdefault("TEMPLATE", schema_cache.postgres_template(database))
        return
    if database["ENGINE"] != "django.db.backends.sqlite3" or database.get("TEST", {}).get("NAME"):
        return
    if any(needs_file_db(item) for item in request.session.items):
        worker = getattr(request.config, "workerinput", {}).get("workerid", "main")
        name = settings.TEST_SQLITE_FILE.with_name(f"test-db-{worker}.sqlite3")
        database.setdefault("TEST", {})["NAME"] = str(name)


@pytest.fixture(scope="session", autouse=True)
def _migrated_schema_cache() -> Iterator[None]:
    """The SQLite test database starts from a cached schema (tests/schema_cache.py); on
    PostgreSQL a transactional test's flush deletes the rows of the tables that have some
    (tests/fast_flush.py)."""
    from django.db import connection

    restore = schema_cache.install()
    restore_flush = None
    if connection.vendor == "postgresql":
        from tests import fast_flush

        restore_flush = fast_flush.install()
    yield
    restore()
    if restore_flush is not None:
        restore_flush()


@pytest.fixture(autouse=True)
def _fast_tier_guard(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """A test outside the slow, peers and browser tiers starts no subprocess and no server."""
    if any(request.node.get_closest_marker(tier) for tier in TIERS):
        return

    def refuse(what: str, marker: str) -> NoReturn:
        pytest.fail(
            f"{request.node.nodeid} {what}: mark it `{marker}` (tests/conftest.py explains the "
            "tiers) so that `make test-fast` stays fast.",
            pytrace=False,
        )

    def no_subprocess(*args: Any, **kwargs: Any) -> NoReturn:
        refuse("starts a subprocess", "slow")

    def no_server(*args: Any, **kwargs: Any) -> NoReturn:
        refuse("binds a socket (a server)", "peers` or `slow")

    monkeypatch.setattr(subprocess.Popen, "_execute_child", no_subprocess)
    monkeypatch.setattr(BaseProcess, "start", no_subprocess)
    monkeypatch.setattr(socket.socket, "bind", no_server)


@pytest.fixture
def org(db):
    return factories.make_org("Acme")


@pytest.fixture
def other_org(db):
    return factories.make_org("Globex")


@pytest.fixture
def admin(org):
    return factories.make_member(org, Role.ADMIN, email="admin@acme.test")


@pytest.fixture
def manager(org):
    return factories.make_member(org, Role.CONTENT_MANAGER, email="manager@acme.test")


@pytest.fixture
def approver(org):
    return factories.make_member(org, Role.APPROVER, email="approver@acme.test")


@pytest.fixture
def final_approver(org):
    return factories.make_member(org, Role.FINAL_APPROVER, email="final@acme.test")


@pytest.fixture
def member(org):
    """A plain employee: no role, not an ambassador."""
    return factories.make_member(org, email="member@acme.test")


@pytest.fixture
def ambassador(org):
    return factories.make_member(org, email="ambassador@acme.test", ambassador=True)


@pytest.fixture
def outsider(other_org):
    """An admin of another organization: must get 404 on everything of `org`."""
    return factories.make_member(
        other_org, Role.ADMIN, Role.CONTENT_MANAGER, email="outsider@globex.test", ambassador=True
    )


def clear_own_cache() -> None:
    """Empty this test process's cache. The local cache is per process; on Redis (CI's second
    run) the workers share one database, so only this process's keys go (its own
    `CACHE_KEY_PREFIX`, config/settings_test.py): `cache.clear()` would flush the database
    under the other workers' feet (a warm page of one test going cold in the middle)."""
    from django.conf import settings
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    if "pages" in settings.CACHES:  # the kept page bodies' local room (config/settings.py)
        caches["pages"].clear()
    cache = caches["default"]
    if not isinstance(cache, RedisCache):
        cache.clear()
        return
    client = cache._cache.get_client(write=True)  # type: ignore[attr-defined]
    keys = list(client.scan_iter(match=f"{cache.key_prefix}:*", count=1000))
    if keys:
        client.delete(*keys)


@pytest.fixture(autouse=True)
def _no_cache_leak():
    """The cache lives as long as the worker: a test starts with it empty (the feed's cached
    rankings and cards of a test must not meet the next test's organization)."""
    clear_own_cache()


@pytest.fixture(autouse=True)
def _no_language_leak():
    """Django keeps the last request's language active in the thread: a test that renders a
    page in French must not make the next test read French messages."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(scope="module")
def demo_module(django_db_setup: None, django_db_blocker: Any) -> Iterator[tuple[Any, str]]:
    """The demo organization loaded once for a whole test module, as `load_demo` prints it
    (with the published password): (organization, output). Loading it takes seconds, so a
    module of read-only demo tests shares one load. It lives in a transaction that is rolled
    back when the module ends; each test runs in its own savepoint inside it (pytest-django's
    `db`), so what a test changes is undone before the next one, as with `setUpTestData`.
    Not for tests that need a transactional database (threads, processes, live server)."""
    from io import StringIO

    from django.core.management import call_command
    from django.db import transaction

    from portevoix.accounts.models import Organization
    from portevoix.demo import data

    with django_db_blocker.unblock(), pytest.MonkeyPatch.context() as patch:
        patch.delenv("DEMO_PASSWORD", raising=False)
        outer = transaction.atomic()
        outer.__enter__()
        try:
            out = StringIO()
            call_command("load_demo", stdout=out)
            yield Organization.objects.get(slug=data.ORG_SLUG), out.getvalue()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def no_page_cache(settings):
    """Page bodies not kept (docs/decisions/0036-page-body-cache.md): for the tests that
    count what a page costs to build (every request a miss)."""
    settings.PAGE_CACHE_SECONDS = 0
