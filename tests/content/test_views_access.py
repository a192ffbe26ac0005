"""The content web UI: who sees which page, an outsider's 404 on every URL of an item, and
the pages in French."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from portevoix.content.models import ContentImage, ContentItem, State
from tests.content._helpers import add_image, item_post, login
from tests.factories import make_item, make_live_item

pytestmark = pytest.mark.django_db


# --- Who sees which page


PAGES = ["content:library", "content:item_new", "content:topics", "content:campaigns"]

ACCESS = [
    ("content:library", "admin", 200),
    ("content:library", "manager", 200),
    ("content:library", "approver", 200),
    ("content:library", "final_approver", 200),
    ("content:library", "ambassador", 403),
    ("content:library", "member", 403),
    ("content:item_new", "manager", 200),
    ("content:item_new", "admin", 200),
    ("content:item_new", "approver", 403),
    ("content:item_new", "ambassador", 403),
    ("content:topics", "manager", 200),
    ("content:topics", "approver", 403),
    ("content:topics", "member", 403),
    ("content:campaigns", "manager", 200),
    ("content:campaigns", "approver", 403),
    ("content:campaigns", "ambassador", 403),
    ("content:feed", "ambassador", 200),
    ("content:feed", "member", 200),  # an invitation to opt in, not the feed
]


@pytest.mark.parametrize(("url_name", "who", "status"), ACCESS)
def test_page_access_by_role(client, request, url_name, who, status):
    login(client, request.getfixturevalue(who))
    response = client.get(reverse(url_name))
    assert response.status_code == status
    if status == 403:
        assert b"You are not allowed to do this" in response.content  # core's 403 page


ITEM_ACCESS = [
    ("content:item", "manager", 200),
    ("content:item", "approver", 200),
    ("content:item", "admin", 200),
    ("content:item", "ambassador", 403),
    ("content:item", "member", 403),
    ("content:item_edit", "manager", 200),
    ("content:item_edit", "admin", 200),
    ("content:item_edit", "approver", 403),
    ("content:item_edit", "ambassador", 403),
]


@pytest.mark.parametrize(("url_name", "who", "status"), ITEM_ACCESS)
def test_item_page_access_by_role(client, request, manager, url_name, who, status):
    item = make_item(manager)
    login(client, request.getfixturevalue(who))
    assert client.get(reverse(url_name, args=[item.pk])).status_code == status


@pytest.mark.parametrize("url_name", [*PAGES, "content:feed"])
def test_anonymous_is_sent_to_login(client, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_non_ambassador_sees_an_invitation_not_the_feed(client, manager, approver, member):
    make_live_item(manager, approver, title="Secret du jour")
    response = login(client, member).get(reverse("content:feed"))
    assert response.status_code == 200
    assert reverse("accounts:enrol").encode() in response.content
    assert b"Secret du jour" not in response.content
    assert b"Would you like to become an ambassador?" in response.content


# --- An outsider gets 404 on every URL of an item


def _item_urls(item: ContentItem, image: ContentImage) -> list[str]:
    urls = [
        reverse(name, args=[item.pk])
        for name in (
            "content:item",
            "content:item_edit",
            "content:image_add",
            "content:item_submit",
            "content:item_approve",
            "content:item_request_changes",
            "content:item_comment",
            "content:item_archive",
            "content:item_restore",
        )
    ]
    urls.append(reverse("content:image_remove", args=[item.pk, image.pk]))
    return urls


ITEM_URL_NAMES = [
    "item",
    "item_edit",
    "image_add",
    "item_submit",
    "item_approve",
    "item_request_changes",
    "item_comment",
    "item_archive",
    "item_restore",
    "image_remove",
]


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("url_name", ITEM_URL_NAMES)
def test_outsider_gets_404_on_every_item_url(client, manager, outsider, method, url_name):
    item = make_item(manager)
    image = add_image(manager, item)
    args = [item.pk, image.pk] if url_name == "image_remove" else [item.pk]
    login(client, outsider)
    data = {
        **item_post(title="Pwned"),
        "submit-comment": "x",
        "approve-comment": "x",
        "request_changes-comment": "x",
        "comment-comment": "x",
        "archive-comment": "x",
    }
    response = getattr(client, method)(reverse(f"content:{url_name}", args=args), data)
    assert response.status_code == 404
    item.refresh_from_db()
    assert item.title != "Pwned" and item.state == State.DRAFT
    assert item.transitions.count() == 1
    assert ContentImage.objects.filter(pk=image.pk).exists()


def test_unknown_item_is_404(client, manager):
    assert login(client, manager).get(reverse("content:item", args=[999_999])).status_code == 404


# --- French


def test_pages_in_french(client, manager, approver, ambassador):
    item = make_live_item(manager, approver)
    login(client, manager)
    library = client.get(reverse("content:library"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Bibliothèque de contenus" in library and "En ligne" in library
    editor = client.get(reverse("content:item_new"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Textes par réseau" in editor and "Créer le brouillon" in editor
    detail = client.get(reverse("content:item", args=[item.pk]), HTTP_ACCEPT_LANGUAGE="fr")
    assert "Historique" in detail.content.decode()
    bad = client.post(
        reverse("content:item_new"), item_post(copy_x_1="a" * 281), HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert "X : 281 sur 280 caractères pondérés, 1 de trop." in bad.content.decode()
    feed = login(Client(), ambassador).get(reverse("content:feed"), HTTP_ACCEPT_LANGUAGE="fr")
    assert "Prêt à partager" in feed.content.decode() and "Copier" in feed.content.decode()


def test_french_with_activate(rf, manager):
    from django.template.loader import render_to_string

    with translation.override("fr"):
        html = render_to_string("403.html", {"user": manager.user})
    assert "Vous n\u2019êtes pas autorisé à faire cela" in html
