"""The Mastodon hashtag source against the `mastodon-mock` peer (tests/peers/mastodon_peer.py,
its `/api/v1/timelines/tag/:hashtag` with `min_id` paging and Link headers), not a fake:
statuses posted with the hashtag are matched and stored once per organization, a second poll
asks `min_id` from the cursor and stores only what is new, a burst of more than a page
between two polls is read whole, a status without the hashtag is not read, and a deleted
status is not read again."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

import pytest

from portevoix.listening import services, sources
from portevoix.listening.models import FeedKind, Mention
from tests import factories
from tests.peers.mastodon_peer import MastodonPeer, run_mastodon_mock

pytestmark = [pytest.mark.django_db, pytest.mark.slow, pytest.mark.peers]


@pytest.fixture(scope="module")
def peer() -> Iterator[MastodonPeer]:
    with run_mastodon_mock() as running:
        yield running


@pytest.fixture
def cm(org: Any) -> Any:
    return factories.make_member(org, "community_manager", email="cm@acme.test")


def test_hashtag_statuses_are_stored_once_and_paged_from_the_cursor(peer, cm, org):
    tag = f"acme{secrets.token_hex(3)}"
    author = peer.create_account(f"author{secrets.token_hex(3)}")
    first = peer.post_status(author.access_token, f"Encore un retard chez #{tag} ce matin")
    peer.post_status(author.access_token, f"Rien à voir avec {tag} ici")  # no hashtag: not read
    services.monitor_create(actor=cm, data=services.MonitorData(name="Acme", terms=[tag]))
    feed = services.feed_create(
        actor=cm,
        data=services.FeedData(kind=FeedKind.MASTODON_TAG, url=peer.base_url, query=f"#{tag}"),
    )
    assert services.feed_poll(feed) == 1
    feed.refresh_from_db()
    assert (feed.cursor, feed.last_result) == (str(first["id"]), "ok")
    mention = Mention.objects.get()
    host = peer.base_url.split("://", 1)[1]
    assert mention.key == sources.status_key(host, str(first["id"]))
    assert (mention.network, mention.organization_id) == ("mastodon", org.pk)
    assert mention.text == f"Encore un retard chez #{tag} ce matin"

    burst = [peer.post_status(author.access_token, f"#{tag} numéro {n}") for n in range(45)]
    assert services.feed_poll(feed) == 45  # more than a page of 40: read whole
    feed.refresh_from_db()
    assert feed.cursor == str(burst[-1]["id"])
    assert services.feed_poll(feed) == 0  # nothing new
    assert Mention.objects.count() == 46


def test_a_second_organization_stores_its_own_mention(peer, cm, other_org):
    tag = f"acme{secrets.token_hex(3)}"
    author = peer.create_account(f"author{secrets.token_hex(3)}")
    peer.post_status(author.access_token, f"Acme #{tag}")
    rival = factories.make_member(other_org, "community_manager", email="cm@rival.test")
    for member in (cm, rival):
        services.monitor_create(actor=member, data=services.MonitorData(name="A", terms=[tag]))
        feed = services.feed_create(
            actor=member,
            data=services.FeedData(kind=FeedKind.MASTODON_TAG, url=peer.base_url, query=tag),
        )
        assert services.feed_poll(feed) == 1
    assert sorted(Mention.objects.values_list("organization_id", flat=True)) == sorted(
        [cm.organization_id, rival.organization_id]
    )
