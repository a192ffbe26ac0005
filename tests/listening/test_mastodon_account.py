"""Mastodon with an account's access token (decision 0031), against the `mastodon-mock` peer
(tests/peers/mastodon_peer.py: its SSE streaming API, `/api/v1/timelines/home` with `min_id`
paging and Link headers, follows, visibilities, deletions), with a relay in front of it
that drops connections (tests/peers/cut_relay.py).

The stream code runs in this thread (`FeedStream.run`) until a stop condition, posting on
the mock from its `until` hook while it listens (the mock's heartbeat every 0.2 s keeps the
hook called). Covered: statuses streamed are matched and stored once; a `delete` event
removes the mention; the account's home stream keeps public statuses only; a dropped
connection reconnects and the gap is read from the REST timeline, with no duplicate; the
home timeline polled keeps public statuses only (and a boost's public original); the token
is sealed (not in the row, the page, the audit trail or the logs); another organization
gets nothing; the form's errors; private addresses refused."""

from __future__ import annotations

import contextlib
import logging
import secrets
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from portevoix.core import crypto
from portevoix.governance.models import AuditEntry
from portevoix.listening import mastodon, services, sources, stream
from portevoix.listening.models import Feed, FeedKind, Mention
from portevoix.listening.stream import FeedStream
from tests import factories
from tests.peers.cut_relay import relay
from tests.peers.mastodon_peer import MastodonPeer, run_mastodon_mock

pytestmark = [pytest.mark.django_db, pytest.mark.peers]

DEADLINE_SECONDS = 30.0


@pytest.fixture(scope="module")
def peer() -> Iterator[MastodonPeer]:
    with run_mastodon_mock(heartbeat_seconds=0.2) as running:
        yield running


@pytest.fixture
def word() -> str:
    """A keyword (and hashtag) no other test of the shared mock posts."""
    return f"acme{secrets.token_hex(3)}"


@pytest.fixture
def cm(org: Any) -> Any:
    return factories.make_member(org, "community_manager", email="cm@acme.test")


@pytest.fixture
def rival(other_org: Any) -> Any:
    return factories.make_member(other_org, "community_manager", email="cm@rival.test")


def post(peer: MastodonPeer, token: str, text: str, visibility: str = "public") -> str:
    answer = peer.api(
        "POST", "/api/v1/statuses", token=token, data={"status": text, "visibility": visibility}
    )
    assert answer.status_code == 200, answer.text
    return str(answer.json()["id"])


def delete(peer: MastodonPeer, token: str, status_id: str) -> None:
    answer = peer.api("DELETE", f"/api/v1/statuses/{status_id}", token=token)
    assert answer.status_code == 200, answer.text


def key(url: str, status_id: str) -> str:
    return sources.status_key(url.split("://", 1)[1], status_id)


def stream_feed(actor: Any, url: str, word: str, token: str, kind: str = "hashtag") -> Feed:
    services.monitor_create(
        actor=actor, data=services.MonitorData(name=word, terms=[word, f"{word}corp"])
    )
    return services.feed_create(
        actor=actor,
        data=services.FeedData(
            kind=FeedKind.MASTODON_STREAM,
            url=url,
            stream=kind,
            query=word if kind == "hashtag" else "",
            token=token,
        ),
    )


def follow(
    feed: Feed, steps: list[tuple[Callable[[FeedStream], bool], Callable[[], None]]]
) -> FeedStream:
    """Run the feed's stream in this thread: each step waits for its condition, then acts
    (posts, deletes, cuts the connection); the stream ends when the last condition holds."""
    worker = FeedStream(feed.pk)
    deadline = time.monotonic() + DEADLINE_SECONDS
    pending = list(steps)

    def until(current: FeedStream) -> bool:
        while pending and pending[0][0](current):
            pending.pop(0)[1]()
        return not pending or time.monotonic() > deadline

    worker.run(threading.Event(), until=until)
    assert not pending, f"the stream stopped before step {len(steps) - len(pending) + 1}"
    return worker


def nothing() -> None:
    return None


# --------------------------------------------------------------------------- the stream


