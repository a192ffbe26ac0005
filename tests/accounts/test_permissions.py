"""The role x action matrix, written out by hand, and the object rules of `can()`."""

from __future__ import annotations

import pytest

from portevoix.accounts import services
from portevoix.accounts.models import MembershipRole, Team
from portevoix.accounts.permissions import can, forget_roles, require, roles_of
from portevoix.accounts.roles import ALL_ACTIONS, ALL_ROLES, Role
from portevoix.core.errors import DomainError, PermissionDenied
from tests import factories

pytestmark = pytest.mark.django_db

# Every member may do these, whatever their roles (or none).
EVERY_MEMBER = {
    "org.view",
    "ambassador.enrol",
    "team.view",
    "member.view",
    "token.manage_own",
    "charter.acknowledge",
    "guardrails.check",
    "content.report",
}
EVERY_MEMBER |= {"training.take", "event.register", "event.coach"}

LIBRARY_EDIT = {
    "content.view_library",
    "content.create",
    "content.edit",
    "content.submit",
    "content.archive",
    "content.view_history",
    "taxonomy.manage",
}

# Beyond EVERY_MEMBER, what each role may do. Written out, not derived from roles.py.
EXPECTED: dict[str | None, set[str]] = {
    Role.ADMIN: {
        "org.manage",
        "member.invite",
        "member.manage",
        "member.view_profiles",
        "team.manage",
        *LIBRARY_EDIT,
        "training.manage",
        "training.view_reports",
        "event.manage",
        "share.view_all",
        "share.remove",
        "tracking.manage",
    },
    Role.CONTENT_MANAGER: {*LIBRARY_EDIT, "training.manage"},
    Role.APPROVER: {
        "content.view_library",
        "content.approve",
        "content.request_changes",
        "content.view_history",
    },
    Role.FINAL_APPROVER: {
        "content.view_library",
        "content.approve",
        "content.approve_final",
        "content.request_changes",
        "content.view_history",
    },
    Role.COMMUNITY_MANAGER: {
        "training.view_reports",
        "event.manage",
        "content.view_library",
        "content.archive",
        "content.view_history",
        "member.view_profiles",
        "share.view_all",
        "share.remove",
    },
    Role.ANALYST: {
        "content.view_library",
        "member.view_profiles",
        "share.view_all",
        "training.view_reports",
    },
    Role.EXECUTIVE: {"content.view_library"},
    Role.AMBASSADOR: {"feed.view", "share.create"},
    None: set(),  # a member with no role at all
}
# Analytics: the organization's dashboards, or only one's own figures.
for _role in (Role.ADMIN, Role.ANALYST, Role.COMMUNITY_MANAGER, Role.EXECUTIVE,
              Role.CONTENT_MANAGER):  # fmt: skip
    EXPECTED[_role] = EXPECTED[_role] | {"analytics.view_org"}
EXPECTED[Role.AMBASSADOR] = EXPECTED[Role.AMBASSADOR] | {"analytics.view_own"}
# Governance: charter, guardrails, moderation, audit log.
EXPECTED[Role.ADMIN] = EXPECTED[Role.ADMIN] | {
    "charter.manage",
    "charter.view_acks",
    "guardrails.manage",
    "audit.view",
}
EXPECTED[Role.COMMUNITY_MANAGER] = EXPECTED[Role.COMMUNITY_MANAGER] | {
    "charter.view_acks",
    "guardrails.manage",
    "moderation.manage",
}

# Publishing: network apps (admin), crisis pause and posting rhythm (admin, community manager);
# any member may delegate the preparation of their posts to an assistant.
EVERY_MEMBER |= {"publishing.delegate"}
EXPECTED[Role.ADMIN] = EXPECTED[Role.ADMIN] | {
    "publishing.apps",
    "publishing.pause",
    "publishing.cadence",
}
EXPECTED[Role.COMMUNITY_MANAGER] = EXPECTED[Role.COMMUNITY_MANAGER] | {
    "publishing.pause",
    "publishing.cadence",
}
# Planning: the content calendar is the social media team's, not the ambassadors'.
for _role in (Role.ADMIN, Role.CONTENT_MANAGER, Role.APPROVER, Role.FINAL_APPROVER,
              Role.COMMUNITY_MANAGER, Role.ANALYST, Role.EXECUTIVE):  # fmt: skip
    EXPECTED[_role] = EXPECTED[_role] | {"calendar.view"}

