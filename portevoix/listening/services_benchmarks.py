"""Writes of the benchmarks (decision 0028): the public accounts compared side by side
(`listening.manage`, audited) and their daily snapshot, one row per account and day
(unique): a second run the same day finds the row and asks nothing again."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from portevoix.accounts.permissions import require
from portevoix.core import clock
from portevoix.core.errors import DomainError
from portevoix.core.tenancy import scoped
from portevoix.governance import gates
from portevoix.networks import base

from . import benchmarks
from .models import BenchmarkAccount, BenchmarkKind, BenchmarkSnapshot
from .sources import SourceError
from .voice import local_day

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

log = logging.getLogger(__name__)

MAX_ACCOUNTS = 50
SNAPSHOTS_PER_RUN = 100


@dataclass
class BenchmarkData:
    kind: str
    handle: str
    label: str
    own: bool = False
    active: bool = True


def _fields(account: BenchmarkAccount) -> dict[str, Any]:
    return {
        "kind": account.kind,
        "handle": account.handle,
        "label": account.label,
        "own": account.own,
        "active": account.active,
    }


def _audit(
    actor: Membership, action: str, account: BenchmarkAccount, before: Any, after: Any
) -> None:
    gates.audit_record(
        organization=account.organization_id,
        actor=actor,
        action=action,
        object_type="listening_benchmark",
        object_id=account.pk,
        before=before,
        after=after,
    )


def _clean(data: BenchmarkData) -> BenchmarkData:
    """Check an account by its kind: a Bluesky handle or DID; a Mastodon account on a public
    instance (kept as "user@host"); a blog feed at a public address."""
    errors: dict[str, list[str]] = {}
    kind = data.kind if data.kind in BenchmarkKind.values else ""
    handle = data.handle.strip()[:500]
    if not kind:
        errors["kind"] = [_("Choose what kind of account it is.")]
    elif kind == BenchmarkKind.BLUESKY:
        try:
            handle = benchmarks.bluesky_handle(handle)
        except ValueError:
            errors["handle"] = [_("Give a Bluesky handle, such as acme.bsky.social.")]
    elif kind == BenchmarkKind.MASTODON:
        try:
            instance, user = benchmarks.mastodon_account(handle)
            base.guard_url(instance)
        except ValueError:
            errors["handle"] = [_("Give a Mastodon account, such as acme@mastodon.social.")]
        except base.UnsafeAddress as exc:
            errors["handle"] = [exc.user_message]
        else:
            host = instance.split("://", 1)[1]
            handle = f"{user}@{host}" if instance.startswith("https://") else f"{instance}/@{user}"
    else:
        try:
            base.guard_url(handle)
        except base.UnsafeAddress as exc:
            errors["handle"] = [exc.user_message]
    label = " ".join(data.label.split())[:100]
    if not label:
        errors["label"] = [_("Give the account a name.")]
    if errors:
        raise DomainError(_("The account has errors."), field_errors=errors)
    return BenchmarkData(kind, handle, label, bool(data.own), bool(data.active))


def _taken(organization_id: int, data: BenchmarkData, exclude: int | None = None) -> bool:
    rows = scoped(BenchmarkAccount, organization_id).filter(kind=data.kind, handle=data.handle)
    return rows.exclude(pk=exclude).exists() if exclude else rows.exists()


def benchmark_create(*, actor: Membership, data: BenchmarkData) -> BenchmarkAccount:
    require(actor, "listening.manage")
    data = _clean(data)
    with transaction.atomic():
        accounts = scoped(BenchmarkAccount, actor.organization_id)
        if accounts.count() >= MAX_ACCOUNTS:
            raise DomainError(_("At most %(count)d accounts.") % {"count": MAX_ACCOUNTS})
        if _taken(actor.organization_id, data):
            raise DomainError(
                _("The account has errors."),
                field_errors={"handle": [_("This account is already compared.")]},
            )
        now = clock.now()
        account = BenchmarkAccount.objects.create(
            organization_id=actor.organization_id,
            kind=data.kind,
            handle=data.handle,
            label=data.label,
            own=data.own,
            active=data.active,
            created_at=now,
            updated_at=now,
        )
        _audit(actor, "listening.benchmark_created", account, None, _fields(account))
    return account


def benchmark_update(
    *, actor: Membership, account: BenchmarkAccount, data: BenchmarkData
) -> BenchmarkAccount:
    """Change an account's name, whether it is ours, whether it is followed (its kind and
    handle stay: another account is another history)."""
    require(actor, "listening.manage", account)
    data = _clean(BenchmarkData(account.kind, account.handle, data.label, data.own, data.active))
    with transaction.atomic():
        account = (
            scoped(BenchmarkAccount, actor.organization_id).select_for_update().get(pk=account.pk)
        )
        before = _fields(account)
        account.label, account.own, account.active = data.label, data.own, data.active
        after = _fields(account)
        if after != before:
            account.updated_at = clock.now()
            account.save(update_fields=["label", "own", "active", "updated_at"])
            _audit(actor, "listening.benchmark_changed", account, before, after)
    return account


def benchmark_delete(*, actor: Membership, account: BenchmarkAccount) -> None:
    """Remove an account and its history."""
    require(actor, "listening.manage", account)
    with transaction.atomic():
        account = (
            scoped(BenchmarkAccount, actor.organization_id).select_for_update().get(pk=account.pk)
        )
        _audit(actor, "listening.benchmark_deleted", account, _fields(account), None)
        account.delete()


def snapshot_take(account: BenchmarkAccount) -> BenchmarkSnapshot | None:
    """Today's snapshot of `account` (local day): the existing one if it was taken, else
    read from the network and stored once. None when the account could not be read (the
    short reason is kept on the account; the next run tries again)."""
    now = clock.now()
    day = local_day(now)
    existing = BenchmarkSnapshot.objects.filter(account_id=account.pk, day=day).first()
    if existing:
        return existing
    try:
        figures = benchmarks.fetch(account.kind, account.handle, now)
    except SourceError as exc:
        account.last_result = exc.message[:200]
        account.save(update_fields=["last_result"])
        log.info("listening benchmark %s: %s", account.pk, exc.message)
        return None
    snapshot = snapshot_record(account, day=day, figures=figures, now=now)
    account.last_result = "ok"
    account.save(update_fields=["last_result"])
    return snapshot


def snapshot_record(
    account: BenchmarkAccount, *, day: dt.date, figures: benchmarks.Figures, now: dt.datetime
) -> BenchmarkSnapshot:
    """Store the account's figures for `day`, once (a second call, or another worker, gets
    the stored one). Used by `snapshot_take`, and by the demo for its recorded history."""
    try:
        with transaction.atomic():
            return BenchmarkSnapshot.objects.create(
                organization_id=account.organization_id,
                account_id=account.pk,
                day=day,
                followers=figures.followers,
                posts_total=figures.posts_total,
                posts_7d=figures.posts_7d,
                engagement_per_post=figures.engagement_per_post,
                best_posts=figures.best_posts,
                topics=figures.topics,
                taken_at=now,
            )
    except IntegrityError:  # another worker took it first
        return BenchmarkSnapshot.objects.get(account_id=account.pk, day=day)


def snapshots_due(limit: int = SNAPSHOTS_PER_RUN) -> int:
    """Take today's snapshot of the active accounts that have none yet; returns how many
    were stored. Run every hour: an account that failed is tried again an hour later."""
    day = local_day(clock.now())
    taken = BenchmarkSnapshot.objects.filter(day=day).values("account_id")
    due = list(
        BenchmarkAccount.objects.filter(active=True).exclude(pk__in=taken).order_by("pk")[:limit]
    )
    return sum(1 for account in due if snapshot_take(account) is not None)
