"""A deployment over several machines (docs/deploy.md), in small: two web hosts, each in a
network namespace of its own with its own click journal and ingester, one database, one
Redis (when the suite runs on PostgreSQL + Redis), and the workers.

- Clicks are sent to both hosts; one host loses power (every process of its namespace is
  SIGKILLed) while clicks still arrive. When it is back, its ingester reads what its journal
  kept. Every click that got its 302 is in the database exactly once: each request carries
  its own user agent, so each click has its own visitor hash, and no hash appears twice.
- A scheduled post is due while a worker runs on each host, both with the periodic schedule,
  and the publishing tasks are enqueued several times: both hosts run them, the network
  receives the post once, and it is recorded once.

Where network namespaces cannot be made (not root, no iproute2), tests/netlab.py runs the
hosts as process groups on 127.0.0.1 with their own ports and folders, and says so.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.netlab import Host, Lab
from tests.peers.fake_x import FakeX
from tests.peers.server import serve
from tests.stack import BROWSER, ROOT, free_port, granian_cmd, manage, stack_env, wait_healthy

pytestmark = pytest.mark.slow

MANAGE = [sys.executable, str(ROOT / "manage.py")]


def _moved(url: str, host: str) -> str:
    """The same service URL, reached at `host` (the lab's gateway) instead of 127.0.0.1."""
    parts = urlsplit(url)
    netloc = parts.netloc.replace("127.0.0.1", host).replace("localhost", host)
    return urlunsplit(parts._replace(netloc=netloc))


@pytest.fixture(scope="module")
def lab() -> Iterator[Lab]:
    with Lab(2) as made:
        if os.environ.get("CI") and not made.namespaces:
            pytest.fail("CI runs as root with iproute2: the hosts must get namespaces of their own")
        if made.namespaces:
            made.forward(5432)  # PostgreSQL, when the suite runs on it
            made.forward(6379)  # Redis
        yield made


@pytest.fixture(scope="module")
def env(lab: Lab, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The environment of the test's own commands (on this machine, 127.0.0.1)."""
    allowed = ",".join(sorted({"127.0.0.1", *(host.address for host in lab.hosts)}))
    with stack_env(
        tmp_path_factory.mktemp("two-hosts") / "var", "hosts", allowed_hosts=allowed
    ) as environment:
        yield environment


def host_env(env: dict[str, str], lab: Lab, host: Host, **extra: str) -> dict[str, str]:
    """A host's environment: the shared database and Redis at the gateway, its own journal."""
    moved = dict(env)
    for name in ("DATABASE_URL", "REDIS_URL"):
        if name in moved:
            moved[name] = _moved(moved[name], lab.gateway)
    moved["CLICK_JOURNAL_DIR"] = str(Path(env["PORTEVOIX_VAR_DIR"]) / f"clicks-{host.name}")
    moved["SOCIAL_ALLOWED_PRIVATE_HOSTS"] = f"{lab.gateway},127.0.0.1"
    moved.update(extra)
    return moved


LINK_SETUP = """
from tests import factories
from portevoix.accounts.roles import Role
from portevoix.sharing.services import link_get_or_create
org = factories.make_org("Two hosts")
manager = factories.make_member(org, Role.CONTENT_MANAGER)
approver = factories.make_member(org, Role.APPROVER)
ambassador = factories.make_member(org, ambassador=True)
item = factories.make_live_item(manager, approver, link="https://example.org/two-hosts")
print("CODE=" + link_get_or_create(membership=ambassador, item=item, network="linkedin").code)
"""

CLICKS = """
from portevoix.sharing.models import Click
rows = list(Click.objects.values_list("visitor", "counted"))
print("ROWS=%d DISTINCT=%d COUNTED=%d" % (
    len(rows), len({v for v, _ in rows}), sum(1 for _, c in rows if c)))
"""


def _clicks(env: dict[str, str]) -> dict[str, int]:
    out = manage(env, "shell", code=CLICKS)
    line = next(part for part in out.splitlines() if part.startswith("ROWS="))
    return {k.lower(): int(v) for k, v in (pair.split("=") for pair in line.split())}


def test_two_web_hosts_one_killed_mid_load_every_answered_click_counted_once(
    lab: Lab, env: dict[str, str]
) -> None:
    code = manage(env, "shell", code=LINK_SETUP).split("CODE=")[1].split()[0]
    ports: dict[str, int] = {}
    for host in lab.hosts:
        port = 8000 if lab.namespaces else free_port()
        ports[host.name] = port
        henv = host_env(env, lab, host)
        host.popen(
            granian_cmd(host.address, port), cwd=ROOT, env=henv,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        host.popen(
            [*MANAGE, "ingest_clicks", "--follow", "--interval", "0.5"], cwd=ROOT, env=henv,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
    for host in lab.hosts:
        assert wait_healthy(host.address, ports[host.name]), f"{host.name} did not start"

    clients_per_host = 6
    answered: dict[str, list[int]] = {h.name: [0] * clients_per_host for h in lab.hosts}
    stop = threading.Event()

    def clicker(host: Host, slot: int) -> None:
        conn = http.client.HTTPConnection(host.address, ports[host.name], timeout=5)
        n = 0
        while not stop.is_set():
            n += 1
            try:
                # Its own user agent: its own visitor hash, so a click counted twice shows.
                conn.request(
                    "GET", f"/l/{code}", headers={"User-Agent": f"{BROWSER} {host.name}c{slot}/{n}"}
                )
                response = conn.getresponse()
                response.read()
                if response.status == 302:
                    answered[host.name][slot] += 1
            except (OSError, http.client.HTTPException):
                return  # the host is gone

    threads = [
        threading.Thread(target=clicker, args=(host, slot))
        for host in lab.hosts
        for slot in range(clients_per_host)
    ]
    for thread in threads:
        thread.start()
    time.sleep(2.0)
    victim, survivor = lab.hosts
    victim.kill()  # power cut on the first host, under load
    time.sleep(1.5)  # the second host goes on answering
    stop.set()
    for thread in threads:
        thread.join(timeout=15)

    by_host = {name: sum(counts) for name, counts in answered.items()}
    assert by_host[victim.name] > 30 and by_host[survivor.name] > 30, by_host
    received = sum(by_host.values())

    # The second host's ingester follows its journal: wait until it has caught up.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if _clicks(env)["rows"] >= by_host[survivor.name]:
            break
        time.sleep(1)
    # The first host comes back: its ingester reads what the journal kept on its disk.
    back = victim.run(
        [*MANAGE, "ingest_clicks"], cwd=ROOT, env=host_env(env, lab, victim), timeout=120
    )
    assert back.returncode == 0, back.stdout + back.stderr
    # Stop the second host's ingester gracefully, then read its journal once more: nothing is
    # inserted twice.
    for process in survivor.processes:
        process.send_signal(signal.SIGTERM)
    for process in survivor.processes:
        process.wait(timeout=30)
    again = survivor.run(
        [*MANAGE, "ingest_clicks"], cwd=ROOT, env=host_env(env, lab, survivor), timeout=120
    )
    assert again.returncode == 0, again.stdout + again.stderr

    counts = _clicks(env)
    # Each click once: as many visitor hashes as rows, every one counted.
    assert counts["rows"] == counts["distinct"] == counts["counted"], counts
    # Every answered click is there. A few more may have been journaled, and answered,
    # while a client was being torn down by the power cut (at most one per connection).
    assert received <= counts["rows"] <= received + clients_per_host, (counts, by_host)


POST_SETUP = """
import datetime as dt, itertools, json, os
from tests import factories
factories._seq = itertools.count(1000)  # the first setup's people already hold 1, 2, 3...
from portevoix.accounts.roles import Role
from portevoix.core import clock
from portevoix.networks.base import Account, TokenSet
from portevoix.publishing import connections, services
from portevoix.publishing.models import Post
issued = json.loads(os.environ["FAKE_X_TOKENS"])
org = factories.make_org("Two workers")
manager = factories.make_member(org, Role.CONTENT_MANAGER)
approver = factories.make_member(org, Role.APPROVER)
ambassador = factories.make_member(org, ambassador=True)
item = factories.make_live_item(manager, approver, link="https://example.org/two-workers")
connection = connections._store(
    membership=ambassador, network="x",
    account=Account(account_id=issued["user_id"], handle="@AmbassadorAnna",
                    display_name="Anna Ambassador", followers=10),
    tokens=TokenSet(access_token=issued["access_token"],
                    refresh_token=issued.get("refresh_token", ""),
                    expires_at=clock.now() + dt.timedelta(seconds=int(issued["expires_in"])),
                    scope=issued["scope"]),
    instance="",
)
post = services.post_create(actor=ambassador, draft=services.PostDraft(
    connection_id=connection.pk, item_id=item.pk, when="at",
    at=clock.now() + dt.timedelta(hours=1)))
Post.objects.filter(pk=post.pk).update(scheduled_at=clock.now() - dt.timedelta(seconds=1))
print("POST=%d" % post.pk)
"""

ENQUEUE = """
from portevoix.publishing import tasks
tasks.publish_due()
tasks.publish_due()
for _ in range(4):
    tasks.publish_post({post})
"""

POST_STATE = """
from portevoix.publishing.models import Post
from portevoix.sharing.models import Share
post = Post.objects.get(pk={post})
print("STATE=%s SHARES=%d" % (post.state, Share.objects.filter(item_id=post.item_id).count()))
"""


def test_a_scheduled_post_is_published_once_while_two_workers_run(
    lab: Lab, env: dict[str, str], tmp_path: Path
) -> None:
    fake = FakeX()
    with serve(fake.app) as url:
        fake_port = urlsplit(url).port
        assert fake_port is not None
        lab.forward(fake_port)
        issued: dict[str, Any] = {**fake.issue_tokens(), "user_id": fake.default_user.id}
        setup_env = {**env, "FAKE_X_TOKENS": json.dumps(issued)}
        out = manage(setup_env, "shell", code=POST_SETUP, timeout=120)
        post_id = int(out.split("POST=")[1].split()[0])
        endpoints = {
            "SOCIAL_ENDPOINT_X_API": _moved(url, lab.gateway),
            "SOCIAL_ENDPOINT_X_TOKEN": _moved(url, lab.gateway) + "/2/oauth2/token",
            "X_CLIENT_ID": fake.client_id,
            "X_CLIENT_SECRET": fake.client_secret,
        }
        logs: dict[str, Path] = {}
        for host in lab.hosts:
            logs[host.name] = tmp_path / f"worker-{host.name}.log"
            with logs[host.name].open("wb") as log_file:
                host.popen(
                    [*MANAGE, "run_huey", "--workers", "2"], cwd=ROOT,
                    env=host_env(env, lab, host, **endpoints), stdout=log_file, stderr=log_file,
                )  # fmt: skip
        time.sleep(3)  # both consumers are up and waiting on the queue
        manage(env, "shell", code=ENQUEUE.format(post=post_id))

        state: dict[str, str] = {}
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            out = manage(env, "shell", code=POST_STATE.format(post=post_id))
            line = next(part for part in out.splitlines() if part.startswith("STATE="))
            state = dict(pair.split("=") for pair in line.split())
            if state["STATE"] == "published":
                break
            time.sleep(1)
        time.sleep(3)  # any duplicate still running would land now
        for host in lab.hosts:
            for process in host.processes:
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
            for process in host.processes:
                process.wait(timeout=40)
        tweets = fake.tweets_of()

    assert state.get("STATE") == "published", state
    assert len(tweets) == 1, tweets
    assert state["SHARES"] == "1", state
    # Both hosts' workers ran the publishing tasks: the race did happen.
    for host in lab.hosts:
        log = logs[host.name].read_text(errors="replace")
        assert "publish_post" in log, (host.name, log[-2000:])
