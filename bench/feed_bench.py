"""Benchmark of the ambassador feed (`/feed/`) on SQLite and PostgreSQL, and with
`--scenario workspace` (what `bench/workspace_bench.py` runs) of the social media team's
pages: the library (all, filtered, sorted), the approvals queue, the calendar's month and
analytics, for 16 team members, in an organization of 100,000 members, 20,000 items (16,000
live, the rest expired, drafts, in review, scheduled or sent back) and 1,000,000 shares;
target p95 under 100 ms (the feed's: 50 ms). The rest of this text describes the feed; the
workspace runs the same steps with its own pages, sessions and section of RESULTS.md.

    .venv/bin/python bench/feed_bench.py [--scale 1.0] [--dbs sqlite,postgres] [--duration 15]
        [--url NAME=PATH ...] [--small-scale 0.02] [--paced-rate 8] [--keep-pg] [--rebuild]
        [--no-load] [--profile] [--out bench/RESULTS.md]

Data (scale 1.0; `--scale 0.01` for a quick run): one organization with 100,000 members, a
fifth of them opted-in ambassadors (interests, languages, networks), 30 topics, 50 campaigns,
5,000 live items (plus a tenth more expired, draft or in review) with topics, a campaign for
most, copies for three to six networks, a few important or featured, and 1,000,000 shares
(with their tracked links) by the ambassadors, skewed as in real programmes. Rows are bulk
inserted (SQLite: executemany with synchronous/journal off for the load only, then WAL as
`make run` has it; PostgreSQL: COPY), secondary indexes built after the load, then ANALYZE.
The SQLite file is cached in var/bench/ keyed by scale, generator version and every
migration file; the PostgreSQL databases `portevoix_bench` and `portevoix_bench_small` are
created, used and dropped (`--keep-pg` keeps and reuses them).

For each database:
1. Constant queries: the Django test client counts the SQL queries of each feed URL
   (CaptureQueriesContext) for an ambassador at the small scale (`--small-scale`) and at the
   big one; they must be equal. The same process times 30 sequential requests per URL
   (service time, no HTTP server, no concurrency).
2. Load: `manage.py serve` with its defaults (what `make run` starts: 2 granian workers x 8
   threads, the huey consumer and the click ingester) on that database; wrk (C, epoll, one
   thread: a few per cent of one core at these rates, so it takes little from the server on a
   2-core machine; a Python client would need a core of its own) with 16 connections and a
   Lua script that rotates the session cookies of 16 ambassadors (sessions created in the
   database as a login does), after a warm-up; the server's CPU time per request (its process
   tree, from /proc). Reference in the same run: `/healthz` (the smallest Django view, the
   whole middleware stack, no database) and the site's CSS served by whitenoise. Then an open
   loop: the 16 sessions at `--paced-rate` requests per second in all (a page every 2 s
   each by default), latency counted from when each request was due.
3. Page weight: the first page's HTML and the CSS and JavaScript it links, fetched from the
   server with `Accept-Encoding: gzip, br`; bytes as sent, and gzip -6 of what was sent
   uncompressed (Django sends HTML uncompressed; a proxy in front usually compresses it).

Writes the "Feed" section of bench/RESULTS.md (other sections are kept). Every process started
here is stopped here by its own pid; every step has a time bound.
"""

# A local benchmark: its own psql and child processes, SQL built from quoted identifiers.
# ruff: noqa: S603, S607, S608

from __future__ import annotations

import argparse
import contextlib
import gzip
import hashlib
import http.client
import inspect
import json
import os
import platform
import random
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
GENERATOR_VERSION = "1"
HOST = "127.0.0.1"
PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
SESSIONS = 16
CONNECTIONS = 16
TARGET_WEIGHT = 100 * 1024
NETWORKS = ("linkedin", "x", "facebook", "mastodon", "bluesky", "threads")
SHARE_NETWORK_WEIGHTS = (55, 15, 12, 6, 7, 5)


@dataclass(frozen=True)
class Scenario:
    """What is measured: the pages, who asks for them, the data's size and the target.
    `feed` (the ambassadors' feed, issue 10) and `workspace` (the social media team's pages,
    issue 11; `bench/workspace_bench.py` runs it) share the generator, the loader, the server
    and the load."""

    name: str
    title: str
    items: int  # live items at scale 1.0
    other_items: int  # at scale 1.0, in `other_states`
    other_states: tuple[str, ...]
    target_p95_ms: float
    urls: tuple[str, ...]  # NAME=PATH; {topic}, {campaign}: ids
    marker: bytes  # in the first page's HTML
    staff_roles: tuple[str, ...] = ()  # sessions of team members with these roles, else ambassadors
    who: str = "ambassadors"


SCENARIOS = {
    "feed": Scenario(
        name="feed",
        title="## Feed (`/feed/`): 16 logged-in ambassadors",
        items=5_000,
        other_items=500,
        other_states=("expired", "draft", "in_review"),
        target_p95_ms=50.0,
        urls=("first=/feed/", "filtered=/feed/?topic={topic}&network=linkedin"),
        marker=b"feed-item",
    ),
    "workspace": Scenario(
        name="workspace",
        title="## The social media team's pages: 16 logged-in team members",
        items=16_000,
        other_items=4_000,
        other_states=("expired", "draft", "in_review", "approved", "changes_requested"),
        target_p95_ms=100.0,
        urls=(
            "first=/library/",
            "library filtered=/library/?topic={topic}&campaign={campaign}",
            "library sorted=/library/?sort=-publish_at",
            "approvals=/approvals/",
            "calendar=/calendar/",
            "analytics=/analytics/",
        ),
        marker=b"<table",
        staff_roles=("content_manager", "approver", "analyst", "community_manager"),
        who="team members (content manager, approver, analyst and community manager)",
    ),
}
SCENARIO = SCENARIOS["feed"]  # set by main() and child() from --scenario
DEFAULT_URLS = list(SCENARIO.urls)
TARGET_P95_MS = SCENARIO.target_p95_ms


def use_scenario(name: str) -> Scenario:
    global SCENARIO, DEFAULT_URLS, TARGET_P95_MS
    SCENARIO = SCENARIOS[name]
    DEFAULT_URLS = list(SCENARIO.urls)
    TARGET_P95_MS = SCENARIO.target_p95_ms
    return SCENARIO


def pg_db(size: str) -> str:
    """The PostgreSQL database of a scenario and size (the feed's names are the historic ones)."""
    prefix = "portevoix_bench" if SCENARIO.name == "feed" else f"portevoix_bench_{SCENARIO.name}"
    return prefix if size == "big" else f"{prefix}_small"


# A fixed key for the benchmark's sessions: the children that create them and the server
# that reads them must agree.
BENCH_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "DEBUG": "0",
    "SECRET_KEY": "feed-bench-" + "k" * 40,
    "FIELD_ENCRYPTION_KEY": "feed-bench-field-" + "f" * 40,
    "ALLOWED_HOSTS": "127.0.0.1,testserver",
}
STAMP = "2025-01-01 00:00:00"

