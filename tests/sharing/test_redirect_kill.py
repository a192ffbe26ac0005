"""Durability: no click that got its 302 is lost when the web process is SIGKILLed.

A real granian process serves the real app (config.wsgi) on a database of its own (a
SQLite file, or a fresh PostgreSQL database when the suite runs with DATABASE_URL). Clients
click a tracked link; the web process group is killed with SIGKILL while clicks are still
arriving; then the ingester runs, and every click that received a 302 is in the database.
"""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.stack import BROWSER, ROOT, free_port, granian_cmd, manage, stack_env, wait_healthy

pytestmark = pytest.mark.slow


@pytest.fixture
def env(tmp_path: Path) -> Iterator[dict[str, str]]:
    with stack_env(tmp_path / "var", "kill") as environment:
        yield environment


SETUP = """
from tests import factories
from portevoix.accounts.roles import Role
from portevoix.sharing.services import link_get_or_create
org = factories.make_org("Kill")
manager = factories.make_member(org, Role.CONTENT_MANAGER)
approver = factories.make_member(org, Role.APPROVER)
ambassador = factories.make_member(org, ambassador=True)
item = factories.make_live_item(manager, approver, link="https://example.org/kill")
print("CODE=" + link_get_or_create(membership=ambassador, item=item, network="x").code)
"""

COUNT = "from portevoix.sharing.models import Click; print('ROWS=%d' % Click.objects.count())"


def test_no_answered_click_is_lost_when_the_web_process_is_killed(env: dict[str, str]):
    code = manage(env, "shell", code=SETUP).split("CODE=")[1].split()[0]
    port = free_port()
    web = subprocess.Popen(
        granian_cmd("127.0.0.1", port), cwd=ROOT, env=env, process_group=0,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        if not wait_healthy("127.0.0.1", port):
            pytest.fail("the web process did not start")

        answered = [0] * 8
        stop = threading.Event()

        def clicker(slot: int) -> None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            n = 0
            while not stop.is_set():
                n += 1
                try:
                    conn.request(
                        "GET", f"/l/{code}",
                        headers={"User-Agent": BROWSER, "X-Test": f"{slot}-{n}"},
                    )  # fmt: skip
                    response = conn.getresponse()
                    response.read()
                    if response.status == 302:
                        answered[slot] += 1
                except (OSError, http.client.HTTPException):
                    return  # the server is gone

        threads = [threading.Thread(target=clicker, args=(i,)) for i in range(len(answered))]
        for thread in threads:
            thread.start()
        time.sleep(1.5)
        os.killpg(web.pid, signal.SIGKILL)  # under load, right after answering
        stop.set()
        for thread in threads:
            thread.join(timeout=10)
        web.wait(timeout=10)
    finally:
        if web.poll() is None:
            os.killpg(web.pid, signal.SIGKILL)
            web.wait(timeout=10)

    received = sum(answered)
    assert received > 50, "too few clicks were answered for the test to mean anything"
    manage(env, "ingest_clicks")
    rows = int(manage(env, "shell", code=COUNT).split("ROWS=")[1].split()[0])
    # Every answered click is there; a few more may have been journaled and answered
    # while the client was being torn down.
    assert rows >= received, (rows, received)
    assert rows <= received + len(answered)
