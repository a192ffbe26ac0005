"""Goals: progress, forecast and status on a fixed day against hand-computed figures of the
analytics dataset (tests/analytics/conftest.py), every scope, the figures other apps count,
the reaching recorded and announced once; the pages (owner, member, ambassador, outsider,
wrong method) and the API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse

from portevoix.accounts import services as account_services
from portevoix.accounts.roles import Role
from portevoix.analytics import services, signals
from portevoix.analytics.models import Goal
from portevoix.analytics.selectors import goals as goal_selectors
from portevoix.core.errors import DomainError, NotFound, PermissionDenied
from portevoix.governance.models import AuditEntry
from portevoix.ideas.models import Idea, IdeaStatus
from portevoix.notifications.models import Kind, Notification
from portevoix.training.models import Certificate
from tests import factories
from tests.analytics.conftest import at
from tests.training.conftest import make_course

pytestmark = pytest.mark.django_db

MARCH_31 = dt.date(2026, 3, 31)


def make_goal(admin, **overrides: Any) -> Goal:
    values: dict[str, Any] = {
        "name": "Spring shares",
        "metric": "shares",
        "target": Decimal("10"),
        "start": dt.date(2026, 3, 1),
        "deadline": dt.date(2026, 4, 30),
    }
    values.update(overrides)
    return services.goal_create(actor=admin, data=services.GoalData(**values))


class TestProgress:
    def test_a_sum_is_forecast_from_the_pace(self, dataset, admin):
        # March 1 to April 30: 61 days. On March 31 (31 days elapsed), 3 shares
        # (A on the 2nd, B on the 8th, C on the 31st): forecast 3 x 61 / 31 = 5.90.
        row = goal_selectors.progress(make_goal(admin), on=MARCH_31)
        assert (row.value, row.days_elapsed, row.days_total) == (3, 31, 61)
        assert row.forecast == Decimal("5.90")
        assert row.status == "at_risk" and row.kind == "sum" and row.percent == 30
        on_track = goal_selectors.progress(make_goal(admin, target=Decimal("5")), on=MARCH_31)
        assert on_track.status == "on_track" and on_track.forecast_percent == 118

    def test_each_scope_counts_its_own(self, dataset, admin):
        campaign = make_goal(admin, campaign_id=dataset.campaign.pk)  # A and B shared item 1
        paris = make_goal(admin, team_id=dataset.paris.pk)  # A and B
        lyon = make_goal(admin, team_id=dataset.lyon.pk)  # B
        assert goal_selectors.progress(campaign, on=MARCH_31).value == 2
        assert goal_selectors.progress(paris, on=MARCH_31).value == 2
        assert goal_selectors.progress(lyon, on=MARCH_31).value == 1

    def test_a_level_is_not_extrapolated(self, dataset, admin):
        goal = make_goal(admin, metric="active_ambassadors", target=Decimal("5"))
        row = goal_selectors.progress(goal, on=MARCH_31)
        assert (row.value, row.forecast, row.kind, row.status) == (3, 3, "level", "at_risk")
        # The engagement rate: B's X post, 8 engagements of 400 impressions = 2 %.
        rate = make_goal(admin, metric="engagement_rate", target=Decimal("1.5"))
        assert goal_selectors.progress(rate, on=MARCH_31).value == Decimal("2.00")
        assert goal_selectors.progress(rate, on=MARCH_31).status == "reached"
        # Before any post reported impressions: no figures, not a 0 %.
        early = goal_selectors.progress(rate, on=dt.date(2026, 3, 3))
        assert (early.value, early.status) == (None, "no_data")

    def test_before_the_start_and_after_the_deadline(self, dataset, admin):
        goal = make_goal(admin)
        assert goal_selectors.progress(goal, on=dt.date(2026, 2, 20)).status == "upcoming"
        missed = goal_selectors.progress(goal, on=dt.date(2026, 5, 5))
        # Counted up to the deadline only: the 4 shares of March and April 1st.
        assert (missed.value, missed.days_elapsed, missed.status) == (4, 61, "missed")

    def test_ideas_accepted_and_certified_ambassadors(self, dataset, admin):
        a, b = dataset.a, dataset.b
        for author, decided in (
            (a, at("2026-03-10")),
            (b, at("2026-03-20")),
            (a, at("2026-02-01")),
        ):
            Idea.objects.create(
                organization=dataset.org,
                author=author,
                kind="content",
                title="An idea",
                status=IdeaStatus.ACCEPTED,
                created_at=decided,
                decided_at=decided,
            )
        ideas = make_goal(admin, metric="ideas_accepted", target=Decimal("4"))
        assert goal_selectors.progress(ideas, on=MARCH_31).value == 2  # February's is before
        lyon = make_goal(admin, metric="ideas_accepted", team_id=dataset.lyon.pk)
        assert goal_selectors.progress(lyon, on=MARCH_31).value == 1
        course = make_course(admin)
        for n, (member, issued) in enumerate(((a, "2026-03-05"), (b, "2026-04-10"))):
            Certificate.objects.create(
                organization=dataset.org,
                public_id=f"CERT-{n}",
                membership=member,
                course=course,
                holder_name="x",
                course_title=course.title,
                score=90,
                issued_at=at(issued),
            )
        certified = make_goal(admin, metric="certified_ambassadors", target=Decimal("2"))
        row = goal_selectors.progress(certified, on=MARCH_31)
        assert (row.value, row.kind, row.status) == (1, "level", "at_risk")
        assert goal_selectors.progress(certified, on=dt.date(2026, 4, 15)).status == "reached"


class TestRules:
    def test_bad_input_names_the_field(self, org, admin):
        cases: list[tuple[dict[str, Any], str]] = [
            ({"name": "  "}, "name"),
            ({"target": Decimal("0")}, "target"),
            ({"metric": "engagement_rate", "target": Decimal("150")}, "target"),
            ({"deadline": dt.date(2026, 2, 1)}, "deadline"),
            ({"deadline": dt.date(2030, 1, 1)}, "deadline"),
        ]
        for overrides, field in cases:
            with pytest.raises(DomainError) as caught:
                make_goal(admin, **overrides)
            assert field in caught.value.field_errors

    def test_ideas_have_no_campaign_and_scopes_stay_in_the_organization(
        self, dataset, admin, other_org
    ):
        with pytest.raises(DomainError) as caught:
            make_goal(admin, metric="ideas_accepted", campaign_id=dataset.campaign.pk)
        assert "campaign" in caught.value.field_errors
        foreign = account_services.team_create(
            actor=factories.make_member(other_org, Role.ADMIN, email="x@globex.test"), name="X"
        )
        with pytest.raises(NotFound):
            make_goal(admin, team_id=foreign.pk)

    def test_only_admins_and_analysts_set_goals(self, org, admin, analyst):
        make_goal(analyst)
        executive = factories.make_member(org, Role.EXECUTIVE, email="exec@acme.test")
        with pytest.raises(PermissionDenied):
            make_goal(executive)
        assert AuditEntry.objects.filter(action="analytics.goal_set").count() == 1


class TestReaching:
    def test_recorded_and_announced_once(
        self, dataset, admin, analyst, django_capture_on_commit_callbacks
    ):
        goal = make_goal(admin, target=Decimal("3"), visible_to_ambassadors=True)
        heard = []

        def listener(sender, **kw):
            heard.append(kw["goal_id"])

        signals.goal_reached.connect(listener)
        try:
            with django_capture_on_commit_callbacks(execute=True):
                assert services.goals_check(on=MARCH_31) == 1
            with django_capture_on_commit_callbacks(execute=True):
                assert services.goals_check(on=MARCH_31) == 0
        finally:
            signals.goal_reached.disconnect(listener)
        assert heard == [goal.pk]
        goal.refresh_from_db()
        assert goal.reached_value == 3 and goal.reached_at is not None
        told = set(
            Notification.objects.filter(kind=Kind.GOAL).values_list("membership_id", flat=True)
        )
        # The program team (admin, analyst) and, the goal being shown to them, the ambassadors.
        assert {admin.pk, analyst.pk, dataset.a.pk, dataset.b.pk, dataset.c.pk} <= told
        assert Notification.objects.filter(kind=Kind.GOAL).count() == len(told)

    def test_a_team_goal_hidden_from_ambassadors_tells_the_team_only(
        self, dataset, admin, analyst, django_capture_on_commit_callbacks
    ):
        make_goal(admin, target=Decimal("1"), team_id=dataset.lyon.pk)
        with django_capture_on_commit_callbacks(execute=True):
            services.goals_check(on=MARCH_31)
        told = set(
            Notification.objects.filter(kind=Kind.GOAL).values_list("membership_id", flat=True)
        )
        assert admin.pk in told and analyst.pk in told and dataset.b.pk not in told

    def test_changing_the_target_checks_again(self, dataset, admin):
        goal = make_goal(admin, target=Decimal("3"))
        assert services.goal_check(
            organization_id=goal.organization_id, goal_id=goal.pk, on=MARCH_31
        )
        data = services.GoalData(
            name="Renamed", metric="shares", target=Decimal("3"),
            start=goal.start, deadline=goal.deadline,
        )  # fmt: skip
        services.goal_update(actor=admin, goal_id=goal.pk, data=data)
        goal.refresh_from_db()
        assert goal.reached_at is not None  # a new name keeps the reaching
        raised = services.GoalData(**{**data.__dict__, "target": Decimal("8")})
        services.goal_update(actor=admin, goal_id=goal.pk, data=raised)
        goal.refresh_from_db()
        assert goal.reached_at is None
        assert goal_selectors.progress(goal, on=MARCH_31).status == "at_risk"


def client_for(membership, lang: str = "en") -> Client:
    client = Client()
    client.force_login(membership.user)
    client.cookies["django_language"] = lang
    return client


class TestPages:
    def test_the_team_sees_every_goal_with_its_status(self, dataset, admin):
        make_goal(admin, name="Spring shares")
        make_goal(admin, name="Lyon", team_id=dataset.lyon.pk)
        with mock.patch.object(goal_selectors, "today", return_value=MARCH_31):
            page = client_for(admin).get(reverse("analytics:goals"))
            french = client_for(admin, "fr").get(reverse("analytics:goals"))
        text = page.content.decode()
        assert page.status_code == 200
        assert "Spring shares" in text and "Lyon" in text and "At risk" in text
        assert "3 of 10 (30 %)" in text and "How is this computed?" in text
        assert "Objectifs" in french.content.decode() and "À risque" in french.content.decode()

    def test_an_ambassador_sees_only_what_is_shown_to_them(self, dataset, admin):
        make_goal(admin, name="Internal")
        make_goal(admin, name="For all", visible_to_ambassadors=True)
        make_goal(admin, name="Lyon only", team_id=dataset.lyon.pk, visible_to_ambassadors=True)
        seen_by_a = client_for(dataset.a).get(reverse("analytics:goals")).content.decode()
        seen_by_b = client_for(dataset.b).get(reverse("analytics:goals")).content.decode()
        assert "For all" in seen_by_a and "Internal" not in seen_by_a
        assert "Lyon only" not in seen_by_a and "Lyon only" in seen_by_b
        assert "New goal" not in seen_by_a

    def test_the_dashboards_show_the_running_goals(self, dataset, admin):
        today = goal_selectors.today()
        running = {"start": today - dt.timedelta(days=5), "deadline": today + dt.timedelta(days=5)}
        make_goal(admin, name="Running, internal", **running)
        make_goal(admin, name="Running, shown", visible_to_ambassadors=True, **running)
        make_goal(admin, name="Spring, long over")
        team = client_for(admin).get(reverse("analytics:dashboard")).content.decode()
        mine = client_for(dataset.a).get(reverse("analytics:me")).content.decode()
        assert "Running, internal" in team and "Running, shown" in team
        assert "Spring, long over" not in team
        assert "Running, shown" in mine and "Running, internal" not in mine

    def test_owner_creates_changes_and_archives(self, dataset, admin):
        client = client_for(admin)
        form = {
            "name": "Hiring shares",
            "metric": "shares",
            "target": "12",
            "start": "2026-03-01",
            "deadline": "2026-05-31",
            "scope": f"c{dataset.campaign.pk}",
            "visible_to_ambassadors": "on",
        }
        response = client.post(reverse("analytics:goal_new"), form)
        assert response.status_code == 302
        goal = Goal.objects.get(name="Hiring shares")
        assert goal.campaign_id == dataset.campaign.pk and goal.visible_to_ambassadors
        edit = reverse("analytics:goal_edit", args=[goal.pk])
        assert client.get(edit).status_code == 200
        bad = client.post(edit, {**form, "deadline": "2026-02-01"})
        assert (
            bad.status_code == 400 and "The deadline is before the start." in bad.content.decode()
        )
        assert client.post(edit, {**form, "scope": f"t{dataset.paris.pk}"}).status_code == 302
        goal.refresh_from_db()
        assert goal.team_id == dataset.paris.pk and goal.campaign_id is None
        archive = reverse("analytics:goal_archive", args=[goal.pk])
        assert client.get(archive).status_code == 405
        assert client.post(archive).status_code == 302
        assert Goal.objects.get(pk=goal.pk).archived_at is not None
        assert client.get(edit).status_code == 404

    def test_member_without_the_right_and_outsider(self, dataset, admin, outsider):
        goal = make_goal(admin)
        executive = factories.make_member(dataset.org, Role.EXECUTIVE, email="exec@acme.test")
        edit = reverse("analytics:goal_edit", args=[goal.pk])
        archive = reverse("analytics:goal_archive", args=[goal.pk])
        assert client_for(executive).get(reverse("analytics:goals")).status_code == 200
        assert client_for(executive).get(edit).status_code == 403
        assert client_for(executive).post(archive).status_code == 403
        assert client_for(outsider).get(edit).status_code == 404
        assert client_for(outsider).post(archive).status_code == 404
        assert (
            "Spring shares"
            not in client_for(outsider).get(reverse("analytics:goals")).content.decode()
        )
        foreign_scope = client_for(outsider).post(
            reverse("analytics:goal_new"),
            {"name": "x", "metric": "shares", "target": "1", "start": "2026-03-01",
             "deadline": "2026-03-02", "scope": f"t{dataset.paris.pk}"},
        )  # fmt: skip
        assert foreign_scope.status_code == 400  # not one of the outsider's choices
        assert not Goal.objects.filter(organization=outsider.organization).exists()


def test_the_api_lists_goals_with_their_status(dataset, admin):
    from tests.api.conftest import ApiClient, token_for

    make_goal(admin, visible_to_ambassadors=True)
    make_goal(admin, name="Internal")
    with mock.patch.object(goal_selectors, "today", return_value=MARCH_31):
        team = ApiClient(token_for(admin)).get("/api/v1/goals")
        mine = ApiClient(token_for(dataset.a)).get("/api/v1/goals")
    assert team.status_code == 200
    rows = team.json()["goals"]
    assert [r["name"] for r in rows] == ["Spring shares", "Internal"]
    assert rows[0]["status"] == "at_risk" and rows[0]["forecast"] == "5.90"
    assert rows[0]["forecast_method"] == "pace"
    assert [r["name"] for r in mine.json()["goals"]] == ["Spring shares"]
