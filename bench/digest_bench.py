# mypy: disable-error-code="misc"
"""Benchmark of the digest emails (issue 13, part 4) on SQLite, on ONE worker.

    .venv/bin/python bench/digest_bench.py [--members 100000] [--smtp-sample 2000]
                                           [--out bench/RESULTS.md]

Data: one organization with `--members` opted-in ambassadors (users, memberships and
ambassador profiles bulk-created; a fifth read English only, the rest French and English,
a tenth with all-time figures), 6 live items that went live in the last days (copies for
two networks each, one important), one goal shown to ambassadors; a file SQLite database
in WAL mode under /tmp, migrated first (the settings of the tests: config.settings_test,
DEBUG off, so Django's cached template loader, as `make run` has it).

1. Preparing: a weekly digest run, its batches of 500 members run one after the other in
   this one process exactly as the worker runs them (`services.digest_batch_run`: the
   batch's reads, the delivery rows with their unique keys, the claim, the rendering of
   both parts, the message with its headers, and its serialization to the bytes an SMTP
   server would receive, then the row marked sent) with an email backend that serializes
   each message and drops it. Timed from the run's start to its last batch. Goal: < 60 s.
2. Sending: the delivery rows are deleted and a second run sends `--smtp-sample` messages
   through Django's SMTP backend to a local aiosmtpd server on 127.0.0.1 (one connection
   per batch, as the worker); messages per second, and the server's count checked.

Writes the "Digest emails" section of bench/RESULTS.md between its markers.
"""

# A local benchmark: fixed paths under /tmp.

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MARKER = "digest-bench"


def setup_django(sqlite_path: Path) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
    os.environ.setdefault("PORTEVOIX_VAR_DIR", tempfile.mkdtemp(prefix="digest-bench-"))
    os.environ.pop("DATABASE_URL", None)
    os.environ["SQLITE_PATH"] = str(sqlite_path)
    os.environ["HUEY_IMMEDIATE"] = "0"
    import django

    django.setup()


class DropBackend:
    """An email backend that takes the messages and drops them (preparing without the
    network and without the MIME serialization, which Django's SMTP backend does when it
    sends: measured apart, on a sample)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.count = 0

    def __enter__(self) -> DropBackend:
        return self

    def __exit__(self, *exc: Any) -> None:
        return None

    def send_messages(self, messages: list[Any]) -> int:
        self.count += len(messages)
        return len(messages)


class SerializingBackend:
    """An email backend that turns each message into its bytes (what SMTP would carry)
    and drops them: preparing without the network."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.count = 0
        self.bytes = 0

    def __enter__(self) -> SerializingBackend:
        return self

    def __exit__(self, *exc: Any) -> None:
        return None

    def send_messages(self, messages: list[Any]) -> int:
        for message in messages:
            self.bytes += len(message.message().as_bytes())
            self.count += 1
        return len(messages)


