"""Services of accounts: invitations, enrolment, last admin, API tokens, organization settings."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.core import mail

from portevoix.accounts import selectors, services
from portevoix.accounts.models import (
    ApiToken,
    ConsentEvent,
    Invitation,
    Membership,
    Organization,
    User,
)
from portevoix.accounts.permissions import roles_of
from portevoix.accounts.roles import Role
from portevoix.content.models import Topic
from portevoix.core import clock
from portevoix.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from tests import factories

pytestmark = pytest.mark.django_db


def _enrolment(**overrides):
    data = services.EnrolmentData(
        languages=["fr"],
        help_with=["sharing"],
        networks=[services.PresenceData(network="linkedin", audience=500, handle="jdupont")],
    )
    for key, value in overrides.items():
        setattr(data, key, value)
    return data


# --- Invitations


@pytest.fixture
def team(admin):
    return services.team_create(actor=admin, name="Marketing")


def _invite(admin, django_capture_on_commit_callbacks, **kwargs):
    kwargs.setdefault("email", "Nina@Acme.test")
    with django_capture_on_commit_callbacks(execute=True):
        return services.invitation_create(actor=admin, **kwargs)


def test_invitation_create_sends_the_email(admin, team, django_capture_on_commit_callbacks):
    issued = _invite(
        admin,
        django_capture_on_commit_callbacks,
        roles=[Role.ANALYST],
        team_ids=[team.pk],
        language="fr",
    )
    invitation = issued.invitation
    assert invitation.email == "nina@acme.test"
    assert invitation.roles == [Role.ANALYST]
    assert list(invitation.teams.all()) == [team]
    # Only the hash of the token is stored.
    assert invitation.token_hash == hashlib.sha256(issued.token.encode()).hexdigest()
    assert issued.token not in invitation.token_hash
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nina@acme.test"]
    assert issued.url in message.body
    assert issued.url.endswith(f"/invitations/{issued.token}/")
    assert "Acme" in message.subject
    assert "invite" in message.subject.lower() or "invit" in message.subject.lower()


def test_invitation_needs_a_valid_email_and_the_right(admin, member):
    with pytest.raises(DomainError) as exc:
        services.invitation_create(actor=admin, email="not an email")
    assert "email" in exc.value.field_errors
    with pytest.raises(PermissionDenied):
        services.invitation_create(actor=member, email="x@acme.test")


def test_invitation_of_a_current_member_is_refused(admin, member):
    with pytest.raises(Conflict) as exc:
        services.invitation_create(actor=admin, email="MEMBER@acme.test")
    assert "email" in exc.value.field_errors


def test_accept_creates_user_and_membership_with_roles_and_teams(
    org, admin, team, django_capture_on_commit_callbacks
):
    issued = _invite(
        admin,
        django_capture_on_commit_callbacks,
        roles=[Role.ANALYST, Role.APPROVER],
        team_ids=[team.pk],
    )
    membership = services.invitation_accept(
        token=issued.token, full_name="Nina Simone", password="a-long-and-unusual-passphrase"
    )
    user = User.objects.get(email="nina@acme.test")
    assert membership.user == user
    assert user.full_name == "Nina Simone"
    assert user.check_password("a-long-and-unusual-passphrase")
    assert membership.organization == org
    assert roles_of(membership) == {Role.ANALYST, Role.APPROVER}
    assert list(membership.teams.all()) == [team]
    issued.invitation.refresh_from_db()
    assert issued.invitation.accepted_at is not None


def test_accept_as_logged_in_user(org, admin, django_capture_on_commit_callbacks):
    existing = factories.make_user("nina@acme.test")
    issued = _invite(admin, django_capture_on_commit_callbacks)
    membership = services.invitation_accept(token=issued.token, user=existing)
    assert membership.user == existing and membership.organization == org


def test_accept_with_another_account_is_refused(admin, django_capture_on_commit_callbacks):
    someone = factories.make_user("someone@else.test")
    issued = _invite(admin, django_capture_on_commit_callbacks)
    with pytest.raises(DomainError):
        services.invitation_accept(token=issued.token, user=someone)
    assert not Membership.objects.filter(user=someone).exists()


def test_accept_refuses_a_weak_password(admin, django_capture_on_commit_callbacks):
    issued = _invite(admin, django_capture_on_commit_callbacks)
    with pytest.raises(DomainError) as exc:
        services.invitation_accept(token=issued.token, full_name="N", password="123")
    assert "password" in exc.value.field_errors
    assert not User.objects.filter(email="nina@acme.test").exists()


def test_expired_invitation_is_refused(admin, django_capture_on_commit_callbacks, monkeypatch):
    issued = _invite(admin, django_capture_on_commit_callbacks)
    later = clock.now() + dt.timedelta(days=15)
    monkeypatch.setattr(clock, "now", lambda: later)
    with pytest.raises(Conflict):
        services.invitation_accept(token=issued.token, full_name="N", password="long-pass-phrase-9")
    assert not User.objects.filter(email="nina@acme.test").exists()


def test_used_invitation_is_refused(admin, django_capture_on_commit_callbacks):
    issued = _invite(admin, django_capture_on_commit_callbacks)
    services.invitation_accept(token=issued.token, full_name="N", password="long-pass-phrase-9")
    with pytest.raises(Conflict):
        services.invitation_accept(
            token=issued.token, user=User.objects.get(email="nina@acme.test")
        )


def test_revoked_invitation_is_refused(admin, django_capture_on_commit_callbacks):
    issued = _invite(admin, django_capture_on_commit_callbacks)
    services.invitation_revoke(actor=admin, invitation=issued.invitation)
    issued.invitation.refresh_from_db()
    assert issued.invitation.revoked_at is not None
    with pytest.raises(Conflict):
        services.invitation_accept(token=issued.token, full_name="N", password="long-pass-phrase-9")


def test_unknown_token_is_not_found(db):
    with pytest.raises(NotFound):
        services.invitation_by_token("nope")


def test_invitation_of_another_org_cannot_be_revoked(admin, outsider):
    issued = services.invitation_create(actor=admin, email="x@acme.test")
    with pytest.raises(PermissionDenied):
        services.invitation_revoke(actor=outsider, invitation=issued.invitation)
    assert Invitation.objects.get(pk=issued.invitation.pk).revoked_at is None


# --- Voluntary enrolment


def test_opt_in_then_out_records_consent_with_dates(org, member, monkeypatch):
    t0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
    monkeypatch.setattr(clock, "now", lambda: t0)
    profile = services.ambassador_opt_in(membership=member, data=_enrolment())
    assert profile.opted_in and profile.opted_in_at == t0
    assert Role.AMBASSADOR in roles_of(member)
    assert [(n.network, n.audience, n.handle) for n in profile.networks.all()] == [
        ("linkedin", 500, "jdupont")
    ]

    t1 = t0 + dt.timedelta(days=30)
    monkeypatch.setattr(clock, "now", lambda: t1)
    services.ambassador_opt_out(membership=member)
    profile.refresh_from_db()
    assert not profile.opted_in and profile.opted_out_at == t1
    assert Role.AMBASSADOR not in roles_of(member)

    t2 = t1 + dt.timedelta(days=1)
    monkeypatch.setattr(clock, "now", lambda: t2)
    services.ambassador_opt_in(membership=member, data=_enrolment())
    events = list(
        selectors.consent_history(membership=member).values_list("kind", "at", "organization")
    )
    assert events == [("opt_in", t0, org.pk), ("opt_out", t1, org.pk), ("opt_in", t2, org.pk)]


def test_opt_out_twice_records_once(member):
    services.ambassador_opt_in(membership=member, data=_enrolment())
    services.ambassador_opt_out(membership=member)
    services.ambassador_opt_out(membership=member)
    kinds = list(ConsentEvent.objects.filter(membership=member).values_list("kind", flat=True))
    assert kinds == ["opt_in", "opt_out"]


def test_opt_out_without_profile_is_harmless(member):
    services.ambassador_opt_out(membership=member)
    assert not ConsentEvent.objects.filter(membership=member).exists()


def test_update_keeps_consent_and_replaces_networks(member):
    services.ambassador_opt_in(membership=member, data=_enrolment())
    profile = services.ambassador_update(
        membership=member,
        data=_enrolment(
            languages=["en", "fr"],
            help_with=["ideas", "analytics"],
            networks=[
                services.PresenceData(
                    network="mastodon", audience=80, instance="https://Piaille.fr/"
                )
            ],
        ),
    )
    assert profile.opted_in
    assert profile.languages == ["en", "fr"]
    assert profile.help_with == ["analytics", "ideas"]
    assert [(n.network, n.instance) for n in profile.networks.all()] == [("mastodon", "piaille.fr")]
    assert ConsentEvent.objects.filter(membership=member).count() == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"languages": []}, "languages"),
        ({"languages": ["de"]}, "languages"),
        ({"help_with": []}, "help_with"),
        ({"help_with": ["spamming"]}, "help_with"),
        ({"networks": [services.PresenceData(network="myspace")]}, "networks.0.network"),
        (
            {
                "networks": [
                    services.PresenceData(network="x"),
                    services.PresenceData(network="x"),
                ]
            },
            "networks.1.network",
        ),
        ({"networks": [services.PresenceData(network="x", audience=-1)]}, "networks.0.audience"),
        (
            {"networks": [services.PresenceData(network="mastodon", instance="not a host")]},
            "networks.0.instance",
        ),
    ],
)
def test_enrolment_validation(member, overrides, field):
    with pytest.raises(DomainError) as exc:
        services.ambassador_opt_in(membership=member, data=_enrolment(**overrides))
    assert field in exc.value.field_errors
    assert not ConsentEvent.objects.filter(membership=member).exists()
    assert Role.AMBASSADOR not in roles_of(member)


def test_enrolment_refuses_a_topic_of_another_org(org, other_org, member):
    mine = Topic.objects.create(organization=org, name="Tech", slug="tech")
    theirs = Topic.objects.create(organization=other_org, name="Tech", slug="tech")
    with pytest.raises(DomainError) as exc:
        services.ambassador_opt_in(membership=member, data=_enrolment(topic_ids=[theirs.pk]))
    assert "topic_ids" in exc.value.field_errors
    profile = services.ambassador_opt_in(membership=member, data=_enrolment(topic_ids=[mine.pk]))
    assert list(profile.interests.all()) == [mine]


# --- Memberships and the last administrator


def _owner_membership(org: Organization) -> Membership:
    """The first admin, created with the organization."""
    owner = Membership.objects.filter(organization=org).order_by("pk").first()
    assert owner is not None
    return owner


def test_the_last_admin_keeps_the_role(db):
    org = factories.make_org()
    owner = _owner_membership(org)
    with pytest.raises(Conflict):
        services.membership_update(actor=owner, membership=owner, roles=[Role.ANALYST])
    with pytest.raises(Conflict):
        services.membership_update(actor=owner, membership=owner, is_active=False)
    owner.refresh_from_db()
    assert owner.is_active
    assert owner.role_rows.filter(role=Role.ADMIN).exists()


def test_with_two_admins_one_may_step_down(org, admin):
    owner = _owner_membership(org)
    services.membership_update(actor=admin, membership=owner, roles=[Role.ANALYST])
    assert set(owner.role_rows.values_list("role", flat=True)) == {Role.ANALYST}
    with pytest.raises(Conflict):
        services.membership_update(actor=admin, membership=admin, roles=[])


def test_membership_update_roles_teams_title(admin, member):
    team = services.team_create(actor=admin, name="Lyon", kind="site")
    services.membership_update(
        actor=admin,
        membership=member,
        roles=[Role.CONTENT_MANAGER],
        team_ids=[team.pk],
        title="Engineer",
    )
    member.refresh_from_db()
    assert member.title == "Engineer"
    assert list(member.teams.all()) == [team]
    assert roles_of(member) == {Role.CONTENT_MANAGER}


def test_membership_update_needs_the_right_and_own_teams(admin, member, outsider):
    with pytest.raises(PermissionDenied):
        services.membership_update(actor=member, membership=admin, roles=[])
    with pytest.raises(PermissionDenied):
        services.membership_update(actor=outsider, membership=member, title="Hacked")
    theirs = services.team_create(actor=outsider, name="Theirs")
    with pytest.raises(DomainError) as exc:
        services.membership_update(actor=admin, membership=member, team_ids=[theirs.pk])
    assert "team_ids" in exc.value.field_errors


# --- Teams


def test_team_names_are_unique_per_org(admin, outsider):
    team = services.team_create(actor=admin, name="Sales")
    with pytest.raises(Conflict):
        services.team_create(actor=admin, name="sales")
    services.team_create(actor=outsider, name="Sales")  # another org may
    other = services.team_create(actor=admin, name="Support")
    with pytest.raises(Conflict):
        services.team_update(actor=admin, team=other, name="SALES")
    services.team_update(actor=admin, team=team, name="Sales & Marketing")
    team.refresh_from_db()
    assert team.name == "Sales & Marketing"


# --- API tokens


def test_api_token_create_authenticate_revoke(member):
    issued = services.api_token_create(membership=member, name="Reporting")
    assert issued.secret.startswith("pv_")
    token = ApiToken.objects.get(pk=issued.token.pk)
    assert token.token_hash == hashlib.sha256(issued.secret.encode()).hexdigest()
    assert token.prefix == issued.secret[:10]
    assert services.api_token_authenticate(issued.secret) == member
    assert services.api_token_authenticate(issued.secret + "x") is None
    assert services.api_token_authenticate("") is None
    token.refresh_from_db()
    assert token.last_used_at is not None
    services.api_token_revoke(membership=member, token=token)
    assert services.api_token_authenticate(issued.secret) is None
    assert list(selectors.api_tokens(membership=member)) == []


def test_api_token_needs_a_name(member):
    with pytest.raises(DomainError) as exc:
        services.api_token_create(membership=member, name="  ")
    assert "name" in exc.value.field_errors


def test_api_token_of_someone_else_cannot_be_revoked(member, admin):
    issued = services.api_token_create(membership=member, name="Mine")
    with pytest.raises(NotFound):
        services.api_token_revoke(membership=admin, token=issued.token)
    assert services.api_token_authenticate(issued.secret) == member


def test_api_token_stops_with_the_membership(admin, member):
    issued = services.api_token_create(membership=member, name="Mine")
    services.membership_update(actor=admin, membership=member, is_active=False)
    assert services.api_token_authenticate(issued.secret) is None


# --- Organization settings


def test_organization_update(org, admin):
    services.organization_update(
        actor=admin,
        organization=org,
        name="  Acme Group ",
        default_language="en",
        approvals_required=3,
        final_approval_required=True,
    )
    org.refresh_from_db()
    assert (org.name, org.default_language, org.approvals_required) == ("Acme Group", "en", 3)
    assert org.final_approval_required is True


def test_organization_update_partial(org, admin):
    services.organization_update(actor=admin, organization=org, approvals_required=2)
    org.refresh_from_db()
    assert org.name == "Acme" and org.approvals_required == 2


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"name": "   "}, "name"),
        ({"name": "x" * 121}, "name"),
        ({"default_language": "de"}, "default_language"),
        ({"approvals_required": 0}, "approvals_required"),
        ({"approvals_required": 11}, "approvals_required"),
        ({"approvals_required": "3"}, "approvals_required"),
        ({"approvals_required": True}, "approvals_required"),
    ],
)
def test_organization_update_validation(org, admin, kwargs, field):
    with pytest.raises(DomainError) as exc:
        services.organization_update(actor=admin, organization=org, **{"name": "Renamed", **kwargs})
    assert field in exc.value.field_errors
    # Nothing is changed when anything is wrong, not even in memory.
    assert org.name == "Acme"
    org.refresh_from_db()
    assert org.name == "Acme"


def test_organization_update_is_for_its_admins(org, other_org, admin, member, outsider):
    with pytest.raises(PermissionDenied):
        services.organization_update(actor=member, organization=org, name="Mine")
    with pytest.raises(NotFound):
        services.organization_update(actor=outsider, organization=org, name="Mine")
    with pytest.raises(NotFound):
        services.organization_update(actor=admin, organization=other_org, name="Mine")
    org.refresh_from_db()
    other_org.refresh_from_db()
    assert (org.name, other_org.name) == ("Acme", "Globex")