def test_streamed_statuses_are_stored_once_and_a_delete_removes_one(
    peer: MastodonPeer, cm: Any, org: Any, rival: Any, other_org: Any, word: str
) -> None:
    feed = stream_feed(cm, peer.base_url, word, peer.fan_token)
    # The other organization watches the same word, with no Mastodon feed: it gets nothing.
    services.monitor_create(actor=rival, data=services.MonitorData(name=word, terms=[word]))
    token, ids = peer.ambassador_token, {}

    def first() -> None:
        ids["news"] = post(peer, token, f"Les nouvelles de #{word} sont bonnes")
        ids["other"] = post(peer, token, f"#{word} hors sujet", visibility="unlisted")
        ids["noise"] = post(peer, token, "Rien à voir ici")
        ids["gone"] = post(peer, token, f"#{word} {word}corp : une erreur, à supprimer")

    def remove() -> None:
        delete(peer, token, ids["gone"])

    worker = follow(
        feed,
        [
            (lambda s: True, first),
            (lambda s: s.created >= 2, remove),
            (lambda s: s.deleted >= 1, nothing),
        ],
    )
    assert (worker.created, worker.deleted, worker.connections) == (2, 1, 1)
    (mention,) = Mention.objects.filter(organization=org)
    assert mention.key == key(peer.base_url, ids["news"])
    assert mention.text == f"Les nouvelles de #{word} sont bonnes"
    assert (mention.network, mention.author) == ("mastodon", "ambassador")
    assert not Mention.objects.filter(organization=other_org).exists()
    feed.refresh_from_db()
    assert (feed.cursor, feed.last_result) == (ids["gone"], "ok")
    # A worker started again reads the timeline from the cursor: nothing new, nothing twice;
    # from no cursor at all (the newest page again): still nothing twice.
    again = follow(feed, [(lambda s: True, nothing)])
    assert again.created == 0
    Feed.objects.filter(pk=feed.pk).update(cursor="")
    fresh = follow(feed, [(lambda s: True, nothing)])
    assert fresh.created == 0 and Mention.objects.filter(organization=org).count() == 1


def test_a_dropped_connection_reconnects_and_the_gap_is_read_once(
    peer: MastodonPeer, cm: Any, org: Any, word: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stream.random, "uniform", lambda a, b: 0.0)  # backoff: 1 s exactly
    read: list[set[str]] = []
    real_catch_up = mastodon.catch_up

    def spied(*args: Any) -> Any:
        entries, cursor = real_catch_up(*args)
        read.append({entry.key for entry in entries})
        return entries, cursor

    monkeypatch.setattr(mastodon, "catch_up", spied)
    token, ids = peer.ambassador_token, {}
    port = int(peer.base_url.rsplit(":", 1)[1])
    with relay(port) as cutter:
        feed = stream_feed(cm, cutter.url, word, peer.fan_token)

        def before() -> None:
            ids["before"] = post(peer, token, f"#{word} avant la coupure")

        def cut_then_post() -> None:
            cutter.cut()  # the connection drops; what follows is posted in the gap
            ids["gap"] = post(peer, token, f"#{word} pendant la coupure")

        def after() -> None:
            ids["after"] = post(peer, token, f"#{word} après la reconnexion")

        worker = follow(
            feed,
            [
                (lambda s: True, before),
                (lambda s: s.created >= 1, cut_then_post),
                (lambda s: s.connections >= 2 and s.created >= 2, after),
                (lambda s: s.created >= 3, nothing),
            ],
        )
        assert cutter.accepted >= 2  # the stream came back through the relay
    stored = set(Mention.objects.filter(organization=org).values_list("key", flat=True))
    assert stored == {key(cutter.url, ids[name]) for name in ("before", "gap", "after")}
    assert worker.created == 3  # each once, though "before" was streamed then read again
    assert read[0] == set()  # a new feed: the newest page of the hashtag, empty then
    assert key(cutter.url, ids["gap"]) in read[1]  # the gap, read from the REST timeline
    feed.refresh_from_db()
    assert feed.cursor == ids["after"]


