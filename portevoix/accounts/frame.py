"""The page frame's cache (docs/decisions/0010-page-frame-cache.md).

Every page pays for its frame: the member's roles, the navigation's counts, the bell, the
crisis-pause banner, the sharing gates, the card actions' accounts. Each is a query or two,
about 8 ms of a 13 ms page. They change only when someone writes something, so they are
kept in Django's cache per member, under a key holding two version numbers (`FrameVersion`
rows, read with the membership in the same query by `accounts.middleware`):

- the **organization's** version, moved by writes every member may see (a crisis pause, a
  charter version, a required course, an item entering or leaving the approvals queue...);
- the **member's** version, moved by writes about them (a role, opting in or out, a
  notification, their charter acceptance, a course passed, a connected account...).

`bump_member()` / `bump_organization()` set a new random number inside the writer's
transaction; each app connects them to the Django signals of its own models (in its
`apps.py`), so every write path (services, admin, tasks) moves the version with the change,
and the next request reads the new number: a role change or a pause shows at once, in every
process. Entries also end after `FRAME_CACHE_SECONDS` (default 60), which bounds what
changes with time alone (a survey reaching its end).

`cached(membership, name, compute)` is the one read: the member's entry (one dict, one cache
read per request) holds each piece under its name; a piece missing is computed and stored.
A membership that did not come through the middleware (no versions read) is never cached.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import BigIntegerField, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest

from portevoix.core import page_cache
from portevoix.core.tenancy import scoped

from .models import FrameVersion, Membership

T = TypeVar("T")

# Set on a membership read by `with_versions` (the query's annotations).
MEMBER_VERSION = "frame_member_version"
ORGANIZATION_VERSION = "frame_organization_version"
_DATA = "_frame_data"


def _seconds() -> int:
    return int(getattr(settings, "FRAME_CACHE_SECONDS", 60))


def version_sql(member: str) -> tuple[str, str]:
    """The two probes of a membership's frame versions as SQL: the member's and its
    organization's, for a membership row named `member` (a quoted table name or alias)."""
    # Identifiers from the models' meta, quoted; no value of any request reaches this SQL.
    versions = connection.ops.quote_name(FrameVersion._meta.db_table)
    return (
        f"SELECT fv.version FROM {versions} fv WHERE fv.membership_id = {member}.id",  # noqa: S608
        f"SELECT fv.version FROM {versions} fv WHERE fv.membership_id IS NULL"  # noqa: S608
        f" AND fv.organization_id = {member}.organization_id",
    )


def with_versions(memberships: QuerySet[Membership]) -> QuerySet[Membership]:
    """The memberships annotated with their frame versions (two index probes in the same
    query). Plain SQL: the ORM's `Subquery` costs more to compile than the probes to run."""
    member_sql, organization_sql = version_sql(connection.ops.quote_name(Membership._meta.db_table))
    return memberships.annotate(
        **{
            MEMBER_VERSION: RawSQL(member_sql, (), output_field=BigIntegerField()),  # noqa: S611
            ORGANIZATION_VERSION: RawSQL(  # noqa: S611
                organization_sql, (), output_field=BigIntegerField()
            ),
        }
    )


def _new_version() -> int:
    # Random, not a count: a database recreated (the tests') never meets the entries of an
    # earlier life under the same ids. Never 0, which an absent row reads as.
    return secrets.randbits(62) or 1


def bump_member(*, membership_id: int, organization_id: int, create: bool = True) -> None:
    """What the frame shows of this member changed (call inside the writer's transaction,
    after the write). Every membership has its row (made with it, or by the migration);
    `create=False` (a delete, maybe the membership's own cascade) never makes one: without
    a row, the organization's version moves instead."""
    rows = FrameVersion.objects.filter(membership_id=membership_id)
    if rows.update(version=_new_version()):
        return
    if not create:
        bump_organization(organization_id, create=False)
        return
    FrameVersion.objects.get_or_create(
        membership_id=membership_id, defaults={"organization_id": organization_id}
    )
    rows.update(version=_new_version())


def bump_organization(organization_id: int, *, create: bool = True) -> None:
    """What the frame shows every member of the organization changed. `create=False` (a
    delete, maybe the organization's own cascade) never makes the row."""
    rows = scoped(FrameVersion, organization_id).filter(membership__isnull=True)
    if rows.update(version=_new_version()) or not create:
        return
    FrameVersion.objects.get_or_create(organization_id=organization_id, membership=None)
    rows.update(version=_new_version())


def _key(membership: Any) -> str | None:
    member = getattr(membership, MEMBER_VERSION, False)
    organization = getattr(membership, ORGANIZATION_VERSION, False)
    if member is False or organization is False:
        return None  # not read with its versions: no caching
    return f"frame:{membership.organization_id}:{membership.pk}:{organization or 0}:{member or 0}"


def cached(membership: Any, name: str, compute: Callable[[], T]) -> T:
    """The piece `name` of the member's frame: from the cache when its versions hold, else
    computed (and stored). `compute` must return plain data that pickles."""
    key = _key(membership)
    if key is None:
        return compute()
    data: dict[str, Any] | None = getattr(membership, _DATA, None)
    if data is None:
        data = cache.get(key) or {}
        setattr(membership, _DATA, data)
    if name in data:
        value: T = data[name]
        return value
    value = compute()
    data[name] = value
    cache.set(key, data, _seconds())
    return value


