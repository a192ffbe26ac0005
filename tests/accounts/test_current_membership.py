"""The request's membership read as plain SQL (accounts/current.py, decision 0038): the same
row and values as the ORM's query, in one statement; the organization asked for only when
the user is an active member of it, else their first; nothing for an inactive membership or
a user with none."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portevoix.accounts import current, frame, selectors
from portevoix.accounts.models import AmbassadorProfile, Membership, User
from tests import factories

pytestmark = pytest.mark.django_db


def orm_read(user, organization_id):
    qs = frame.with_versions(selectors.memberships_of(user).select_related("ambassador"))
    if organization_id is not None:
        found = qs.filter(organization_id=organization_id).first()
        if found is not None:
            return found
    return qs.first()


def values(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def test_the_row_and_its_values_are_the_orms(ambassador):
    profile = ambassador.ambassador
    profile.feed_seen_at = dt.datetime(2026, 12, 7, 9, 30, tzinfo=dt.UTC)
    profile.save(update_fields=["feed_seen_at"])
    user = ambassador.user
    with CaptureQueriesContext(connection) as queries:
        read = current.membership_for(user, ambassador.organization_id)
        assert read is not None
        organization, profile, owner = read.organization, read.ambassador, read.user
    assert len(queries) == 1  # the organization, profile and user came with it
    expected = orm_read(user, ambassador.organization_id)
    assert values(read) == values(expected)
    assert values(organization) == values(expected.organization)
    assert values(profile) == values(expected.ambassador)
    assert owner is user
    assert isinstance(profile.languages, list) and profile.opted_in is True
    assert profile.feed_seen_at == dt.datetime(2026, 12, 7, 9, 30, tzinfo=dt.UTC)
    assert read.joined_at.tzinfo is not None
    for name in (frame.MEMBER_VERSION, frame.ORGANIZATION_VERSION):
        assert getattr(read, name) == getattr(expected, name) != 0
    assert profile.membership is read


def test_a_member_without_a_profile_has_none_and_no_query(member):
    read = current.membership_for(member.user, member.organization_id)
    assert read is not None
    with CaptureQueriesContext(connection) as queries:
        assert not hasattr(read, "ambassador")  # cached as absent, as select_related does
    assert len(queries) == 0
    assert not AmbassadorProfile.objects.filter(membership=member).exists()


def test_another_organizations_id_gives_the_users_own_first_membership(manager, outsider):
    read = current.membership_for(manager.user, outsider.organization_id)
    assert read is not None
    assert (read.pk, read.organization_id) == (manager.pk, manager.organization_id)


def test_the_organization_asked_for_else_the_first_by_name(org, other_org, manager):
    # Acme and Globex: the same person in both.
    second = Membership.objects.create(organization=other_org, user=manager.user)

    def read(organization_id):
        found = current.membership_for(manager.user, organization_id)
        return found.pk if found is not None else None

    assert read(other_org.pk) == second.pk
    assert read(None) == manager.pk  # "Acme" first
    assert read(10**9) == manager.pk
    manager.is_active = False
    manager.save(update_fields=["is_active"])
    assert read(org.pk) == second.pk


def test_an_inactive_membership_or_none_reads_nothing(member):
    other = factories.make_user("lonely@acme.test")
    assert current.membership_for(other, None) is None
    member.is_active = False
    member.save(update_fields=["is_active"])
    assert current.membership_for(member.user, member.organization_id) is None


def test_a_version_bump_is_read_at_once(ambassador):
    before = current.membership_for(ambassador.user, ambassador.organization_id)
    frame.bump_member(membership_id=ambassador.pk, organization_id=ambassador.organization_id)
    after = current.membership_for(ambassador.user, ambassador.organization_id)
    assert getattr(after, frame.MEMBER_VERSION) != getattr(before, frame.MEMBER_VERSION)
    assert getattr(after, frame.ORGANIZATION_VERSION) == getattr(before, frame.ORGANIZATION_VERSION)


def test_the_user_read_by_id_is_the_orms_and_says_when_there_is_none(ambassador):
    user = ambassador.user
    user.last_login = dt.datetime(2026, 12, 7, 8, 0, tzinfo=dt.UTC)
    user.save(update_fields=["last_login"])
    expected = User.objects.filter(pk=user.pk).first()
    for asked in (user.pk, str(user.pk)):
        with CaptureQueriesContext(connection) as queries:
            read = User.objects.get(pk=asked)
        assert len(queries) == 1
        assert values(read) == values(expected)
    assert read.is_active is True and read.last_login == user.last_login
    assert User.objects.get(id=user.pk) == user
    with pytest.raises(User.DoesNotExist):
        User.objects.get(pk=10**9)
    assert User.objects.get(email=user.email) == user  # anything else: the ORM


def test_a_signed_in_request_reads_its_user_through_the_same_checks(client, ambassador):
    client.force_login(ambassador.user)
    assert client.get("/feed/").status_code == 200
    ambassador.user.set_password("another-long-passphrase")
    ambassador.user.save()  # the session's hash no longer matches: signed out
    assert client.get("/feed/").status_code == 302


# The signed-in user's read brings their membership (accounts/current.py `reading`).


def _session_of(user, organization_id=None) -> dict:
    session = {"_auth_user_id": str(user.pk)}
    if organization_id is not None:
        session[current.ORGANIZATION_SESSION_KEY] = organization_id
    return session


def test_the_sessions_user_brings_the_membership_the_orm_would_read(ambassador):
    user = ambassador.user
    with current.reading(_session_of(user, ambassador.organization_id)):
        with CaptureQueriesContext(connection) as queries:
            read_user = User.objects.get(pk=user.pk)
            read = current.membership_for(read_user, ambassador.organization_id)
            assert read is not None
            organization, profile = read.organization, read.ambassador
        assert len(queries) == 1  # the user, the membership and all it carries
        assert '"accounts_membership"' in queries[0]["sql"]
    expected = orm_read(user, ambassador.organization_id)
    assert values(read_user) == values(User.objects.filter(pk=user.pk).first())
    assert values(read) == values(expected)
    assert values(organization) == values(expected.organization)
    assert values(profile) == values(expected.ambassador)
    assert read.user is read_user and profile.membership is read
    for name in (frame.MEMBER_VERSION, frame.ORGANIZATION_VERSION):
        assert getattr(read, name) == getattr(expected, name) != 0


def _brought(user, organization_id):
    """The membership brought with the user's read, and how many statements it took."""
    session = _session_of(user, organization_id)
    with current.reading(session), CaptureQueriesContext(connection) as queries:
        read = current.membership_for(User.objects.get(pk=user.pk), organization_id)
    return read, len(queries)


