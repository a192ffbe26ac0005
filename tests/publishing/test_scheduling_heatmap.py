"""Scheduling (portevoix.publishing.scheduling): the best-time heatmap's fallback levels and
its template.

Every test passes a fixed `now`: nothing depends on the day the suite runs."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from portevoix.accounts.models import Team
from portevoix.publishing import scheduling
from portevoix.publishing.models import EngagementSnapshot, PostState
from tests import factories
from tests.factories import make_live_item
from tests.publishing._scheduling_helpers import NOW, add_clicks, make_post, paris, weekly

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_in_paris")]


# --- Heatmap: fallback levels


def test_defaults_without_data(ambassador):
    themap = scheduling.heatmap(membership=ambassador, network="linkedin", now=NOW)
    assert themap.source == "defaults"
    assert themap.events == 0
    assert themap.tz == "Europe/Paris"
    assert themap.label.startswith("Recommended defaults")
    assert "Sunday morning on LinkedIn" in themap.label
    w = themap.weights
    assert len(w) == 7 and all(len(row) == 24 for row in w)
    assert all(0.0 <= x <= 1.0 for row in w for x in row)
    for day in range(5):
        for hour in (7, 8, 12, 13, 18, 19, 20):
            assert w[day][hour] >= 0.85
        for hour in range(0, 6):
            assert w[day][hour] == 0.0
        assert w[day][10] < w[day][8]
    assert 0.3 <= w[5][11] <= 0.6  # Saturday: moderate
    assert w[6][9] == w[6][10] == 1.0  # Sunday morning on LinkedIn
    on_x = scheduling.heatmap(membership=ambassador, network="x", now=NOW)
    assert on_x.weights[6][9] < 1.0
    assert "LinkedIn" not in on_x.label


def test_own_clicks_from_30_events(ambassador, item):
    times = weekly(paris(2025, 11, 18, 9, 20), 30)  # Tuesdays 09:20
    add_clicks(ambassador, item, times[:29])
    assert scheduling.heatmap(membership=ambassador, network="linkedin", now=NOW).source == (
        "defaults"
    )
    add_clicks(ambassador, item, times[29:])
    themap = scheduling.heatmap(membership=ambassador, network="linkedin", now=NOW)
    assert themap.source == "own"
    assert themap.events == 30
    assert themap.label == "From your own clicks and engagement"
    assert themap.weights[1][9] == 1.0
    assert sum(sum(row) for row in themap.weights) == 1.0


def test_what_is_not_counted(ambassador, item, other_org):
    # Not counted, another network, older than 90 days, after now: all ignored.
    add_clicks(ambassador, item, weekly(paris(2025, 11, 18, 9, 20), 40), counted=False)
    add_clicks(ambassador, item, weekly(paris(2025, 11, 18, 9, 20), 40), network="x")
    add_clicks(ambassador, item, weekly(paris(2025, 8, 18, 9, 20), 40))
    add_clicks(ambassador, item, [NOW + dt.timedelta(hours=i) for i in range(1, 41)])
    # Another organization, same membership id copy impossible: its rows are not ours.
    outsider = factories.make_member(other_org, email="far@globex.test")
    other_item = make_live_item(
        factories.make_member(other_org, factories.ROLES.CONTENT_MANAGER),
        factories.make_member(other_org, factories.ROLES.APPROVER),
    )
    add_clicks(outsider, other_item, weekly(paris(2025, 11, 18, 9, 20), 200))
    themap = scheduling.heatmap(membership=ambassador, network="linkedin", now=NOW)
    assert themap.source == "defaults"


def test_engagement_of_published_posts_counts_at_the_publication_hour(ambassador, item, member):
    published = paris(2025, 11, 20, 17, 40)  # Thursday
    post = make_post(
        ambassador,
        item,
        published - dt.timedelta(minutes=5),
        state=PostState.PUBLISHED,
        published_at=published,
    )
    org_id = ambassador.organization_id
    EngagementSnapshot.objects.create(
        organization_id=org_id, post=post, at=published + dt.timedelta(hours=1), likes=500
    )
    # The latest snapshot counts; None is 0: 20 + 0 + 5 + 5 = 30.
    EngagementSnapshot.objects.create(
        organization_id=org_id,
        post=post,
        at=published + dt.timedelta(days=1),
        likes=20,
        replies=None,
        reposts=5,
        quotes=5,
        impressions=9000,
    )
    # Not published, or on another network, or someone else's: no engagement for us.
    scheduled = make_post(ambassador, item, paris(2025, 11, 21, 8, 0))
    elsewhere = make_post(
        ambassador, item, published, network="x", state=PostState.PUBLISHED, published_at=published
    )
    theirs = make_post(
        member, item, published, state=PostState.PUBLISHED, published_at=paris(2025, 11, 19, 7)
    )
    for other in (scheduled, elsewhere, theirs):
        EngagementSnapshot.objects.create(organization_id=org_id, post=other, at=NOW, likes=1000)
    themap = scheduling.heatmap(membership=ambassador, network="linkedin", now=NOW)
    assert themap.source == "own"
    assert themap.events == 30
    assert themap.weights[3][17] == 1.0
    assert sum(sum(row) for row in themap.weights) == 1.0


def test_team_level_from_60_events(ambassador, item, org, member):
    team = Team.objects.create(organization=org, name="Sales")
    other_team = Team.objects.create(organization=org, name="Legal")
    ambassador.teams.add(team, other_team)
    member.teams.add(team)
    stranger = factories.make_member(org, email="stranger@acme.test")
    add_clicks(ambassador, item, weekly(paris(2025, 11, 17, 8, 10), 10))  # Mondays 08:10
    add_clicks(member, item, weekly(paris(2025, 11, 19, 12, 10), 49))  # Wednesdays 12:10
    add_clicks(stranger, item, weekly(paris(2025, 11, 20, 18, 10), 30))
    # 10 + 49 = 59 in the team, 89 in the organization: defaults.
    assert scheduling.heatmap(membership=ambassador, network="linkedin", now=NOW).source == (
        "defaults"
    )
    add_clicks(member, item, [paris(2025, 11, 19, 12, 50)])
    themap = scheduling.heatmap(membership=ambassador, network="linkedin", now=NOW)
    assert themap.source == "team"
    assert themap.events == 60  # the stranger's clicks are not in it
    assert themap.label == "From your team's clicks and engagement"
    assert themap.weights[2][12] == 1.0
    assert themap.weights[0][8] == pytest.approx(10 / 50)
    assert themap.weights[3][18] == 0.0


def test_organization_level_from_100_events(ambassador, item, org, member):
    add_clicks(ambassador, item, weekly(paris(2025, 11, 17, 8, 10), 10))
    add_clicks(member, item, weekly(paris(2025, 11, 21, 13, 10), 89))  # Fridays 13:10
    assert scheduling.heatmap(membership=ambassador, network="linkedin", now=NOW).source == (
        "defaults"
    )
    add_clicks(member, item, [paris(2025, 11, 21, 13, 40)])
    themap = scheduling.heatmap(membership=ambassador, network="linkedin", now=NOW)
    assert themap.source == "organization"
    assert themap.events == 100
    assert themap.label == "From the whole organization's clicks and engagement"
    assert themap.weights[4][13] == 1.0


def test_a_small_team_falls_through_to_the_organization(ambassador, item, org, member):
    team = Team.objects.create(organization=org, name="Sales")
    ambassador.teams.add(team)
    add_clicks(ambassador, item, weekly(paris(2025, 11, 17, 8, 10), 20))  # team: 20 < 60
    add_clicks(member, item, weekly(paris(2025, 11, 21, 13, 10), 80))
    themap = scheduling.heatmap(membership=ambassador, network="linkedin", now=NOW)
    assert themap.source == "organization"
    assert themap.events == 100


def test_heatmap_queries_are_bounded(ambassador, item, org, member, django_assert_max_num_queries):
    team = Team.objects.create(organization=org, name="Sales")
    ambassador.teams.add(team)
    for day in range(10):
        post = make_post(
            member,
            item,
            paris(2025, 11, 10 + day, 8),
            state=PostState.PUBLISHED,
            published_at=paris(2025, 11, 10 + day, 8),
        )
        EngagementSnapshot.objects.create(
            organization_id=org.pk, post=post, at=NOW, likes=1, replies=1
        )
    # user (tz), teams, then clicks + posts per level (own, team, organization).
    with django_assert_max_num_queries(8):
        themap = scheduling.heatmap(membership=ambassador, network="linkedin", now=NOW)
    assert themap.source == "defaults"  # 20 interactions in all


# --- The template


def test_heatmap_template(ambassador):
    themap = scheduling.heatmap(membership=ambassador, network="linkedin", now=NOW)
    best, _ = scheduling.best_slot(membership=ambassador, network="linkedin", now=NOW)
    html = render_to_string("publishing/_heatmap.html", {"heatmap": themap, "best": best})
    assert html.count("<tr>") == 8
    assert html.count("<td") == 7 * 24
    assert html.count('class="heatmap-best"') == 1
    assert "Recommended defaults" in html and "Europe/Paris" in html
    assert "Mon 08:00 — 100%" in html
    assert "Sun 09:00 — 100% (best time)" in html
    assert "Tue 03:00 — 0%" in html
    assert "<script" not in html
    # Shades are levels 0..10 for the stylesheet, never an inline style (the CSP allows none).
    assert "style=" not in html
    levels = [int(level) for level in re.findall(r'data-heat="(\d+)"', html)]
    assert len(levels) == 7 * 24
    assert all(0 <= level <= 10 for level in levels)
    assert 'data-heat="10" title="Mon 08:00 — 100%"' in html
    assert 'data-heat="0" title="Tue 03:00 — 0%"' in html
    # In French, levels stay plain integers; day names are translated.
    with translation.override("fr"):
        html_fr = render_to_string("publishing/_heatmap.html", {"heatmap": themap})
    assert "style=" not in html_fr and 'data-heat="10"' in html_fr
    assert "lun" in html_fr.lower()
    assert 'class="heatmap-best"' not in html_fr
