"""The feed's copy endpoint: the text to copy, with the ambassador's tracked link in it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from portevoix.sharing.models import TrackedLink
from tests.sharing.conftest import SHORT_BASE

pytestmark = pytest.mark.django_db

JSON = {"Accept": "application/json"}


def copy_url(item, network: str = "x") -> str:
    return reverse("sharing:copy", args=[item.pk, network])


def login(client: Client, membership) -> Client:
    client.force_login(membership.user)
    return client


def test_the_ambassador_copies_the_text_with_the_tracked_link(client, ambassador, item):
    response = login(client, ambassador).post(copy_url(item), headers=JSON)
    assert response.status_code == 200
    link = TrackedLink.objects.get(membership=ambassador, item=item, network="x")
    short = f"{SHORT_BASE}/l/{link.code}"
    data = response.json()
    assert data == {
        "network": "x",
        "text": f"On recrute #jobs {short}",
        "short_url": short,
        "prefills_text": True,
    }
    assert "example.org/jobs" not in data["text"]


def test_the_link_is_created_once(client, ambassador, item):
    login(client, ambassador)
    first = client.post(copy_url(item, "linkedin"), headers=JSON).json()
    second = client.post(copy_url(item, "linkedin"), headers=JSON).json()
    assert first == second
    assert TrackedLink.objects.filter(membership=ambassador, item=item).count() == 1
    assert first["prefills_text"] is False
    assert first["text"].startswith("Nous recrutons ! ") and "/l/" in first["text"]


def test_every_network_gets_its_own_tracked_link(client, ambassador, item):
    login(client, ambassador)
    texts = {}
    for network in ("linkedin", "x", "facebook", "mastodon", "bluesky", "threads"):
        response = client.post(copy_url(item, network), headers=JSON)
        assert response.status_code == 200
        texts[network] = response.json()["text"]
    links = TrackedLink.objects.filter(membership=ambassador, item=item)
    assert links.count() == 6
    for link in links:
        assert f"{SHORT_BASE}/l/{link.code}" in texts[link.network]
    # Without a suggested copy for the network: the title and the link.
    assert texts["facebook"].startswith("Nous recrutons des ingénieurs\n\n")


def test_a_chosen_copy_is_used_and_an_unknown_one_falls_back(client, ambassador, item):
    login(client, ambassador)
    copy = item.copies.get(network="x")
    chosen = client.post(copy_url(item), {"copy": str(copy.pk)}, headers=JSON).json()
    assert chosen["text"].startswith("On recrute #jobs ")
    other = item.copies.get(network="linkedin")  # another network's copy: not used on X
    fallback = client.post(copy_url(item), {"copy": str(other.pk)}, headers=JSON).json()
    assert fallback["text"] == chosen["text"]
    junk = client.post(copy_url(item), {"copy": "1e9"}, headers=JSON)
    assert junk.status_code == 200 and junk.json()["text"] == chosen["text"]


def test_without_javascript_the_form_opens_the_share_page(client, ambassador, item):
    response = login(client, ambassador).post(copy_url(item, "linkedin"))
    assert response.status_code == 303
    assert response["Location"] == reverse("sharing:share", args=[item.pk, "linkedin"])
    assert TrackedLink.objects.filter(membership=ambassador, item=item).count() == 1


def test_only_post(client, ambassador, item):
    login(client, ambassador)
    assert client.get(copy_url(item), headers=JSON).status_code == 405
    assert client.put(copy_url(item), headers=JSON).status_code == 405
    assert not TrackedLink.objects.exists()


def test_outsiders_and_unknown_things_get_404(client, ambassador, outsider, item):
    login(client, outsider)
    assert client.post(copy_url(item), headers=JSON).status_code == 404
    login(client, ambassador)
    assert client.post(copy_url(item, "myspace"), headers=JSON).status_code == 404
    assert (
        client.post(reverse("sharing:copy", args=[item.pk + 1000, "x"]), headers=JSON).status_code
        == 404
    )
    assert not TrackedLink.objects.exists()


def test_anonymous_and_non_ambassadors_are_refused(client, member, item):
    response = client.post(copy_url(item), headers=JSON)
    assert response.status_code == 302 and "login" in response["Location"]
    login(client, member)
    refused = client.post(copy_url(item), headers=JSON)
    assert refused.status_code == 403 and "error" in refused.json()
    assert client.post(copy_url(item)).status_code == 403
    assert not TrackedLink.objects.exists()


def test_the_copy_endpoint_checks_the_csrf_token(ambassador, item):
    client = Client(enforce_csrf_checks=True)
    client.force_login(ambassador.user)
    assert client.post(copy_url(item), headers=JSON).status_code == 403
    assert not TrackedLink.objects.exists()


def test_the_share_bar_offers_copy_first_on_networks_without_text(client, ambassador, item):
    html = login(client, ambassador).get(reverse("content:feed")).content.decode()
    assert 'src="/static/js/feed.js"' in html or "js/feed.js" in html
    assert f'data-copy-url="{copy_url(item, "linkedin")}" data-copy-first' in html
    assert f'data-copy-url="{copy_url(item, "facebook")}" data-copy-first' in html
    assert f'data-copy-url="{copy_url(item, "x")}">' in html
    assert 'aria-live="polite" data-share-status' in html
    assert "Text copied: paste it" in html


def test_the_share_bar_speaks_french(client, ambassador, item):
    login(client, ambassador)
    html = client.get(reverse("content:feed"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Texte copié : collez-le" in html
    assert "Le texte n\u2019a pas pu être copié" in html
