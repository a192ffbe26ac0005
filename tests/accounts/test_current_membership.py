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
