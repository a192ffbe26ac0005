"""The request's membership, read as plain SQL built once per process
(docs/decisions/0038-current-membership-as-sql.md).

Every signed-in page reads the viewer's membership first (`accounts.middleware`): the tenant
choke point every view reaches organization-owned rows through. Through the ORM, compiling
that query (three tables joined, two version probes) cost more than running it: a third of
a kept feed page's CPU (`bench/feed_cpu.py --profile`). Here the statement is built once per
process and database from the models' metadata (table and column names, quoted), runs with
the user's id (and the organization's) as parameters, and its row becomes the same objects
the ORM's `select_related` made: the membership with its organization, its ambassador
profile (or None) and the request's user cached on it, and the frame's two versions as
attributes. Each column goes through the converters the ORM would apply (dates, booleans,
JSON), so the values are the ORM's.

`user_by_pk` reads the user the same way (`models.UserManager.get(pk=...)`, what Django's
`ModelBackend.get_user` calls on every signed-in request), so Django's own checks (the
session hash, `is_active`) run unchanged on the same object.

Same rows as `selectors.memberships_of(user)` with `frame.with_versions`: the user's active
memberships, by organization name (then id), the first; in `organization_id` when given.

During a request (`reading`, opened by `middleware.CurrentOrganizationMiddleware`), the
signed-in user's read brings their membership with it: `user_by_pk` for the session's own
user runs one statement for both (the organization asked for is the session's), and
`membership_for` takes that membership once, for that user and organization, instead of
reading it again. One round trip a page fewer (decision 0040).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from typing import Any, cast

from django.db import connections, router
from django.db.models import Model
from django.utils.functional import LazyObject, empty

from portevoix.core import prepared

from . import frame
from .models import AmbassadorProfile, Membership, Organization

Converter = Callable[[Any, Any, Any], Any]

# The session key of the organization the person chose (`middleware.SESSION_KEY`).
ORGANIZATION_SESSION_KEY = "portevoix_org"
# Django's session key of the signed-in user's id (`django.contrib.auth.SESSION_KEY`).
_USER_SESSION_KEY = "_auth_user_id"
# On the request's ambassador profile: its interests' topic ids, sorted, read with it
# (`selectors.interest_ids_read`).
INTEREST_IDS = "_portevoix_interest_ids"
# Where `user_by_pk` leaves the membership it read with the user, on that user object:
# (the organization id asked for, the membership or None).
_BROUGHT = "_portevoix_brought_membership"


class _Request:
    """The request being served, as `user_by_pk` needs it: its session, and whether its
    user has been read (only the first read of the session's own user brings the
    membership)."""

    __slots__ = ("done", "session")

    def __init__(self, session: Any) -> None:
        self.session = session
        self.done = False


_request: ContextVar[_Request | None] = ContextVar("portevoix_current_request", default=None)


@contextmanager
def reading(session: Any) -> Iterator[None]:
    """While a request is served: the session whose user's read may bring the membership.
    Reset on the way out, so nothing passes to the next request of the thread."""
    token = _request.set(_Request(session) if session is not None else None)
    try:
        yield
    finally:
        _request.reset(token)


@dataclass(frozen=True)
class _Part:
    """One model's columns in the row: where they start, their attribute names, and the
    converters of each (the ORM's, in its order)."""

    model: type[Model]
    start: int
    names: tuple[str, ...]
    converters: tuple[tuple[int, tuple[Converter, ...], Any], ...]

    def build(self, alias: str, row: Sequence[Any]) -> Model:
        values = list(row[self.start : self.start + len(self.names)])
        connection = connections[alias]
        for at, converters, column in self.converters:
            for convert in converters:
                values[at] = convert(values[at], column, connection)
        return self.model.from_db(alias, list(self.names), values)


@dataclass(frozen=True)
class _Read:
    in_organization: str
    first: str
    membership: _Part
    organization: _Part
    ambassador: _Part
    versions_at: int


def _part(alias: str, model: type[Model], table: str, start: int) -> tuple[_Part, list[str]]:
    connection = connections[alias]
    quote = connection.ops.quote_name
    fields = model._meta.concrete_fields
    converters = []
    for at, field in enumerate(fields):
        column = field.get_col(table)
        found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if found:
            converters.append((at, tuple(found), column))
    part = _Part(model, start, tuple(f.attname for f in fields), tuple(converters))
    return part, [f"{quote(table)}.{quote(f.column)}" for f in fields]


@dataclass(frozen=True)
class _Columns:
    """The membership's, organization's and profile's columns and the two versions, from
    `start` in the row."""

    columns: list[str]
    membership: _Part
    organization: _Part
    ambassador: _Part
    versions_at: int


def _columns(alias: str, start: int) -> _Columns:
    quote = connections[alias].ops.quote_name
    member = Membership._meta.db_table
    membership_part, columns = _part(alias, Membership, member, start)
    organization_part, more = _part(
        alias, Organization, Organization._meta.db_table, start + len(columns)
    )
    columns += more
    ambassador_part, more = _part(
        alias, AmbassadorProfile, AmbassadorProfile._meta.db_table, start + len(columns)
    )
    columns += more
    versions_at = start + len(columns)
    member_version, organization_version = frame.version_sql(quote(member))
    columns += [f"({member_version})", f"({organization_version})"]
    ambassador = quote(AmbassadorProfile._meta.db_table)
    profile_pk = quote(cast(Any, AmbassadorProfile._meta.pk).column)
    columns.append(f"({_interests_sql(alias, f'{ambassador}.{profile_pk}')})")
    organization_id = f"{quote(member)}.{quote(Membership._meta.get_field('organization').column)}"
    columns += [f"({rider.sql(alias, organization_id)})" for rider in _RIDERS]
    return _Columns(columns, membership_part, organization_part, ambassador_part, versions_at)


def _interests_sql(alias: str, profile_id: str) -> str:
    """The profile's interests (topic ids) as one text, comma-separated: NULL for none."""
    connection = connections[alias]
    quote = connection.ops.quote_name
    field = cast(Any, AmbassadorProfile._meta.get_field("interests"))
    through = field.remote_field.through._meta
    topic = quote(field.m2m_reverse_name())
    joined = (
        f"string_agg(CAST({topic} AS TEXT), ',')"
        if connection.vendor == "postgresql"
        else f"group_concat({topic}, ',')"
    )
    return (
        f"SELECT {joined} FROM {quote(through.db_table)}"  # noqa: S608 - names from the models
        f" WHERE {quote(field.m2m_column_name())} = {profile_id}"
    )


@dataclass(frozen=True)
class Rider:
    """A value another app reads on every page it serves, read with the request's membership
    in the same statement: `sql(alias, organization_id)` is a scalar subquery (no
    parameters) of the membership's organization id (an SQL expression); its value lands on
    the membership as `attribute`."""

    attribute: str
    sql: Callable[[str, str], str]


_RIDERS: list[Rider] = []


def ride(rider: Rider) -> None:
    """Read `rider` with every request's membership (from an app's `ready()`: the statements
    are built once per process, at their first use)."""
    if any(known.attribute == rider.attribute for known in _RIDERS):
        return
    if _read.cache_info().currsize or _user_and_membership.cache_info().currsize:
        raise RuntimeError("a rider must be registered before the first membership read")
    _RIDERS.append(rider)


@dataclass(frozen=True)
class _Names:
    """The tables and columns of the membership's statements, quoted by the backend."""

    member: str
    organization: str
    ambassador: str
    org_fk: str
    user_fk: str
    active: str
    profile_fk: str
    name: str
    member_pk: str
    organization_pk: str

    @property
    def organization_joined(self) -> str:
        """The membership's organization, as a join condition."""
        return f"{self.organization}.{self.organization_pk} = {self.member}.{self.org_fk}"

    @property
    def ambassador_joined(self) -> str:
        """The membership's ambassador profile, as a join condition."""
        return f"{self.ambassador}.{self.profile_fk} = {self.member}.{self.member_pk}"


def _names(alias: str) -> _Names:
    quote = connections[alias].ops.quote_name
    return _Names(
        member=quote(Membership._meta.db_table),
        organization=quote(Organization._meta.db_table),
        ambassador=quote(AmbassadorProfile._meta.db_table),
        org_fk=quote(Membership._meta.get_field("organization").column),
        user_fk=quote(Membership._meta.get_field("user").column),
        active=quote(Membership._meta.get_field("is_active").column),
        profile_fk=quote(AmbassadorProfile._meta.get_field("membership").column),
        name=quote(Organization._meta.get_field("name").column),
        member_pk=quote(cast(Any, Membership._meta.pk).column),
        organization_pk=quote(cast(Any, Organization._meta.pk).column),
    )


@cache
def _read(alias: str) -> _Read:
    parts = _columns(alias, 0)
    columns = parts.columns
    n = _names(alias)
    # Names from the models' meta, quoted; the values are parameters.
    base = (
        f"SELECT {', '.join(columns)} FROM {n.member}"  # noqa: S608
        f" INNER JOIN {n.organization} ON {n.organization_joined}"
        f" LEFT OUTER JOIN {n.ambassador} ON {n.ambassador_joined}"
        f" WHERE {n.member}.{n.user_fk} = %s AND {n.member}.{n.active} = %s"
    )
    order = f" ORDER BY {n.organization}.{n.name} ASC, {n.member}.{n.member_pk} ASC LIMIT 1"
    return _Read(
        in_organization=f"{base} AND {n.member}.{n.org_fk} = %s{order}",
        first=base + order,
        membership=parts.membership,
        organization=parts.organization,
        ambassador=parts.ambassador,
        versions_at=parts.versions_at,
    )


def _unwrapped(user: Any) -> Any:
    """The request's user behind its lazy wrapper (what the ORM's join would have made)."""
    if isinstance(user, LazyObject):
        if user._wrapped is empty:  # type: ignore[attr-defined]
            user._setup()  # type: ignore[attr-defined]
        return user._wrapped  # type: ignore[attr-defined]
    return user


def membership_for(user: Any, organization_id: int | None) -> Membership | None:
    """The user's active membership in `organization_id`, else their first one (by the
    organization's name), with its organization, ambassador profile, user and the frame's
    versions; None when they have none."""
    owner = _unwrapped(user)
    brought = owner.__dict__.pop(_BROUGHT, None)
    if brought is not None and brought[0] == organization_id:
        # Read with the user a moment ago, in this request, by the same rule (user_by_pk).
        return cast("Membership | None", brought[1])
    alias = router.db_for_read(Membership)
    read = _read(alias)
    row = None
    with prepared.cursor(alias) as cursor:
        if organization_id is not None:
            cursor.execute(read.in_organization, [user.pk, True, organization_id])
            row = cursor.fetchone()
        if row is None:
            cursor.execute(read.first, [user.pk, True])
            row = cursor.fetchone()
    if row is None:
        return None
    return _membership(alias, read, row, owner)


def _membership(alias: str, read: _Read | _Columns, row: Sequence[Any], user: Any) -> Membership:
    """The membership of the row, with its organization, profile (or none), user and
    versions cached on it as `select_related` and the annotations would."""
    membership = cast(Membership, read.membership.build(alias, row))
    organization = read.organization.build(alias, row)
    # What select_related does: each related object cached on its field.
    field = cast(Any, Membership._meta.get_field)
    field("organization").set_cached_value(membership, organization)
    field("user").set_cached_value(membership, user)
    profile: Model | None = None
    if row[read.ambassador.start] is not None:  # the profile's id: a row was joined
        profile = read.ambassador.build(alias, row)
        cast(Any, AmbassadorProfile._meta.get_field("membership")).set_cached_value(
            profile, membership
        )
    field("ambassador").set_cached_value(membership, profile)
    setattr(membership, frame.MEMBER_VERSION, row[read.versions_at])
    setattr(membership, frame.ORGANIZATION_VERSION, row[read.versions_at + 1])
    if profile is not None:
        joined = row[read.versions_at + 2]
        profile.__dict__[INTEREST_IDS] = (
            tuple(sorted(int(n) for n in str(joined).split(","))) if joined else ()
        )
    for at, rider in enumerate(_RIDERS, start=read.versions_at + 3):
        setattr(membership, rider.attribute, row[at])
    return membership


@cache
def _user_read(alias: str, model: type[Model]) -> tuple[str, _Part]:
    quote = connections[alias].ops.quote_name
    table = model._meta.db_table
    part, columns = _part(alias, model, table, 0)
    pk = quote(cast(Any, model._meta.pk).column)
    # Names from the model's meta, quoted; the id is a parameter.
    sql = f"SELECT {', '.join(columns)} FROM {quote(table)} WHERE {quote(table)}.{pk} = %s"  # noqa: S608
    return sql, part


@dataclass(frozen=True)
class _UserAndMembership:
    sql: str
    user: _Part
    member: _Columns


@cache
def _user_and_membership(alias: str, model: type[Model]) -> _UserAndMembership:
    """The user's row and, in the same row, their membership as `_read` chooses it: in the
    organization asked for when they are an active member of it, else their first active
    one by the organization's name (then id); NULLs when they have none."""
    quote = connections[alias].ops.quote_name
    table = model._meta.db_table
    user_part, columns = _part(alias, model, table, 0)
    member = _columns(alias, len(columns))
    u = quote(table)
    user_pk = quote(cast(Any, model._meta.pk).column)
    n = _names(alias)
    # Which membership: the same order as `_read` (the organization asked for first; a NULL
    # organization matches none). Names from the models' meta, quoted; values are parameters.
    chosen = (
        f"SELECT c.{n.member_pk} FROM {n.member} c"  # noqa: S608
        f" INNER JOIN {n.organization} co ON co.{n.organization_pk} = c.{n.org_fk}"
        f" WHERE c.{n.user_fk} = {u}.{user_pk} AND c.{n.active} = %s"
        f" ORDER BY CASE WHEN c.{n.org_fk} = %s THEN 0 ELSE 1 END,"
        f" co.{n.name} ASC, c.{n.member_pk} ASC LIMIT 1"
    )
    sql = (
        f"SELECT {', '.join(columns + member.columns)} FROM {u}"  # noqa: S608
        f" LEFT OUTER JOIN {n.member} ON {n.member}.{n.member_pk} = ({chosen})"
        f" LEFT OUTER JOIN {n.organization} ON {n.organization_joined}"
        f" LEFT OUTER JOIN {n.ambassador} ON {n.ambassador_joined}"
        f" WHERE {u}.{user_pk} = %s"
    )
    return _UserAndMembership(sql, user_part, member)


def _brings_membership(model: type[Model], value: Any) -> _Request | None:
    """The request whose session's own user this read is, the first time it is read."""
    request = _request.get()
    if (
        request is None
        or request.done
        or model is not Membership._meta.get_field("user").related_model
    ):
        return None
    session = request.session
    if str(session.get(_USER_SESSION_KEY)) != str(value):
        return None
    return request


def user_by_pk(model: type[Model], value: Any) -> Model:
    """The user with this id, as `model.objects.get(pk=value)` reads it (the same value
    conversion, `DoesNotExist` when there is none), in a statement built once per process:
    what Django's `ModelBackend.get_user` asks on every signed-in request. The session's own
    user, during a request (`reading`), comes with their membership in the session's
    organization, left for `membership_for`."""
    meta = model._meta
    pk = cast(Any, meta.pk)
    key = pk.get_prep_value(pk.to_python(value))
    alias = router.db_for_read(model)
    request = _brings_membership(model, value)
    organization_id = None
    if request is not None:
        request.done = True
        organization_id = request.session.get(ORGANIZATION_SESSION_KEY)
        both = _user_and_membership(alias, model)
        sql, part = both.sql, both.user
        params = [True, organization_id, key]
    else:
        sql, part = _user_read(alias, model)
        params = [key]
    with prepared.cursor(alias) as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        raise cast(Any, model).DoesNotExist(f"{meta.object_name} matching query does not exist.")
    user = part.build(alias, row)
    if request is not None:
        member = both.member
        found = None
        if row[member.membership.start] is not None:  # a membership was joined
            found = _membership(alias, member, row, user)
        user.__dict__[_BROUGHT] = (organization_id, found)
    return user
