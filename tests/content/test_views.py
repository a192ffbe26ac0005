"""The content web UI: library, editor, workflow pages, the live counter and the feed."""

from __future__ import annotations

import datetime as dt
import io
import json
import zoneinfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from PIL import Image

from portevoix.content import services
from portevoix.content.models import Campaign, ContentImage, ContentItem, State, Topic
from portevoix.core import clock
from tests.factories import make_item, make_live_item

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def login(client: Client, membership) -> Client:
    client.force_login(membership.user)
    return client


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def add_image(membership, item) -> ContentImage:
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("photo.png", png_bytes(), content_type="image/png")
    return services.image_add(membership=membership, item=item, upload=upload, alt_text="A photo")


def item_post(**overrides: str) -> dict[str, str | list[str]]:
    data: dict[str, str | list[str]] = {
        "title": "Nouveau site à Lyon",
        "body": "Nous ouvrons **un site** à Lyon.",
        "link": "https://example.org/lyon",
        "language": "fr",
        "content_type": "company_news",
        "priority": "5",
        "publish_at": "",
        "expire_at": "",
        "copy_linkedin_1": "Nous ouvrons un site à Lyon ! https://example.org/lyon",
        "copy_x_1": "Lyon, nous voilà https://example.org/lyon",
    }
    data.update(overrides)
    return data


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


# --- Creating and editing through the form


def test_create_item_through_the_form_with_copies(client, manager):
    topic = services.topic_create(membership=manager, name="Recrutement")
    campaign = services.campaign_create(membership=manager, name="Lyon 2030")
    data = item_post(
        topics=[str(topic.pk)],
        campaign=str(campaign.pk),
        important="on",
        publish_at="2030-07-01T10:30",
        expire_at="2030-08-01T18:00",
        copy_x_2="Deuxième variante pour X",
        copy_x_3="Troisième, ajoutée par le script",
        copy_mastodon_1="   ",
    )
    response = login(client, manager).post(reverse("content:item_new"), data)
    assert response.status_code == 302
    item = ContentItem.objects.get()
    assert response["Location"] == reverse("content:item", args=[item.pk])
    assert item.state == State.DRAFT and item.author == manager.user
    assert item.important and not item.featured and item.priority == 5
    assert list(item.topics.all()) == [topic] and item.campaign == campaign
    # datetime-local is read in the organization's time zone (Europe/Paris, summer time).
    assert item.publish_at == dt.datetime(2030, 7, 1, 10, 30, tzinfo=PARIS)
    assert item.publish_at == dt.datetime(2030, 7, 1, 8, 30, tzinfo=dt.UTC)
    copies = list(item.copies.values_list("network", "variant", "text"))
    assert copies == [
        ("linkedin", 1, "Nous ouvrons un site à Lyon ! https://example.org/lyon"),
        ("x", 1, "Lyon, nous voilà https://example.org/lyon"),
        ("x", 2, "Deuxième variante pour X"),
        ("x", 3, "Troisième, ajoutée par le script"),
    ]
    # The new item's page shows the success message and the copies.
    page = client.get(response["Location"])
    assert "Troisième, ajoutée par le script" in page.content.decode()
    assert b"created as a draft" in page.content


def test_editor_has_counters_and_two_slots_per_network(client, manager):
    response = login(client, manager).get(reverse("content:item_new"))
    html = response.content.decode()
    for network in ("linkedin", "x", "facebook", "mastodon", "bluesky", "threads"):
        assert f'name="copy_{network}_1"' in html and f'name="copy_{network}_2"' in html
        assert f'id="counter_{network}_1" aria-live="polite"' in html
    assert 'data-check-url="/api/v1/content/check-copy"' in html
    assert "js/editor.js" in html


