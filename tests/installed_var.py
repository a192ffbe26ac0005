"""A production install's var directory (`manage.py migrate` + `collectstatic` on the SQLite
file database of `config.settings`), made once and copied for each test that needs one.

The subprocess tests that start the real stack (`manage.py serve`, granian) used to migrate
a fresh SQLite file and collect the static files themselves: every migration of every app,
rendered again, twenty to forty seconds per test on a loaded machine. The first test that
asks runs exactly those two commands, in a subprocess with the production settings, into
`var/test-cache/install-<key>/`; the next tests (other xdist workers, later runs) copy the
database (SQLite's backup API: a consistent copy) and the collected files. The key is made of
every migration file and the Django version (tests/schema_cache.py) and of every static
source file, so a changed migration or asset never meets a stale install. A file lock keeps
two workers from building it at once.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.schema_cache import CACHE_DIR, schema_key

BASE_DIR = Path(__file__).resolve().parents[1]
MANAGE = str(BASE_DIR / "manage.py")
DATABASE = "portevoix.sqlite3"
STATIC = "staticfiles"


def static_key() -> str:
    """Every file the static finders collect: its name and its content."""
    from django.contrib.staticfiles import finders

    digest = hashlib.sha256()
    found: dict[str, str] = {}
    for finder in finders.get_finders():
        for path, storage in finder.list(["CVS", ".*", "*~"]):
            found.setdefault(path, storage.path(path))  # the first finder wins, as collectstatic
    for path in sorted(found):
        digest.update(path.encode())
        digest.update(Path(found[path]).read_bytes())
    return digest.hexdigest()[:20]


def build_env(var_dir: Path) -> dict[str, str]:
    """A production environment (no test settings, no DATABASE_URL or REDIS_URL)."""
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")
    return {
        **{name: os.environ[name] for name in keep if name in os.environ},
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": "installed-var-secret-key-that-is-long-enough-0123456789",
        "FIELD_ENCRYPTION_KEY": "installed-var-field-encryption-key-long-enough-0123456",
        "ALLOWED_HOSTS": "127.0.0.1",
        "PORTEVOIX_VAR_DIR": str(var_dir),
    }


def _build(target: Path) -> None:
    work = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    env = build_env(work)
    for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
        subprocess.run(
            [sys.executable, MANAGE, *command, "-v", "0"],
            cwd=BASE_DIR, env=env, check=True, timeout=300, capture_output=True,
        )  # fmt: skip
    # Keep only what the two commands made: the database (its WAL folded back into the file;
    # the settings' connection setup turns WAL on again in each copy) and the collected files.
    source = sqlite3.connect(work / DATABASE)
    try:
        source.execute("PRAGMA journal_mode=DELETE")
    finally:
        source.close()
    for path in work.iterdir():
        if path.name not in (DATABASE, STATIC):
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    os.replace(work, target)  # atomic: a reader sees a whole install or none


def cached_install() -> Path:
    """The cached install's folder, built on first use."""
    target = CACHE_DIR / f"install-{schema_key()}-{static_key()}"
    if target.is_dir():
        return target
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    with (CACHE_DIR / "install.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not target.is_dir():
            _build(target)
    return target


def install(var_dir: Path, *, static: bool = True) -> None:
    """Put a migrated SQLite database (and, with `static`, the collected static files) in
    `var_dir`, as `manage.py migrate` and `collectstatic` would have."""
    var_dir.mkdir(parents=True, exist_ok=True)
    copy_database(var_dir / DATABASE)
    if static:
        shutil.copytree(cached_install() / STATIC, var_dir / STATIC)


def copy_database(path: Path) -> None:
    """A migrated SQLite database at `path`, as `manage.py migrate` would have made it."""
    source = sqlite3.connect(cached_install() / DATABASE)
    target = sqlite3.connect(path)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()
