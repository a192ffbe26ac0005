"""The content library and the ambassadors' feed: filters, pagination, query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from portevoix.content import services
from portevoix.content.models import ContentItem
from portevoix.core import clock
from tests.content._helpers import add_image, login
from tests.content.test_feed_queries import FEED_BUDGET, FEED_COLD
from tests.factories import make_item, make_live_item

pytestmark = pytest.mark.django_db


# --- Library list


def test_library_filters_and_effective_state(client, manager, approver):
    now = clock.now()
    live = make_live_item(manager, approver, title="Article en ligne")
    draft = make_item(manager, title="Brouillon secret", language="en")
    lapsed = make_live_item(
        manager, approver, title="Déjà expiré", expire_at=now + dt.timedelta(hours=1)
    )
    ContentItem.objects.filter(pk=lapsed.pk).update(expire_at=now - dt.timedelta(minutes=1))
    login(client, manager)
    url = reverse("content:library")
    html = client.get(url).content.decode()
    assert all(t in html for t in ("Article en ligne", "Brouillon secret", "Déjà expiré"))
    # The stored state is still "live", the badge says expired.
    assert '<span class="badge badge-expired">Expired</span>' in html
    html = client.get(url, {"state": "live"}).content.decode()
    assert live.title in html and draft.title not in html and lapsed.title not in html
    html = client.get(url, {"state": "expired"}).content.decode()
    assert lapsed.title in html and live.title not in html
    html = client.get(url, {"state": "draft"}).content.decode()
    assert draft.title in html and live.title not in html
    html = client.get(url, {"q": "secret"}).content.decode()
    assert draft.title in html and live.title not in html
    html = client.get(url, {"language": "en"}).content.decode()
    assert draft.title in html and live.title not in html
    assert reverse("content:item_new") in html


def test_library_is_paginated(client, manager):
    for n in range(23):
        make_item(manager, title=f"Élément {n:02d}", copies=[])
    login(client, manager)
    first = client.get(reverse("content:library")).content.decode()
    assert "Page 1 of 2" in first and "?page=2" in first
    second = client.get(reverse("content:library"), {"page": 2}).content.decode()
    assert second.count('class="badge badge-draft"') == 3


def test_library_does_not_show_other_organizations_items(client, manager, outsider):
    make_item(manager, title="Chez Acme")
    make_item(outsider, title="Chez Globex")
    html = login(client, manager).get(reverse("content:library")).content.decode()
    assert "Chez Acme" in html and "Chez Globex" not in html


def _many_items(manager, approver, count: int) -> None:
    topics = [services.topic_create(membership=manager, name=f"Sujet {n}") for n in range(3)]
    campaign = services.campaign_create(membership=manager, name="Campagne")
    for n in range(count):
        item = make_item(
            manager,
            title=f"Article {n}",
            topic_ids=[t.pk for t in topics],
            campaign_id=campaign.pk,
        )
        add_image(manager, item)  # before approval: an image change sends it back to review
        services.item_submit(membership=manager, item=item)
        services.item_approve(membership=approver, item=item)


def test_library_query_count_is_constant(
    client, manager, approver, django_assert_max_num_queries, no_page_cache
):
    _many_items(manager, approver, 10)
    login(client, manager)
    # 11 for the page (see tests/content/test_library_list.py), 1 for the crisis-pause banner
    # of base.html, 1 for the top bar's notification bell (any page, any count of items), 1
    # for the content version a kept body is keyed on.
    with django_assert_max_num_queries(14):
        response = client.get(reverse("content:library"))
    assert response.content.decode().count('<span class="tag">Sujet 2</span>') == 10


def test_feed_query_count_is_constant(
    client, manager, approver, ambassador, django_assert_max_num_queries
):
    _many_items(manager, approver, 10)
    login(client, ambassador)
    # The first visit, every cache cold: see tests/content/test_feed_queries.py.
    with django_assert_max_num_queries(FEED_BUDGET + FEED_COLD + 1):
        response = client.get(reverse("content:feed"))
    assert response.content.decode().count("data-copy-target") == 20


# --- Feed


def test_feed_shows_only_live_unexpired_content(client, manager, approver, ambassador):
    now = clock.now()
    make_live_item(manager, approver, title="En ligne")
    make_item(manager, title="Brouillon")
    in_review = make_item(manager, title="En relecture")
    services.item_submit(membership=manager, item=in_review)
    make_live_item(manager, approver, title="Programmé", publish_at=now + dt.timedelta(days=1))
    make_live_item(
        manager,
        approver,
        title="Expiré",
        publish_at=now - dt.timedelta(days=2),
        expire_at=now - dt.timedelta(days=1),
    )
    lapsed = make_live_item(
        manager, approver, title="Périmé entre-temps", expire_at=now + dt.timedelta(hours=1)
    )
    ContentItem.objects.filter(pk=lapsed.pk).update(expire_at=now - dt.timedelta(seconds=1))
    archived = make_live_item(manager, approver, title="Archivé")
    services.item_archive(membership=manager, item=archived)

    html = login(client, ambassador).get(reverse("content:feed")).content.decode()
    assert "En ligne" in html
    for title in ("Brouillon", "En relecture", "Programmé", "Expiré", "Périmé", "Archivé"):
        assert title not in html
    # The copies come with their copy button.
    assert "On recrute #jobs https://example.org/jobs/42" in html
    assert 'data-copy-target="#copy-' in html and 'data-copied-label="Copied"' in html


def test_feed_is_paginated_by_ten(client, manager, approver, ambassador):
    for n in range(12):
        make_live_item(manager, approver, title=f"Nouvelle {n}")
    login(client, ambassador)
    first = client.get(reverse("content:feed")).content.decode()
    assert first.count('class="card feed-item') == 10
    second = client.get(reverse("content:feed"), {"page": 2}).content.decode()
    assert second.count('class="card feed-item') == 2


def test_feed_important_first_and_badges(client, manager, approver, ambassador):
    make_live_item(manager, approver, title="Ordinaire")
    make_live_item(manager, approver, title="Urgent", important=True, featured=True)
    html = login(client, ambassador).get(reverse("content:feed")).content.decode()
    assert html.index("Urgent") < html.index("Ordinaire")
    assert "badge-important" in html and "badge-featured" in html