T0 = time.monotonic()


def log(message: str) -> None:
    print(f"[{time.monotonic() - T0:7.1f}s] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- sizes


def sizes(scale: float) -> dict[str, int]:
    members = max(100, round(100_000 * scale))
    return {
        "members": members,
        "ambassadors": max(20, members // 5),
        "topics": max(6, round(30 * min(1.0, scale * 20))),
        "campaigns": max(4, round(50 * min(1.0, scale * 20))),
        "items": max(40, round(SCENARIO.items * scale)),
        "other_items": max(4, round(SCENARIO.other_items * scale)),  # SCENARIO.other_states
        "shares": max(300, round(1_000_000 * scale)),
    }


# --------------------------------------------------------------------------- generation


@dataclass
class Table:
    """Rows for one model, in the model's column order; fields the generator does not name
    get their default, NULL, "" or a fixed date (so the bench survives new fields)."""

    model: Any
    columns: list[str] = field(default_factory=list)
    template: list[Any] = field(default_factory=list)
    index: dict[str, int] = field(default_factory=dict)
    rows: list[tuple[Any, ...]] = field(default_factory=list)

    def __post_init__(self) -> None:
        from django.db import models

        for i, f in enumerate(self.model._meta.concrete_fields):
            self.columns.append(f.column)
            self.index[f.attname] = i
            value: Any
            if f.has_default():
                value = f.get_default()
                if isinstance(value, (list, dict)):
                    value = json.dumps(value)
                elif hasattr(value, "isoformat"):
                    value = STAMP
            elif f.null:
                value = None
            elif isinstance(f, (models.CharField, models.TextField, models.FileField)):
                value = ""
            elif isinstance(f, models.DateTimeField):
                value = STAMP
            elif isinstance(f, models.DateField):
                value = STAMP[:10]
            else:
                value = None  # must be set by the generator
            self.template.append(value)

    def add(self, **values: Any) -> None:
        row = list(self.template)
        for name, value in values.items():
            row[self.index[name]] = json.dumps(value) if isinstance(value, list) else value
        self.rows.append(tuple(row))


def _cumulative(weights: Iterable[float]) -> list[float]:
    total, out = 0.0, []
    for weight in weights:
        total += weight
        out.append(total)
    return out


def generate(scale: float, *, org_id: int, author_id: int, base: int, now: str) -> list[Table]:
    """Every generated row, deterministic (seeded), ids from `base` up. `now` is the build
    time ("YYYY-MM-DD HH:MM:SS"): items are published before it, and live."""
    import datetime as dt

    from django.apps import apps

    def model(label: str) -> Any:
        return apps.get_model(label)

    rnd = random.Random(20261206)
    n = sizes(scale)
    membership_model = model("accounts.Membership")
    profile_model = model("accounts.AmbassadorProfile")
    item_model = model("content.ContentItem")
    t = {
        "user": Table(model("accounts.User")),
        "membership": Table(membership_model),
        "profile": Table(profile_model),
        "interest": Table(profile_model.interests.through),
        "presence": Table(model("accounts.NetworkPresence")),
        "topic": Table(model("content.Topic")),
        "campaign": Table(model("content.Campaign")),
        "item": Table(item_model),
        "item_topic": Table(item_model.topics.through),
        "copy": Table(model("content.NetworkCopy")),
        "link": Table(model("sharing.TrackedLink")),
        "share": Table(model("sharing.Share")),
        "transition": Table(model("content.Transition")),
    }
    end = dt.datetime.fromisoformat(now)

    def ago(hours: float) -> str:
        return (end - dt.timedelta(hours=hours)).strftime("%Y-%m-%d %H:%M:%S")

    topic_ids = [base + k for k in range(n["topics"])]
    for k, tid in enumerate(topic_ids):
        t["topic"].add(id=tid, organization_id=org_id, name=f"Topic {k}", slug=f"topic-{k}")
    # Topics are skewed: the first few are on many items and in many interests.
    topic_cum = _cumulative([1 / (k + 1) for k in range(len(topic_ids))])
    campaign_ids = [base + k for k in range(n["campaigns"])]
    for k, cid in enumerate(campaign_ids):
        t["campaign"].add(id=cid, organization_id=org_id, name=f"Campaign {k}", slug=f"c-{k}")

    ambassadors: list[int] = []  # membership ids, most active first
    for i in range(n["members"]):
        uid = base + i
        t["user"].add(
            id=uid,
            password="!",  # noqa: S106 - Django's mark of an unusable password
            email=f"feed{uid}@bench.test",
            full_name=f"Member {i}",
            date_joined=STAMP,
            is_active=True,
        )
        t["membership"].add(
            id=uid, organization_id=org_id, user_id=uid, joined_at=STAMP, is_active=True
        )
        if i % 5 == 0 and len(ambassadors) < n["ambassadors"]:  # a fifth opted in
            ambassadors.append(uid)
            r = rnd.random()
            languages = ["en", "fr"] if r < 0.7 else ["fr"] if r < 0.9 else ["en"]
            t["profile"].add(
                id=uid,
                membership_id=uid,
                opted_in=True,
                opted_in_at=STAMP,
                languages=languages,
                help_with=["sharing"],
            )
            for tid in set(rnd.choices(topic_ids, cum_weights=topic_cum, k=rnd.randint(1, 3))):
                t["interest"].add(id=len(t["interest"].rows) + base, topic_id=tid, **{
                    _fk(profile_model.interests.through, "ambassadorprofile"): uid
                })  # fmt: skip
            for net in ["linkedin", *rnd.sample(NETWORKS[1:], rnd.randint(0, 2))]:
                t["presence"].add(
                    id=len(t["presence"].rows) + base,
                    profile_id=uid,
                    network=net,
                    audience=int(rnd.lognormvariate(5.5, 1.0)) + 10,
                )

    live: list[tuple[int, float]] = []  # (item id, hours since publication)
    total_items = n["items"] + n["other_items"]
    for k in range(total_items):
        iid = base + k
        is_live = k < n["items"]
        hours = rnd.uniform(1, 24 * 365)
        # The other states in turn, so that every page has rows of each at any scale.
        others = SCENARIO.other_states
        state = "live" if is_live else others[(k - n["items"]) % len(others)]
        if state == "approved":  # scheduled: published in the coming weeks
            hours = -rnd.uniform(1, 24 * 60)
        language = "fr" if rnd.random() < 0.8 else "en"
        link = f"https://example.org/news/{k}?utm_source=feed"
        body = f"Nouvelle n°{k} : **notre équipe** partage un article sur le sujet {k % 97}."
        t["item"].add(
            id=iid,
            organization_id=org_id,
            title=f"Item {k}: {'Nous recrutons' if k % 4 == 0 else 'Actualité'} {k}",
            body=body,
            body_html=f"<p>Nouvelle n°{k} : <strong>notre équipe</strong> partage un "
            f"article sur le sujet {k % 97}.</p>",
            link=link,
            campaign_id=rnd.choice(campaign_ids) if rnd.random() < 0.7 else None,
            language=language,
            content_type=rnd.choice(
                ["company_news", "job_offer", "event", "expertise", "industry_news"]
            ),
            priority=rnd.choice([0, 0, 0, 1, 2]),
            important=rnd.random() < 0.01,
            featured=rnd.random() < 0.03,
            publish_at=ago(hours) if state not in {"draft", "changes_requested"} else None,
            expire_at=(
                ago(hours / 2) if state == "expired" else ago(-24 * 900) if k % 5 == 0 else None
            ),
            state=state,
            revision=1,
            author_id=author_id,
            created_at=ago(hours + 24),
            updated_at=ago(hours),
        )
        for tid in set(rnd.choices(topic_ids, cum_weights=topic_cum, k=rnd.randint(1, 3))):
            t["item_topic"].add(id=len(t["item_topic"].rows) + base, topic_id=tid, **{
                _fk(item_model.topics.through, "contentitem"): iid
            })  # fmt: skip
        networks = ["linkedin", "x", "facebook"] + [
            net for net, p in (("mastodon", 0.5), ("bluesky", 0.3), ("threads", 0.2))
            if rnd.random() < p
        ]  # fmt: skip
        for net in networks:
            for variant in range(1, (3 if net == "linkedin" and rnd.random() < 0.3 else 2)):
                t["copy"].add(
                    id=len(t["copy"].rows) + base,
                    item_id=iid,
                    network=net,
                    variant=variant,
                    text=f"{'À lire' if variant == 1 else 'Découvrez'} : actualité {k} "
                    f"#equipe {link}",
                )
        if is_live:
            live.append((iid, hours))
        elif state == "in_review":  # submitted: the approvals queue orders by this time
            t["transition"].add(
                id=len(t["transition"].rows) + base,
                item_id=iid,
                actor_id=author_id,
                from_state="draft",
                to_state="in_review",
                action="submit",
                at=ago(rnd.uniform(1, 24 * 14)),
            )

    # Shares: a few ambassadors and items do most of them (as in real programmes).
    member_cum = _cumulative([1 / (r + 1) ** 0.5 for r in range(len(ambassadors))])
    item_cum = _cumulative([1 / (r + 1) ** 0.6 for r in range(len(live))])
    network_cum = _cumulative(SHARE_NETWORK_WEIGHTS)
    links: dict[tuple[int, int, str], int] = {}
    count = n["shares"]
    picked = zip(
        rnd.choices(ambassadors, cum_weights=member_cum, k=count),
        rnd.choices(live, cum_weights=item_cum, k=count),
        rnd.choices(NETWORKS, cum_weights=network_cum, k=count),
        strict=True,
    )
    for s, (mid, (iid, hours), net) in enumerate(picked):
        lid = links.get((mid, iid, net))
        if lid is None:
            lid = links[(mid, iid, net)] = base + len(links)
            t["link"].add(
                id=lid,
                organization_id=org_id,
                code=f"f{lid:x}",
                membership_id=mid,
                item_id=iid,
                network=net,
                created_at=STAMP,
            )
        at = ago(max(0.1, hours - rnd.expovariate(1 / 48)))
        t["share"].add(
            id=base + s,
            organization_id=org_id,
            membership_id=mid,
            item_id=iid,
            network=net,
            link_id=lid,
            personalized=rnd.random() < 0.2,
            state="confirmed",
            audience=int(rnd.lognormvariate(5.5, 1.0)),
            created_at=at,
            confirmed_at=at,
        )
    return list(t.values())


def _fk(through: Any, prefix: str) -> str:
    """The attname of a many-to-many table's foreign key whose name starts with `prefix`."""
    return next(
        f.attname
        for f in through._meta.concrete_fields
        if f.name.startswith(prefix) and f.attname.endswith("_id")
    )


# --------------------------------------------------------------------------- loading


def _secondary_indexes(table: str) -> list[tuple[str, str]]:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                "AND sql IS NOT NULL",
                [table],
            )
        else:
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s "
                "AND indexname NOT IN (SELECT conname FROM pg_constraint)",
                [table],
            )
        return list(cursor.fetchall())