def build(members: int) -> dict[str, Any]:
    """The organization, its ambassadors, items, figures and a goal (bulk inserts)."""
    from portevoix.accounts import services as account_services
    from portevoix.accounts.models import AmbassadorProfile, Membership, User
    from portevoix.analytics.models import Goal, MemberTotal
    from portevoix.content.models import ContentItem, NetworkCopy
    from portevoix.core import clock

    now = clock.now()
    owner = User.objects.create_user("owner@bench.test", "x" * 12, full_name="Owner")
    org = account_services.organization_create(name="Bench", owner=owner, slug="bench")
    t0 = time.perf_counter()
    users = [
        User(
            email=f"a{i}@bench.test",
            full_name=f"Ambassador {i}",
            language="en" if i % 5 == 0 else "fr",
            password="!",  # noqa: S106 (an unusable password, as set_unusable_password)
        )
        for i in range(members)
    ]
    User.objects.bulk_create(users, batch_size=2000)
    user_ids = list(
        User.objects.filter(email__endswith="@bench.test")
        .exclude(pk=owner.pk)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    Membership.objects.bulk_create(
        [Membership(organization=org, user_id=pk) for pk in user_ids], batch_size=2000
    )
    ids = list(
        Membership.objects.filter(organization=org, user_id__in=user_ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    AmbassadorProfile.objects.bulk_create(
        [
            AmbassadorProfile(
                membership_id=pk,
                opted_in=True,
                opted_in_at=now,
                languages=["en"] if n % 5 == 0 else ["fr", "en"],
            )
            for n, pk in enumerate(ids)
        ],
        batch_size=2000,
    )
    MemberTotal.objects.bulk_create(
        [
            MemberTotal(organization=org, membership_id=pk, network="", shares=n % 7, clicks=n % 31)
            for n, pk in enumerate(ids)
            if n % 10 == 0
        ],
        batch_size=2000,
    )
    for n in range(6):
        item = ContentItem.objects.create(
            organization=org,
            title=f"{'Nouveau' if n % 2 else 'New'} article {n}",
            body="Text",
            body_html="<p>Un article à partager, avec <strong>du texte</strong>.</p>",
            link=f"https://example.org/news/{n}",
            language="fr" if n % 2 else "en",
            state="live",
            important=n == 0,
            author=owner,
            live_at=now - dt.timedelta(days=1, hours=n),
        )
        NetworkCopy.objects.bulk_create(
            [
                NetworkCopy(item=item, network="linkedin", text=f"À lire {item.link} #news"),
                NetworkCopy(item=item, network="x", text=f"Read this {item.link}"),
            ]
        )
    Goal.objects.create(
        organization=org,
        name="Shares this quarter",
        metric="shares",
        target=1000,
        start=now.date() - dt.timedelta(days=30),
        deadline=now.date() + dt.timedelta(days=60),
        visible_to_ambassadors=True,
        created_at=now,
        updated_at=now,
    )
    return {"org_id": org.pk, "members": len(ids), "build_s": time.perf_counter() - t0}


def run_digest(org_id: int, *, period: str, limit: int | None, connection: Any) -> dict[str, Any]:
    """A weekly run, its batches one after the other in this process (one worker)."""
    from portevoix.core import clock
    from portevoix.notifications.mail import services
    from portevoix.notifications.models_mail import DigestRun

    now = clock.now()
    run = DigestRun.objects.create(
        organization_id=org_id,
        frequency="weekly",
        period=period,
        started_at=now,
        since=now - dt.timedelta(days=7),
        touched_at=now,
    )
    queued = [run.pk]
    sent = batches = 0
    t0 = time.perf_counter()
    while queued and (limit is None or sent < limit):
        queued.pop()
        result = services.digest_batch_run(
            run_id=run.pk, queue_next=queued.append, connection=connection
        )
        sent += result.sent
        batches += 1
    return {"sent": sent, "batches": batches, "seconds": time.perf_counter() - t0}


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def smtp_sample(org_id: int, sample: int) -> dict[str, Any]:
    from aiosmtpd.controller import Controller
    from django.core.mail import get_connection

    from portevoix.notifications.models_mail import EmailDelivery

    class Counter:
        received = 0

        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            Counter.received += 1
            return "250 OK"

    EmailDelivery.objects.all().delete()  # the second run finds the content new again
    port = free_port()
    controller = Controller(Counter(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        connection = get_connection(
            "django.core.mail.backends.smtp.EmailBackend", host="127.0.0.1", port=port
        )
        result = run_digest(org_id, period="smtp", limit=sample, connection=connection)
    finally:
        controller.stop()
    result["received"] = Counter.received
    result["rate"] = result["sent"] / result["seconds"] if result["seconds"] else 0.0
    return result


def measure(members: int, sample: int) -> dict[str, Any]:
    from portevoix.notifications.models_mail import EmailDelivery

    built = build(members)
    load_before = os.getloadavg()[0]
    prepared = run_digest(built["org_id"], period="bench", limit=None, connection=DropBackend())
    prepared["load"] = (load_before, os.getloadavg()[0])
    EmailDelivery.objects.all().delete()  # the next run finds the content new again
    backend = SerializingBackend()
    serialized = run_digest(built["org_id"], period="mime", limit=sample, connection=backend)
    serialized["bytes"] = backend.bytes
    sent = smtp_sample(built["org_id"], sample)
    return {"built": built, "prepared": prepared, "mime": serialized, "smtp": sent}


def write_results(out: Path, args: argparse.Namespace, result: dict[str, Any]) -> str:
    import sqlite3

    import django

    p, m, s = result["prepared"], result["mime"], result["smtp"]
    goal = "yes" if p["seconds"] < 60 else "NO"
    per = p["seconds"] / max(p["sent"], 1) * 1e6
    section = "\n".join(
        [
            f"<!-- {MARKER}:start (written by bench/digest_bench.py; keep the markers) -->",
            "## Digest emails",
            "",
            f"Recorded {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {platform.node()} "
            f"({os.cpu_count()} cores, Python {platform.python_version()}, Django "
            f"{django.get_version()}, SQLite {sqlite3.sqlite_version}).",
            f"Command: `make bench` (`python bench/digest_bench.py --members {args.members} "
            f"--smtp-sample {args.smtp_sample}`).",
            "",
            f"Data: one organization, {result['built']['members']:,} opted-in ambassadors "
            "(a fifth English only), 6 new live items with copies for 2 networks, one goal "
            "shown to ambassadors; a file SQLite database (WAL), config.settings_test "
            f"(DEBUG off, cached templates). Bulk load: {result['built']['build_s']:.1f} s.",
            "",
            "| step | messages | batches | seconds | per message | goal |",
            "|---|---:|---:|---:|---:|:-:|",
            f"| prepare the weekly digest on one worker (the batches' reads, delivery rows, "
            f"claims, HTML + text rendered, the message with its headers, each row marked "
            f"sent) | {p['sent']:,} | {p['batches']} | {p['seconds']:.1f} | {per:.0f} µs | "
            f"< 60 s: {goal} |",
            f"| the same on a sample, each message also serialized to its MIME bytes (what "
            f"the SMTP backend does when it sends) | {m['sent']:,} | {m['batches']} | "
            f"{m['seconds']:.1f} | {m['seconds'] / max(m['sent'], 1) * 1e6:.0f} µs | - |",
            f"| send to aiosmtpd on 127.0.0.1 (Django SMTP backend, one connection per batch "
            f"of 500) | {s['sent']:,} (server received {s['received']:,}) | {s['batches']} | "
            f"{s['seconds']:.1f} | {s['rate']:.0f} messages/s | - |",
            "",
            f"Load average (1 min) before and after the preparing step: {p['load'][0]:.1f}, "
            f"{p['load'][1]:.1f} (2 cores shared with other work: above 1, the times are "
            "pessimistic). "
            f"Average message: {m['bytes'] / max(m['sent'], 1) / 1024:.1f} KiB (both parts). "
            "The SMTP server runs in the same process (a thread), so the sending rate also "
            "pays for the server's work.",
            f"<!-- {MARKER}:end -->",
        ]
    )
    text = out.read_text() if out.exists() else "# Benchmark results\n"
    pattern = re.compile(rf"<!-- {MARKER}:start.*?<!-- {MARKER}:end -->", re.S)
    text = pattern.sub(lambda _m: section, text) if pattern.search(text) else f"{text}\n{section}\n"
    out.write_text(text)
    return section


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--members", type=int, default=int(100_000 * float(os.environ.get("BENCH_SCALE", "1")))
    )
    ap.add_argument("--smtp-sample", type=int, default=2000)
    ap.add_argument("--out", default=str(ROOT / "bench" / "RESULTS.md"))
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="digest-bench-") as tmp:
        setup_django(Path(tmp) / "bench.sqlite3")
        from django.core.management import call_command

        t0 = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        print(f"migrated in {time.perf_counter() - t0:.1f} s", flush=True)
        result = measure(args.members, args.smtp_sample)
    section = write_results(Path(args.out), args, result)
    print(section)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
