"""The content calendar's month and week: what it shows, its filters, who may open it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from portevoix.accounts.roles import Role
from portevoix.planning import selectors
from portevoix.planning.selectors import Filters
from tests import factories

from .conftest import month_ahead

pytestmark = pytest.mark.django_db
URL = reverse("planning:calendar")


def day_keys(cal: selectors.Calendar) -> dict[dt.date, list[str]]:
    return cal.keys_by_day()


def test_the_month_shows_items_spanning_days_campaigns_events_and_posts(
    manager, calendar_data, month
):
    cal = selectors.calendar_for(membership=manager, view="month", anchor=month, filters=Filters())
    days = day_keys(cal)
    spanning = f"item-{calendar_data['spanning'].pk}"
    # The live period covers the 5th to the 7th: on each of those days, and no other.
    assert [d.day for d, keys in days.items() if spanning in keys and d.month == month.month] == [
        5,
        6,
        7,
    ]
    bars = [span for week in cal.weeks for span in week.spans if span.entry.key == spanning]
    assert len(bars) in {1, 2}  # one bar, or two when a week ends in the middle
    assert bars[0].first and not bars[0].continues_before and bars[0].entry.movable
    assert sum(bar.length for bar in bars) == 3
    assert bars[0].entry.state == "approved" and bars[0].entry.label == "Scheduled"
    campaign = f"campaign-{calendar_data['campaign'].pk}"
    assert [d.day for d, keys in days.items() if campaign in keys] == [10, 11, 12]
    assert f"event-{calendar_data['event'].pk}" in days[month + dt.timedelta(days=19)]
    assert f"post-{calendar_data['post'].pk}" in days[month + dt.timedelta(days=5)]
    review = f"item-{calendar_data['review'].pk}"
    assert review in days[month + dt.timedelta(days=14)]
    assert cal.count == 5


def test_the_page_renders_the_month_with_a_move_form(client, manager, calendar_data, month):
    client.force_login(manager.user)
    response = client.get(URL, {"view": "month", "date": month.isoformat()})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Trois jours de salon" in html
    assert "Atelier LinkedIn" in html
    assert "Salon de l&#x27;emploi" in html
    assert f'action="{reverse("planning:move", args=[calendar_data["spanning"].pk])}"' in html
    assert 'name="publish_at"' in html and "csrfmiddlewaretoken" in html


def test_the_week_shows_seven_days_from_monday(manager, calendar_data, month):
    anchor = month + dt.timedelta(days=5)
    cal = selectors.calendar_for(membership=manager, view="week", anchor=anchor, filters=Filters())
    assert len(cal.days) == 7 and cal.days[0].date.weekday() == 0
    assert cal.previous == cal.first - dt.timedelta(days=7)
    keys = [key for keys in day_keys(cal).values() for key in keys]
    assert f"post-{calendar_data['post'].pk}" in keys


def test_the_page_in_french(client, manager, calendar_data, month):
    client.force_login(manager.user)
    response = client.get(URL, {"date": month.isoformat()}, HTTP_ACCEPT_LANGUAGE="fr")
    html = response.content.decode()
    assert "Calendrier" in html and "Programmé" in html


@pytest.mark.parametrize(
    ("params", "kept"),
    [
        ({"network": "x"}, {"spanning", "review", "post"}),  # both items have an X copy
        ({"network": "bluesky"}, set()),
        ({"network": "linkedin"}, {"spanning", "review"}),
        ({"campaign": "CAMPAIGN"}, {"spanning", "post", "campaign"}),
        ({"topic": "TOPIC"}, {"review"}),
        ({"team": "TEAM"}, {"post"}),
    ],
)
def test_filters(manager, org, calendar_data, month, params, kept):
    from portevoix.accounts import services as account_services
    from portevoix.content import services as content_services

    topic = content_services.topic_create(membership=manager, name="Recrutement")
    review = calendar_data["review"]
    review.topics.add(topic)
    team = account_services.team_create(actor=factories.make_member(org, Role.ADMIN), name="Lyon")
    calendar_data["ambassador"].teams.add(team)
    values = {"CAMPAIGN": calendar_data["campaign"].pk, "TOPIC": topic.pk, "TEAM": team.pk}
    query = {key: str(values.get(value, value)) for key, value in params.items()}
    filters = selectors.parse_filters(query)
    cal = selectors.calendar_for(membership=manager, view="month", anchor=month, filters=filters)
    shown = {key for keys in day_keys(cal).values() for key in keys}
    expected = {
        f"{'item' if name in {'spanning', 'review'} else name}-{calendar_data[name].pk}"
        for name in kept
    }
    assert shown == expected


@pytest.mark.parametrize(
    ("params", "view"),
    [
        ({"view": "year", "date": "2026-13-45", "campaign": "x", "network": "myspace"}, "month"),
        ({"view": "week", "date": "not a date", "team": "-3"}, "week"),
        ({"date": "1200-01-01"}, "month"),
    ],
)
def test_invalid_input_is_ignored(client, manager, params, view):
    client.force_login(manager.user)
    response = client.get(URL, params)
    assert response.status_code == 200
    cal = response.context["cal"]
    assert cal.view == view and cal.filters == Filters()
    assert cal.anchor == dt.date.today() or abs((cal.anchor - dt.date.today()).days) <= 1


def test_navigation_links_keep_the_view_and_filters(client, manager, month):
    client.force_login(manager.user)
    response = client.get(URL, {"view": "month", "date": "2026-12-15", "network": "x"})
    assert response.context["next_url"] == f"{URL}?view=month&date=2027-01-01&network=x"
    assert response.context["previous_url"] == f"{URL}?view=month&date=2026-11-01&network=x"


@pytest.mark.parametrize(
    "role",
    [
        Role.ADMIN,
        Role.CONTENT_MANAGER,
        Role.APPROVER,
        Role.FINAL_APPROVER,
        Role.COMMUNITY_MANAGER,
        Role.ANALYST,
        Role.EXECUTIVE,
    ],
)
def test_the_social_media_team_opens_it_and_has_the_link(client, org, role):
    membership = factories.make_member(org, role)
    client.force_login(membership.user)
    response = client.get(URL)
    assert response.status_code == 200
    assert f'href="{URL}"' in response.content.decode()


def test_an_ambassador_or_a_plain_member_is_refused(client, ambassador, member):
    for who in (ambassador, member):
        client.force_login(who.user)
        response = client.get(URL)
        assert response.status_code == 403
        assert f'href="{URL}"' not in response.content.decode()


def test_the_month_costs_a_constant_number_of_queries(
    client, manager, approver, calendar_data, month, django_assert_max_num_queries, no_page_cache
):
    client.force_login(manager.user)
    client.get(URL, {"date": month.isoformat()})  # warm the session and caches
    with django_assert_max_num_queries(20) as few:
        client.get(URL, {"date": month.isoformat()})
    baseline = len(few.captured_queries)  # before the next request clears the log
    for n in range(8):
        factories.make_live_item(
            manager, approver, title=f"Encore {n}", publish_at=calendar_data["spanning"].publish_at
        )
    client.get(
        URL, {"date": month.isoformat()}
    )  # the writes moved the page frame's versions (accounts/frame.py)
    with django_assert_max_num_queries(baseline):
        response = client.get(URL, {"date": month.isoformat()})
    assert response.context["cal"].count == 13


def test_month_ahead_is_the_first_of_a_month():
    assert month_ahead().day == 1


def test_bars_are_packed_in_lanes(manager, approver, month):
    from portevoix.planning.layout import lay_out

    from .conftest import at

    first = month - dt.timedelta(days=month.weekday())
    monday = first + dt.timedelta(days=7)

    def entry(key: str, start: dt.date, days: int) -> selectors.Entry:
        return selectors.Entry(
            kind="campaign",
            key=key,
            title=key,
            starts_at=at(start, 0),
            ends_at=at(start + dt.timedelta(days=days), 0),
            all_day=True,
            state="campaign",
            label="Campaign",
        )

    entries = [
        entry("a", monday, 3),  # Monday to Wednesday: lane 0
        entry("b", monday + dt.timedelta(days=1), 2),  # overlaps a: lane 1
        entry("c", monday + dt.timedelta(days=4), 5),  # Friday to next Tuesday: lane 0, twice
        entry("d", monday + dt.timedelta(days=2), 1),  # one day: in the day, not a bar
    ]
    weeks = lay_out(
        entries, first=first, end=first + dt.timedelta(days=21), month=None, today=month
    )
    week = weeks[1]
    assert [(s.entry.key, s.column, s.length, s.lane) for s in week.spans] == [
        ("a", 1, 3, 0),
        ("b", 2, 2, 1),
        ("c", 5, 3, 0),
    ]
    assert week.lanes == 2
    assert [de.entry.key for de in week.days[2].entries] == ["d"]
    following = weeks[2].spans
    assert [(s.entry.key, s.column, s.length, s.continues_before, s.first) for s in following] == [
        ("c", 1, 2, True, False)
    ]


def test_a_busy_day_lists_a_few_entries_and_links_to_the_rest(client, manager, approver, month):
    """A big organization's month stays readable: the month lists 4 entries a day and links
    "N more" to that day's week, which lists up to 20 and links the rest to the library."""
    from portevoix.planning.layout import PER_DAY

    from .conftest import at

    busy = month + dt.timedelta(days=10)
    for k in range(PER_DAY["month"] + 3):
        factories.make_live_item(
            manager, approver, title=f"Busy {k}", publish_at=at(busy, 8 + k % 10)
        )
    client.force_login(manager.user)
    page = client.get(reverse("planning:calendar"), {"date": month.isoformat()})
    day = next(d for d in page.context["cal"].days if d.date == busy)
    assert (len(day.entries), day.more) == (PER_DAY["month"], 3)
    assert day.more_url == f"/calendar/?view=week&date={busy.isoformat()}"
    assert "3 more" in page.content.decode()
    week = client.get(day.more_url)
    week_day = next(d for d in week.context["cal"].days if d.date == busy)
    assert (len(week_day.entries), week_day.more) == (PER_DAY["month"] + 3, 0)
    # Nothing is lost: every entry of the day is either listed or counted.
    cal = selectors.calendar_for(
        membership=manager, view="month", anchor=month, filters=selectors.Filters()
    )
    busy_day = next(d for d in cal.days if d.date == busy)
    assert len(busy_day.entries) + busy_day.more == PER_DAY["month"] + 3
