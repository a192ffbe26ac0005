"""The Bluesky network as a streaming listening source (decision 0026): a relay's or a PDS's
firehose, `com.atproto.sync.subscribeRepos`, read over a websocket and decoded by the atproto
SDK (MarshalX's `atproto`: its frame parser, `parse_subscribe_repos_message` and CAR
decoding).

This module knows the protocol and nothing of our models: `connect` opens the websocket
(after `guard_url`, to an address checked when connecting: public, or allowed by
SOCIAL_ALLOWED_PRIVATE_HOSTS), `decode` turns one binary frame into an `Event` (its `seq`,
the posts created, the posts deleted, a handle learnt). `stream.py` runs the loop.
"""

from __future__ import annotations

import datetime as dt
import socket
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from atproto import CAR, firehose_models, models, parse_subscribe_repos_message
from django.utils.translation import gettext as _
from websockets.sync.client import ClientConnection
from websockets.sync.client import connect as ws_connect

from portevoix.networks import base

from .matching import language_code
from .sources import MAX_AUTHOR, MAX_TEXT, Entry, SourceError, entry_key

BLUESKY = "bluesky"
POST = "app.bsky.feed.post"
METHOD = "com.atproto.sync.subscribeRepos"
MAX_FRAME_BYTES = 5 * 1024 * 1024  # as the SDK's own client
CONNECT_SECONDS = 15.0
HANDLES_KEPT = 50_000

_Commit = models.ComAtprotoSyncSubscribeRepos.Commit
_Identity = models.ComAtprotoSyncSubscribeRepos.Identity
_Info = models.ComAtprotoSyncSubscribeRepos.Info


class StreamError(SourceError):
    """The server refused the subscription (an error frame): `name` is its error name,
    e.g. "FutureCursor" when the cursor is ahead of the server's sequence."""

    def __init__(self, message: str, name: str = "") -> None:
        super().__init__(message)
        self.name = name


@dataclass(frozen=True)
class Post:
    """A post created, reduced to what matching and a mention need."""

    uri: str  # at://<did>/app.bsky.feed.post/<rkey>
    did: str
    rkey: str
    text: str
    created_at: dt.datetime | None
    language: str


@dataclass
class Event:
    """One frame of the firehose: `seq` is None for the frames that carry none."""

    seq: int | None = None
    posts: list[Post] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)  # at:// URIs of posts deleted
    handle: tuple[str, str] | None = None  # (did, handle) of an #identity event
    info: str = ""  # an #info frame's name (e.g. "OutdatedCursor")


# --------------------------------------------------------------------------- addresses


def websocket_url(host_url: str, cursor: int | None = None) -> str:
    """`wss://host/xrpc/com.atproto.sync.subscribeRepos[?cursor=N]` (ws:// for http)."""
    parts = urlsplit(host_url)
    scheme = "ws" if parts.scheme == "http" else "wss"
    url = f"{scheme}://{parts.netloc}/xrpc/{METHOD}"
    return f"{url}?cursor={cursor}" if cursor is not None else url


def connect(host_url: str, cursor: int | None) -> ClientConnection:
    """Open the subscription from `cursor` (None: from now on). The host is checked by
    `guard_url` and the TCP connection goes only to an address checked at that moment
    (`base.checked_address`, as the HTTP client's: no DNS rebinding); no proxy, frames up
    to `MAX_FRAME_BYTES`. Raises `SourceError`."""
    try:
        checked = base.guard_url(host_url)
    except base.UnsafeAddress as exc:
        raise SourceError(exc.user_message) from exc
    parts = urlsplit(checked)
    host = parts.hostname or ""
    port = parts.port or (80 if parts.scheme == "http" else 443)
    try:
        address = base.checked_address(host, port)
        sock = socket.create_connection((address, port), timeout=CONNECT_SECONDS)
    except base.UnsafeAddress as exc:
        raise SourceError(exc.user_message) from exc
    except OSError as exc:
        raise SourceError(_("The host could not be reached.")) from exc
    try:
        return ws_connect(
            websocket_url(checked, cursor),
            sock=sock,
            proxy=None,
            open_timeout=CONNECT_SECONDS,
            close_timeout=2,
            max_size=MAX_FRAME_BYTES,
            compression=None,
            user_agent_header=base.USER_AGENT,
        )
    except Exception as exc:
        sock.close()
        raise SourceError(_("The host could not be reached.")) from exc


