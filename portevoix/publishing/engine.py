"""The publishing engine: every post goes out once, exactly.

A post is taken by one worker at a time with a conditional UPDATE (a *claim*): state
scheduled → publishing, with a lease (`lease_until`) and a random `lease_token`. Every later
write of that worker is conditional on the token, so a worker whose lease expired cannot
overwrite the work of the one that took over. No database transaction is held during a
network call.

What makes it exactly once:
- two workers racing: only one claim matches (the UPDATE is atomic on SQLite and PostgreSQL);
- a retry, or a worker killed after the network accepted the post and before we recorded it:
  the post stays `publishing` until its lease expires, then the next claim sees
  `attempts > 1` and asks the network first (`connector.find_published`: idempotency key,
  client-chosen record key, container status, or the account's recent posts searched for the
  tracked link, unique per ambassador, item and network); it publishes only if nothing is
  found;
- nothing is dropped: a claimed post always ends published, failed (with the reason shown to
  the ambassador), back to scheduled with a retry time, or held by a pause.

Rate limits: a 429 puts the post back with `next_attempt_at` at the network's reset time (or
an exponential backoff); transient errors back off too; after PUBLISH_MAX_ATTEMPTS the post
fails. A permanent error (content refused, token revoked) stops at once.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import uuid

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from portevoix import networks as connectors
from portevoix.accounts import selectors as account_selectors
from portevoix.core import clock
from portevoix.core.tenancy import scoped
from portevoix.networks.base import (
    AuthError,
    PermanentError,
    PostRequest,
    PublishResult,
    RateLimited,
    TransientError,
)
from portevoix.sharing.selectors import short_url
from portevoix.sharing.services import share_record_published

from . import connections, selectors, signals
from .models import Connection, ConnectionStatus, CrisisPause, Post, PostState

logger = logging.getLogger("portevoix.publishing")

MAX_BACKOFF = dt.timedelta(hours=1)


def _lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.PUBLISH_LEASE_SECONDS)


def backoff(attempts: int) -> dt.timedelta:
    """30 s, 1 min, 2 min... at most an hour, with up to 25 % jitter."""
    base = min(MAX_BACKOFF.total_seconds(), 30 * 2 ** max(0, attempts - 1))
    return dt.timedelta(seconds=base * (1 + random.random() / 4))


# --------------------------------------------------------------------------- pauses


def posts_hold_paused(*, now: dt.datetime | None = None) -> int:
    """Posts whose time came during a pause are held (shown to the manager on resume)."""
    now = now or clock.now()
    total = 0
    for pause in selectors.pauses_in_force():
        due = scoped(Post, pause.organization_id).filter(
            state=PostState.SCHEDULED, scheduled_at__lte=now
        )
        if pause.campaign_id is not None:
            due = due.filter(item__campaign_id=pause.campaign_id)
        ids = list(due.values_list("pk", flat=True))
        for start in range(0, len(ids), 500):
            total += Post.objects.filter(
                pk__in=ids[start : start + 500], state=PostState.SCHEDULED
            ).update(state=PostState.HELD, held_by=pause)
    return total


# --------------------------------------------------------------------------- claiming


def post_claim(*, post_id: int, now: dt.datetime | None = None) -> str | None:
    """Take the post for this worker; the lease token, or None if it is not ours to take."""
    now = now or clock.now()
    token = uuid.uuid4().hex
    qs = Post.objects.filter(selectors.claimable_q(now), pk=post_id)
    pauses = selectors.pauses_in_force()
    if pauses:
        qs = qs.exclude(selectors.paused_q(pauses))
    taken = qs.update(
        state=PostState.PUBLISHING,
        lease_until=now + _lease(),
        lease_token=token,
        attempts=F("attempts") + 1,
    )
    return token if taken else None


def _mine(post: Post, token: str) -> Q:
    return Q(pk=post.pk, lease_token=token, state=PostState.PUBLISHING)


def _fail(post: Post, token: str, message: str) -> str:
    failed = Post.objects.filter(_mine(post, token)).update(
        state=PostState.FAILED, error=message[:2000], lease_until=None, next_attempt_at=None
    )
    if failed:
        _announce(post, PostState.FAILED)
    logger.warning("post_failed post=%s network=%s reason=%s", post.pk, post.network, message)
    return "failed"


def _announce(post: Post, state: str) -> None:
    signals.send_on_commit(
        signals.post_finished,
        organization_id=post.organization_id,
        membership_id=post.membership_id,
        post_id=post.pk,
        state=str(state),
    )


def _retry(post: Post, token: str, at: dt.datetime, message: str) -> str:
    if post.attempts >= settings.PUBLISH_MAX_ATTEMPTS:
        return _fail(
            post,
            token,
            _("Gave up after %(n)s attempts: %(reason)s") % {"n": post.attempts, "reason": message},
        )
    Post.objects.filter(_mine(post, token)).update(
        state=PostState.SCHEDULED,
        next_attempt_at=at,
        lease_until=None,
        error=_("Will try again at %(when)s: %(reason)s")
        % {"when": at.strftime("%Y-%m-%d %H:%M UTC"), "reason": message},
    )
    logger.info("post_retry post=%s at=%s reason=%s", post.pk, at.isoformat(), message)
    return "retry"


def _defer_connection(connection_id: int, until: dt.datetime, *, except_post: int) -> int:
    """The network said "not before `until`" for this account: its other due posts wait too,
    instead of each earning its own 429."""
    return (
        Post.objects.filter(
            connection_id=connection_id, state=PostState.SCHEDULED, scheduled_at__lt=until
        )
        .exclude(pk=except_post)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lt=until))
        .update(next_attempt_at=until)
    )


def _hold(post: Post, token: str, pause: CrisisPause) -> str:
    Post.objects.filter(_mine(post, token)).update(
        state=PostState.HELD, held_by=pause, lease_until=None
    )
    return "held"


@transaction.atomic
def _record(post: Post, token: str, result: PublishResult) -> str:
    now = clock.now()
    updated = Post.objects.filter(_mine(post, token)).update(
        state=PostState.PUBLISHED,
        remote_id=result.remote_id[:300],
        remote_url=result.url[:500] if result.url.startswith(("https://", "http://")) else "",
        published_at=now,
        lease_until=None,
        next_attempt_at=None,
        error="",
    )
    if not updated:  # our lease was taken over: the other worker records it
        return "lost-lease"
    connection = post.connection
    audience = connection.followers if connection and connection.followers is not None else None
    if audience is None:  # no synced count: the declared audience
        found = account_selectors.network_presence(membership=post.membership, network=post.network)
        audience = found.audience if found is not None else 0
    share = share_record_published(
        membership=post.membership,
        item=post.item,
        network=post.network,
        link=post.link,
        text=post.text,
        personalized=post.personalized,
        audience=audience,
        at=now,
    )
    Post.objects.filter(pk=post.pk).update(share=share)
    _announce(post, PostState.PUBLISHED)
    logger.info(
        "post_published post=%s network=%s remote=%s", post.pk, post.network, result.remote_id
    )
    return "published"


# --------------------------------------------------------------------------- publishing


def request_for(post: Post, token: str) -> PostRequest:
    def save_state(state: dict[str, object]) -> None:
        Post.objects.filter(_mine(post, token)).update(remote_state=state)
        post.remote_state = dict(state)

    item = post.item
    summary = " ".join((item.body or "").split())[:300]
    return PostRequest(
        key=post.key,
        text=post.text,
        link_url=short_url(post.link.code),
        link_title=item.title,
        link_description=summary,
        language=(item.language or "")[:2],
        state=dict(post.remote_state or {}),
        save_state=save_state,
    )


def post_publish(*, post_id: int) -> str:
    """Try to publish one post if it is due (and not held). Returns what happened:
    "published", "retry", "failed", "held", "lost-lease" or "not-claimed"."""
    token = post_claim(post_id=post_id)
    if token is None:
        return "not-claimed"
    post = Post.objects.select_related(
        "connection", "item", "link", "membership__organization"
    ).get(pk=post_id)
    pause = selectors.pause_holding(post)
    if pause is not None:
        return _hold(post, token, pause)
    connection: Connection | None = post.connection
    if connection is None:
        return _fail(post, token, _("The account was disconnected."))
    if connection.status != ConnectionStatus.ACTIVE:
        return _fail(
            post,
            token,
            _("Your %(network)s account must be reconnected: %(reason)s")
            % {"network": connection.get_network_display(), "reason": connection.status_reason},
        )
    connector = connectors.get(post.network)
    request = request_for(post, token)
    try:
        ctx = connections.connection_refresh(connection=connection)
        result = None
        if post.attempts > 1 or request.state:
            result = connector.find_published(ctx, request)
            if result is not None:
                logger.info("post_found_on_retry post=%s remote=%s", post.pk, result.remote_id)
        if result is None:
            result = connector.publish(ctx, request)
    except AuthError as exc:
        connections.connection_mark_needs_reconnect(
            connection_id=connection.pk, reason=exc.user_message
        )
        return _fail(post, token, exc.user_message)
    except PermanentError as exc:
        return _fail(post, token, exc.user_message)
    except RateLimited as exc:
        retry_at = exc.retry_at or clock.now() + backoff(post.attempts)
        _defer_connection(connection.pk, retry_at, except_post=post.pk)
        return _retry(
            post, token, max(retry_at, clock.now() + dt.timedelta(seconds=1)), exc.user_message
        )
    except TransientError as exc:
        return _retry(post, token, clock.now() + backoff(post.attempts), exc.user_message)
    return _record(post, token, result)


def posts_publish_due(*, limit: int = 200) -> dict[str, int]:
    """One pass of the scheduler: hold what a pause holds, publish what is due."""
    outcomes: dict[str, int] = {"held": posts_hold_paused()}
    for post_id in selectors.due_post_ids(limit=limit):
        outcome = post_publish(post_id=post_id)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes
