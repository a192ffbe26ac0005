"""Mastodon's streaming API as a listening source (decision 0031): server-sent events from
`GET /api/v1/streaming/hashtag?tag=`, `/api/v1/streaming/public` or `/api/v1/streaming/user`
(https://docs.joinmastodon.org/methods/streaming/), with an account's access token in the
Authorization header (never in the URL).

This module knows the protocol and nothing of our models: `connect` opens the stream through
the guarded HTTP client (`networks.base.http_client`: `guard_url` first, then a TCP
connection only to an address checked at that moment, no redirect, no proxy from the
environment), `Connection.events` reads its events (`event: update` / `event: delete`,
`data:` lines, `:` comments as heartbeats), `decode` turns one into an `Event`, and
`catch_up` reads the REST timeline behind the stream from a cursor (`since` a reconnection).
`stream.py` runs the loop.
"""

from __future__ import annotations

import contextlib
import json
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

import httpx
from django.utils.translation import gettext as _

from portevoix.networks import base

from .sources import (
    MASTODON,
    Entry,
    SourceError,
    newest_id,
    public_entries,
    read_timeline,
    status_key,
)

HASHTAG = "hashtag"
PUBLIC = "public"
USER = "user"
STREAMS = (HASHTAG, PUBLIC, USER)
CONNECT_SECONDS = 15.0
# Mastodon sends a heartbeat comment every 15 seconds: three missed and the connection is
# taken for dead (reconnected, then the gap read from the REST timeline).
READ_SECONDS = 45.0
MAX_EVENT_CHARS = 1024 * 1024
CATCH_UP_PAGES = 50  # 2,000 statuses at most behind a reconnection

__all__ = ["MASTODON", "Connection", "Event", "catch_up", "connect", "decode"]


@dataclass
class Event:
    """One event of the stream, reduced to what listening needs: the public status created
    (as an entry; none for a boost of a non-public post, or any other event), the keys of
    the statuses deleted, and the status id that becomes the cursor."""

    entries: list[Entry] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    status_id: str = ""


def host_of(instance: str) -> str:
    return urlsplit(instance).netloc.lower()


def stream_request(stream: str, tag: str) -> tuple[str, dict[str, str]]:
    """The path and query of a stream."""
    if stream == HASHTAG:
        return "/api/v1/streaming/hashtag", {"tag": tag}
    if stream == PUBLIC:
        return "/api/v1/streaming/public", {}
    return "/api/v1/streaming/user", {}


def timeline_request(stream: str, tag: str) -> tuple[str, dict[str, str]]:
    """The REST timeline behind a stream (what a reconnection reads again)."""
    if stream == HASHTAG:
        return f"/api/v1/timelines/tag/{quote(tag, safe='')}", {}
    if stream == PUBLIC:
        return "/api/v1/timelines/public", {}
    return "/api/v1/timelines/home", {}


def decode(name: str, data: str, host: str) -> Event:
    """An event of the stream: `update` (a status as JSON), `delete` (a status id); the
    others (`status.update`, `notification`, `filters_changed`...) give an empty Event."""
    if name == "delete":
        status_id = data.strip().strip('"')
        return Event(deleted=[status_key(host, status_id)] if status_id.isdigit() else [])
    if name != "update":
        return Event()
    try:
        status = json.loads(data)
    except ValueError:
        return Event()
    if not isinstance(status, dict):
        return Event()
    return Event(entries=public_entries([status], host), status_id=newest_id([status]))


class Connection:
    """An open stream: `events()` yields (name, data) for each event and None for each
    heartbeat (so the caller can save and check its stop in between); `interrupt()`, from
    another thread, ends the wait at once (the socket is shut down)."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response

    def events(self) -> Iterator[tuple[str, str] | None]:
        name, size = "", 0
        data: list[str] = []
        try:
            for line in self.response.iter_lines():
                if line.startswith(":"):
                    yield None  # a comment: Mastodon's heartbeat, or ":connected"
                elif not line:
                    if data and size <= MAX_EVENT_CHARS:
                        yield name or "message", "\n".join(data)
                    name, data, size = "", [], 0
                elif line.startswith("event:"):
                    name = line[6:].strip()
                elif line.startswith("data:"):
                    value = line[5:].removeprefix(" ")
                    size += len(value)
                    if size <= MAX_EVENT_CHARS:
                        data.append(value)
        except httpx.HTTPError as exc:
            raise SourceError(_("The stream was cut.")) from exc

    def interrupt(self) -> None:
        stream = self.response.extensions.get("network_stream")
        sock = stream.get_extra_info("socket") if stream is not None else None
        if isinstance(sock, socket.socket):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


@contextlib.contextmanager
def connect(instance: str, stream: str, tag: str, token: str) -> Iterator[Connection]:
    """Open a stream of `instance` with the account's `token`. Raises `SourceError` (short,
    no address, never the token) when it cannot: the address refused, the instance out of
    reach, the token refused, streaming off (404)."""
    try:
        checked = base.guard_url(instance)
    except base.UnsafeAddress as exc:
        raise SourceError(exc.user_message) from exc
    path, params = stream_request(stream, tag)
    headers = {"Accept": "text/event-stream", "Authorization": f"Bearer {token}"}
    timeout = httpx.Timeout(CONNECT_SECONDS, read=READ_SECONDS)
    try:
        with (
            base.http_client(timeout=timeout) as client,
            client.stream("GET", f"{checked}{path}", params=params, headers=headers) as response,
        ):
            if response.status_code in (401, 403):
                raise SourceError(_("The instance refused the access token."))
            if response.status_code != 200:
                raise SourceError(
                    _("The stream answered %(status)d.") % {"status": response.status_code}
                )
            yield Connection(response)
    except base.UnsafeAddress as exc:
        raise SourceError(exc.user_message) from exc
    except httpx.HTTPError as exc:
        raise SourceError(_("The instance could not be reached.")) from exc


def catch_up(
    instance: str, stream: str, tag: str, token: str, cursor: str
) -> tuple[list[Entry], str]:
    """The public statuses of the stream's REST timeline newer than `cursor` (all of them,
    oldest pages first, `CATCH_UP_PAGES` at most), and the new cursor. Without a cursor,
    the newest page (a new feed starts with what was said lately, not the whole history)."""
    path, params = timeline_request(stream, tag)
    return read_timeline(
        instance, path, token=token, cursor=cursor, params=params, max_pages=CATCH_UP_PAGES
    )
