"""The default `make run` stack (`manage.py serve`: granian, huey, the click ingester) leaves
no visitor address and no secret in any log: not in the processes' output, not in a file of
the var directory. A click on a tracked link and a visit of an invitation link are the two
requests that carry them."""

from __future__ import annotations

import logging
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from portevoix.core.accesslog import MaskSecrets, mask_path
from tests import installed_var

BASE_DIR = Path(__file__).resolve().parents[2]
MANAGE = str(BASE_DIR / "manage.py")
FORWARDED_IP = "198.51.100.73"
UNKNOWN_TOKEN = "unknown-invitation-token-0123456789"
IP_ADDRESS = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b")

SEED = """
from tests import factories
from portevoix.accounts import services as accounts
from portevoix.accounts.roles import Role
from portevoix.sharing.services import link_get_or_create
org = factories.make_org("Log check")
admin = factories.make_member(org, Role.ADMIN)
manager = factories.make_member(org, Role.CONTENT_MANAGER)
approver = factories.make_member(org, Role.APPROVER)
ambassador = factories.make_member(org, ambassador=True)
item = factories.make_live_item(manager, approver, link="https://example.org/launch")
print("CODE=" + link_get_or_create(membership=ambassador, item=item, network="linkedin").code)
print("TOKEN=" + accounts.invitation_create(actor=admin, email="new@log.test").token)
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def make_run_env(var_dir: Path, port: int) -> dict[str, str]:
    """What scripts/run.sh exports (`make run`), with the var dir and the port of this test.
    Nothing else: WEB_CONCURRENCY, WEB_THREADS, HUEY_WORKERS and ACCESS_LOG keep their
    defaults. The mail backend is the only change: the demo prints emails on the console on
    purpose (that is its mailbox, holding the invitation link), which is not a log."""
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")
    return {
        **{name: os.environ[name] for name in keep if name in os.environ},
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": "access-log-test-secret-key-that-is-long-enough-0123456789",
        "FIELD_ENCRYPTION_KEY": "access-log-test-field-encryption-key-long-enough-012345",
        "PORTEVOIX_VAR_DIR": str(var_dir),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SERVE_MEDIA": "1",
        "PORT": str(port),
        "SITE_URL": f"http://127.0.0.1:{port}",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "SOCIAL_ALLOWED_PRIVATE_HOSTS": "127.0.0.1,localhost",
    }


def get(url: str, headers: dict[str, str]) -> int:
    request = urllib.request.Request(url, headers=headers)
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def test_mask_path() -> None:
    assert mask_path("/l/abc123") == "/l/***"
    assert mask_path("/invitations/s3cr3t-token/") == "/invitations/***/"
    assert (
        mask_path("see http://x.test/invitations/tok/?a=1")
        == "see http://x.test/invitations/***/?a=1"
    )
    assert mask_path("/library/12/") == "/library/12/"


def test_the_filter_masks_granian_records() -> None:
    record = logging.LogRecord("granian.access", logging.INFO, "", 0, "%(path)s", None, None)
    record.args = {"path": "/invitations/s3cr3t/", "addr": "203.0.113.9"}
    assert MaskSecrets().filter(record)
    assert record.getMessage() == "/invitations/***/"


def test_the_filter_masks_django_request_records() -> None:
    args = ("Not Found", "/invitations/s3cr3t/")
    record = logging.LogRecord("django.request", logging.WARNING, "", 0, "%s: %s", args, None)
    assert MaskSecrets().filter(record)
    assert record.getMessage() == "Not Found: /invitations/***/"


def test_the_console_log_handler_masks_secrets() -> None:
    handlers = [h for h in logging.getLogger().handlers if isinstance(h, logging.StreamHandler)]
    assert handlers
    for handler in handlers:
        if type(handler) is logging.StreamHandler:  # LOGGING's console, not pytest's capture
            assert any(isinstance(f, MaskSecrets) for f in handler.filters)


@pytest.mark.slow
def test_a_click_and_an_invitation_visit_leave_no_address_and_no_token(tmp_path: Path) -> None:
    var_dir = tmp_path / "var"
    var_dir.mkdir()
    port = free_port()
    env = make_run_env(var_dir, port)
    installed_var.install(var_dir)  # `migrate` and `collectstatic`, made once and copied
    seeded = subprocess.run(
        [sys.executable, MANAGE, "shell", "-c", SEED],
        cwd=BASE_DIR, env=env, check=True, timeout=300, capture_output=True, text=True,
    ).stdout  # fmt: skip
    code = seeded.split("CODE=")[1].split()[0]
    token = seeded.split("TOKEN=")[1].split()[0]

    out_path, err_path = tmp_path / "serve.out", tmp_path / "serve.err"
    with out_path.open("wb") as out, err_path.open("wb") as err:
        process = subprocess.Popen(
            [sys.executable, MANAGE, "serve"], cwd=BASE_DIR, env=env, stdout=out, stderr=err
        )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while True:
            assert process.poll() is None, err_path.read_text(errors="replace")
            try:
                if get(f"{base}/healthz", {}) == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "serve did not answer within 90 s"
            time.sleep(0.2)
        headers = {"X-Forwarded-For": FORWARDED_IP, "User-Agent": "Mozilla/5.0 (X11; Linux)"}
        assert get(f"{base}/l/{code}", headers) == 302
        assert get(f"{base}/invitations/{token}/", headers) == 200
        assert get(f"{base}/invitations/{token}/?next=/", headers) == 200
        # An unknown token: Django logs the path of every 404 (django.request).
        assert get(f"{base}/invitations/{UNKNOWN_TOKEN}/", headers) == 404
        time.sleep(3.0)  # the ingester's poll: let it read the click and log what it did
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    logs = {"stdout": out_path.read_text(errors="replace")}
    logs["stderr"] = err_path.read_text(errors="replace")
    for path in var_dir.rglob("*"):
        if path.is_file() and (path.suffix in {".log", ".txt"} or "log" in path.name):
            logs[str(path)] = path.read_text(errors="replace")
    assert "Portevoix is running" in logs["stdout"]  # the logs were read, and are not empty
    for name, text in logs.items():
        assert FORWARDED_IP not in text, f"{name} holds the forwarded address:\n{text}"
        assert IP_ADDRESS.findall(text.replace("http://127.0.0.1:", "")) == [], (name, text)
        assert token not in text, f"{name} holds the invitation token:\n{text}"
        assert UNKNOWN_TOKEN not in text, f"{name} holds a token:\n{text}"
        assert f"/l/{code}" not in text, f"{name} holds the tracked link's code:\n{text}"
