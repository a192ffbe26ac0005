from __future__ import annotations

import pytest

# WeasyPrint finds its libraries (pango, harfbuzz) through `ldconfig -p`, a subprocess, the
# first time it is imported: done here, before the fast tier's guard against subprocesses,
# so that rendering a report's PDF is an ordinary fast test.
import weasyprint  # noqa: F401

from portevoix.accounts.roles import Role
from tests import factories


@pytest.fixture
def analyst(org):
    return factories.make_member(org, Role.ANALYST, email="analyst@acme.test")


import datetime as dt  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from decimal import Decimal  # noqa: E402

from django.utils import timezone  # noqa: E402

from portevoix.accounts import services as account_services  # noqa: E402
from portevoix.content.models import Campaign, ContentItem  # noqa: E402
from tests.analytics import events  # noqa: E402


def at(day: str, hour: int = 12, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(
        dt.date.fromisoformat(day), dt.time(hour, minute), tzinfo=timezone.get_current_timezone()
    )


@dataclass
class Dataset:
    org: object
    campaign: Campaign
    item1: ContentItem  # in the campaign
    item2: ContentItem  # no campaign
    a: object  # ambassador A, team Paris
    b: object  # ambassador B, teams Paris and Lyon
    c: object  # ambassador C, no team
    paris: object
    lyon: object


@pytest.fixture
def dataset(org, admin, manager, approver):
    """A small, known stream of events (see each line)."""
    campaign = Campaign.objects.create(organization=org, name="Printemps", slug="printemps")
    item1 = factories.make_live_item(manager, approver, title="Item one", campaign_id=campaign.pk)
    item2 = factories.make_live_item(manager, approver, title="Item two")
    a = factories.make_member(org, email="a@acme.test", ambassador=True)
    b = factories.make_member(org, email="b@acme.test", ambassador=True)
    c = factories.make_member(org, email="c@acme.test", ambassador=True)
    for person in (a, b, c):  # they chose to appear by name (the default is a pseudonym)
        account_services.visibility_set(membership=person, visibility="name")
    paris = account_services.team_create(actor=admin, name="Paris")
    lyon = account_services.team_create(actor=admin, name="Lyon")
    a.teams.add(paris)
    b.teams.add(paris, lyon)
    # Monday March 2nd: A shares item 1 on LinkedIn (rewritten), 3 visitors click.
    s1 = events.share(a, item1, "linkedin", at("2026-03-02"), audience=100, personalized=True)
    for v in ("v1", "v2", "v3"):
        events.click(s1.link, at("2026-03-02", 14), v)
    # LinkedIn gives no metrics: A's post there (connected account) has no snapshot.
    events.connect_post(s1)
    # Sunday March 8th: B shares item 1 on X, 1 click.
    s2 = events.share(b, item1, "x", at("2026-03-08"), audience=50)
    events.click(s2.link, at("2026-03-08", 13), "v4")
    # ...published through B's connected account: two snapshots, the latest counts, on the
    # day of the share: 5 + 1 + 2 (+ no quotes) = 8 engagements, 400 impressions.
    x_post = events.connect_post(s2)
    events.snapshot(x_post, at("2026-03-08", 18), likes=2, replies=0, reposts=0, impressions=100)
    events.snapshot(x_post, at("2026-03-09", 9), likes=5, replies=1, reposts=2, impressions=400)
    # March 31st: C shares item 2 on LinkedIn; the same visitor clicks twice (counted once),
    # then converts on April 1st (20.00).
    s3 = events.share(c, item2, "linkedin", at("2026-03-31"), audience=10)
    events.click(s3.link, at("2026-03-31", 15), "v5")
    events.click(s3.link, at("2026-03-31", 16), "v5")
    events.conversion(s3.link, at("2026-04-01", 9), Decimal("20.00"))
    # April 1st: A shares item 2 on Facebook, no click; through a connected account whose
    # network gives no impressions here: 3 engagements, out of the engagement rate.
    s4 = events.share(a, item2, "facebook", at("2026-04-01"), audience=200)
    events.snapshot(events.connect_post(s4), at("2026-04-02"), likes=3)
    return Dataset(org, campaign, item1, item2, a, b, c, paris, lyon)