def test_too_long_x_copy_is_refused_with_the_reason_under_the_textarea(client, manager):
    data = item_post(copy_x_1="a" * 281)
    response = login(client, manager).post(reverse("content:item_new"), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert '<ul class="field-error" id="id_copy_x_1_error"><li>X: 281 of 280' in html
    assert 'aria-describedby="counter_x_1 id_copy_x_1_error" aria-invalid="true"' in html
    # What was typed is kept.
    assert "a" * 281 in html
    assert not ContentItem.objects.exists()


def test_service_errors_are_shown_next_to_their_fields(client, manager):
    data = item_post(
        title="",
        link="ftp://example.org",
        expire_at="2030-01-01T10:00",
        publish_at="2030-02-01T10:00",
    )
    response = login(client, manager).post(reverse("content:item_new"), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_title_error"><li>A title is required.' in html
    assert 'id="id_link_error"><li>The link must start with http:// or https://.' in html
    assert 'id="id_expire_at_error"><li>The expiry must come after the publication date.' in html


def test_edit_form_shows_stored_values_in_local_time(client, manager):
    publish = dt.datetime(2031, 1, 15, 9, 0, tzinfo=PARIS)
    item = make_item(manager, publish_at=publish)
    html = login(client, manager).get(reverse("content:item_edit", args=[item.pk])).content.decode()
    assert 'value="2031-01-15T09:00"' in html
    assert "On recrute #jobs https://example.org/jobs/42" in html
    # one stored X variant: one filled slot and one empty one (two in all)
    assert 'name="copy_x_2"' in html and 'name="copy_x_3"' not in html


def test_editing_approved_item_warns_and_sends_it_back_to_review(client, manager, approver):
    item = make_live_item(manager, approver)
    login(client, manager)
    page = client.get(reverse("content:item_edit", args=[item.pk]))
    assert b"sends it back to review" in page.content
    response = client.post(
        reverse("content:item_edit", args=[item.pk]), item_post(title="Nouveau titre")
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.title == "Nouveau titre" and item.state == State.IN_REVIEW
    assert b"went back to review" in client.get(response["Location"]).content


def test_archived_item_cannot_be_edited(client, manager):
    item = make_item(manager)
    services.item_archive(membership=manager, item=item)
    response = login(client, manager).get(reverse("content:item_edit", args=[item.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("content:item", args=[item.pk])


def test_image_upload_and_removal(client, manager):
    item = make_item(manager)
    login(client, manager)
    url = reverse("content:image_add", args=[item.pk])
    upload = io.BytesIO(png_bytes())
    upload.name = "photo.png"
    response = client.post(url, {"image": upload, "alt_text": "Le nouveau bureau"})
    assert response.status_code == 302
    image = item.images.get()
    assert image.alt_text == "Le nouveau bureau"
    edit = client.get(reverse("content:item_edit", args=[item.pk])).content.decode()
    assert 'alt="Le nouveau bureau"' in edit
    # Not an image: refused, with the reason next to the file field.
    fake = io.BytesIO(b"<?php echo 1; ?>")
    fake.name = "evil.png"
    response = client.post(url, {"image": fake, "alt_text": ""})
    assert response.status_code == 400
    assert (
        'id="id_image_error"><li>Upload a JPEG, PNG, GIF or WebP image.'
        in response.content.decode()
    )
    assert item.images.count() == 1
    response = client.post(reverse("content:image_remove", args=[item.pk, image.pk]))
    assert response.status_code == 302
    assert not item.images.exists()


def test_approver_cannot_upload_images(client, manager, approver):
    item = make_item(manager)
    upload = io.BytesIO(png_bytes())
    upload.name = "photo.png"
    response = login(client, approver).post(
        reverse("content:image_add", args=[item.pk]), {"image": upload}
    )
    assert response.status_code == 403
    assert not item.images.exists()


# --- The workflow through POST


def test_submit_approve_and_history(client, manager, approver):
    item = make_item(manager)
    manager_client = login(Client(), manager)
    detail = manager_client.get(reverse("content:item", args=[item.pk])).content.decode()
    assert reverse("content:item_submit", args=[item.pk]) in detail
    assert reverse("content:item_approve", args=[item.pk]) not in detail  # own item
    response = manager_client.post(
        reverse("content:item_submit", args=[item.pk]), {"submit-comment": "Prêt"}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.state == State.IN_REVIEW

    approver_client = login(Client(), approver)
    detail = approver_client.get(reverse("content:item", args=[item.pk])).content.decode()
    assert reverse("content:item_approve", args=[item.pk]) in detail
    assert reverse("content:item_submit", args=[item.pk]) not in detail
    response = approver_client.post(
        reverse("content:item_approve", args=[item.pk]), {"approve-comment": "Parfait"}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.state == State.LIVE
    page = approver_client.get(response["Location"]).content.decode()
    assert "Your approval was recorded." in page
    assert "Parfait" in page and "Prêt" in page  # history comments
    assert approver.user.display_name in page  # in approvals and history
    assert '<span class="badge badge-live">Live</span>' in page


def test_request_changes_needs_a_comment(client, manager, approver):
    item = make_item(manager)
    services.item_submit(membership=manager, item=item)
    login(client, approver)
    url = reverse("content:item_request_changes", args=[item.pk])
    response = client.post(url, {"request_changes-comment": "  "})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_request_changes-comment_error"><li>A comment is required.' in html
    item.refresh_from_db()
    assert item.state == State.IN_REVIEW
    response = client.post(url, {"request_changes-comment": "Raccourcir le titre"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.state == State.CHANGES_REQUESTED
    assert item.transitions.last().comment == "Raccourcir le titre"


def test_comment_archive_and_restore(client, manager):
    item = make_item(manager)
    login(client, manager)
    client.post(reverse("content:item_comment", args=[item.pk]), {"comment-comment": "Note"})
    assert item.transitions.filter(action="comment", comment="Note").exists()
    client.post(reverse("content:item_archive", args=[item.pk]), {"archive-comment": "Obsolète"})
    item.refresh_from_db()
    assert item.state == State.ARCHIVED
    detail = client.get(reverse("content:item", args=[item.pk])).content.decode()
    assert reverse("content:item_restore", args=[item.pk]) in detail
    assert reverse("content:item_edit", args=[item.pk]) not in detail
    client.post(reverse("content:item_restore", args=[item.pk]), {})
    item.refresh_from_db()
    assert item.state == State.DRAFT


def test_conflicting_action_shows_the_reason(client, manager):
    item = make_item(manager)
    services.item_archive(membership=manager, item=item)
    response = login(client, manager).post(reverse("content:item_archive", args=[item.pk]), {})
    assert response.status_code == 409
    assert b"already archived" in response.content


def test_submit_without_copy_is_refused(client, manager):
    item = make_item(manager, copies=[])
    response = login(client, manager).post(reverse("content:item_submit", args=[item.pk]), {})
    assert response.status_code == 400
    assert b"Add at least one network copy before submitting." in response.content


@pytest.mark.parametrize(
    ("who", "action"),
    [
        ("ambassador", "approve"),
        ("approver", "submit"),
        ("member", "archive"),
        ("approver", "archive"),
        ("ambassador", "comment"),
    ],
)
def test_workflow_actions_refused_without_the_role(client, request, manager, who, action):
    item = make_item(manager)
    if action == "approve":
        services.item_submit(membership=manager, item=item)
    item.refresh_from_db()
    before = (item.state, item.transitions.count())
    login(client, request.getfixturevalue(who))
    response = client.post(
        reverse(f"content:item_{action}", args=[item.pk]), {f"{action}-comment": "x"}
    )
    assert response.status_code == 403
    item.refresh_from_db()
    assert (item.state, item.transitions.count()) == before


def test_actions_need_post(client, manager):
    item = make_item(manager)
    response = login(client, manager).get(reverse("content:item_submit", args=[item.pk]))
    assert response.status_code == 405


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


def test_library_query_count_is_constant(client, manager, approver, django_assert_max_num_queries):
    _many_items(manager, approver, 10)
    login(client, manager)
    # 8 for the page, 1 for the crisis-pause banner of base.html (any page, any count of items).
    with django_assert_max_num_queries(9):
        response = client.get(reverse("content:library"))
    assert response.content.decode().count("Sujet 2") == 10


def test_feed_query_count_is_constant(
    client, manager, approver, ambassador, django_assert_max_num_queries
):
    _many_items(manager, approver, 10)
    login(client, ambassador)
    # 10 for the page, 1 for the crisis-pause banner of base.html.
    with django_assert_max_num_queries(11):
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


# --- The live counter's endpoint: the API's check-copy, with the web session and CSRF


COPY_CHECK = "/api/v1/content/check-copy"


def _check(client: Client, network: str, text: str):
    return client.post(
        COPY_CHECK,
        data=json.dumps({"network": network, "text": text}),
        content_type="application/json",
    )


def test_check_copy_counts_like_the_server(client, manager):
    login(client, manager)
    ok = _check(client, "x", "Bonjour https://example.org/a/very/long/path/indeed")
    assert ok.status_code == 200
    assert ok.json() == {
        "ok": True,
        "copies": [
            {
                "network": "x",
                "length": 31,
                "limit": 280,
                "unit": "weighted characters",
                "remaining": 249,
                "ok": True,
                "codes": [],
                "errors": [],
            }
        ],
    }
    over = _check(client, "x", "é" * 300).json()["copies"][0]
    assert over["ok"] is False and over["length"] == 300 and over["remaining"] == -20
    assert over["errors"] == ["X: 300 of 280 weighted characters, 20 too many."]
    emoji = _check(client, "bluesky", "👍🏽" * 10).json()["copies"][0]
    assert emoji["length"] == 10 and emoji["unit"] == "graphemes"


def test_check_copy_counts_what_will_be_saved(client, manager):
    """The form strips surrounding white space on save; the editor's script sends the
    stripped text, so the counter judges what the form will save."""
    login(client, manager)
    data = _check(client, "x", ("  " + "a" * 280 + "\n ").strip()).json()["copies"][0]
    assert data["length"] == 280 and data["ok"] is True
    response = client.post(
        reverse("content:item_new"), item_post(copy_x_1="  " + "a" * 280 + "\n ")
    )
    assert response.status_code == 302


def test_check_copy_in_french(client, manager):
    login(client, manager)
    data = client.post(
        COPY_CHECK,
        data=json.dumps({"network": "x", "text": "a" * 281}),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="fr",
    ).json()["copies"][0]
    assert data["unit"] == "caractères pondérés"
    assert data["errors"] == ["X : 281 sur 280 caractères pondérés, 1 de trop."]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"not json", 400),
        (b"[1, 2]", 400),
        (b'{"network": "myspace", "text": "hi"}', 400),
        (b'{"network": "x", "text": 12}', 422),
    ],
)
def test_check_copy_rejects_bad_input(client, manager, body, status):
    login(client, manager)
    response = client.post(COPY_CHECK, data=body, content_type="application/json")
    assert response.status_code == status


def test_check_copy_needs_login_and_csrf(manager):
    anonymous = _check(Client(), "x", "hi")
    assert anonymous.status_code == 401
    strict = login(Client(enforce_csrf_checks=True), manager)
    assert _check(strict, "x", "hi").status_code == 403  # no CSRF token
    assert login(Client(), manager).get(COPY_CHECK).status_code == 405


# --- Topics and campaigns


def test_topic_and_campaign_creation(client, manager):
    login(client, manager)
    response = client.post(reverse("content:topics"), {"name": "Innovation"})
    assert response.status_code == 302
    assert Topic.objects.filter(name="Innovation", organization=manager.organization).exists()
    duplicate = client.post(reverse("content:topics"), {"name": "innovation"})
    assert duplicate.status_code == 400
    assert 'id="id_name_error"><li>Already exists.' in duplicate.content.decode()

    response = client.post(
        reverse("content:campaigns"),
        {
            "name": "Salon 2030",
            "description": "Stand B12",
            "starts_on": "2030-03-01",
            "ends_on": "2030-03-03",
        },
    )
    assert response.status_code == 302
    campaign = Campaign.objects.get(name="Salon 2030")
    assert campaign.ends_on == dt.date(2030, 3, 3)
    bad = client.post(
        reverse("content:campaigns"),
        {"name": "À l'envers", "starts_on": "2030-03-05", "ends_on": "2030-03-01"},
    )
    assert bad.status_code == 400
    assert 'id="id_ends_on_error"' in bad.content.decode()
    page = client.get(reverse("content:campaigns")).content.decode()
    assert "Salon 2030" in page and "Stand B12" in page


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