def insert(tables: list[Table], *, fast: bool) -> None:
    """Insert every table's rows. `fast` (the benchmark's own database only): secondary
    indexes are dropped for the load and built after it; SQLite loads with synchronous and
    journal off in big transactions, PostgreSQL with COPY and no foreign-key triggers.
    Otherwise plain executemany in the current transaction (tests)."""
    from django.db import connection

    qn = connection.ops.quote_name
    vendor = connection.vendor
    raw: Any = None
    if fast and vendor == "sqlite":
        connection.ensure_connection()
        raw = connection.connection
        for pragma in ("foreign_keys = OFF", "synchronous = OFF", "journal_mode = OFF"):
            raw.execute(f"PRAGMA {pragma}")
    for table in tables:
        name = table.model._meta.db_table
        cols = ", ".join(qn(c) for c in table.columns)
        started = time.monotonic()
        indexes = _secondary_indexes(name) if fast and len(table.rows) > 50_000 else []
        with connection.cursor() as cursor:
            for index_name, _sql in indexes:
                cursor.execute(f"DROP INDEX {qn(index_name)}")
            if not fast:
                marks = ", ".join(["%s"] * len(table.columns))
                cursor.executemany(f"INSERT INTO {qn(name)} ({cols}) VALUES ({marks})", table.rows)
            elif vendor == "sqlite":
                marks = ", ".join("?" * len(table.columns))
                sql = f"INSERT INTO {qn(name)} ({cols}) VALUES ({marks})"
                for k in range(0, len(table.rows), 200_000):
                    raw.execute("BEGIN")
                    raw.executemany(sql, table.rows[k : k + 200_000])
                    raw.execute("COMMIT")
            else:
                cursor.execute("SET session_replication_role = replica")  # no FK triggers
                with cursor.cursor.copy(f"COPY {qn(name)} ({cols}) FROM STDIN") as copy:
                    for row in table.rows:
                        copy.write_row(row)
                cursor.execute("SET session_replication_role = DEFAULT")
            for _index_name, create in indexes:
                cursor.execute(create)
            if vendor == "postgresql":  # move the sequence past the loaded ids
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                    f"(SELECT COALESCE(MAX(id), 1) FROM {qn(name)}))",
                    [name],
                )
        if fast:
            log(f"  {name}: {len(table.rows):,} rows in {time.monotonic() - started:.1f}s")
    if raw is not None:
        raw.execute("PRAGMA journal_mode = WAL")  # as `make run` has it (settings)
        raw.execute("PRAGMA synchronous = NORMAL")
        raw.execute("PRAGMA foreign_keys = ON")


