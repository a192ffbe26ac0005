"""The organization's own Reddit app (decision 0032), the writes and the one read the
poller needs.

- `app_save` (`listening.manage`): the client id, the User-Agent Reddit's API rules ask
  for, and the client secret, sealed with `core.crypto` and never shown back (left empty,
  the saved secret stays); audited without the secret (only whether one is saved and
  whether it changed).
- `app_remove` (`listening.manage`): deletes the app; every active Reddit feed of the
  organization is paused, its last result saying why. Audited.
- `credentials_for`, `source_of`: the poller's read of the credentials, the secret unsealed
  for one poll; `where`: the check of a Reddit feed, for `services`.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from portevoix.accounts.permissions import require
from portevoix.core import clock, crypto
from portevoix.core.errors import DomainError
from portevoix.core.tenancy import scoped
from portevoix.governance import gates

from . import reddit
from .models import Feed, FeedKind, RedditApp

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

log = logging.getLogger(__name__)

CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{5,100}$")
SECRET = re.compile(r"^[A-Za-z0-9_-]{5,200}$")
# Reddit's API rules: "<platform>:<app ID>:<version string> (by /u/<Reddit username>)".
USER_AGENT_OWNER = re.compile(r"\bu/[A-Za-z0-9_-]{3,20}\b")
# The last result of a Reddit feed paused because the app was removed: kept in English,
# translated when shown (the pages pass a feed's last result through the catalogue).
PAUSED = gettext_noop("Paused: the organization's Reddit app was removed.")


@dataclass
class AppData:
    client_id: str
    user_agent: str
    client_secret: str = ""  # a new secret; "" keeps the saved one


def _described(row: RedditApp | None) -> dict[str, Any]:
    if row is None:
        return {"client_id": "", "user_agent": "", "secret_saved": False}
    return {
        "client_id": row.client_id,
        "user_agent": row.user_agent,
        "secret_saved": bool(row.client_secret_sealed),
    }


def _clean(data: AppData, *, secret_saved: bool) -> AppData:
    errors: dict[str, list[str]] = {}
    client_id, secret = data.client_id.strip(), data.client_secret.strip()
    user_agent = " ".join(data.user_agent.split())
    if not CLIENT_ID.match(client_id):
        errors["client_id"] = [_("Give the client id Reddit shows under your app's name.")]
    if secret and not SECRET.match(secret):
        errors["client_secret"] = [_("This secret is not valid.")]
    elif not secret and not secret_saved:
        errors["client_secret"] = [_("Give the app's secret.")]
    if not (10 <= len(user_agent) <= 200) or not USER_AGENT_OWNER.search(user_agent):
        errors["user_agent"] = [
            _(
                "Name your app and its Reddit account, as Reddit asks: for example "
                "web:com.example.listening:v1.0 (by /u/your_account)."
            )
        ]
    if errors:
        raise DomainError(_("The Reddit app has errors."), field_errors=errors)
    return AppData(client_id, user_agent, secret)


def app_save(*, actor: Membership, data: AppData) -> RedditApp:
    """Save the organization's Reddit app: the Reddit source is then offered."""
    require(actor, "listening.manage")
    with transaction.atomic():
        row = scoped(RedditApp, actor.organization_id).select_for_update().first()
        data = _clean(data, secret_saved=bool(row and row.client_secret_sealed))
        before = _described(row)
        if row is None:
            row = RedditApp(organization_id=actor.organization_id)
        secret_changed = bool(data.client_secret)
        changed = secret_changed or (row.client_id, row.user_agent) != (
            data.client_id,
            data.user_agent,
        )
        if not changed:
            return row
        row.client_id, row.user_agent = data.client_id, data.user_agent
        if secret_changed:
            row.client_secret_sealed = crypto.encrypt(data.client_secret)
        row.updated_at = clock.now()  # a new generation: the cached token is not used again
        row.save()
        gates.audit_record(
            organization=actor.organization_id,
            actor=actor,
            action="listening.reddit_saved",
            object_type="listening_reddit",
            object_id=row.pk,
            before=before,
            after={**_described(row), "secret_changed": secret_changed},
        )
    return row


def app_remove(*, actor: Membership) -> int:
    """Delete the organization's Reddit app and pause its Reddit feeds (their last result
    says why); returns how many feeds were paused. Nothing to remove: nothing happens."""
    require(actor, "listening.manage")
    with transaction.atomic():
        row = scoped(RedditApp, actor.organization_id).select_for_update().first()
        if row is None:
            return 0
        before = _described(row)
        row_id = row.pk
        generation = _generation(row)
        row.delete()
        paused = list(
            scoped(Feed, actor.organization_id)
            .filter(kind=FeedKind.REDDIT, active=True)
            .values_list("pk", flat=True)
        )
        now = clock.now()
        Feed.objects.filter(pk__in=paused).update(active=False, last_result=PAUSED, updated_at=now)
        gates.audit_record(
            organization=actor.organization_id,
            actor=actor,
            action="listening.reddit_removed",
            object_type="listening_reddit",
            object_id=row_id,
            before=before,
            after={"paused_feeds": paused},
        )
        token = reddit.token_key(
            reddit.Credentials(actor.organization_id, generation, "", "", client_secret="")
        )
        transaction.on_commit(lambda: cache.delete(token))
    return len(paused)


def where(organization_id: int, query: str, subreddit: str, errors: dict[str, list[str]]) -> str:
    """Check a Reddit feed (`services._clean_feed`): the organization must have its own
    Reddit app (else a `DomainError`), and the feed a query, a subreddit or both; returns
    the subreddit's name (typed with or without /r/). Problems are added to `errors`."""
    if not scoped(RedditApp, organization_id).exists():
        raise DomainError(
            _(
                "Reddit is off for this organization: its own Reddit app must first be "
                "entered on the Reddit settings page."
            ),
            field_errors={"kind": [_("Reddit needs the organization's own Reddit app.")]},
        )
    name = subreddit.strip().removeprefix("/").removeprefix("r/").rstrip("/")
    if name and not reddit.SUBREDDIT.match(name):
        errors["subreddit"] = [_("A subreddit's name: 2 to 21 letters, digits or _.")]
    if not query and not name:
        errors["query"] = [_("Give a search, a subreddit, or both.")]
    return name


def source_of(organization_id: int) -> reddit.RedditSource:
    """The Reddit source with the organization's credentials; a `SourceError` without."""
    credentials = credentials_for(organization_id)
    if credentials is None:
        raise reddit.SourceError(_("Reddit is off: the organization has no Reddit app."))
    return reddit.RedditSource(credentials)


def _generation(row: RedditApp) -> str:
    return f"{row.pk}-{int(row.updated_at.timestamp() * 1_000_000)}"


def credentials_for(organization_id: int) -> reddit.Credentials | None:
    """The organization's Reddit app with its secret unsealed, or None when it has none.
    A secret that cannot be unsealed (the instance's key changed) is a short error."""
    row = scoped(RedditApp, organization_id).first()
    if row is None:
        return None
    try:
        secret = crypto.decrypt(row.client_secret_sealed)
    except crypto.DecryptionError as exc:
        raise reddit.CredentialsRefused(
            _("The saved Reddit secret cannot be read: save it again on the Reddit settings page.")
        ) from exc
    return reddit.Credentials(
        organization_id=organization_id,
        generation=_generation(row),
        client_id=row.client_id,
        user_agent=row.user_agent,
        client_secret=secret,
    )