def test_the_home_stream_keeps_public_statuses_only(
    peer: MastodonPeer, cm: Any, org: Any, word: str
) -> None:
    reader = peer.create_account(f"reader{secrets.token_hex(3)}")
    friend = peer.create_account(f"friend{secrets.token_hex(3)}")
    peer.follow(reader.access_token, friend.id)
    feed = stream_feed(cm, peer.base_url, word, reader.access_token, kind="user")
    ids = {}

    def first() -> None:
        ids["private"] = post(peer, friend.access_token, f"{word} abonnés", visibility="private")
        ids["unlisted"] = post(peer, friend.access_token, f"{word} discret", visibility="unlisted")
        ids["public"] = post(peer, friend.access_token, f"{word} public")

    worker = follow(
        feed, [(lambda s: True, first), (lambda s: s.cursor == ids.get("public"), nothing)]
    )
    # All three came on the account's stream (the cursor moved past them), one is kept.
    assert worker.created == 1
    (mention,) = Mention.objects.filter(organization=org)
    assert mention.key == key(peer.base_url, ids["public"])


def test_a_stop_interrupts_a_silent_stream(settings: Any) -> None:
    """A stream that sends nothing (no heartbeat) still ends within a tick of the stop."""
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    held: list[socket.socket] = []

    def answer() -> None:
        client, _address = server.accept()
        held.append(client)
        client.recv(65536)
        client.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )

    threading.Thread(target=answer, daemon=True).start()
    stop, done = threading.Event(), threading.Event()
    try:
        with mastodon.connect(f"http://127.0.0.1:{port}", "public", "", "t0ken") as connection:
            threading.Thread(
                target=stream._interrupt_on, args=(stop, done, connection), daemon=True
            ).start()
            threading.Timer(0.3, stop.set).start()
            started = time.monotonic()
            with contextlib.suppress(sources.SourceError):  # the stream ends, or is cut
                for _item in connection.events():
                    pass
            assert time.monotonic() - started < 3  # not the 45 s read timeout
            done.set()
    finally:
        for sock in held:
            sock.close()
        server.close()


def test_events_are_decoded_public_statuses_only() -> None:
    host = "social.example"

    def status(status_id: str, visibility: str, **extra: Any) -> str:
        import json

        return json.dumps(
            {
                "id": status_id,
                "visibility": visibility,
                "content": "<p>Acme</p>",
                "created_at": "2026-12-07T08:00:00.000Z",
                "account": {"acct": "a"},
                "url": f"https://{host}/@a/{status_id}",
                **extra,
            }
        )

    public = mastodon.decode("update", status("11", "public"), host)
    assert [e.key for e in public.entries] == [sources.status_key(host, "11")]
    assert public.status_id == "11"
    for visibility in ("unlisted", "private", "direct"):
        hidden = mastodon.decode("update", status("12", visibility), host)
        assert hidden.entries == [] and hidden.status_id == "12"
    boost = mastodon.decode(
        "update",
        status(
            "13",
            "public",
            reblog={"id": "9", "visibility": "public", "content": "<p>Acme!</p>", "account": {}},
        ),
        host,
    )
    assert [e.key for e in boost.entries] == [sources.status_key(host, "9")]
    assert mastodon.decode("delete", "14", host).deleted == [sources.status_key(host, "14")]
    assert mastodon.decode("status.update", status("15", "public"), host).entries == []
    assert mastodon.decode("update", "not json", host).entries == []
    assert mastodon.decode("delete", "../x", host).deleted == []


# --------------------------------------------------------------------------- home timeline