# Recognition: every member sees the boards and their own points; an admin sets the rules.
EVERY_MEMBER |= {"recognition.view"}
EXPECTED[Role.ADMIN] = EXPECTED[Role.ADMIN] | {"recognition.manage"}
# Fair play: administrators and community managers review the flags.
for _role in (Role.ADMIN, Role.COMMUNITY_MANAGER):
    EXPECTED[_role] = EXPECTED[_role] | {"recognition.fairplay"}

# Rewards: every member redeems (and exports their own figures); an admin keeps the catalogue;
# admins and community managers answer requests; admins and analysts export everyone's.
EVERY_MEMBER |= {"rewards.redeem"}
EXPECTED[Role.ADMIN] = EXPECTED[Role.ADMIN] | {
    "rewards.manage",
    "rewards.fulfil",
    "rewards.export_all",
}
EXPECTED[Role.COMMUNITY_MANAGER] = EXPECTED[Role.COMMUNITY_MANAGER] | {"rewards.fulfil"}
EXPECTED[Role.ANALYST] = EXPECTED[Role.ANALYST] | {"rewards.export_all"}
# Badges and challenges: administrators and community managers run them.
for _role in (Role.ADMIN, Role.COMMUNITY_MANAGER):
    EXPECTED[_role] = EXPECTED[_role] | {"recognition.challenges"}

# The idea box: every member posts, votes and comments; the advocacy board, content
# managers and admins triage.
EVERY_MEMBER |= {"idea.post"}
EXPECTED[Role.ADVOCACY_BOARD] = {"idea.triage"}
for _role in (Role.ADMIN, Role.CONTENT_MANAGER):
    EXPECTED[_role] = EXPECTED[_role] | {"idea.triage"}

# Program surveys: every member answers those they are asked; admins write and read them.
EVERY_MEMBER |= {"survey.answer"}
EXPECTED[Role.ADMIN] = EXPECTED[Role.ADMIN] | {"survey.manage"}

# Goals: administrators and analysts set them; whoever reads analytics sees them.
for _role in (Role.ADMIN, Role.ANALYST):
    EXPECTED[_role] = EXPECTED[_role] | {"goal.manage", "analytics.settings"}
# Reports: administrators and analysts schedule their sending (who gets them, when).
for _role in (Role.ADMIN, Role.ANALYST):
    EXPECTED[_role] = EXPECTED[_role] | {"report.manage"}

# Slack and Teams channels: administrators and community managers.
for _role in (Role.ADMIN, Role.COMMUNITY_MANAGER):
    EXPECTED[_role] = EXPECTED[_role] | {"chat.manage"}

# Single sign-on (the identity provider, its domains, enforcement): administrators only.
EXPECTED[Role.ADMIN] = EXPECTED[Role.ADMIN] | {"sso.manage"}
# Directory provisioning (SCIM): its tokens, the brake and held deactivations; admins only.
EXPECTED[Role.ADMIN] = EXPECTED[Role.ADMIN] | {"scim.manage"}
# The organization's whole archive and its deletion: administrators only.
EXPECTED[Role.ADMIN] = EXPECTED[Role.ADMIN] | {"org.export", "org.delete"}

# Outgoing webhooks (endpoints, their signing secrets, delivery logs): administrators only.
EXPECTED[Role.ADMIN] = EXPECTED[Role.ADMIN] | {"webhooks.manage"}

# Erasure of people who left, and the delay of the automatic erasure: administrators only.
EXPECTED[Role.ADMIN] = EXPECTED[Role.ADMIN] | {"privacy.erase"}

# Listening (the vigilance inbox; monitors, feeds, retention): admins and community managers.
for _role in (Role.ADMIN, Role.COMMUNITY_MANAGER):
    EXPECTED[_role] = EXPECTED[_role] | {"listening.view", "listening.manage"}

# Drafting assistance (the language model's address, model and key): administrators only.
EXPECTED[Role.ADMIN] = EXPECTED[Role.ADMIN] | {"assist.manage"}

ROLE_CODES = [code for code, _label in ALL_ROLES]
ACTIONS = sorted(ALL_ACTIONS)


