"""Settings for the test suite: the real settings with safe test defaults."""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-secret-key-that-is-long-enough-for-checks-0123456789")
os.environ.setdefault(
    "FIELD_ENCRYPTION_KEY", "test-field-encryption-key-long-enough-for-checks-0123456789"
)
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("HUEY_IMMEDIATE", "1")
# Local peers of the social networks listen on 127.0.0.1.
os.environ.setdefault("SOCIAL_ALLOWED_PRIVATE_HOSTS", "127.0.0.1,localhost")
# Items' links are not read unless a test asks (tests/content/test_link_preview*.py).
os.environ.setdefault("LINK_PREVIEWS", "0")
os.environ.setdefault("PORTEVOIX_VAR_DIR", tempfile.mkdtemp(prefix="portevoix-test-"))
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
os.environ.setdefault("HUEY_NAME", f"portevoix-test-{os.getpid()}")
os.environ.setdefault("CACHE_KEY_PREFIX", f"portevoix-test-{os.getpid()}")

from config.settings import *  # noqa: F403
from config.settings import STORAGES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Each test process its own cache keys: pytest-xdist's workers inherit the controller's
# environment (so its CACHE_KEY_PREFIX above) and, on Redis, share one database; a test's
# cache reset (tests/conftest.py) must not empty another worker's cache.
if str(CACHES["default"]["BACKEND"]).endswith("RedisCache"):  # noqa: F405
    CACHES["default"]["KEY_PREFIX"] = f"portevoix-test-{os.getpid()}"  # noqa: F405
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# whitenoise warns when the static root does not exist; tests serve from the finders.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
WHITENOISE_USE_FINDERS = True
# Look static files up when asked instead of scanning every file when the middleware starts:
# each test client starts the middleware again, and the scan was a sixth of a view test's time.
WHITENOISE_AUTOREFRESH = True

# SQLite: the test database is Django's in-memory one, except for a session that holds a
# test with a transactional database (threads or processes sharing it: the concurrency and
# browser tests), which gets a file database so that its threads wait for the write lock as
# production does instead of failing on the shared cache's table locks (tests/conftest.py,
# `django_db_modify_db_settings`). PORTEVOIX_TEST_DB=file forces the file database.
TEST_SQLITE_FILE = VAR_DIR / "test-db.sqlite3"  # noqa: F405
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" and (  # noqa: F405
    os.environ.get("PORTEVOIX_TEST_DB") == "file"
):
    DATABASES["default"]["TEST"] = {"NAME": str(TEST_SQLITE_FILE)}  # noqa: F405

# Login throttling stays on; only the test client's `login()` (no request) is let through.
AUTHENTICATION_BACKENDS = [
    "tests.login_backend.ClientLoginAxesBackend",
    "django.contrib.auth.backends.ModelBackend",
]