def test_the_home_timeline_keeps_public_statuses_only(
    peer: MastodonPeer, cm: Any, org: Any, word: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    reader = peer.create_account(f"reader{secrets.token_hex(3)}")
    followed = peer.create_account(f"friend{secrets.token_hex(3)}")
    stranger = peer.create_account(f"stranger{secrets.token_hex(3)}")
    peer.follow(reader.access_token, followed.id)
    services.monitor_create(actor=cm, data=services.MonitorData(name=word, terms=[word]))
    feed = services.feed_create(
        actor=cm,
        data=services.FeedData(
            kind=FeedKind.MASTODON_HOME, url=peer.base_url, token=reader.access_token
        ),
    )
    assert (feed.query, feed.stream) == ("", "")
    friend = followed.access_token
    public = post(peer, friend, f"{word} en public")
    post(peer, friend, f"{word} non listé", visibility="unlisted")
    post(peer, friend, f"{word} pour les abonnés", visibility="private")
    original = post(peer, stranger.access_token, f"{word} relayé par un ami")
    peer.reblog(friend, original)
    post(peer, stranger.access_token, f"{word} d'un inconnu")  # not followed: not in home
    assert services.poll_due_feeds() == 2
    stored = set(Mention.objects.filter(organization=org).values_list("key", flat=True))
    assert stored == {key(peer.base_url, public), key(peer.base_url, original)}
    feed.refresh_from_db()
    assert feed.last_result == "ok" and int(feed.cursor) > int(original)
    # The next polls read from the cursor, page after page (min_id, the Link header's prev).
    monkeypatch.setattr(sources, "MASTODON_PAGE", 2)
    later = [post(peer, friend, f"{word} numéro {n}") for n in range(5)]
    calls = []
    real = sources._get_json_page

    def spied(url: str, params: dict[str, str], token: str = "") -> Any:
        calls.append(dict(params))
        return real(url, params, token)

    monkeypatch.setattr(sources, "_get_json_page", spied)
    cursor = feed.cursor
    assert services.feed_poll(feed) == 5
    assert calls[0]["min_id"] == cursor and len(calls) == 3  # pages of 2, 2, then 1
    assert services.feed_poll(feed) == 0  # nothing new, nothing twice
    feed.refresh_from_db()
    assert feed.cursor == later[-1]


def test_a_refused_token_is_kept_on_the_feed_and_never_logged(
    peer: MastodonPeer, cm: Any, caplog: pytest.LogCaptureFixture
) -> None:
    secret = f"wrong-{secrets.token_hex(8)}"
    feed = services.feed_create(
        actor=cm,
        data=services.FeedData(kind=FeedKind.MASTODON_HOME, url=peer.base_url, token=secret),
    )
    with caplog.at_level(logging.DEBUG):
        assert services.feed_poll(feed) == 0
        user = stream_feed(cm, peer.base_url, "acmezz", secret, kind="user")
        follow(user, [(lambda s: s.connections == 0, nothing)])
    feed.refresh_from_db()
    assert feed.last_result == "The instance refused the access token."
    assert Feed.objects.get(pk=user.pk).last_result == "The instance refused the access token."
    assert secret not in caplog.text


# --------------------------------------------------------------------------- the token


def test_the_token_is_sealed_and_never_shown(
    peer: MastodonPeer, cm: Any, org: Any, word: str
) -> None:
    client = Client()
    client.force_login(cm.user)
    secret = f"tok-{secrets.token_hex(16)}"
    answer = client.post(
        reverse("listening:feeds"),
        {
            "kind": "mastodon_stream",
            "url": peer.base_url,
            "stream": "hashtag",
            "query": f"#{word}",
            "token": secret,
            "interval_minutes": 30,
            "active": "on",
        },
    )
    assert answer.status_code == 302
    feed = Feed.objects.get()
    row = Feed.objects.filter(pk=feed.pk).values().get()
    assert secret not in repr(row) and feed.token_sealed
    assert crypto.decrypt(feed.token_sealed) == secret
    assert (feed.stream, feed.query) == ("hashtag", word)
    edit = reverse("listening:feed", args=[feed.pk])
    page = client.get(edit, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert secret not in page and feed.token_sealed not in page
    assert "Un jeton d\u2019accès est enregistré" in page
    # Saved without a token: the saved one stays; with one: replaced (audited, not shown).
    common = {"url": peer.base_url, "stream": "hashtag", "query": word, "interval_minutes": 30}
    assert client.post(edit, {**common, "active": "on"}).status_code == 302
    feed.refresh_from_db()
    assert crypto.decrypt(feed.token_sealed) == secret and feed.active
    renewed = f"tok-{secrets.token_hex(16)}"
    assert client.post(edit, {**common, "active": "on", "token": renewed}).status_code == 302
    feed.refresh_from_db()
    assert crypto.decrypt(feed.token_sealed) == renewed
    trail = list(AuditEntry.objects.filter(organization=org, object_type="listening_feed"))
    assert {e.action for e in trail} == {"listening.feed_created", "listening.feed_changed"}
    assert all(secret not in repr(e.after) and renewed not in repr(e.after) for e in trail)
    assert any((e.after or {}).get("token_changed") for e in trail)


def test_the_form_errors(peer: MastodonPeer, cm: Any, member: Any, outsider: Any) -> None:
    client = Client()
    client.force_login(cm.user)
    url = reverse("listening:feeds")
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Flux Mastodon en continu" in page and "Comptes suivis sur Mastodon" in page
    base = {"url": peer.base_url, "interval_minutes": 30}
    cases = [
        ({"kind": "mastodon_stream", "token": "t"}, "Choisissez le flux à suivre."),
        ({"kind": "mastodon_stream", "stream": "hashtag", "token": "t"}, "Indiquez un mot-dièse"),
        (
            {"kind": "mastodon_stream", "stream": "public"},
            "Indiquez le jeton d\u2019accès du compte.",
        ),
        (
            {"kind": "mastodon_home", "token": "two words"},
            "Ce jeton d\u2019accès n\u2019est pas valide.",
        ),
    ]
    for data, message in cases:
        answer = client.post(url, {**base, **data}, HTTP_ACCEPT_LANGUAGE="fr")
        assert answer.status_code == 200 and message in answer.content.decode(), message
    assert not Feed.objects.exists()
    answer = client.post(
        url, {**base, "kind": "mastodon_home", "token": "t", "query": "x", "stream": "public"}
    )
    assert answer.status_code == 302
    feed = Feed.objects.get()
    assert (feed.kind, feed.query, feed.stream) == ("mastodon_home", "", "")
    edit = reverse("listening:feed", args=[feed.pk])
    client.force_login(member.user)
    assert client.get(edit).status_code == 403
    client.force_login(outsider.user)
    assert client.get(edit).status_code == 404
    assert client.post(edit, {**base, "token": "stolen"}).status_code == 404
    feed.refresh_from_db()
    assert crypto.decrypt(feed.token_sealed) == "t"


def test_private_addresses_are_refused(
    peer: MastodonPeer, cm: Any, settings: Any, word: str
) -> None:
    feed = stream_feed(cm, peer.base_url, word, peer.fan_token)
    home = services.feed_create(
        actor=cm,
        data=services.FeedData(
            kind=FeedKind.MASTODON_HOME, url=peer.base_url, token=peer.fan_token
        ),
    )
    settings.SOCIAL_ALLOWED_PRIVATE_HOSTS = []
    secure = peer.base_url.replace("http://", "https://")
    with pytest.raises(services.DomainError) as refused:
        services.feed_create(
            actor=cm,
            data=services.FeedData(
                kind=FeedKind.MASTODON_STREAM, url=secure, stream="public", token="t"
            ),
        )
    assert set(refused.value.field_errors) == {"url"}
    with (
        pytest.raises(sources.SourceError, match="not allowed"),
        mastodon.connect(secure, "public", "", "t"),
    ):
        pass
    with (
        pytest.raises(sources.SourceError, match="https"),
        mastodon.connect(peer.base_url, "public", "", "t"),
    ):
        pass
    assert services.feed_poll(home) == 0
    home.refresh_from_db()
    assert home.last_result == "Only https:// addresses are accepted."
    worker = follow(feed, [(lambda s: s.connections == 0, nothing)])
    assert worker.connections == 0
    feed.refresh_from_db()
    assert feed.last_result == "Only https:// addresses are accepted."


# --------------------------------------------------------------------------- the worker


def test_the_worker_follows_active_streams_and_polls_the_home_timeline(
    peer: MastodonPeer, cm: Any, rival: Any, word: str
) -> None:
    ours = stream_feed(cm, peer.base_url, word, peer.fan_token)
    theirs = stream_feed(rival, peer.base_url, word, peer.ambassador_token, kind="public")
    home = services.feed_create(
        actor=cm,
        data=services.FeedData(
            kind=FeedKind.MASTODON_HOME, url=peer.base_url, token=peer.fan_token
        ),
    )
    assert set(stream.wanted_streams()) == {f"mastodon:{ours.pk}", f"mastodon:{theirs.pk}"}
    Feed.objects.filter(pk=theirs.pk).update(active=False)
    assert set(stream.wanted_streams()) == {f"mastodon:{ours.pk}"}
    assert FeedStream(theirs.pk).load() is False  # paused: its thread ends
    worker = FeedStream(ours.pk)
    assert worker.load() and worker.organization_id == cm.organization_id
    Feed.objects.filter(pk=ours.pk).update(token_sealed=crypto.encrypt("another"))
    assert worker.load() is False  # the token changed: the worker starts it anew
    services.poll_due_feeds()
    home.refresh_from_db()
    ours.refresh_from_db()
    assert home.last_polled_at is not None and ours.last_polled_at is None  # streamed only