def test_the_brought_membership_follows_the_same_rule(org, other_org, manager):
    second = Membership.objects.create(organization=other_org, user=manager.user)
    for asked, expected in (
        (other_org.pk, second.pk),
        (org.pk, manager.pk),
        (None, manager.pk),  # "Acme" first
        (10**9, manager.pk),  # not a member there: their own first, never that one
    ):
        read, statements = _brought(manager.user, asked)
        assert statements == 1
        assert read is not None and read.pk == expected
        assert read.organization_id in {org.pk, other_org.pk}
    manager.is_active = False
    manager.save(update_fields=["is_active"])
    read, _ = _brought(manager.user, org.pk)
    assert read is not None and read.pk == second.pk


def test_no_active_membership_is_brought_as_none(member):
    lonely = factories.make_user("lonely@acme.test")
    assert _brought(lonely, None) == (None, 1)
    member.is_active = False
    member.save(update_fields=["is_active"])
    assert _brought(member.user, member.organization_id) == (None, 1)


def _pk(found: Membership | None) -> int | None:
    return found.pk if found is not None else None


def test_only_the_sessions_own_user_once_brings_it(ambassador, manager):
    with current.reading(_session_of(ambassador.user, ambassador.organization_id)):
        other = User.objects.get(pk=manager.user.pk)  # another user: a plain read
        with CaptureQueriesContext(connection) as queries:
            current.membership_for(other, manager.organization_id)
        assert len(queries) == 1
        first = User.objects.get(pk=ambassador.user.pk)
        again = User.objects.get(pk=ambassador.user.pk)  # a second read brings nothing
        with CaptureQueriesContext(connection) as queries:
            assert _pk(current.membership_for(first, ambassador.organization_id)) == ambassador.pk
            assert _pk(current.membership_for(again, ambassador.organization_id)) == ambassador.pk
            # Taken once: a later read (a view after a change) reads again.
            assert _pk(current.membership_for(first, ambassador.organization_id)) == ambassador.pk
        assert len(queries) == 2


def test_another_organization_asked_reads_again(org, other_org, manager):
    second = Membership.objects.create(organization=other_org, user=manager.user)
    with current.reading(_session_of(manager.user, org.pk)):
        user = User.objects.get(pk=manager.user.pk)
        with CaptureQueriesContext(connection) as queries:
            assert _pk(current.membership_for(user, other_org.pk)) == second.pk
        assert len(queries) == 1


def test_nothing_is_brought_outside_a_request(ambassador):
    with current.reading(_session_of(ambassador.user, ambassador.organization_id)):
        pass
    user = User.objects.get(pk=ambassador.user.pk)
    with CaptureQueriesContext(connection) as queries:
        assert _pk(current.membership_for(user, ambassador.organization_id)) == ambassador.pk
    assert len(queries) == 1
    with current.reading(None):  # a request without a session
        User.objects.get(pk=ambassador.user.pk)


def test_a_signed_in_page_reads_the_user_and_membership_once(client, ambassador):
    client.force_login(ambassador.user)
    client.get("/feed/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/feed/").status_code == 200
    reads = [q["sql"] for q in queries if '"accounts_membership"' in q["sql"]]
    assert len(reads) == 1 and '"accounts_user"' in reads[0]