# --------------------------------------------------------------------------- decoding


def _created_at(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        when = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def _post(did: str, rkey: str, record: Any) -> Post | None:
    if not isinstance(record, dict) or record.get("$type", POST) != POST:
        return None
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        return None
    langs = record.get("langs")
    language = language_code(langs[0]) if isinstance(langs, list) and langs else ""
    return Post(
        uri=f"at://{did}/{POST}/{rkey}",
        did=did,
        rkey=rkey,
        text=" ".join(text.split())[:MAX_TEXT],
        created_at=_created_at(record.get("createdAt")),
        language=language if isinstance(language, str) else "",
    )


def _touches_posts(body: Any) -> bool:
    """Whether a raw #commit body has an operation on a post: the others (likes, follows,
    reposts: most of the traffic) are skipped before the SDK builds their models."""
    ops = body.get("ops") if isinstance(body, dict) else None
    return isinstance(ops, list) and any(
        isinstance(op, dict) and str(op.get("path", "")).startswith(POST + "/") for op in ops
    )


def decode(raw: bytes | str) -> Event:
    """One frame of `subscribeRepos`: posts created (text, language, time), posts deleted
    (their at:// URI), an account's new handle, or only its `seq`. A frame that cannot be
    read gives an empty `Event` (skipped, as the SDK's own client does); an error frame
    raises `StreamError`."""
    if isinstance(raw, str):
        return Event()
    try:
        frame = firehose_models.Frame.from_bytes(raw)
    except Exception:
        return Event()
    if isinstance(frame, firehose_models.ErrorFrame):
        name = str(frame.body.error or "")
        raise StreamError(_("The host refused the subscription (%(name)s).") % {"name": name}, name)
    body = frame.body if isinstance(frame.body, dict) else {}
    seq = body.get("seq") if isinstance(body.get("seq"), int) else None
    event = Event(seq=seq)
    kind = frame.type
    if kind == "#commit" and not _touches_posts(body):
        return event
    if kind not in ("#commit", "#identity", "#info"):
        return event
    try:
        message = parse_subscribe_repos_message(frame)
    except Exception:
        return event
    if isinstance(message, _Identity):
        if message.handle:
            event.handle = (message.did, message.handle)
    elif isinstance(message, _Info):
        event.info = str(message.name)[:100]
    elif isinstance(message, _Commit):
        _read_commit(message, event)
    return event


def _read_commit(commit: Any, event: Event) -> None:
    blocks: dict[Any, Any] | None = None
    for op in commit.ops:
        collection, _slash, rkey = op.path.partition("/")
        if collection != POST or not rkey:
            continue
        if op.action == "delete":
            event.deleted.append(f"at://{commit.repo}/{POST}/{rkey}")
        elif op.action == "create" and op.cid is not None and not commit.too_big:
            if blocks is None:
                try:
                    blocks = CAR.from_bytes(commit.blocks).blocks
                except Exception:
                    blocks = {}
            post = _post(commit.repo, rkey, blocks.get(op.cid))
            if post is not None:
                event.posts.append(post)


# --------------------------------------------------------------------------- mentions


def post_key(uri: str) -> str:
    """The mention's exactly-once key of a post: a hash of the network and its at:// URI."""
    return entry_key(BLUESKY, uri)


class Handles:
    """The handles learnt from #identity events, at most `HANDLES_KEPT` (oldest dropped):
    a post's author is shown by handle when known, else by DID."""

    def __init__(self, size: int = HANDLES_KEPT) -> None:
        self.size = size
        self._known: OrderedDict[str, str] = OrderedDict()

    def learn(self, did: str, handle: str) -> None:
        self._known[did] = handle
        self._known.move_to_end(did)
        while len(self._known) > self.size:
            self._known.popitem(last=False)

    def name(self, did: str) -> str:
        return self._known.get(did, did)


def entry(post: Post, handles: Handles) -> Entry:
    """A post as a listening `Entry`: its bsky.app link, its author's handle (or DID)."""
    return Entry(
        key=post_key(post.uri),
        url=f"https://bsky.app/profile/{post.did}/post/{post.rkey}",
        text=post.text,
        author=handles.name(post.did)[:MAX_AUTHOR],
        published_at=post.created_at,
        language=post.language,
    )
