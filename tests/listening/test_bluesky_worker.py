"""`manage.py listening_stream` as a real process against the real Bluesky peer: it stores a
matching post, SIGTERM saves the cursor and stops it (exit 0); a post made while it is
stopped is found after the restart, and SIGINT stops it too. The database is a production
install's SQLite file (tests/installed_var.py), read here directly."""

from __future__ import annotations

import datetime as dt
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests import installed_var
from tests.core.test_serve import production_env
from tests.peers.bluesky_peer import BlueskyPeer, bluesky_peer_fixture

pytestmark = [pytest.mark.slow, pytest.mark.peers]

peer = bluesky_peer_fixture()
BASE_DIR = Path(__file__).resolve().parents[2]
MANAGE = str(BASE_DIR / "manage.py")
WORD = "boreal" + str(int(time.time()))

SETUP = f"""
from tests import factories
from portevoix.listening import services
from portevoix.listening.models import FeedKind
org = factories.make_org("Worker")
cm = factories.make_member(org, "community_manager", email="cm@worker.test")
services.monitor_create(actor=cm, data=services.MonitorData(name="B", terms=["{WORD}"]))
services.feed_create(actor=cm, data=services.FeedData(kind=FeedKind.BLUESKY, url=URL))
"""


def wait_for(check: Callable[[], bool], what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.3)
    pytest.fail(f"timed out waiting for {what}")


def test_the_worker_stops_on_a_signal_and_resumes_from_its_cursor(
    peer: BlueskyPeer, tmp_path: Path
) -> None:
    var_dir = tmp_path / "var"
    installed_var.install(var_dir)
    env = {**production_env(var_dir), "SOCIAL_ALLOWED_PRIVATE_HOSTS": "127.0.0.1,localhost"}
    setup = SETUP.replace("URL", repr(peer.pds_url))
    subprocess.run(
        [sys.executable, MANAGE, "shell", "-c", setup], cwd=BASE_DIR, env=env, check=True
    )
    database = var_dir / installed_var.DATABASE

    def query(sql: str) -> list[tuple[object, ...]]:
        with sqlite3.connect(database, timeout=10) as db:
            return db.execute(sql).fetchall()

    def mentions() -> int:
        return int(str(query("SELECT count(*) FROM listening_mention")[0][0]))

    def cursor() -> str:
        return str(query("SELECT cursor FROM listening_feed")[0][0])

    account = peer.create_account("worker")
    with httpx.Client(timeout=30) as http:
        session = http.post(
            f"{peer.pds_url}/xrpc/com.atproto.server.createSession",
            json={"identifier": account.handle, "password": account.password},
        ).json()

        def post(text: str) -> None:
            record = {
                "$type": "app.bsky.feed.post",
                "text": text,
                "createdAt": dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z"),
            }
            answer = http.post(
                f"{peer.pds_url}/xrpc/com.atproto.repo.createRecord",
                json={"repo": account.did, "collection": "app.bsky.feed.post", "record": record},
                headers={"Authorization": f"Bearer {session['accessJwt']}"},
            )
            assert answer.status_code == 200, answer.text

        def start(log: Path) -> subprocess.Popen[bytes]:
            with log.open("wb") as out:
                return subprocess.Popen(
                    [sys.executable, MANAGE, "listening_stream", "--refresh", "1"],
                    cwd=BASE_DIR,
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )

        first_log = tmp_path / "first.log"
        worker = start(first_log)
        try:
            wait_for(lambda: "connected" in first_log.read_text(), "the first connection")
            post(f"Premier message {WORD}")
            wait_for(lambda: mentions() == 1, "the first mention")
            worker.send_signal(signal.SIGTERM)
            assert worker.wait(timeout=30) == 0, first_log.read_text()
        finally:
            if worker.poll() is None:
                worker.kill()
        assert "Listening stream worker stopped." in first_log.read_text()
        saved = cursor()
        assert saved.isdigit(), first_log.read_text()

        post(f"Pendant l'arrêt {WORD}")  # the worker is stopped
        second_log = tmp_path / "second.log"
        worker = start(second_log)
        try:
            wait_for(lambda: mentions() == 2, "the post made while stopped")
            worker.send_signal(signal.SIGINT)
            assert worker.wait(timeout=30) == 0, second_log.read_text()
        finally:
            if worker.poll() is None:
                worker.kill()
    assert int(cursor()) > int(saved)
    assert mentions() == 2
    for log in (first_log, second_log):
        assert "127.0.0.1" not in log.read_text() and "localhost" not in log.read_text()
