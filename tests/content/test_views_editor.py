"""The content editor: creating and editing an item through the form, images, and the live
counter's endpoint."""

from __future__ import annotations

import datetime as dt
import io
import json
import zoneinfo

import pytest
from django.test import Client
from django.urls import reverse

from portevoix.content import services
from portevoix.content.models import ContentItem, State
from tests.content._helpers import item_post, login, png_bytes
from tests.factories import make_item, make_live_item

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


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