@dataclass
class Built:
    org_id: int
    topic_id: int
    campaign_id: int
    ambassador_user_ids: list[int]
    counts: dict[str, int]
    staff_user_ids: list[int] = field(default_factory=list)  # SCENARIO.staff_roles

    def as_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


def build(scale: float, *, fast: bool, base: int = 1_000_000, slug: str = "bench-feed") -> Built:
    """The organization (through the services), then every generated row in bulk."""
    from django.utils import timezone

    from portevoix.accounts import services
    from portevoix.accounts.models import User
    from portevoix.accounts.roles import Role

    owner = User.objects.create_user(f"owner@{slug}.test", None, full_name="Owner")
    org = services.organization_create(name="Bench feed", owner=owner, slug=slug)
    manager = User.objects.create_user(f"manager@{slug}.test", None, full_name="Manager")
    services.membership_add(organization=org, user=manager, roles=[Role.CONTENT_MANAGER])
    staff = []  # the team members whose sessions load the workspace's pages
    for k in range(SESSIONS if SCENARIO.staff_roles else 0):
        user = User.objects.create_user(f"team{k}@{slug}.test", None, full_name=f"Team {k}")
        services.membership_add(organization=org, user=user, roles=list(SCENARIO.staff_roles))
        staff.append(user.pk)
    now = timezone.now().strftime("%Y-%m-%d %H:%M:%S")
    started = time.monotonic()
    tables = generate(scale, org_id=org.pk, author_id=manager.pk, base=base, now=now)
    if fast:
        log(f"generated in {time.monotonic() - started:.1f}s")
    insert(tables, fast=fast)
    by_name = {tb.model._meta.db_table: tb for tb in tables}
    topics = by_name["content_topic"].rows
    campaigns = by_name["content_campaign"].rows
    # 16 ambassadors from the most active to the least (ambassadors are listed most active
    # first), so the sessions see feeds with many and with few of their own shares.
    profiles = [row[by_name["accounts_ambassadorprofile"].index["membership_id"]] for row in
                by_name["accounts_ambassadorprofile"].rows]  # fmt: skip
    ranks = sorted({min(len(profiles) - 1, round((len(profiles) - 1) * (k / 15) ** 3))
                    for k in range(SESSIONS)})  # fmt: skip
    k = 0
    while len(ranks) < min(SESSIONS, len(profiles)):  # small scales: fill the gaps
        if k not in ranks:
            ranks.append(k)
        k += 1
    return Built(
        org_id=org.pk,
        topic_id=topics[0][0],
        campaign_id=campaigns[0][0],
        ambassador_user_ids=[profiles[r] for r in sorted(ranks)],  # user id == membership id
        counts={name: len(tb.rows) for name, tb in by_name.items()},
        staff_user_ids=staff,
    )


def analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("ANALYZE")
        else:
            connection.connection.autocommit = True  # VACUUM runs outside a transaction
            cursor.execute("VACUUM ANALYZE")


# --------------------------------------------------------------------------- sessions, queries


def make_sessions(org_id: int, user_ids: list[int]) -> list[str]:
    """A database session per ambassador, as `login()` leaves it (user, backend, the
    password hash's HMAC, the current organization)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils.module_loading import import_string

    from portevoix.accounts.middleware import SESSION_KEY as ORG_KEY
    from portevoix.accounts.models import User

    # The backend a password login records: the first that can load a user (the login
    # throttle's backend before it only counts attempts).
    backend = next(
        path
        for path in settings.AUTHENTICATION_BACKENDS
        if hasattr(import_string(path), "get_user")
    )
    keys = []
    for user in User.objects.filter(pk__in=user_ids).order_by("pk"):
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = backend
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store[ORG_KEY] = org_id
        store.create()
        assert store.session_key is not None
        keys.append(store.session_key)
    return keys


def count_queries(
    urls: dict[str, str], session_key: str, *, timings: int = 0
) -> dict[str, dict[str, Any]]:
    """Per URL: the SQL queries of one request (after a first one that fills the caches),
    the slowest statements, and (`timings` > 0) the service time of that many sequential
    requests through the test client."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = session_key
    out: dict[str, dict[str, Any]] = {}
    for name, url in urls.items():
        first = client.get(url)
        assert first.status_code == 200, (url, first.status_code, first.get("Location"))
        timed: list[tuple[float, str]] = []
        timer = _timer(timed)
        with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(timer):
            response = client.get(url)
        assert response.status_code == 200
        body = response.content
        result: dict[str, Any] = {
            "queries": len(captured.captured_queries),
            "cards": body.count(b'class="card feed-item') + body.count(b"data-feed-card"),
            "html_bytes": len(body),
            "sql_ms": sum(ms for ms, _sql in timed),
            "slowest": [(ms, sql[:800]) for ms, sql in sorted(timed, reverse=True)[:3]],
        }
        if timings:
            times = []
            for _ in range(timings):
                t = time.perf_counter()
                client.get(url)
                times.append((time.perf_counter() - t) * 1000)
            times.sort()
            result["service_ms"] = statistics.median(times)
            result["service_p95_ms"] = times[int(len(times) * 0.95) - 1]
        out[name] = result
    return out


