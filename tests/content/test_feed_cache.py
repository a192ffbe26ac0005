"""The feed page's caches (content/feed_cache.py, docs/decisions/0004-feed-cache.md): a page
served from the cached ranking and cards shows every change at the next page view (an item
approved, edited, archived, going live or expiring on its own, a campaign renamed, the
ambassador's interests), and keeps its per-viewer parts (CSRF token, "new" markers,
another organization's content) out of what is shared."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.middleware.csrf import _unmask_cipher_token  # type: ignore[attr-defined]
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portevoix.accounts import services as account_services
from portevoix.accounts.models import Membership
from portevoix.content import feed_cache, selectors, services
from portevoix.content.models import FeedVersion, Topic
from portevoix.core import clock
from tests.conftest import clear_own_cache
from tests.content._helpers import login
from tests.factories import item_data, make_item, make_live_item, make_member, make_org

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


class Clock:
    def __init__(self, monkeypatch) -> None:
        self.now = T0
        monkeypatch.setattr(clock, "now", lambda: self.now)

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture
def time(monkeypatch) -> Clock:
    return Clock(monkeypatch)


def _titles(client: Client, **params: str) -> list[str]:
    html = client.get(reverse("content:feed"), params).content.decode()
    return re.findall(r'<h2 id="item-\d+-title">([^<]+)</h2>', html)


def _version(org) -> int:
    row = FeedVersion.objects.filter(organization=org).first()
    return row.version if row else 0


def test_content_writes_move_the_organizations_version_and_only_its_own(
    org, manager, approver, outsider
):
    before, other_before = _version(org), _version(outsider.organization)
    item = make_item(manager, title="Un")
    assert _version(org) != before
    for step in (
        lambda: services.item_submit(membership=manager, item=item),
        lambda: services.item_approve(membership=approver, item=item),
        lambda: services.topic_create(membership=manager, name="Climat"),
        lambda: services.campaign_create(membership=manager, name="Printemps"),
        lambda: services.item_archive(membership=manager, item=item),
    ):
        seen = _version(org)
        step()
        assert _version(org) != seen
    assert _version(outsider.organization) == other_before


def test_an_approved_item_shows_at_the_next_page_view(client, manager, approver, ambassador):
    make_live_item(manager, approver, title="Premier")
    login(client, ambassador)
    assert _titles(client) == ["Premier"]
    assert _titles(client) == ["Premier"]  # from the cache
    make_live_item(manager, approver, title="Second", important=True)
    assert _titles(client) == ["Second", "Premier"]


def test_an_edited_or_archived_item_changes_or_leaves_at_once(
    client, manager, approver, ambassador
):
    item = make_live_item(manager, approver, title="Avant")
    other = make_live_item(manager, approver, title="Reste")
    login(client, ambassador)
    assert sorted(_titles(client)) == ["Avant", "Reste"]
    # Editing live content sends it back to review: gone until approved again.
    item = services.item_update(membership=manager, item=item, data=item_data(title="Après"))
    assert _titles(client) == ["Reste"]
    services.item_approve(membership=approver, item=item)
    html = client.get(reverse("content:feed")).content.decode()
    assert "Après" in html and "Avant" not in html
    services.item_archive(membership=manager, item=other)
    assert _titles(client) == ["Après"]


def test_a_renamed_campaign_shows_on_the_cached_cards(client, manager, approver, ambassador):
    campaign = services.campaign_create(membership=manager, name="Printemps")
    make_live_item(manager, approver, title="Un", campaign_id=campaign.pk)
    login(client, ambassador)
    assert "Printemps" in client.get(reverse("content:feed")).content.decode()
    campaign.name = "Été"
    campaign.save(update_fields=["name"])  # any write of the campaign (admin included)
    html = client.get(reverse("content:feed")).content.decode()
    assert "Été" in html and "Printemps" not in html


def test_scheduled_and_expiring_items_follow_the_clock_without_any_write(
    client, manager, approver, ambassador, time
):
    make_live_item(manager, approver, title="Toujours")
    make_live_item(manager, approver, title="Plus tard", publish_at=T0 + dt.timedelta(minutes=30))
    make_live_item(manager, approver, title="Bientôt fini", expire_at=T0 + dt.timedelta(minutes=5))
    login(client, ambassador)
    assert sorted(_titles(client)) == ["Bientôt fini", "Toujours"]
    time.advance(minutes=6)  # well within the cache's lifetime
    assert _titles(client) == ["Toujours"]
    time.advance(minutes=25)
    assert sorted(_titles(client)) == ["Plus tard", "Toujours"]


def test_the_ambassadors_interests_and_languages_reorder_their_feed(
    client, org, manager, approver, ambassador
):
    topic = Topic.objects.create(organization=org, name="Data", slug="data")
    make_live_item(manager, approver, title="Général", priority=5)
    make_live_item(manager, approver, title="Données", topic_ids=[topic.pk])
    make_live_item(manager, approver, title="English", language="en")
    login(client, ambassador)
    assert _titles(client)[0] == "Général"

    def update(languages: list[str], topic_ids: list[int]) -> None:
        account_services.ambassador_update(
            membership=ambassador,
            data=account_services.EnrolmentData(
                languages=languages,
                help_with=["sharing"],
                topic_ids=topic_ids,
                networks=[account_services.PresenceData(network="linkedin", audience=300)],
            ),
        )

    update(["fr", "en"], [topic.pk])
    assert _titles(client)[0] == "Données"
    update(["fr"], [topic.pk])
    assert "English" not in _titles(client)


def test_a_cached_card_carries_each_viewers_own_csrf_token_and_new_markers(
    org, manager, approver, ambassador, time
):
    make_live_item(manager, approver, title="Ancien")
    other = make_member(org, ambassador=True)
    first, second = login(Client(), ambassador), login(Client(), other)
    first.get(reverse("content:feed"))  # the first's previous visit: now
    time.advance(hours=4)
    make_live_item(manager, approver, title="Nouveau")
    time.advance(minutes=1)
    pages = {}
    for name, client in (("first", first), ("second", second)):
        response = client.get(reverse("content:feed"))
        html = response.content.decode()
        tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        assert len(tokens) >= 2  # the share bars' forms: the viewer's own token, in each
        assert len(set(tokens)) == 1
        assert _unmask_cipher_token(tokens[0]) == client.cookies["csrftoken"].value
        assert "placeholder" not in html.split("<main", 1)[1].replace('placeholder="', "")
        pages[name] = html
    # The first ambassador came before "Nouveau": it is new to them; the second's first visit
    # marks nothing.
    assert re.search(
        r'is-new[^>]*aria-labelledby="item-\d+-title">\s*<header[^>]*>\s*<h2[^>]*>Nouveau',
        pages["first"],
    )
    assert "is-new" not in pages["second"]


def test_a_warm_page_reads_no_item_and_a_cold_one_a_constant_number(
    client, manager, approver, ambassador
):
    for n in range(12):
        make_live_item(manager, approver, title=f"Item {n}")
    login(client, ambassador)
    client.get(reverse("content:feed"))
    with CaptureQueriesContext(connection) as warm:
        html = client.get(reverse("content:feed")).content.decode()
    assert html.count("<article") == 10
    assert not [q for q in warm.captured_queries if "content_contentitem" in q["sql"]]
    assert not [q for q in warm.captured_queries if "content_networkcopy" in q["sql"]]
    # Page 2 of the same ranking: its two cards' rows only.
    with CaptureQueriesContext(connection) as second:
        html = client.get(reverse("content:feed"), {"page": 2}).content.decode()
    assert html.count("<article") == 2
    item_queries = [q for q in second.captured_queries if "content_contentitem" in q["sql"]]
    assert len(item_queries) == 1


def test_other_organizations_never_share_a_cached_feed(client, manager, approver, ambassador):
    make_live_item(manager, approver, title="Chez nous")
    login(client, ambassador)
    assert _titles(client) == ["Chez nous"]
    other_org = make_org("autre")
    from portevoix.accounts.roles import Role

    their_manager = make_member(other_org, Role.CONTENT_MANAGER)
    their_approver = make_member(other_org, Role.APPROVER)
    their_ambassador = make_member(other_org, ambassador=True)
    make_live_item(their_manager, their_approver, title="Chez eux")
    theirs = login(Client(), their_ambassador)
    assert _titles(theirs) == ["Chez eux"]
    assert _titles(client) == ["Chez nous"]


def test_the_ranking_holds_until_the_next_item_goes_live(manager, approver, ambassador, time):
    make_live_item(manager, approver, title="Un", expire_at=T0 + dt.timedelta(minutes=50))
    make_live_item(manager, approver, title="Deux", publish_at=T0 + dt.timedelta(seconds=40))
    stamp = feed_cache.stamp(membership=ambassador)
    ranked = feed_cache.ranking(
        membership=ambassador, stamp=stamp, since=None, filters=selectors.FeedFilters()
    )
    assert len(ranked.ids) == 1
    assert ranked.valid_until == (T0 + dt.timedelta(seconds=40)).timestamp()


def test_an_item_deleted_after_its_page_was_ranked_shows_no_card(manager, approver, ambassador):
    from django.template import Context, Template

    from portevoix.content.models import ContentItem

    gone = make_live_item(manager, approver, title="Parti")
    make_live_item(manager, approver, title="Resté")
    stamp = feed_cache.stamp(membership=ambassador)
    page = feed_cache.feed_page(
        membership=ambassador,
        stamp=stamp,
        offset=0,
        limit=10,
        since=None,
        filters=selectors.FeedFilters(),
    )
    ContentItem.objects.filter(pk=gone.pk).delete()  # between the ranking and the cards
    template = Template(
        "{% load content_feed %}{% feed_cards page as cards %}"
        "{% for card in cards %}{{ card.html }}{% endfor %}"
    )
    html = template.render(Context({"page": page, "csrf_token": "t" * 64}))
    assert "Resté" in html and "Parti" not in html
    assert 'value="' + "t" * 64 + '"' in html


def test_pages_past_the_cached_ids_are_ranked_for_themselves(
    client, manager, approver, ambassador, monkeypatch
):
    for n in range(12):
        make_live_item(manager, approver, title=f"Item {n:02}", priority=n)
    login(client, ambassador)
    full = _titles(client) + _titles(client, page="2")
    assert full == [f"Item {n:02}" for n in range(11, -1, -1)]
    clear_own_cache()
    monkeypatch.setattr(feed_cache, "CACHED_IDS", 3)  # the first page is already past them
    assert _titles(client) + _titles(client, page="2") == full
    html = client.get(reverse("content:feed"), {"page": "2"}).content.decode()
    assert 'rel="prev"' in html and 'rel="next"' not in html


# The stamp read with the request's membership (accounts/current.py riders, decision 0040).


def _stamp_both_ways(membership):
    from portevoix.accounts import current
    from portevoix.content import feed_cache as fc

    ridden = current.membership_for(membership.user, membership.organization_id)
    assert ridden is not None
    with CaptureQueriesContext(connection) as queries:
        from_membership = fc.stamp(membership=ridden)
    assert len(queries) == 0
    plain = Membership.objects.select_related("ambassador").get(pk=membership.pk)
    with CaptureQueriesContext(connection) as queries:
        from_query = fc.stamp(membership=plain)
    assert len(queries) == 1
    return from_membership, from_query


def test_the_stamp_read_with_the_membership_is_the_querys(ambassador, member, org):
    first, second = (
        Topic.objects.create(organization=org, name=n, slug=n.lower()) for n in ("A", "B")
    )
    ambassador.ambassador.interests.set([second, first])
    ridden, queried = _stamp_both_ways(ambassador)
    assert ridden == queried and ridden.interests == tuple(sorted([first.pk, second.pk]))
    ambassador.ambassador.interests.set([])
    ridden, queried = _stamp_both_ways(ambassador)
    assert ridden == queried and ridden.interests == ()
    ridden, queried = _stamp_both_ways(member)  # no ambassador profile at all
    assert ridden == queried and ridden.interests == ()
    feed_cache.bump(organization_id=org.pk)
    after, queried = _stamp_both_ways(ambassador)
    assert after == queried and after.version != ridden.version


def test_a_rider_comes_before_the_first_read(ambassador):
    from portevoix.accounts import current, selectors

    current.membership_for(ambassador.user, ambassador.organization_id)
    late = selectors.MembershipRider("_late", lambda alias, organization_id: "SELECT 1")
    with pytest.raises(RuntimeError):
        selectors.ride_with_membership(late)
    feed_cache.ride()  # the same rider again: nothing to do
