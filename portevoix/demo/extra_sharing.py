"""Demo shares, clicks and conversions over the last 90 days, for `load_demo`.

The activity is generated (deterministically, from the organization's slug) and goes through
the sharing services wherever they can take a date: tracked links with
`link_get_or_create`, clicks with `clicks_ingest` (so the daily dedupe and the rollups are
exactly those of real clicks), conversions with `conversion_record`. Shares are written in
one `bulk_create` because `share_open` records "now"; their rollups are added here, one call
per cell, with the same fields `share_open` uses, so the dashboards equal a recount.

Curves: ambassadors share in the first days after an item is published (important items
more), more on weekdays than at weekends; clicks follow each share with a decay over a few
days, in proportion to the sharer's audience; a small share of clicks converts.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal

from django.db.models import Q

from portevoix.accounts.models import Membership, NetworkPresence, Organization
from portevoix.analytics import rollups
from portevoix.content.models import ContentItem, ContentType, State
from portevoix.core import clock
from portevoix.sharing import intents, selectors, services
from portevoix.sharing.models import Share, ShareState, TrackingSettings
from portevoix.sharing.records import ClickRecord
from portevoix.sharing.visitor import local_day

DAYS = 90
SHARE_CHANCE = 0.55  # that an ambassador shares a given item at all
IMPORTANT_BOOST = 1.6
PERSONALIZED_CHANCE = 0.25
CONFIRMED_CHANCE = 0.7
CLICK_RATE = (0.004, 0.025)  # clicks per follower, per share
MAX_CLICKS_PER_SHARE = 120
REPEAT_VISIT_CHANCE = 0.12
BOT_CHANCE = 0.05
CONVERSION_CHANCE = 0.03
UNATTRIBUTED_CONVERSIONS = 6
BATCH = 2000

REFERRERS = {
    "linkedin": "linkedin",
    "x": "x",
    "facebook": "facebook",
    "mastodon": "mastodon",
    "bluesky": "bluesky",
    "threads": "threads",
}
COUNTRIES = ("FR", "FR", "FR", "FR", "BE", "CH", "CA", "DE", "ES", "")


def _available(
    item: ContentItem, now: dt.datetime, rng: random.Random
) -> tuple[dt.datetime, dt.datetime]:
    """When the item could be shared: from its publication (or, without a date, a made-up
    one in the last weeks) to its expiry or now, within the last 90 days."""
    start = item.publish_at or now - dt.timedelta(days=rng.uniform(3, 40))
    end = min(item.expire_at or now, now)
    return max(start, now - dt.timedelta(days=DAYS)), end


def _share_time(start: dt.datetime, end: dt.datetime, rng: random.Random) -> dt.datetime | None:
    """Mostly in the first days after publication, rarely at weekends, in office hours."""
    span = (end - start).total_seconds() / 86400
    if span <= 0:
        return None
    for _attempt in range(4):
        offset = min(rng.expovariate(1 / 3.0), span)
        when = start + dt.timedelta(days=offset)
        day = local_day(when)
        if day.weekday() >= 5 and rng.random() < 0.75:
            continue  # most people do not share at weekends
        hour = rng.choice((8, 9, 9, 10, 12, 13, 17, 18, 20))
        local = dt.datetime.combine(day, dt.time(hour, rng.randrange(60)), tzinfo=when.tzinfo)
        candidate = local.astimezone(dt.UTC)
        if start <= candidate <= end:
            return candidate
        if start <= when <= end:
            return when
    return None


def _text(item: ContentItem, network: str, short_url: str, personalized: bool) -> str:
    copies = [c.text for c in item.copies.all() if c.network == network]
    base = copies[0] if copies else item.title
    if personalized:
        base = "Fière de partager ceci : " + base
    return intents.compose_text(base, item_link=item.link, short_url=short_url)


def load(org: Organization) -> None:
    rng = random.Random(f"portevoix-demo-sharing:{org.slug}")
    now = clock.now()
    TrackingSettings.objects.get_or_create(organization=org)

    ambassadors = list(
        Membership.objects.filter(organization=org, is_active=True, ambassador__opted_in=True)
        .select_related("ambassador")
        .order_by("pk")
    )
    presences: dict[int, list[NetworkPresence]] = defaultdict(list)
    for presence in (
        NetworkPresence.objects.filter(profile__membership__in=ambassadors)
        .select_related("profile")
        .order_by("pk")
    ):
        presences[presence.profile.membership_id].append(presence)
    items = list(
        ContentItem.objects.filter(
            organization=org, state__in=(State.APPROVED, State.LIVE, State.EXPIRED)
        )
        .filter(Q(publish_at__isnull=True) | Q(publish_at__lte=now))
        .prefetch_related("copies")
        .order_by("pk")
    )

    shares: list[Share] = []
    share_cells: dict[tuple[dt.date, int, int | None, int, str], list[int]] = defaultdict(
        lambda: [0, 0, 0]
    )
    clicks: list[ClickRecord] = []
    click_kinds: list[tuple[ClickRecord, ContentItem]] = []
    sequence = 0
    for item in items:
        start, end = _available(item, now, rng)
        chance = SHARE_CHANCE * (IMPORTANT_BOOST if item.important else 1.0)
        for membership in ambassadors:
            networks = [
                p for p in presences[membership.pk] if p.network != "mastodon" or p.instance
            ]
            if not networks or rng.random() > chance:
                continue
            for presence in rng.sample(networks, k=min(len(networks), rng.choice((1, 1, 2)))):
                when = _share_time(start, end, rng)
                if when is None:
                    continue
                link = services.link_get_or_create(
                    membership=membership, item=item, network=presence.network
                )
                short = selectors.short_url(link.code)
                personalized = rng.random() < PERSONALIZED_CHANCE
                confirmed = rng.random() < CONFIRMED_CHANCE
                shares.append(
                    Share(
                        organization=org,
                        membership=membership,
                        item=item,
                        network=presence.network,
                        link=link,
                        text=_text(item, presence.network, short, personalized),
                        personalized=personalized,
                        state=ShareState.CONFIRMED if confirmed else ShareState.OPENED,
                        audience=presence.audience,
                        created_at=when,
                        confirmed_at=when + dt.timedelta(minutes=rng.randrange(2, 40))
                        if confirmed
                        else None,
                    )
                )
                cell = (
                    local_day(when),
                    item.pk,
                    item.campaign_id,
                    membership.pk,
                    presence.network,
                )
                share_cells[cell][0] += 1
                share_cells[cell][1] += int(personalized)
                share_cells[cell][2] += presence.audience

                rate = rng.uniform(*CLICK_RATE) * (1.3 if item.important else 1.0)
                count = min(MAX_CLICKS_PER_SHARE, int(presence.audience * rate))
                for _n in range(count):
                    at = when + dt.timedelta(hours=rng.expovariate(1 / 20.0))
                    if at > now:
                        continue
                    sequence += 1
                    if clicks and rng.random() < REPEAT_VISIT_CHANCE:
                        visitor = clicks[-1].visitor  # the same person, a second time
                    else:
                        visitor = f"{rng.getrandbits(128):032x}"
                    record = ClickRecord(
                        journal_key=f"demo-{org.pk}-{sequence}",
                        code=link.code,
                        at=at,
                        visitor=visitor,
                        bot=rng.random() < BOT_CHANCE,
                        head=False,
                        referrer_network=REFERRERS[presence.network],
                        country=rng.choice(COUNTRIES),
                        click_id=f"d{rng.getrandbits(120):030x}",
                    )
                    clicks.append(record)
                    click_kinds.append((record, item))

    Share.objects.bulk_create(shares, batch_size=500)
    for (day, item_id, campaign_id, membership_id, network), (
        count,
        originals,
        reach,
    ) in share_cells.items():
        rollups.rollup_add(
            organization_id=org.pk,
            day=day,
            item_id=item_id,
            campaign_id=campaign_id,
            membership_id=membership_id,
            network=network,
            shares=count,
            original_posts=originals,
            potential_reach=reach,
        )

    clicks.sort(key=lambda r: r.at)
    for start_index in range(0, len(clicks), BATCH):
        services.clicks_ingest(clicks[start_index : start_index + BATCH])

    _conversions(org, click_kinds, now, rng)


def _conversions(
    org: Organization,
    click_kinds: list[tuple[ClickRecord, ContentItem]],
    now: dt.datetime,
    rng: random.Random,
) -> None:
    number = 0
    for record, item in click_kinds:
        if record.bot or rng.random() > CONVERSION_CHANCE:
            continue
        at = record.at + dt.timedelta(hours=rng.uniform(0.1, 24 * 6))
        if at > now:
            continue
        number += 1
        kind, value = _kind_and_value(item, rng)
        services.conversion_record(
            organization=org,
            external_id=f"demo-{number:05d}",
            kind=kind,
            value=value,
            currency="EUR" if value else "",
            click_id=record.click_id,
            at=at,
            source="api",
        )
    for extra in range(UNATTRIBUTED_CONVERSIONS):
        number += 1
        services.conversion_record(
            organization=org,
            external_id=f"demo-{number:05d}",
            kind="lead",
            at=now - dt.timedelta(days=rng.uniform(1, 60), hours=extra),
            source="api",
        )


def _kind_and_value(item: ContentItem, rng: random.Random) -> tuple[str, Decimal]:
    if item.content_type == ContentType.JOB_OFFER:
        return "job_application", Decimal(0)
    if item.content_type == ContentType.EVENT:
        return "signup", Decimal(0)
    if rng.random() < 0.3:
        return "purchase", Decimal(rng.randrange(1_500, 45_000)) / 100
    return "lead", Decimal(0)