def _member_with(org, role):
    if role is None:
        return factories.make_member(org)
    if role == Role.AMBASSADOR:
        return factories.make_member(org, ambassador=True)  # by opting in, never by assignment
    return factories.make_member(org, role)


def test_the_table_covers_every_role_and_action():
    assert set(EXPECTED) == {*ROLE_CODES, None}
    assert set().union(EVERY_MEMBER, *EXPECTED.values()) == set(ALL_ACTIONS)


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("role", [*ROLE_CODES, None], ids=lambda r: r or "no-role")
def test_role_action_matrix(org, role, action):
    membership = _member_with(org, role)
    expected = action in EVERY_MEMBER or action in EXPECTED[role]
    assert can(membership, action) is expected
    # An object of the member's own organization changes nothing.
    team = Team.objects.create(organization=org, name=f"Team {role}-{action}")
    assert can(membership, action, team) is expected


def test_roles_add_up(org):
    both = factories.make_member(org, Role.ANALYST, Role.APPROVER)
    assert can(both, "member.view_profiles")
    assert can(both, "content.approve")
    assert not can(both, "content.create")


def test_inactive_membership_can_nothing(org):
    admin = factories.make_member(org, Role.ADMIN, ambassador=True)
    admin.is_active = False
    admin.save(update_fields=["is_active"])
    forget_roles(admin)
    assert roles_of(admin) == frozenset()
    for action in ACTIONS:
        assert can(admin, action) is False, action


def test_no_membership_can_nothing():
    for action in ACTIONS:
        assert can(None, action) is False


def test_object_of_another_org_is_refused(org, other_org, admin):
    mine = services.team_create(actor=admin, name="Paris")
    other_admin = factories.make_member(other_org, Role.ADMIN)
    theirs = services.team_create(actor=other_admin, name="Paris")
    assert can(admin, "team.manage", mine)
    assert not can(admin, "team.manage", theirs)
    assert not can(admin, "team.view", theirs)
    assert not can(admin, "member.manage", other_admin)
    with pytest.raises(PermissionDenied):
        require(admin, "team.manage", theirs)


def test_author_cannot_approve_own_item(org, manager):
    both = factories.make_member(org, Role.CONTENT_MANAGER, Role.FINAL_APPROVER)
    item = factories.make_item(both)
    assert can(both, "content.approve") is True  # the role allows it in general...
    assert can(both, "content.approve", item) is False  # ...but not on their own item
    assert can(both, "content.approve_final", item) is False
    other = factories.make_member(org, Role.FINAL_APPROVER)
    assert can(other, "content.approve", item) is True
    assert can(other, "content.approve_final", item) is True


def test_unknown_action_is_a_programming_error(member):
    with pytest.raises(ValueError):
        can(member, "content.fly")


def test_require_raises_permission_denied(member):
    require(member, "member.view")
    with pytest.raises(PermissionDenied):
        require(member, "member.invite")


class TestAmbassadorOnlyByOptingIn:
    def test_membership_add_refuses_the_role(self, org):
        user = factories.make_user()
        with pytest.raises(DomainError) as exc:
            services.membership_add(organization=org, user=user, roles=[Role.AMBASSADOR])
        assert "roles" in exc.value.field_errors

    def test_membership_update_refuses_the_role(self, admin, member):
        with pytest.raises(DomainError):
            services.membership_update(actor=admin, membership=member, roles=[Role.AMBASSADOR])
        forget_roles(member)
        assert Role.AMBASSADOR not in roles_of(member)

    def test_invitation_refuses_the_role(self, admin):
        with pytest.raises(DomainError):
            services.invitation_create(actor=admin, email="new@acme.test", roles=[Role.AMBASSADOR])

    def test_a_stray_role_row_grants_nothing(self, member):
        MembershipRole.objects.create(membership=member, role=Role.AMBASSADOR)
        forget_roles(member)
        assert Role.AMBASSADOR not in roles_of(member)
        assert not can(member, "feed.view")

    def test_opting_in_and_out(self, member):
        assert not can(member, "feed.view")
        services.ambassador_opt_in(
            membership=member,
            data=services.EnrolmentData(languages=["fr"], help_with=["sharing"]),
        )
        assert can(member, "feed.view")
        services.ambassador_opt_out(membership=member)
        assert not can(member, "feed.view")
