"""Demo listening: monitors for the brand (Lumen Énergie), two competitors and a trend;
sources, all paused so the demo never reaches the internet (turn one on under Listening →
Sources): a Hacker News search, a hashtag on the local Mastodon peer
(`scripts/peers/mastodon.sh run`, 127.0.0.1:3001) and a curated trade-press feed on
127.0.0.1:8791 (the local addresses are skipped when 127.0.0.1 is not an allowed private host,
SOCIAL_ALLOWED_PRIVATE_HOSTS, which `make run` allows; the curated entries then wait
nowhere); and a replay
of public posts (`replay/listening.json`: invented texts in the shape of recorded ones, no
real person) ingested through listening's own services as a source would deliver them, so
matching, exactly-once storage (and whatever runs at ingest) are the real ones. The replay
spans the last 30 days and ends with a burst of complaints about an outage in the last hour.
The curated feed's recorded entries wait in Curation."""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from portevoix.accounts.models import Membership, Organization
from portevoix.core import clock
from portevoix.core.errors import DomainError
from portevoix.core.tenancy import scoped
from portevoix.listening import alerts, benchmarks, curation, services, services_benchmarks, sources

if TYPE_CHECKING:
    from portevoix.listening.models import Feed

logger = logging.getLogger("portevoix.demo")

COMMUNITY = "community@demo.portevoix.org"
REPLAY = Path(__file__).resolve().parent / "replay" / "listening.json"

MONITORS = (
    services.MonitorData(
        name="Lumen Énergie",
        terms=["Lumen Énergie", "Lumen Energie", "#LumenEnergie", "lumen-energie.fr"],
        category="brand",
    ),
    services.MonitorData(
        name="Solaris Power", terms=["Solaris Power", "#SolarisPower"], category="competitor"
    ),
    services.MonitorData(
        name="VoltaVerde", terms=["VoltaVerde", "Volta Verde"], category="competitor"
    ),
    services.MonitorData(
        name="Autoconsommation et stockage",
        terms=[
            "autoconsommation collective",
            "community solar",
            "battery storage",
            "pompes à chaleur",
        ],
        category="trend",
    ),
)


def _replay() -> dict[str, Any]:
    with REPLAY.open(encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


def _feed(actor: Membership, data: services.FeedData) -> Feed | None:
    try:
        return services.feed_create(actor=actor, data=data)
    except DomainError as exc:
        logger.info("demo listening source skipped: %s", exc.field_errors or exc.message)
        return None


def _feeds(actor: Membership) -> Feed | None:
    _feed(
        actor,
        services.FeedData(
            kind="hackernews", title="Hacker News · Lumen", interval_minutes=60, active=False
        ),
    )
    _feed(
        actor,
        services.FeedData(
            kind="mastodon_tag",
            url="http://127.0.0.1:3001",
            query="energie",
            title="#energie · Mastodon (démo)",
            interval_minutes=30,
            active=False,
        ),
    )
    return _feed(
        actor,
        services.FeedData(
            url="http://127.0.0.1:8791/veille.xml",
            title="La Lettre de l\u2019énergie (démo)",
            interval_minutes=60,
            active=False,
            curate=True,
        ),
    )


def load(org: Organization) -> None:
    actor = scoped(Membership, org).filter(user__email=COMMUNITY).first()
    if actor is None:
        return
    for data in MONITORS:
        services.monitor_create(actor=actor, data=data)
    curated = _feeds(actor)
    replay = _replay()
    now = clock.now()
    # The burst of the replay (posts of less than an hour) lands in the last complete hour,
    # the one the hourly spike check judges.
    last_hour_end = alerts.hour_start(now)
    by_network: dict[str, list[sources.Entry]] = {}
    for n, post in enumerate(replay["posts"]):
        hours_ago = post["hours_ago"]
        end = last_hour_end if hours_ago < 1 else now
        by_network.setdefault(post["network"], []).append(
            sources.Entry(
                key=sources.entry_key(post["network"], f"demo:{n}"),
                url=post["url"],
                text=post["text"],
                author=post["author"],
                published_at=end - dt.timedelta(hours=hours_ago),
                language=post["language"],
            )
        )
    stored = sum(
        services.ingest(organization_id=org.pk, network=network, entries=entries)
        for network, entries in sorted(by_network.items())
    )
    entries = [
        sources.Entry(
            key=sources.entry_key("rss", entry["url"]),
            url=entry["url"],
            text=f"{entry['title']}\n{entry['summary']}",
            author="",
            published_at=now - dt.timedelta(hours=entry["hours_ago"]),
            language=entry["language"],
            title=entry["title"],
        )
        for entry in replay["curated"]
    ]
    proposed = 0
    if curated is not None:
        proposed = curation.propose(
            feed=curated, entries=entries, cutoff=now - dt.timedelta(days=90)
        )
    raised = alerts.check_organization(org.pk, last_hour_end - dt.timedelta(hours=1), now)
    _benchmarks(actor, now)
    logger.info("demo listening: %d mentions, %d proposals, %d alerts", stored, proposed, raised)


# Recorded figures of three public Bluesky accounts (invented, in the shape of real ones):
# (handle, name, ours, followers 30 days ago, followers today, posts a week, engagement a post)
BENCHMARKS = (
    ("lumen-energie.bsky.social", "Lumen Énergie", True, 4100, 4630, 9, 38.0),
    ("solarispower.bsky.social", "Solaris Power", False, 7900, 8120, 14, 21.5),
    ("voltaverde.bsky.social", "VoltaVerde", False, 2600, 3050, 6, 44.0),
)


def _benchmarks(actor: Membership, now: dt.datetime) -> None:
    """Three accounts side by side with 31 days of recorded history, paused (turn one on
    under Listening → Benchmarks to read it from the network every day)."""
    for handle, label, own, start, end, weekly, engagement in BENCHMARKS:
        account = services_benchmarks.benchmark_create(
            actor=actor,
            data=services_benchmarks.BenchmarkData(
                kind="bluesky", handle=handle, label=label, own=own, active=False
            ),
        )
        for days_ago in range(30, -1, -1):
            when = now - dt.timedelta(days=days_ago)
            followers = end - (end - start) * days_ago // 30
            posts = [
                benchmarks.Post(
                    url=f"https://bsky.app/profile/{handle}/post/3ldemo{days_ago:02d}{n}",
                    text=TOPICS[(days_ago + n) % len(TOPICS)],
                    engagement=round(engagement * (0.5 + ((days_ago * 7 + n * 3) % 10) / 10)),
                    published_at=when - dt.timedelta(hours=n * 11),
                )
                for n in range(weekly)
            ]
            services_benchmarks.snapshot_record(
                account,
                day=services_benchmarks.local_day(when),
                figures=benchmarks.Figures(
                    followers=followers, posts_total=900 + weekly * (60 - days_ago), posts=posts
                ),
                now=when,
            )


TOPICS = (
    "Notre nouveau parc #solaire est raccordé au réseau",
    "Une offre de #stockage pour les PME, raccordé en une journée",
    "We are hiring field technicians #jobs",
    "Retour sur le salon Energaia #stockage #solaire",
    "Autoconsommation collective : mode d\u2019emploi #solaire",
)
