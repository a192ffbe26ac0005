"""Bluesky: a handle and an app password, posts as records in the account's repository.

Documentation followed:
- sessions: https://docs.bsky.app/docs/api/com-atproto-server-create-session
  (`com.atproto.server.createSession`, `refreshSession` with the refresh JWT as bearer,
  `deleteSession`); login is rate-limited hard, so a session is made once, at connection
  time, and then only refreshed. The access JWT lives about two hours, the refresh JWT about
  ninety days; both expiries are read from the JWTs' `exp` claims. As @atproto/api does,
  session calls go to the service the person logged in at (an entryway such as bsky.social)
  and every other call to their PDS, given by the DID document in the session
  (`#atproto_pds`); an expired access token is answered `400 ExpiredToken` (or 401): the
  connector refreshes once and retries, and hands the new tokens to `ctx.on_tokens_refreshed`.
- records: https://docs.bsky.app/docs/api/com-atproto-repo-create-record, `getRecord`,
  `uploadBlob`; record keys: https://atproto.com/specs/record-key and TIDs:
  https://atproto.com/specs/tid (13 base32-sortable characters: 53 bits of microseconds since
  the epoch, 10 bits of clock identifier).
- posts: https://docs.bsky.app/docs/advanced-guides/posts and
  https://docs.bsky.app/docs/advanced-guides/post-richtext (facets index UTF-8 *bytes*,
  start inclusive, end exclusive; `app.bsky.richtext.facet#link`), link cards
  (`app.bsky.embed.external`: uri, title, description, optional thumb blob of 1 MB at most).
- reading: `app.bsky.feed.getPosts` (25 uris at most per call: likeCount, replyCount,
  repostCount, quoteCount; no view counts) and `app.bsky.actor.getProfile` (followersCount),
  asked of the PDS, which forwards them to its AppView.
- errors: XRPC answers `{"error": "...", "message": "..."}`; rate limits:
  https://docs.bsky.app/docs/advanced-guides/rate-limits (429 with `ratelimit-reset`, epoch
  seconds).

Exactly once: `publish` makes the post's record key (a TID) on the first attempt and saves it
with `post.save_state` before any network call; every attempt writes that same key. A retry
whose earlier attempt reached the PDS finds the record with `getRecord` (`find_published`),
and a `createRecord` refused because the key is taken (the PDS answers 500 then) is checked
the same way: the post is already there, it is not written twice.
"""

from .connector import BlueskyConnector
from .records import (
    APP_URL,
    GET_POSTS_MAX,
    POST_COLLECTION,
    THUMB_FETCH_MAX_BYTES,
    THUMB_MAX_BYTES,
    THUMB_MAX_SIDE,
    TID_ALPHABET,
    TID_RE,
    is_tid,
    link_facets,
    make_tid,
    tid_timestamp_us,
    utf8_offset,
)
from .xrpc import (
    error_for,
    jwt_expiry,
    pds_from_did_doc,
)

__all__ = [
    "APP_URL",
    "GET_POSTS_MAX",
    "POST_COLLECTION",
    "THUMB_FETCH_MAX_BYTES",
    "THUMB_MAX_BYTES",
    "THUMB_MAX_SIDE",
    "TID_ALPHABET",
    "TID_RE",
    "BlueskyConnector",
    "error_for",
    "is_tid",
    "jwt_expiry",
    "link_facets",
    "make_tid",
    "pds_from_did_doc",
    "tid_timestamp_us",
    "utf8_offset",
]
