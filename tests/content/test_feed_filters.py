"""The feed's filters and search (GET `topic`, `campaign`, `network`, `type`, `q`): each
alone, combined, kept in the pagination links, invalid values ignored, never another
organization's data; the search ignores accents and case."""

from __future__ import annotations

import html as htmllib
import re

import pytest
from django.urls import reverse

from portevoix.content import selectors, services
from portevoix.content.models import Campaign, Topic
from portevoix.content.services import CopyData
from portevoix.core.search import query_terms, search_key
from tests import factories
from tests.factories import make_live_item

pytestmark = pytest.mark.django_db


def _titles(html: str) -> list[str]:
    return [htmllib.unescape(t) for t in re.findall(r'<h2 id="item-\d+-title">([^<]+)</h2>', html)]


@pytest.fixture
def shelf(org, manager, approver):
    data = Topic.objects.create(organization=org, name="Data", slug="data")
    jobs = Topic.objects.create(organization=org, name="Emploi", slug="emploi")
    launch = Campaign.objects.create(organization=org, name="Lancement", slug="lancement")
    make_live_item(manager, approver, title="Données ouvertes", topic_ids=[data.pk])
    make_live_item(
        manager,
        approver,
        title="Offre d'emploi à Lyon",
        content_type="job_offer",
        topic_ids=[jobs.pk],
        campaign_id=launch.pk,
        copies=[CopyData("mastodon", "On recrute https://example.org/jobs/42")],
    )
    make_live_item(
        manager,
        approver,
        title="Événement à Paris",
        body="Une **CONFÉRENCE** sur l'œuvre de Gödel.",
        content_type="event",
        campaign_id=launch.pk,
    )
    return {"data": data, "jobs": jobs, "launch": launch}


def _get(client, membership, **params) -> str:
    client.force_login(membership.user)
    response = client.get(reverse("content:feed"), params)
    assert response.status_code == 200
    return response.content.decode()


def test_each_filter(client, ambassador, shelf):
    assert _titles(_get(client, ambassador, topic=shelf["data"].pk)) == ["Données ouvertes"]
    assert sorted(_titles(_get(client, ambassador, campaign=shelf["launch"].pk))) == [
        "Offre d'emploi à Lyon",
        "Événement à Paris",
    ]
    assert _titles(_get(client, ambassador, type="event")) == ["Événement à Paris"]
    # Mastodon: the item with a Mastodon copy; the others have copies for LinkedIn and X only.
    assert _titles(_get(client, ambassador, network="mastodon")) == ["Offre d'emploi à Lyon"]
    assert len(_titles(_get(client, ambassador, network="x"))) == 2


def test_an_item_without_any_copy_shows_for_every_network(org, manager, approver, ambassador):
    item = make_live_item(manager, approver, title="Sans texte")
    item.copies.all().delete()
    filters = selectors.FeedFilters(network="threads")
    titles = [i.title for i in selectors.feed_items(membership=ambassador, filters=filters)]
    assert titles == ["Sans texte"]


def test_filters_combine(client, ambassador, shelf):
    html = _get(client, ambassador, campaign=shelf["launch"].pk, type="job_offer", q="lyon")
    assert _titles(html) == ["Offre d'emploi à Lyon"]
    assert (
        _titles(_get(client, ambassador, campaign=shelf["launch"].pk, topic=shelf["data"].pk)) == []
    )
    assert "No item matches these filters." in _get(client, ambassador, q="introuvable")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("donnees", ["Données ouvertes"]),
        ("DONNÉES", ["Données ouvertes"]),
        ("evenement paris", ["Événement à Paris"]),
        ("conference", ["Événement à Paris"]),  # in the body, upper case and accented
        ("oeuvre godel", ["Événement à Paris"]),  # the ligature œ and the umlaut
        ("lyon emploi", ["Offre d'emploi à Lyon"]),  # every word, in any order
        ("lyon paris", []),
        ("100%", []),  # LIKE's wildcards are plain characters
        ("_", []),
    ],
)
def test_search_ignores_accents_and_case(client, ambassador, shelf, query, expected):
    assert sorted(_titles(_get(client, ambassador, q=query))) == expected