def body_key(
    request: HttpRequest, membership: Any, name: str, *parts: Any, per_member: bool = False
) -> str | None:
    """The key of a page body kept by `core.page_cache` for this member: the organization's
    frame version (an item entering or leaving review, an approval, a campaign, a crisis
    pause, the organization's settings...), then either the member's roles (a body that
    shows the same to every member with them) or, `per_member`, the membership and its own
    version; then `parts` (the caller's other versions and values). None (nothing cached)
    for a membership not read with its versions."""
    member = getattr(membership, MEMBER_VERSION, False)
    organization = getattr(membership, ORGANIZATION_VERSION, False)
    if member is False or organization is False:
        return None
    who: Any = (
        ("member", membership.pk, member or 0)
        if per_member
        else ("roles", sorted(getattr(membership, "_roles_cache", None) or ()))
    )
    if not per_member and not getattr(membership, "_roles_cache", None):
        return None  # roles not known: nothing to share the body on
    return page_cache.make_key(
        name, request, (membership.organization_id, organization or 0, who, *parts)
    )


def viewer_key(request: HttpRequest) -> tuple[Any, ...] | None:
    """What a page's frame shows of the viewer (`settings.PAGE_VIEWER_KEY`, read by
    `core.page_cache` to keep a whole page per viewer): the membership with both frame
    versions (roles, the bell, the navigation's counts, a pause, the organization's name)
    and the user's id and name (the top bar). None for a visitor, a user with no current
    membership or one not read with its versions: no whole page kept."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    membership = getattr(request, "membership", None)
    if not membership:  # None, or the middleware's lazy object wrapping None
        return None
    member = getattr(membership, MEMBER_VERSION, False)
    organization = getattr(membership, ORGANIZATION_VERSION, False)
    if member is False or organization is False:
        return None
    return (
        membership.pk,
        member or 0,
        organization or 0,
        user.pk,
        user.display_name,
    )


# --- Accounts' own writes that the frame shows: roles, opting in or out, the membership.


def _member_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    deleted = kwargs.get("signal") is post_delete
    membership_id = instance.pk if isinstance(instance, Membership) else instance.membership_id
    organization_id = getattr(instance, "organization_id", None)
    if organization_id is None:
        organization_id = (
            Membership.objects.filter(pk=membership_id).values_list("organization_id", flat=True)
        ).first()
        if organization_id is None:
            return
    bump_member(membership_id=membership_id, organization_id=organization_id, create=not deleted)


def _profile_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    fields = kwargs.get("update_fields")
    if fields is not None and "opted_in" not in fields:
        return  # the feed's visit times, visibility...: not in the frame
    _member_changed(sender, instance, **kwargs)


def _organization_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    if not kwargs.get("raw"):  # its row (created), its settings (approvals...)
        bump_organization(instance.pk)


def connect_receivers() -> None:
    from .models import AmbassadorProfile, MembershipRole, Organization

    for model in (Membership, MembershipRole):
        name = model.__name__
        post_save.connect(_member_changed, sender=model, dispatch_uid=f"frame-save-{name}")
        post_delete.connect(_member_changed, sender=model, dispatch_uid=f"frame-del-{name}")
    post_save.connect(_profile_saved, sender=AmbassadorProfile, dispatch_uid="frame-save-profile")
    post_save.connect(_organization_saved, sender=Organization, dispatch_uid="frame-save-org")
    post_delete.connect(_member_changed, sender=AmbassadorProfile, dispatch_uid="frame-del-profile")


# --- What other apps connect (in their AppConfig.ready): their models whose writes change
# what the frame shows.


def _touches(kwargs: dict[str, Any], fields: frozenset[str] | None) -> bool:
    if kwargs.get("raw"):
        return False
    update_fields = kwargs.get("update_fields")
    return fields is None or update_fields is None or bool(fields & set(update_fields))


def watch_member(model: type[Any], *, fields: Iterable[str] | None = None) -> None:
    """Every save (of one of `fields`, when given) or delete of a `model` row moves the
    version of the member it belongs to (`membership_id`, `organization_id`)."""
    watched = frozenset(fields) if fields is not None else None

    def changed(sender: Any, instance: Any, **kwargs: Any) -> None:
        if kwargs.get("signal") is post_save and not _touches(kwargs, watched):
            return
        if instance.membership_id is not None:
            bump_member(
                membership_id=instance.membership_id,
                organization_id=instance.organization_id,
                create=kwargs.get("signal") is post_save,
            )

    _connect(model, changed, "member")


def watch_organization(model: type[Any], *, fields: Iterable[str] | None = None) -> None:
    """Every save (of one of `fields`, when given) or delete of a `model` row moves the
    version of its organization (`organization_id`): every member's frame."""
    watched = frozenset(fields) if fields is not None else None

    def changed(sender: Any, instance: Any, **kwargs: Any) -> None:
        if kwargs.get("signal") is post_save and not _touches(kwargs, watched):
            return
        bump_organization(instance.organization_id, create=kwargs.get("signal") is post_save)

    _connect(model, changed, "organization")


_RECEIVERS: list[Any] = []  # signals hold weak references: keep the closures alive


def _connect(model: type[Any], receiver: Any, kind: str) -> None:
    _RECEIVERS.append(receiver)
    label = f"frame-{kind}-{model._meta.label}"
    post_save.connect(receiver, sender=model, dispatch_uid=f"{label}-save")
    post_delete.connect(receiver, sender=model, dispatch_uid=f"{label}-delete")