def _timer(timed: list[tuple[float, str]]) -> Any:
    """A database execute wrapper that appends (milliseconds, SQL) to `timed`."""

    def timer(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        t = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            timed.append(((time.perf_counter() - t) * 1000, sql))

    return timer


def profile_page(url: str, session_key: str, runs: int = 20) -> str:
    """cProfile of `runs` requests of `url` through the test client: the top functions."""
    import cProfile
    import io
    import pstats

    from django.conf import settings
    from django.test import Client

    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = session_key
    client.get(url)
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(runs):
        client.get(url)
    prof.disable()
    buf = io.StringIO()
    stats = pstats.Stats(prof, stream=buf)
    stats.sort_stats("cumulative").print_stats(40)
    stats.sort_stats("tottime").print_stats(25)
    return buf.getvalue()


# --------------------------------------------------------------------------- children


def data_key(scale: float) -> str:
    """Changes with the generator, the scale and any migration of any app."""
    h = hashlib.sha256(f"{GENERATOR_VERSION}:{scale}:{SCENARIO}".encode())
    for part in (sizes, Table, generate, build):
        h.update(inspect.getsource(part).encode())
    for path in sorted((ROOT / "portevoix").glob("*/migrations/0*.py")):
        h.update(path.name.encode() + path.read_bytes())
    return h.hexdigest()[:12]


def sqlite_path(scale: float) -> Path:
    return VAR / f"{SCENARIO.name}-s{scale:g}-{data_key(scale)}.sqlite3"


def db_env(db: str, size: str, scale: float) -> dict[str, str]:
    env = dict(os.environ)
    env.update(BENCH_ENV)
    env.update(
        PYTHONPATH=str(ROOT),
        PORTEVOIX_VAR_DIR=str(VAR / f"run-{db}"),
        STATIC_ROOT=str(VAR / "static"),
    )
    if db == "sqlite":
        env.pop("DATABASE_URL", None)
        env["SQLITE_PATH"] = str(sqlite_path(scale))
    else:
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{pg_db(size)}"
    return env


def child(args: argparse.Namespace) -> int:
    """In a child process with db_env(): build or reuse the database, make the sessions,
    count the queries; the result as JSON in --result."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_meta (k VARCHAR(40) PRIMARY KEY, v TEXT)")
        cursor.execute("SELECT k, v FROM bench_meta")
        meta = dict(cursor.fetchall())
    key = data_key(args.scale)
    if meta.get("data") != key:
        log(f"{args.child}: building (scale {args.scale}, data {key})")
        started = time.monotonic()
        call_command("migrate", verbosity=0, interactive=False)
        built = build(args.scale, fast=True)
        analyze()
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM bench_meta")
            cursor.execute(
                "INSERT INTO bench_meta (k, v) VALUES (%s, %s), (%s, %s)",
                ["data", key, "built", json.dumps(built.as_dict())],
            )
        log(f"{args.child}: built in {time.monotonic() - started:.0f}s")
        meta = {"data": key, "built": json.dumps(built.as_dict())}
    else:
        log(f"{args.child}: reusing the database (data {key})")
    built = Built(**json.loads(meta["built"]))
    urls = {
        name: path.format(topic=built.topic_id, campaign=built.campaign_id)
        for name, path in (u.split("=", 1) for u in args.url)
    }
    sessions = make_sessions(built.org_id, built.staff_user_ids or built.ambassador_user_ids)
    result: dict[str, Any] = {
        "built": built.as_dict(),
        "urls": urls,
        "sessions": sessions,
        "version": db_version(),
        # the most active ambassador: the most work for a feed that shows one's own shares
        "queries": count_queries(urls, sessions[0], timings=args.timings),
    }
    if args.profile:
        result["profile"] = {name: profile_page(url, sessions[0]) for name, url in urls.items()}
    from django.conf import settings

    result["cookie"] = settings.SESSION_COOKIE_NAME
    Path(args.result).write_text(json.dumps(result))
    return 0


def db_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT sqlite_version()")
            return f"SQLite {cursor.fetchone()[0]}"
        cursor.execute("SHOW server_version")
        return f"PostgreSQL {cursor.fetchone()[0]}"


# --------------------------------------------------------------------------- processes


class Proc:
    """A process we started, in its own process group; stopped by its own pid."""

    def __init__(self, argv: list[str], *, env: dict[str, str], log_path: Path) -> None:
        self.log_path = log_path
        self._fh = log_path.open("wb")
        self.p = subprocess.Popen(
            argv, cwd=ROOT, env=env, stdout=self._fh, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip

    def stop(self) -> None:
        if self.p.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.p.pid, signal.SIGTERM)
            try:
                self.p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.p.pid, signal.SIGKILL)
                self.p.wait(timeout=10)
        self._fh.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        port: int = s.getsockname()[1]
        return port


def get(port: int, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        conn.request("GET", path, headers=headers)
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


def wait_healthy(port: int, proc: Proc, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.p.poll() is not None:
            break
        with contextlib.suppress(OSError, http.client.HTTPException):
            if get(port, "/healthz", {})[0] == 200:
                return
        time.sleep(0.3)
    raise RuntimeError(f"the server did not answer /healthz: {proc.log_path.read_text()[-3000:]}")


def tree_cpu_seconds(root: int) -> float:
    """CPU time (user + system) used so far by process `root` and its live descendants (the
    server: serve, granian and its workers, huey, the ingester; serve puts each child in a
    process group of its own, so the tree is followed by parent pid)."""
    parent: dict[int, int] = {}
    ticks: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()  # state, ppid, pgrp, ...
            pid = int(stat.parent.name)
            parent[pid] = int(fields[1])
            ticks[pid] = int(fields[11]) + int(fields[12])  # utime, stime
    total = 0
    for pid, t in ticks.items():
        p = pid
        while p > 1 and p != root:
            p = parent.get(p, 0)
        if p == root:
            total += t
    return total / os.sysconf("SC_CLK_TCK")


def cpu_busy(seconds: float = 1.0) -> float:
    def snap() -> tuple[int, int]:
        f = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        return sum(f[:8]), f[3] + f[4]

    t0, i0 = snap()
    time.sleep(seconds)
    t1, i1 = snap()
    return 1 - (i1 - i0) / max(1, t1 - t0)


LUA = """\
local cookies = {%(cookies)s}
local path = "%(path)s"
local n = 0
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) ok = 0; bad = 0 end
function request()
  n = n + 1
  return wrk.format("GET", path, {["Cookie"] = "%(cookie)s=" .. cookies[(n %% #cookies) + 1],
                                  ["Accept-Encoding"] = "gzip, br"})
end
function response(status, headers, body)
  if status == 200 then ok = ok + 1 else bad = bad + 1 end
end
function done(summary, latency, requests)
  local o, b = 0, 0
  for _, t in ipairs(threads) do o = o + t:get("ok"); b = b + t:get("bad") end
  io.write(string.format(
    "RESULT ok=%%d bad=%%d errors=%%d p50=%%d p90=%%d p95=%%d p99=%%d max=%%d\\n",
    o, b, summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout, latency:percentile(50), latency:percentile(90),
    latency:percentile(95), latency:percentile(99), latency.max))
end
"""


def run_wrk(
    port: int, path: str, cookie: str, sessions: list[str], duration: int, work: Path
) -> dict[str, Any]:
    script = work / "feed.lua"
    script.write_text(
        LUA % {"cookies": ", ".join(f'"{s}"' for s in sessions), "path": path, "cookie": cookie}
    )
    argv = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{duration}s", "--timeout", "10s"]
    argv += ["-s", str(script), f"http://{HOST}:{port}{path}"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(argv, capture_output=True, text=True, timeout=duration + 60).stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    found = re.search(r"RESULT (.*)", out)
    if not found:
        raise RuntimeError(f"wrk said: {out[-2000:]}")
    r: dict[str, Any] = {k: int(v) for k, v in (kv.split("=") for kv in found.group(1).split())}
    for k in ("p50", "p90", "p95", "p99", "max"):
        r[k] = r[k] / 1000  # µs -> ms
    r["rps"] = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    r["requests"] = r["ok"] + r["bad"]
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    r["client_cpu"] = cpu / duration  # share of one core the client used
    return r


def run_paced(
    port: int, path: str, cookie: str, sessions: list[str], rate: float, duration: int
) -> dict[str, Any]:
    """Open loop: the sessions send `rate` requests per second in all, evenly spaced, each
    on its own keep-alive connection, whatever the answers' delays. Latency is counted from
    the time a request was due (a late send counts as waiting), so queueing is not hidden."""
    import threading

    interval = len(sessions) / rate  # seconds between two requests of one session
    start = time.monotonic() + 0.5
    latencies: list[float] = []
    bad = [0]
    lock = threading.Lock()

    def session(k: int, key: str) -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        due = start + k * interval / len(sessions)
        headers = {"Cookie": f"{cookie}={key}", "Accept-Encoding": "gzip, br"}
        while due < start + duration:
            time.sleep(max(0.0, due - time.monotonic()))
            try:
                conn.request("GET", path, headers=headers)
                r = conn.getresponse()
                r.read()
                ok = r.status == 200
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=30)
                ok = False
            with lock:
                latencies.append((time.monotonic() - due) * 1000)
                bad[0] += not ok
            due += interval
        conn.close()

    threads = [threading.Thread(target=session, args=(k, key)) for k, key in enumerate(sessions)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=duration + 60)
    lat = sorted(latencies)

    def pct(p: float) -> float:
        return lat[min(len(lat) - 1, int(len(lat) * p / 100))] if lat else float("nan")

    return {
        "rate": rate,
        "requests": len(lat),
        "bad": bad[0],
        "p50": pct(50),
        "p95": pct(95),
        "p99": pct(99),
        "max": lat[-1] if lat else float("nan"),
    }


def page_weight(port: int, path: str, cookie: str, session: str) -> dict[str, Any]:
    """The HTML of `path` and the CSS and JavaScript it links, as the server sends them."""
    headers = {"Cookie": f"{cookie}={session}", "Accept-Encoding": "gzip, br"}
    status, hd, body = get(port, path, headers)
    assert status == 200, status
    html = gzip.decompress(body) if hd.get("content-encoding") == "gzip" else body
    rows = [_weight_row(path, hd, body)]
    text = html.decode("utf-8", "replace")
    assets = re.findall(r'<link[^>]+rel="stylesheet"[^>]*href="([^"]+)"', text)
    assets += re.findall(r'<link[^>]+href="([^"]+)"[^>]*rel="stylesheet"', text)
    assets += re.findall(r'<script[^>]+src="([^"]+)"', text)
    for url in dict.fromkeys(assets):
        if url.startswith(("http:", "https:", "//")):
            rows.append({"url": url, "encoding": "external (not counted)", "sent": 0, "gz": 0})
            continue
        st, ahd, abody = get(port, url, {"Accept-Encoding": "gzip, br"})
        assert st == 200, (url, st)
        rows.append(_weight_row(url, ahd, abody))
    return {"rows": rows, "total": sum(r["gz"] for r in rows)}


def _weight_row(url: str, headers: dict[str, str], body: bytes) -> dict[str, Any]:
    encoding = headers.get("content-encoding", "")
    # What travels compressed: as sent when the server compressed it, else gzip -6 of it.
    gz = len(body) if encoding else len(gzip.compress(body, 6))
    return {"url": url, "encoding": encoding or "none", "sent": len(body), "gz": gz}


# --------------------------------------------------------------------------- parent


def psql(sql: str, db: str = "postgres") -> str:
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + db
    return subprocess.run(
        ["psql", url, "-v", "ON_ERROR_STOP=1", "-qtAc", sql],
        check=True, timeout=600, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip


def result_path(db: str, size: str) -> Path:
    """The child's answer (sessions, URLs, queries), per scenario: `bench/feed_cpu.py` reads
    it after the run."""
    return VAR / f"result-{SCENARIO.name}-{db}-{size}.json"


def run_child(db: str, size: str, scale: float, args: argparse.Namespace) -> dict[str, Any]:
    env = db_env(db, size, scale)
    Path(env["PORTEVOIX_VAR_DIR"]).mkdir(parents=True, exist_ok=True)
    if db == "sqlite":
        path = sqlite_path(scale)
        if args.rebuild or not path.with_suffix(".ready").exists():
            for old in VAR.glob(f"{SCENARIO.name}-s{scale:g}-*"):  # half-built or older data
                old.unlink()
    result = result_path(db, size)
    result.unlink(missing_ok=True)
    argv = [sys.executable, __file__, "--child", f"{db}-{size}", "--scale", str(scale)]
    argv += ["--scenario", SCENARIO.name]
    argv += ["--result", str(result), "--timings", str(args.timings if size == "big" else 0)]
    for u in args.url:
        argv += ["--url", u]
    if args.profile and size == "big":
        argv.append("--profile")
    subprocess.run(argv, env=env, cwd=ROOT, check=True, timeout=3 * 3600)
    if db == "sqlite":
        sqlite_path(scale).with_suffix(".ready").write_text("ok")
    out: dict[str, Any] = json.loads(result.read_text())
    return out


def prepare_pg(args: argparse.Namespace) -> None:
    for size in ("big", "small"):
        name = pg_db(size)
        exists = psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'") == "1"
        if exists and (args.rebuild or not args.keep_pg):
            psql(f'DROP DATABASE "{name}"')
            exists = False
        if not exists:
            psql(f'CREATE DATABASE "{name}"')


def measure_db(db: str, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    log(f"== {db}: small scale {args.small_scale}")
    small = run_child(db, "small", args.small_scale, args)
    log(f"== {db}: scale {args.scale}")
    big = run_child(db, "big", args.scale, args)
    res: dict[str, Any] = {"db": db, "small": small, "big": big, "load": {}}
    for name, q in big["queries"].items():
        n_small = small["queries"][name]["queries"]
        log(f"  {name}: {q['queries']} queries (small scale: {n_small}), service time "
            f"{q.get('service_ms', 0):.1f} ms, SQL {q['sql_ms']:.1f} ms")  # fmt: skip
    if args.no_load:
        return res
    port = free_port()
    env = db_env(db, "big", args.scale)
    server = Proc(
        [sys.executable, "manage.py", "serve", "--host", HOST, "--port", str(port)],
        env=env, log_path=work / f"serve-{db}.log",
    )  # fmt: skip
    try:
        wait_healthy(port, server)
        cookie, sessions = big["cookie"], big["sessions"]
        status, _hd, body = get(port, big["urls"]["first"], {"Cookie": f"{cookie}={sessions[0]}"})
        assert status == 200 and SCENARIO.marker in body, (status, body[:500])
        css = re.search(rb'href="(/static/[^"]+\.css)"', body)
        targets = {"/healthz (reference)": "/healthz"}
        if css:
            targets["static CSS (reference)"] = css.group(1).decode()
        targets.update(big["urls"])
        res["weight"] = page_weight(port, big["urls"]["first"], cookie, sessions[0])
        for name, path in targets.items():
            time.sleep(1)  # the previous run's last requests drain
            busy = cpu_busy()  # the machine without our load
            run_wrk(port, path, cookie, sessions, args.warmup, work)  # warm-up
            cpu = tree_cpu_seconds(server.p.pid)
            r = run_wrk(port, path, cookie, sessions, args.duration, work)
            if server.p.poll() is not None:  # e.g. someone else's kill by name
                raise RuntimeError(
                    f"the server exited ({server.p.returncode}) during the run of {name}: "
                    f"{server.log_path.read_text()[-1500:]}"
                )
            r["server_cpu_ms"] = (
                (tree_cpu_seconds(server.p.pid) - cpu) * 1000 / max(1, r["requests"])
            )
            r["busy_before"], r["path"] = busy, path
            r["load1"] = os.getloadavg()[0]
            res["load"][name] = r
            log(f"  {name:24} {r['rps']:8.1f} req/s  p50 {r['p50']:6.1f}  p95 {r['p95']:6.1f}  "
                f"p99 {r['p99']:6.1f} ms  non-200 {r['bad']}  errors {r['errors']}")  # fmt: skip
        res["paced"] = {}
        for name, path in big["urls"].items():
            if args.paced_rate <= 0:
                break
            p = run_paced(port, path, cookie, sessions, args.paced_rate, args.duration)
            p["busy_after"], p["path"] = cpu_busy(), path
            res["paced"][name] = p
            log(f"  paced {name:18} {p['rate']:6.1f} req/s  p50 {p['p50']:6.1f}  "
                f"p95 {p['p95']:6.1f}  p99 {p['p99']:6.1f} ms  non-200 {p['bad']}")  # fmt: skip
    finally:
        server.stop()
    return res


def machine() -> str:
    cpu = "unknown CPU"
    with contextlib.suppress(OSError):
        found = re.search(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.M)
        cpu = found.group(1).strip() if found else cpu
    ram = "?"
    with contextlib.suppress(OSError):
        found = re.search(r"^MemTotal:\s+(\d+) kB", Path("/proc/meminfo").read_text(), re.M)
        ram = f"{int(found.group(1)) / 1024 / 1024:.0f} GiB" if found else ram
    return f"{os.cpu_count()} cores ({cpu}), {ram} RAM, {platform.system()} {platform.release()}"


def versions() -> str:
    from importlib import metadata

    out = [f"Python {platform.python_version()}"]
    for pkg in ("Django", "granian", "whitenoise", "psycopg"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            out.append(f"{pkg} {metadata.version(pkg)}")
    with contextlib.suppress(Exception):
        wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True, timeout=5)
        out.append(" ".join((wrk.stdout + wrk.stderr).split()[:2]))
    return ", ".join(out)


def script_name() -> str:
    """The script as it was started (bench/workspace_bench.py runs this one's main())."""
    path = Path(sys.argv[0]).resolve()
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else sys.argv[0]


def write_results(out: Path, args: argparse.Namespace, results: list[dict[str, Any]]) -> str:
    # busy_before is measured with our server idle (the load average would count our own load)
    busy = any(r["busy_before"] > 0.15 for res in results for r in res["load"].values())
    lines = [
        f"<!-- {SCENARIO.name}-bench:start (written by bench/feed_bench.py; keep the markers) -->",
        SCENARIO.title,
        "",
        f"Recorded {time.strftime('%Y-%m-%d %H:%M %Z')}. Command: "
        f"`python {script_name()} {' '.join(sys.argv[1:])}`.",
        f"Machine: {machine()}; {versions()}; "
        + ", ".join(res["big"]["version"] for res in results)
        + ".",
    ]
    if busy or args.busy:
        lines.append(
            "**Measured on a busy machine** (other work shared the cores: see 'CPU busy "
            "before'): the absolute figures are pessimistic; the ratios to the reference, "
            "measured minutes apart in the same run, less so."
        )
    c = results[0]["big"]["built"]["counts"]
    lines += [
        "",
        f"Data (scale {args.scale}): one organization, {c['accounts_membership']:,} members of "
        f"whom {c['accounts_ambassadorprofile']:,} opted-in ambassadors "
        f"({c['accounts_ambassadorprofile_interests']:,} interests, "
        f"{c['accounts_networkpresence']:,} networks), {c['content_topic']} topics, "
        f"{c['content_campaign']} campaigns, {c['content_contentitem']:,} items of which "
        f"{sizes(args.scale)['items']:,} live ({c['content_contentitem_topics']:,} item topics, "
        f"{c['content_networkcopy']:,} network copies), {c['sharing_share']:,} shares with "
        f"{c['sharing_trackedlink']:,} tracked links. Small scale for the query count: "
        f"{args.small_scale}.",
        "",
        f"Load: `manage.py serve` with its defaults (as `make run`: 2 granian workers x 8 "
        f"threads, huey consumer and click ingester running, DEBUG off, no access log) on the "
        f"database; `wrk -t1 -c{CONNECTIONS} -d{args.duration}s` after a {args.warmup} s "
        f"warm-up, its Lua script rotating the session cookies of {SESSIONS} {SCENARIO.who} "
        + ("(from the most to the least active) " if not SCENARIO.staff_roles else "")
        + "and counting every answer that is not a 200. "
        "Nothing pinned (the server needs both cores; wrk used the share of one core shown "
        "as 'client CPU'). 'CPU busy before': both cores' busy share in the second before the "
        "warm-up, our server idle (other work on the machine). Closed loop: 16 requests "
        "always in flight, so latency = 16 / "
        "throughput (queueing included); 'server CPU ms per request' is the CPU time the "
        "server's processes used during the run divided by the requests (unlike latency, "
        "it hardly depends on what else runs on the machine); the 'service time' column is "
        "one request at a time through Django's test client in the same database (no HTTP "
        "server, no concurrency). "
        f"Target: p95 under {TARGET_P95_MS:.0f} ms.",
        "",
        "| database | URL | req/s | p50 ms | p95 ms | p99 ms | max ms | requests | non-200 "
        "| errors | ratio req/s to /healthz | service time ms (median, p95) | queries | "
        "server CPU ms per request | CPU busy before | client CPU | "
        f"p95 < {TARGET_P95_MS:.0f} ms |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|:-:|",
    ]
    for res in results:
        ref = res["load"].get("/healthz (reference)", {}).get("rps")
        for name, r in res["load"].items():
            q = res["big"]["queries"].get(name, {})
            ratio = f"{r['rps'] / ref:.3f}" if ref else "-"
            service = (
                f"{q['service_ms']:.1f}, {q['service_p95_ms']:.1f}" if "service_ms" in q else "-"
            )
            ok = "-" if "reference" in name else "yes" if r["p95"] < TARGET_P95_MS else "NO"
            lines.append(
                f"| {res['db']} | {name} `{r['path']}` | {r['rps']:.1f} | {r['p50']:.1f} | "
                f"{r['p95']:.1f} | {r['p99']:.1f} | {r['max']:.0f} | {r['requests']:,} | "
                f"{r['bad']} | {r['errors']} | {ratio} | {service} | "
                f"{q.get('queries', '-')} | {r.get('server_cpu_ms', float('nan')):.2f} | "
                f"{r['busy_before'] * 100:.0f}% | "
                f"{r['client_cpu'] * 100:.0f}% | {ok} |"
            )
    if any(res.get("paced") for res in results):
        lines += [
            "",
            f"Open loop (what 16 people browsing see): the {SESSIONS} sessions send "
            f"{args.paced_rate:g} requests per second in all (each session a page every "
            f"{SESSIONS / args.paced_rate:g} s), evenly spaced, on keep-alive connections "
            "(a Python client in threads: its load is tiny at this rate); latency counted "
            "from the moment each request was due.",
            "",
            "| database | URL | req/s offered | requests | non-200 | p50 ms | p95 ms | p99 ms "
            f"| max ms | CPU busy after | p95 < {TARGET_P95_MS:.0f} ms |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|:-:|",
        ]
        for res in results:
            for name, p in res.get("paced", {}).items():
                ok = "yes" if p["p95"] < TARGET_P95_MS else "NO"
                lines.append(
                    f"| {res['db']} | {name} `{p['path']}` | {p['rate']:g} | {p['requests']} | "
                    f"{p['bad']} | {p['p50']:.1f} | {p['p95']:.1f} | {p['p99']:.1f} | "
                    f"{p['max']:.0f} | {p['busy_after'] * 100:.0f}% | {ok} |"
                )
    lines += [
        "",
        "### Queries per page (Django test client, CaptureQueriesContext)",
        "",
        "| database | URL | small scale | full scale | equal | cards | SQL ms (full) "
        "| slowest statement ms (full) |",
        "|---|---|---:|---:|:-:|---:|---:|---:|",
    ]
    for res in results:
        for name, q in res["big"]["queries"].items():
            s = res["small"]["queries"][name]
            same = "yes" if s["queries"] == q["queries"] else "NO"
            lines.append(
                f"| {res['db']} | {name} | {s['queries']} | {q['queries']} | {same} | "
                f"{q['cards']} | {q['sql_ms']:.1f} | {q['slowest'][0][0]:.1f} |"
            )
    for res in results:
        w = res.get("weight")
        if not w:
            continue
        lines += [
            "",
            f"### Page weight of the first page ({res['db']}; `Accept-Encoding: gzip, br`)",
            "",
            "| resource | encoding sent | bytes sent | compressed bytes |",
            "|---|---|---:|---:|",
        ]
        lines += [
            f"| `{r['url']}` | {r['encoding']} | {r['sent']:,} | {r['gz']:,} |" for r in w["rows"]
        ]
        ok = "yes" if w["total"] < TARGET_WEIGHT else "NO"
        lines += [
            f"| **total** | | | **{w['total']:,}** ({w['total'] / 1024:.1f} KiB; under 100 KB: "
            f"{ok}) |",
            "",
            "Compressed bytes: as sent when the server compressed the answer (whitenoise's "
            ".gz); else gzip -6 of what it sent (Django sends HTML uncompressed).",
        ]
        break  # the same page on every database
    lines += ["", f"<!-- {SCENARIO.name}-bench:end -->"]
    section = "\n".join(lines)
    text = out.read_text() if out.exists() else "# Benchmark results\n"
    name = re.escape(SCENARIO.name)
    pattern = re.compile(rf"<!-- {name}-bench:start.*?<!-- {name}-bench:end -->", re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _m: section, text)
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    out.write_text(text)
    return section


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--scale", type=float, default=float(os.environ.get("BENCH_SCALE", "1.0")))
    ap.add_argument("--small-scale", type=float, default=0.02)
    ap.add_argument("--dbs", default=os.environ.get("BENCH_DBS", "sqlite,postgres"))
    ap.add_argument("--duration", type=int, default=15, help="seconds of load per URL")
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument(
        "--paced-rate", type=float, default=8.0,
        help="open-loop run: requests per second from the 16 sessions in all (0: none)",
    )  # fmt: skip
    ap.add_argument("--timings", type=int, default=30, help="sequential requests per URL")
    ap.add_argument(
        "--url", action="append", help="NAME=PATH ({topic}, {campaign}: ids); the first is "
        "the page weighed. Default: " + " ".join(DEFAULT_URLS),
    )  # fmt: skip
    ap.add_argument("--keep-pg", action="store_true", help="keep (and reuse) the PG databases")
    ap.add_argument("--rebuild", action="store_true", help="rebuild even a cached database")
    ap.add_argument("--no-load", action="store_true", help="query counts only, no server")
    ap.add_argument("--profile", action="store_true", help="cProfile each URL (in the log)")
    ap.add_argument("--busy", action="store_true", help="mark the results as measured busy")
    ap.add_argument("--out", default=str(ROOT / "bench" / "RESULTS.md"))
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--result", help=argparse.SUPPRESS)
    ap.add_argument("--scenario", default="feed", choices=sorted(SCENARIOS), help="what to measure")
    args = ap.parse_args()
    use_scenario(args.scenario)
    args.url = args.url or DEFAULT_URLS
    if args.child:
        return child(args)
    if not any(u.split("=", 1)[0] == "first" for u in args.url):
        ap.error("one --url must be named `first` (the page weighed)")
    if not shutil.which("wrk") and not args.no_load:
        ap.error("wrk is needed (Debian: apt-get install wrk), or --no-load")
    VAR.mkdir(parents=True, exist_ok=True)
    dbs = [d.strip() for d in args.dbs.split(",") if d.strip()]
    env = db_env("sqlite", "big", args.scale)
    log("collectstatic")
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        env=env, cwd=ROOT, check=True, timeout=600,
    )  # fmt: skip
    work = VAR / "work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    results = []
    failures = []
    try:
        for db in dbs:
            if db not in {"sqlite", "postgres"}:
                ap.error(f"unknown database {db!r}")
            try:  # one database failing must not lose the other's results
                if db == "postgres":
                    prepare_pg(args)
                results.append(measure_db(db, args, work))
            except (RuntimeError, AssertionError, subprocess.SubprocessError, OSError) as exc:
                log(f"{db}: FAILED: {exc!r}")
                failures.append(db)
    finally:
        if "postgres" in dbs and not args.keep_pg:
            for size in ("big", "small"):
                with contextlib.suppress(subprocess.SubprocessError):
                    psql(f'DROP DATABASE IF EXISTS "{pg_db(size)}"')
    if args.profile:
        for res in results:
            for name, text in res["big"].get("profile", {}).items():
                print(f"==== profile {res['db']} {name}\n{text}", file=sys.stderr)
    for res in results:
        for name, q in res["big"]["queries"].items():
            log(f"slowest SQL {res['db']} {name}: " + " | ".join(
                f"{ms:.1f} ms {sql[:300]}" for ms, sql in q["slowest"]))  # fmt: skip
    if not results:
        print(f"every database failed: {failures}")
        return 1
    section = write_results(Path(args.out), args, results)
    print(section)
    if failures:
        print(f"FAILED (not recorded): {failures}")
        return 1
    unequal = [
        (res["db"], name)
        for res in results
        for name, q in res["big"]["queries"].items()
        if q["queries"] != res["small"]["queries"][name]["queries"]
    ]
    if unequal:
        print(f"NOT CONSTANT: the queries per page differ between scales: {unequal}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
