"""The library list at scale: tab counts (one grouped query), whitelisted sorting, filters
(invalid values ignored), each item's figures through `settings.LIBRARY_FIGURES_PROVIDER`,
and a constant number of queries per page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from portevoix.analytics.models import ItemRollup
from portevoix.content import selectors_library
from portevoix.content.models import Campaign, ContentItem, Topic
from portevoix.content.selectors_library import LibraryFilters
from portevoix.content.services import CopyData
from portevoix.core import clock
from tests.content._helpers import login
from tests.factories import make_item, make_live_item, make_member

pytestmark = pytest.mark.django_db

# 4 for the session, user, membership and roles, 1 for the member's profile (the menus);
# the page: 1 for the topics and campaigns of the filters, 1 for the authors, 1 for the tab
# counts, 1 for the page's rows, 1 for their topics, 1 for their figures; then 1 for the
# crisis-pause banner of base.html and 1 for the top bar's bell; 1 for the content version
# the kept body is keyed on (a first view: docs/decisions/0036-page-body-cache.md).
LIBRARY_BUDGET = 14


def _figures(org, item, shares: int, clicks: int, conversions: int) -> None:
    ItemRollup.objects.create(
        organization=org,
        grain="m",
        period=dt.date(2026, 1, 1),
        item_id=item.pk,
        campaign_id=0,
        network="linkedin",
        shares=shares,
        clicks=clicks,
        conversions=conversions,
    )
    # Day rows are the same figures again: they must not be counted twice.
    ItemRollup.objects.create(
        organization=org,
        grain="d",
        period=dt.date(2026, 1, 5),
        item_id=item.pk,
        campaign_id=0,
        network="linkedin",
        shares=shares,
        clicks=clicks,
        conversions=conversions,
    )


def _titles(html: str, *titles: str) -> list[str]:
    """The titles among `titles` in the order the page shows them."""
    found = sorted((html.index(t), t) for t in titles if t in html)
    return [t for _pos, t in found]


def test_tab_counts_follow_the_other_filters(org, manager, approver):
    now = clock.now()
    make_item(manager, title="Brouillon A")
    make_item(manager, title="Brouillon B", language="en")
    make_live_item(manager, approver, title="En ligne")
    make_live_item(manager, approver, title="Programmé", publish_at=now + dt.timedelta(days=2))
    template = make_item(manager, title="Modèle offre")
    ContentItem.objects.filter(pk=template.pk).update(is_template=True)
    counts = selectors_library.library_tab_counts(membership=manager, filters=LibraryFilters())
    assert counts[""] == 4  # the template is in its own tab only
    assert counts["draft"] == 2
    assert counts["live"] == 1
    assert counts["approved"] == 1  # "Scheduled"
    assert counts["templates"] == 1
    assert counts["archived"] == 0
    english = selectors_library.library_tab_counts(
        membership=manager, filters=LibraryFilters(language="en")
    )
    assert english[""] == 1 and english["draft"] == 1 and english["live"] == 0


def test_the_page_shows_tab_counts_and_figures(client, org, manager, approver):
    live = make_live_item(manager, approver, title="Article partagé")
    make_item(manager, title="Brouillon")
    _figures(org, live, 7, 31, 2)
    login(client, manager)
    html = client.get(reverse("content:library")).content.decode()
    assert 'Draft <span class="tab-count">1</span>' in html
    assert 'Live <span class="tab-count">1</span>' in html
    assert 'data-label="Shares">7</td>' in html
    assert 'data-label="Clicks">31</td>' in html
    assert 'data-label="Conversions">2</td>' in html
    assert "orders the items of this page only" in html


def test_the_page_in_french(client, org, manager):
    make_item(manager, title="Brouillon")
    manager.user.language = "fr"
    manager.user.save()
    login(client, manager)
    html = client.get(reverse("content:library"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Modèles" in html and "Partages" in html and "Importer depuis un CSV" in html


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("title", ["Alpha", "Bravo", "Charlie"]),
        ("-title", ["Charlie", "Bravo", "Alpha"]),
        ("language", ["Bravo", "Alpha", "Charlie"]),  # en, then fr (by id)
        ("-updated", ["Charlie", "Bravo", "Alpha"]),
        ("bogus", ["Charlie", "Bravo", "Alpha"]),  # not in the whitelist: the default
        ("-id; drop table x", ["Charlie", "Bravo", "Alpha"]),
        ("shares", ["Bravo", "Charlie", "Alpha"]),  # the page, by a figure
        ("-shares", ["Alpha", "Charlie", "Bravo"]),
    ],
)
def test_sorting(client, org, manager, sort, expected):
    alpha = make_item(manager, title="Alpha")
    bravo = make_item(manager, title="Bravo", language="en")
    charlie = make_item(manager, title="Charlie")
    _figures(org, alpha, 9, 0, 0)
    _figures(org, bravo, 1, 0, 0)
    _figures(org, charlie, 5, 0, 0)
    login(client, manager)
    response = client.get(reverse("content:library"), {"sort": sort})
    assert response.status_code == 200
    assert _titles(response.content.decode(), "Alpha", "Bravo", "Charlie") == expected


def test_sorting_by_campaign_and_author_puts_empty_values_last(org, manager, approver):
    campaign = Campaign.objects.create(organization=org, name="Zèbre", slug="zebre")
    other = make_member(org, "content_manager", email="aaron@acme.test")
    other.user.full_name = "Aaron"
    other.user.save()
    make_item(manager, title="Sans campagne")
    make_item(manager, title="Avec campagne", campaign_id=campaign.pk)
    make_item(other, title="Par Aaron")
    page = selectors_library.library_page(
        membership=manager, filters=LibraryFilters(), sort="campaign"
    )
    assert page.rows[0].item.title == "Avec campagne"
    page = selectors_library.library_page(
        membership=manager, filters=LibraryFilters(), sort="author"
    )
    assert page.rows[0].item.title == "Par Aaron"


def test_filters(client, org, manager):
    topic = Topic.objects.create(organization=org, name="Data", slug="data")
    campaign = Campaign.objects.create(organization=org, name="Printemps", slug="printemps")
    other_author = make_member(org, "content_manager")
    make_item(manager, title="Tagged", topic_ids=[topic.pk])
    make_item(manager, title="Campaigned", campaign_id=campaign.pk)
    make_item(manager, title="Event", content_type="event")
    make_item(manager, title="Mastodon only", copies=[CopyData("mastodon", "Bonjour")])
    make_item(other_author, title="By another")
    make_item(manager, title="Dated", publish_at=clock.now() + dt.timedelta(days=40))
    login(client, manager)
    url = reverse("content:library")
    titles = ("Tagged", "Campaigned", "Event", "Mastodon only", "By another", "Dated")

    def shown(**query: object) -> set[str]:
        html = client.get(url, query).content.decode()
        return {t for t in titles if f">{t}</a>" in html}

    assert shown() == set(titles)
    assert shown(topic=topic.pk) == {"Tagged"}
    assert shown(campaign=campaign.pk) == {"Campaigned"}
    assert shown(type="event") == {"Event"}
    assert shown(network="mastodon") == {"Mastodon only"}
    assert shown(author=other_author.user_id) == {"By another"}
    day = (clock.now() + dt.timedelta(days=40)).date()
    assert shown(date_from=day.isoformat()) == {"Dated"}
    assert shown(date_to=(day - dt.timedelta(days=1)).isoformat()) == set()
    assert shown(q="mastodon") == {"Mastodon only"}
    # Combined.
    assert shown(type="event", topic=topic.pk) == set()


def test_invalid_filter_values_are_ignored(client, org, manager, outsider):
    foreign = Campaign.objects.create(organization=outsider.organization, name="X", slug="x")
    make_item(manager, title="Visible")
    login(client, manager)
    for query in (
        {"campaign": foreign.pk},
        {"campaign": "abc"},
        {"topic": "999999"},
        {"type": "nope"},
        {"network": "myspace"},
        {"author": "-1"},
        {"date_from": "yesterday"},
        {"date_to": "2026-13-45"},
        {"state": "deleted"},
        {"page": "many"},
        {"sort": "password"},
    ):
        response = client.get(reverse("content:library"), query)
        assert response.status_code == 200, query
        assert ">Visible</a>" in response.content.decode(), query
    # A valid filter next to an invalid one still applies.
    html = client.get(reverse("content:library"), {"type": "event", "topic": "x"}).content.decode()
    assert ">Visible</a>" not in html


def test_the_figures_provider_can_be_switched_off(client, org, manager, settings):
    settings.LIBRARY_FIGURES_PROVIDER = ""
    make_item(manager, title="Brouillon")
    login(client, manager)
    html = client.get(reverse("content:library")).content.decode()
    assert "The figures are not available on this server." in html


def test_figures_are_only_the_organizations(org, manager, outsider):
    from portevoix.analytics.selectors import item_figures

    item = make_item(manager)
    _figures(org, item, 3, 4, 5)
    ItemRollup.objects.create(
        organization=outsider.organization,
        grain="m",
        period=dt.date(2026, 1, 1),
        item_id=item.pk,
        campaign_id=0,
        network="x",
        shares=100,
    )
    assert item_figures(organization_id=org.pk, item_ids=[item.pk]) == {item.pk: (3, 4, 5)}
    assert item_figures(organization_id=org.pk, item_ids=[]) == {}


def _many(org, manager, count: int) -> None:
    topic = Topic.objects.create(organization=org, name="Data", slug="data")
    campaign = Campaign.objects.create(organization=org, name="C", slug="c")
    for n in range(count):
        item = make_item(manager, title=f"Sujet {n}", topic_ids=[topic.pk], campaign_id=campaign.pk)
        _figures(org, item, n, n, n)


@pytest.mark.parametrize("count", [3, 30])
@pytest.mark.parametrize(
    "query", [{}, {"sort": "title", "type": "company_news", "page": "2"}, {"sort": "-shares"}]
)
def test_the_number_of_queries_is_constant(
    client, org, manager, count, query, django_assert_max_num_queries
):
    _many(org, manager, count)
    login(client, manager)
    with django_assert_max_num_queries(LIBRARY_BUDGET):
        response = client.get(reverse("content:library"), query)
    assert response.status_code == 200


def test_pagination_uses_the_tab_count(client, org, manager, django_assert_max_num_queries):
    for n in range(45):
        make_item(manager, title=f"Élément {n:02d}", copies=[])
    login(client, manager)
    html = client.get(reverse("content:library"), {"page": 3}).content.decode()
    assert "Page 3 of 3" in html
    assert html.count('class="badge badge-draft"') == 5
    # A page past the end shows the last one.
    html = client.get(reverse("content:library"), {"page": 99}).content.decode()
    assert "Page 3 of 3" in html


def test_access(client, org, manager, ambassador, outsider):
    make_item(manager, title="Interne")
    login(client, ambassador)
    assert client.get(reverse("content:library")).status_code == 403
    login(client, outsider)
    html = client.get(reverse("content:library")).content.decode()
    assert "Interne" not in html