def test_search_key():
    assert search_key("  L'Œuvre\u200b de GÖDEL  à   Paris ") == "l'oeuvre de godel a paris"
    assert query_terms("   ") == []
    assert query_terms("Évé " * 20) == ["eve"] * 8


def test_the_search_key_follows_edits(org, manager, approver, ambassador):
    item = make_live_item(manager, approver, title="Avant")
    data = factories.item_data(title="Après l'été")
    services.item_update(membership=manager, item=item, data=data)
    assert (
        item.__class__.objects.get(pk=item.pk).search_text
        == "apres l'ete rejoignez **notre equipe**."
    )


@pytest.mark.parametrize(
    "params",
    [
        {"topic": "abc"},
        {"topic": "-1"},
        {"topic": "99999999999999999999999"},
        {"campaign": "1; DROP TABLE"},
        {"network": "myspace"},
        {"type": "<script>"},
        {"q": "x" * 500},
        {"page": "abc"},
        {"page": "999"},
        {"page": "-2"},
        {"topic": ["1", "abc"]},  # the last value counts
    ],
)
def test_invalid_values_are_ignored(client, ambassador, shelf, params):
    html = _get(client, ambassador, **params)
    assert len(_titles(html)) == 3 or "q" in params
    assert "<script>" not in html


def test_another_organizations_topic_or_campaign_gives_nothing_of_theirs(
    client, org, ambassador, outsider, shelf, other_org
):
    theirs = Topic.objects.create(organization=other_org, name="Secret", slug="secret")
    their_campaign = Campaign.objects.create(organization=other_org, name="Plan", slug="plan")
    globex_manager = factories.make_member(other_org, factories.ROLES.CONTENT_MANAGER)
    globex_approver = factories.make_member(other_org, factories.ROLES.APPROVER)
    make_live_item(globex_manager, globex_approver, title="Globex only", topic_ids=[theirs.pk])
    for params in ({"topic": theirs.pk}, {"campaign": their_campaign.pk}, {"q": "globex"}):
        html = _get(client, ambassador, **params)
        assert "Globex only" not in html and "Secret" not in html and "Plan" not in html
    # The outsider sees their own item, never Acme's, whatever Acme's ids they send.
    html = _get(client, outsider, topic=shelf["data"].pk)
    assert "Données ouvertes" not in html and "Data" not in html


def test_the_filter_form_shows_the_organizations_choices(client, ambassador, shelf):
    html = _get(client, ambassador, topic=shelf["jobs"].pk)
    assert f'<option value="{shelf["jobs"].pk}" selected>Emploi</option>' in html
    assert f'<option value="{shelf["launch"].pk}">Lancement</option>' in html
    assert '<details class="feed-filters" open>' in html
    assert "Clear filters" in html
    assert '<details class="feed-filters">' in _get(client, ambassador)


def test_the_filters_stay_in_the_pagination_links(client, org, manager, approver, ambassador):
    topic = Topic.objects.create(organization=org, name="Data", slug="data")
    for n in range(12):
        make_live_item(manager, approver, title=f"Été {n}", topic_ids=[topic.pk])
    html = _get(client, ambassador, topic=topic.pk, q="ete")
    assert len(_titles(html)) == 10
    link = re.search(r'<a href="([^"]+)" rel="next">', html)
    assert link is not None
    target = link.group(1).replace("&amp;", "&")
    assert f"topic={topic.pk}" in target and "q=ete" in target and "page=2" in target
    html = client.get(reverse("content:feed") + target).content.decode()
    assert len(_titles(html)) == 2
    assert "12 items match your filters." in html
