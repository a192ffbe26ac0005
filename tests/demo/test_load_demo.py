"""The demo organization (`manage.py load_demo`), checked on one load shared by the whole
module (tests/conftest.py `demo_module`): loading it takes seconds, so every read-only check
of the loaded demo lives here, whichever app it is about (people and content; recognition and
participation, issue 12; the training part; the link previews). Each test runs in its own
savepoint, so one test's changes never reach the next."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from portevoix.accounts.models import (
    AmbassadorProfile,
    Membership,
    MembershipRole,
    NetworkPresence,
    Organization,
    Team,
    User,
)
from portevoix.accounts.roles import ASSIGNABLE_ROLE_CODES
from portevoix.analytics.models import Goal
from portevoix.analytics.selectors import goals as goal_selectors
from portevoix.content import review, selectors
from portevoix.content.models import (
    Campaign,
    ContentItem,
    ContentType,
    NetworkCopy,
    PreviewStatus,
    State,
    Topic,
    Transition,
)
from portevoix.core import clock
from portevoix.core.networks import check_copy
from portevoix.core.tenancy import scoped
from portevoix.demo import data, extra_library, extra_recognition, extra_training, loader
from portevoix.ideas.models import Idea, IdeaComment, IdeaStatus
from portevoix.recognition import selectors as recognition_selectors
from portevoix.recognition.models import Badge, BadgeAward, Challenge, PointEntry
from portevoix.rewards.models import Redemption, Reward
from portevoix.surveys import selectors as survey_selectors
from portevoix.surveys.models import State as SurveyState
from portevoix.surveys.models import Survey
from portevoix.training.models import Certificate, Enrollment, Event

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def load() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


@pytest.fixture
def demo(demo_module: tuple[Organization, str]) -> tuple[Organization, str]:
    """The demo, loaded once for this module (tests/conftest.py `demo_module`)."""
    return demo_module


def test_about_forty_people_in_four_teams(demo):
    org, _output = demo
    members = Membership.objects.filter(organization=org, is_active=True)
    assert 35 <= members.count() <= 45
    teams = Team.objects.filter(organization=org)
    assert teams.count() == 4
    for team in teams:
        assert team.memberships.count() >= 5, team.name
    assert not members.filter(teams__isnull=True).exists()
    assert org.approvals_required == 1
    assert not org.final_approval_required


def test_every_role_and_about_twenty_ambassadors(demo):
    org, _output = demo
    roles = set(
        MembershipRole.objects.filter(membership__organization=org).values_list("role", flat=True)
    )
    assert roles >= ASSIGNABLE_ROLE_CODES
    ambassadors = AmbassadorProfile.objects.filter(membership__organization=org, opted_in=True)
    assert 18 <= ambassadors.count() <= 25
    for profile in ambassadors:
        assert profile.languages and set(profile.languages) <= {"fr", "en"}
        assert profile.interests.exists()
        assert profile.networks.exists()
        assert all(p.audience > 0 for p in profile.networks.all())
    mastodon = NetworkPresence.objects.filter(
        profile__membership__organization=org, network="mastodon"
    )
    assert mastodon.exists()
    assert all("." in p.instance for p in mastodon)
    # Someone withdrew: enrolment is voluntary and reversible.
    assert AmbassadorProfile.objects.filter(
        membership__organization=org, opted_in=False, opted_out_at__isnull=False
    ).exists()


def test_printed_logins_have_the_role_they_claim(demo):
    org, output = demo
    assert data.DEFAULT_PASSWORD in output
    for role, email in data.LOGINS:
        assert email in output
        membership = Membership.objects.get(organization=org, user__email=email)
        assigned = set(membership.role_rows.values_list("role", flat=True))
        if role in ASSIGNABLE_ROLE_CODES:
            assert role in assigned
        elif role.startswith("ambassador"):
            assert membership.ambassador.opted_in
        else:  # the plain employee: no role, not an ambassador
            assert not assigned
            assert not AmbassadorProfile.objects.filter(membership=membership).exists()
        assert User.objects.get(email=email).check_password(data.DEFAULT_PASSWORD)


def test_every_state_type_and_language(demo):
    org, _output = demo
    items = ContentItem.objects.filter(organization=org)
    assert 25 <= items.count() <= 35
    assert set(items.values_list("state", flat=True)) == set(State.values)
    assert set(items.values_list("content_type", flat=True)) == set(ContentType.values)
    assert set(items.values_list("language", flat=True)) == {"fr", "en"}
    now = clock.now()
    for item in items.filter(state=State.APPROVED):
        assert item.publish_at is not None and item.publish_at > now  # scheduled ahead
        assert selectors.effective_state(item, now) == State.APPROVED
    for item in items.filter(state=State.LIVE):
        assert selectors.effective_state(item, now) == State.LIVE
    for item in items.filter(state=State.EXPIRED):
        assert item.expire_at is not None and item.expire_at <= now
    assert (
        items.filter(state=State.CHANGES_REQUESTED).count()
        == Transition.objects.filter(item__organization=org, action="request_changes")
        .exclude(comment="")
        .count()
    )
    assert items.filter(important=True).exists()
    assert items.filter(featured=True).exists()
    assert 2 <= Campaign.objects.filter(organization=org).count() <= 3
    assert Topic.objects.filter(organization=org).count() >= 5
    assert items.filter(campaign__isnull=False).count() >= 5


def test_every_copy_fits_its_network(demo):
    org, _output = demo
    copies = NetworkCopy.objects.filter(item__organization=org)
    assert copies.count() >= 60
    assert {"linkedin", "x", "facebook", "mastodon", "bluesky", "threads"} <= set(
        copies.values_list("network", flat=True)
    )
    for copy in copies:
        check = check_copy(copy.network, copy.text)
        assert check.ok, (copy.item.title, copy.network, check)
    # Every item that went through review has copy to share.
    assert not ContentItem.objects.filter(organization=org, copies__isnull=True).exists()


def test_every_ambassador_has_a_feed(demo):
    org, _output = demo
    for membership in Membership.objects.filter(organization=org, ambassador__opted_in=True):
        feed = list(selectors.feed_items(membership=membership))
        assert feed, membership.user.email
        assert all(item.language in membership.ambassador.languages for item in feed)


def test_running_twice_keeps_everything_and_prints_the_logins_again(demo):
    _org, _first = demo
    counts = (
        User.objects.count(),
        Membership.objects.count(),
        ContentItem.objects.count(),
        NetworkCopy.objects.count(),
        Transition.objects.count(),
        Topic.objects.count(),
    )
    second = load()
    assert "nothing changed" in second
    for _role, email in data.LOGINS:
        assert email in second
    assert Organization.objects.filter(slug=data.ORG_SLUG).count() == 1
    assert counts == (
        User.objects.count(),
        Membership.objects.count(),
        ContentItem.objects.count(),
        NetworkCopy.objects.count(),
        Transition.objects.count(),
        Topic.objects.count(),
    )


def test_a_demo_account_can_log_in(demo, client):
    assert client.login(email=data.AMBASSADOR, password=data.DEFAULT_PASSWORD)


def test_the_demo_approver_has_a_queue_worth_showing(demo):
    org, _output = demo
    approver = scoped(Membership, org).get(user__email="approbation@demo.portevoix.org")
    queue = review.approvals_queue(membership=approver)
    assert queue.total >= 2
    assert any(entry.due == "overdue" for entry in queue.entries)
    edited = [entry for entry in queue.entries if not entry.diff.first]
    assert edited
    assert {"title", "body", "publish_at"} <= {c.key for c in edited[0].diff.changes}


# Recognition and participation (issue 12): boards with every visibility choice, badges and
# challenges, ideas with each outcome, a catalogue with redemptions, and surveys.


def test_the_demo_boards_show_people_of_every_choice(demo_module):
    org, _output = demo_module
    choices = set(
        AmbassadorProfile.objects.filter(membership__organization=org)
        .exclude(visibility="")
        .values_list("visibility", flat=True)
    )
    assert choices == {"name", "pseudonym", "hidden"}
    rules = set(PointEntry.objects.filter(organization=org).values_list("rule", flat=True))
    assert {"share", "original_post", "click", "course_passed"} <= rules
    ambassador = Membership.objects.get(organization=org, user__email=data.AMBASSADOR)
    rows = recognition_selectors.board(membership=ambassador, period="all", limit=None)
    assert len(rows) >= 10
    hidden = Membership.objects.get(organization=org, user__email=data.CONTENT_2)
    assert hidden.user.display_name not in {row.name for row in rows}
    assert "Plume verte" in {row.name for row in rows}
    stored = recognition_selectors.stored_totals(organization_id=org.pk)
    recount = recognition_selectors.ledger_sums(organization_id=org.pk)
    assert {k: v for k, v in stored.items() if v != (0, 0)} == {
        k: v for k, v in recount.items() if v != (0, 0)
    }
    # Loading the part again awards nothing more.
    count = PointEntry.objects.count()
    extra_recognition.load(org)
    assert PointEntry.objects.count() == count


def test_the_demo_has_badges_and_challenges(demo_module):
    org, _output = demo_module
    holders = set(BadgeAward.objects.filter(organization=org).values_list("membership", flat=True))
    assert len(holders) >= 3
    assert Badge.objects.filter(organization=org, code="", name="Cœur du réseau").exists()
    running = Challenge.objects.get(organization=org, title="Semaine du partage")
    assert 0 < running.progress < running.target and running.reached_at is None
    finished = Challenge.objects.get(organization=org, title="Premiers clics de la rentrée")
    assert finished.reached_at is not None
    assert PointEntry.objects.filter(rule="challenge_bonus", source_id=finished.pk).exists()
    count = BadgeAward.objects.count(), Challenge.objects.count()
    call_command("load_demo", stdout=StringIO())
    assert (BadgeAward.objects.count(), Challenge.objects.count()) == count


def test_the_demo_has_ideas_of_every_kind_and_each_outcome(demo_module):
    org, _output = demo_module
    ideas = Idea.objects.filter(organization=org)
    assert set(ideas.values_list("kind", flat=True)) == {"content", "insight", "improvement"}
    assert all(idea.vote_count >= 2 for idea in ideas)
    assert IdeaComment.objects.filter(organization=org).count() == 4
    accepted = ideas.get(status=IdeaStatus.ACCEPTED)
    assert accepted.content_item is not None
    assert accepted.content_item.state == State.DRAFT
    assert PointEntry.objects.filter(rule="idea_accepted", key=f"idea:{accepted.pk}").count() == 1
    declined = ideas.get(status=IdeaStatus.DECLINED)
    assert declined.decision_reason
    call_command("load_demo", stdout=StringIO())  # loading again adds nothing
    assert Idea.objects.filter(organization=org).count() == ideas.count() == 6


def test_the_demo_has_a_closed_barometer_and_an_open_survey(demo_module):
    org, _output = demo_module
    closed = Survey.objects.get(organization=org, state=SurveyState.CLOSED)
    assert closed.anonymous
    admin = Membership.objects.get(organization=org, user__email=data.ADMIN)
    found = survey_selectors.results(membership=admin, pk=closed.pk)
    assert found.shown and found.participants >= 8
    by_kind = {r.question.kind: r for r in found.questions}
    assert by_kind["enps"].enps is not None and by_kind["text"].texts
    ambassador = Membership.objects.get(organization=org, user__email=data.AMBASSADOR)
    assert [s.title for s in survey_selectors.open_surveys(membership=ambassador)] == [
        "Vos formats préférés"
    ]


def test_the_demo_has_a_catalogue_and_two_redemptions(demo_module):
    org, _output = demo_module
    assert Reward.objects.filter(organization=org).count() == 6
    statuses = sorted(Redemption.objects.filter(organization=org).values_list("status", flat=True))
    assert statuses == ["approved", "pending"]
    stored = recognition_selectors.stored_totals(organization_id=org.pk)
    recount = recognition_selectors.ledger_sums(organization_id=org.pk)
    assert {k: v for k, v in stored.items() if v != (0, 0)} == {
        k: v for k, v in recount.items() if v != (0, 0)
    }


# The training part (portevoix/demo/extra_training.py) on the real demo organization.


def test_on_the_real_demo_organization(demo):
    org, _output = demo
    extra_training.load(org)  # loaded already: loading again changes nothing
    holders = set(
        Certificate.objects.filter(organization=org).values_list(
            "membership__user__email", flat=True
        )
    )
    assert holders == set(extra_training.PASSED)
    assert {email for email, _lessons, _failed in extra_training.IN_PROGRESS} <= set(
        Enrollment.objects.filter(organization=org, completed_at__isnull=True).values_list(
            "membership__user__email", flat=True
        )
    )
    workshop = Event.objects.get(organization=org, kind="social_media_week")
    assert workshop.registrations.filter(status="waitlisted").count() == 2
    coach = Event.objects.filter(organization=org).values_list("coach__user__email", flat=True)
    assert set(coach) == {data.COMMUNITY}


# The demo's link previews: given, not read (`make run` has no network).


def test_every_linked_demo_item_has_a_preview(demo):
    org, _output = demo
    linked = ContentItem.objects.filter(organization=org).exclude(link="")
    # + the approvals' open day and the draft of the demo's accepted idea (it has a link)
    extras = sum(1 for t in extra_library.TEMPLATES if t.link) + 2
    assert linked.count() == sum(1 for d in data.ITEMS if d.link) + extras
    for item in linked:
        assert item.preview_status == PreviewStatus.OK, item.title
        assert item.preview_title == item.title and item.preview_image
        assert item.preview_image.storage.exists(item.preview_image.name)
    unlinked = ContentItem.objects.filter(organization=org, link="")
    assert not unlinked.exclude(preview_status=PreviewStatus.NONE).exists()


# --- Goals (issue 13): every status but "not started", every scope, reached once.


def test_the_demo_has_goals_of_every_status(demo_module):
    org, _output = demo_module
    analyst = Membership.objects.get(organization=org, user__email=data.ANALYST)
    rows = goal_selectors.goals(membership=analyst)
    assert len(rows) == 7
    assert {row.status for row in rows} == {"reached", "on_track", "at_risk", "missed"}
    assert {row.goal.metric for row in rows} >= {
        "clicks",
        "ideas_accepted",
        "certified_ambassadors",
    }
    assert any(row.goal.campaign_id for row in rows) and any(row.goal.team_id for row in rows)
    reached = [row.goal for row in rows if row.goal.reached_at is not None]
    assert len(reached) == 1
    # Its announcement goes out on commit (tests/analytics/test_goals.py checks it); the
    # demo is loaded here inside the module's transaction, which never commits.
    ambassador = Membership.objects.get(organization=org, user__email=data.AMBASSADOR)
    shown = {row.goal.name for row in goal_selectors.goals(membership=ambassador)}
    assert shown and shown < {row.goal.name for row in rows}
    assert loader.load_extras(org) == []  # every part loaded once
    assert Goal.objects.filter(organization=org).count() == 7


# --- Reports (issue 13): both schedules on, the reports open for the executive.


def test_the_demo_schedules_its_reports_and_they_open(demo_module):
    from django.test import Client

    from portevoix.analytics.selectors import reports as report_selectors

    org, _output = demo_module
    admin = Membership.objects.get(organization=org, user__email=data.ADMIN)
    states = {s.kind: s for s in report_selectors.schedules(membership=admin)}
    assert states["weekly"].schedule.enabled and states["monthly"].schedule.enabled
    executive = Membership.objects.get(organization=org, user__email=data.EXECUTIVE)
    assert executive.pk in states["monthly"].recipient_ids
    assert len(states["weekly"].recipient_ids) == 2
    client = Client()
    client.force_login(executive.user)
    for kind in report_selectors.KINDS:
        page = client.get(f"/analytics/reports/{kind}/")
        assert page.status_code == 200, kind
    weekly = report_selectors.report(membership=executive, kind="weekly")
    assert weekly.comparison.current.shares > 0 and weekly.top_items


def test_the_demo_listens_to_its_brand_and_competitors_and_curates(demo_module):
    from django.test import Client

    from portevoix.listening.models import (
        BenchmarkAccount,
        BenchmarkSnapshot,
        Mention,
        Monitor,
        Proposal,
        SpikeAlert,
        VoiceDay,
    )

    org, _output = demo_module
    monitors = {m.name: m for m in scoped(Monitor, org)}
    categories = {m.category for m in monitors.values()}
    assert {"brand", "competitor", "trend"} <= categories
    brand = monitors["Lumen Énergie"]
    assert brand.mentions.count() >= 50
    assert monitors["Solaris Power"].mentions.count() >= 10
    assert monitors["VoltaVerde"].mentions.count() >= 10
    now = clock.now()
    burst = brand.mentions.filter(published_at__gte=now - dt.timedelta(hours=2)).count()
    assert burst >= 10  # the outage burst, in the last complete hour
    assert scoped(Mention, org).values("network").distinct().count() >= 3
    assert scoped(Proposal, org).filter(status="pending").count() == 5
    alert_kinds = set(scoped(SpikeAlert, org).filter(monitor=brand).values_list("kind", flat=True))
    assert alert_kinds == {"volume", "negative"}  # the outage burst of the last hour
    sentiments = set(scoped(Mention, org).values_list("sentiment", flat=True))
    assert {"positive", "negative"} <= sentiments
    assert scoped(VoiceDay, org).filter(monitor=monitors["Solaris Power"]).exists()
    assert scoped(BenchmarkAccount, org).count() == 3
    assert scoped(BenchmarkSnapshot, org).count() == 3 * 31
    latest = scoped(BenchmarkSnapshot, org).order_by("-day").first()
    assert latest is not None
    assert {"#solaire", "#stockage"} <= {topic["term"] for topic in latest.topics}
    community = Membership.objects.get(organization=org, user__email=data.COMMUNITY)
    content = Membership.objects.get(organization=org, user__email=data.CONTENT)
    client = Client()
    client.force_login(community.user)
    assert "Lumen" in client.get("/listening/").content.decode()
    for page in ("voice", "benchmarks", "alerts", "summary"):
        assert client.get(f"/listening/{page}/").status_code == 200, page
    page = client.get("/listening/benchmarks/").content.decode()
    assert "Solaris Power" in page and '<span class="badge">#solaire</span>' in page
    home = client.get("/").content.decode()
    assert "New mentions" in home and "Open the vigilance inbox" in home
    client.force_login(content.user)
    page = client.get("/listening/curation/").content.decode()
    assert "Autoconsommation collective" in page
