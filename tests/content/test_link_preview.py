"""Link previews of content items (content/previews.py, the task, the refresh action, the
item page). Pages are served by httpx.MockTransport through a fake resolver: no socket."""

from __future__ import annotations

import functools
import io

import httpx
import pytest
from django.test import override_settings
from django.urls import reverse
from PIL import Image

from portevoix.content import preview_fetch, previews, services, tasks
from portevoix.content.models import ContentItem, PreviewStatus, State
from tests.content._helpers import login
from tests.content.test_link_preview_fetch import (  # noqa: F401 - fake_dns is autouse
    PAGE,
    Site,
    fake_dns,
    html,
    image,
    jpeg,
    respond,
)
from tests.factories import item_data, make_item

pytestmark = pytest.mark.django_db

LINK = "https://news.example/lyon"


@pytest.fixture
def site(monkeypatch: pytest.MonkeyPatch) -> Site:
    """The Internet as the task sees it: this site, served by a MockTransport."""
    served = Site({LINK: html(), "https://news.example/images/lyon.jpg": image(jpeg())})
    fetch = functools.partial(preview_fetch.fetch_preview, transport=served.transport)
    monkeypatch.setattr(preview_fetch, "fetch_preview", fetch)
    return served


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def created(manager, django_capture_on_commit_callbacks, **overrides) -> ContentItem:
    """An item created through the service, its queued work run as after a commit (the
    queue runs tasks at once in the tests)."""
    with django_capture_on_commit_callbacks(execute=True):
        item = make_item(manager, link=LINK, **overrides)
    item.refresh_from_db()
    return item


@override_settings(LINK_PREVIEWS=True)
def test_saving_an_item_with_a_link_reads_its_preview_after_the_commit(
    manager, site, media, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        item = make_item(manager, link=LINK)
    assert item.preview_status == PreviewStatus.PENDING
    assert site.requests == []  # nothing read during the request
    assert len(callbacks) == 1
    callbacks[0]()
    item.refresh_from_db()
    assert item.preview_status == PreviewStatus.OK
    assert (item.preview_title, item.preview_site, item.preview_url) == (
        "Nous ouvrons un site à Lyon",
        "Lumen Énergie",
        LINK,
    )
    assert item.preview_description == "Cent emplois d'ici 2027."
    assert item.preview_fetched_at is not None and item.preview_reason == ""
    assert item.preview_image.name.startswith(f"content/{item.organization_id}/{item.pk}/preview/")
    assert (media / item.preview_image.name).exists()
    assert (item.preview_image_width, item.preview_image_height) == (1200, 675)
    with Image.open(media / item.preview_image.name) as stored:
        assert stored.format == "JPEG"


@override_settings(LINK_PREVIEWS=True)
def test_the_task_is_idempotent(manager, site, media, django_capture_on_commit_callbacks):
    item = created(manager, django_capture_on_commit_callbacks)
    asked = len(site.requests)
    assert asked == 2  # the page and its image
    assert tasks.fetch_link_preview(item.pk).get() == "skipped"
    assert previews.item_preview_fetch(item_id=item.pk) == "skipped"
    assert len(site.requests) == asked
    assert previews.item_preview_fetch(item_id=10**9) == "gone"


@override_settings(LINK_PREVIEWS=True)
def test_a_link_changed_while_reading_discards_the_result(
    manager, site, media, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        item = make_item(manager, link=LINK)

    def page_then_edit(request: httpx.Request) -> httpx.Response:
        ContentItem.objects.filter(pk=item.pk).update(link="https://news.example/other")
        return html()(request)

    site.routes[LINK] = page_then_edit
    assert previews.item_preview_fetch(item_id=item.pk) == "stale"
    item.refresh_from_db()
    assert item.preview_status == PreviewStatus.PENDING and item.preview_title == ""


@override_settings(LINK_PREVIEWS=True)
def test_a_failure_is_recorded_and_never_blocks_publishing(
    manager, approver, site, media, django_capture_on_commit_callbacks
):
    site.routes[LINK] = lambda request: respond(404)
    item = created(manager, django_capture_on_commit_callbacks)
    assert (item.preview_status, item.preview_reason) == (PreviewStatus.FAILED, "http_404")
    assert not item.preview_image
    services.item_submit(membership=manager, item=item)
    item = services.item_approve(membership=approver, item=item)
    assert item.state == State.LIVE


@override_settings(LINK_PREVIEWS=True)
def test_an_unreadable_image_still_gives_a_preview(
    manager, site, media, django_capture_on_commit_callbacks
):
    site.routes["https://news.example/images/lyon.jpg"] = image(b"GIF89a broken", "image/gif")
    item = created(manager, django_capture_on_commit_callbacks)
    assert (item.preview_status, item.preview_reason) == (PreviewStatus.OK, "image_invalid")
    assert item.preview_title and not item.preview_image


@override_settings(LINK_PREVIEWS=True)
def test_editing_without_changing_the_link_keeps_the_preview(
    manager, site, media, django_capture_on_commit_callbacks
):
    item = created(manager, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.item_update(membership=manager, item=item, data=item_data(link=LINK, title="New"))
    assert callbacks == []
    item.refresh_from_db()
    assert item.preview_status == PreviewStatus.OK and item.preview_title


@override_settings(LINK_PREVIEWS=True)
def test_a_new_link_clears_the_old_preview_and_its_file(
    manager, site, media, django_capture_on_commit_callbacks
):
    item = created(manager, django_capture_on_commit_callbacks)
    old_file = media / item.preview_image.name
    assert old_file.exists()
    other = "https://news.example/other"
    site.routes[other] = html("<title>Other page</title>")
    with django_capture_on_commit_callbacks(execute=True):
        services.item_update(membership=manager, item=item, data=item_data(link=other))
    item.refresh_from_db()
    assert not old_file.exists()
    assert (item.preview_status, item.preview_title) == ("ok", "Other page")
    assert item.preview_url == other
    assert not item.preview_image and item.preview_site == "news.example"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.item_update(membership=manager, item=item, data=item_data(link=""))
    item.refresh_from_db()
    assert (item.preview_status, item.preview_title) == (PreviewStatus.NONE, "")
    assert len(callbacks) == 0


def test_with_previews_switched_off_nothing_is_queued(
    manager, site, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        item = make_item(manager, link=LINK)
    assert callbacks == [] and site.requests == []
    item.refresh_from_db()
    assert item.preview_status == PreviewStatus.NONE


@override_settings(LINK_PREVIEWS=True)
def test_a_refresh_reads_the_page_again_and_a_failure_keeps_the_old_preview(
    manager, site, media, django_capture_on_commit_callbacks
):
    item = created(manager, django_capture_on_commit_callbacks)
    site.routes[LINK] = lambda request: respond(503)
    with django_capture_on_commit_callbacks(execute=True):
        previews.item_preview_refresh(membership=manager, item=item)
    item.refresh_from_db()
    assert (item.preview_status, item.preview_reason) == (PreviewStatus.FAILED, "http_503")
    assert item.preview_title == "Nous ouvrons un site à Lyon" and item.preview_image
    site.routes[LINK] = html('<meta property="og:title" content="Updated">')
    with django_capture_on_commit_callbacks(execute=True):
        previews.item_preview_refresh(membership=manager, item=item)
    item.refresh_from_db()
    assert (item.preview_status, item.preview_title) == (PreviewStatus.OK, "Updated")


def test_reason_labels():
    assert previews.reason_label("") == ""
    assert "404" in previews.reason_label("http_404")
    assert "500" in previews.reason_label("image_http_500")
    assert previews.reason_label("timeout") == "the site did not answer in time"
    assert previews.reason_label("something_new") == "the page could not be read"


def test_a_preview_given_in_advance(manager, media):
    item = make_item(manager, link=LINK)
    buffer = io.BytesIO()
    Image.new("RGB", (2400, 1260), (10, 20, 30)).save(buffer, format="PNG")
    item = previews.item_preview_set(
        item=item, title="Lyon\x00", site="Lumen", image=buffer.getvalue()
    )
    assert (item.preview_status, item.preview_title, item.preview_url) == ("ok", "Lyon", LINK)
    assert (item.preview_image_width, item.preview_image_height) == (1200, 630)


# --------------------------------------------------------------------------- web


def refresh_url(item: ContentItem) -> str:
    return reverse("content:item_preview_refresh", args=[item.pk])


@override_settings(LINK_PREVIEWS=True)
def test_the_refresh_action_for_a_content_manager(
    client, manager, site, media, django_capture_on_commit_callbacks
):
    item = created(manager, django_capture_on_commit_callbacks)
    login(client, manager)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(refresh_url(item))
    assert response.status_code == 302
    assert response["Location"] == reverse("content:item", args=[item.pk])
    assert len(callbacks) == 1
    item.refresh_from_db()
    assert item.preview_status == PreviewStatus.PENDING
    assert client.get(refresh_url(item)).status_code == 405


@override_settings(LINK_PREVIEWS=True)
def test_the_refresh_action_is_refused_to_others(
    client, manager, approver, member, outsider, site, media, django_capture_on_commit_callbacks
):
    item = created(manager, django_capture_on_commit_callbacks)
    login(client, outsider)
    assert client.post(refresh_url(item)).status_code == 404
    assert client.get(refresh_url(item)).status_code == 404
    for refused in (member, approver):  # no library, no right to edit
        login(client, refused)
        assert client.post(refresh_url(item)).status_code == 403
    item.refresh_from_db()
    assert item.preview_status == PreviewStatus.OK
    client.logout()
    response = client.post(refresh_url(item))
    assert response.status_code == 302 and "login" in response["Location"]


@override_settings(LINK_PREVIEWS=True)
def test_refreshing_an_item_without_link_says_why(client, manager):
    item = make_item(manager, link="")
    login(client, manager)
    response = client.post(refresh_url(item), follow=True)
    assert "This item has no link to preview." in response.content.decode()


@override_settings(LINK_PREVIEWS=True)
def test_the_item_page_shows_the_preview(
    client, manager, approver, site, media, django_capture_on_commit_callbacks
):
    site.routes[LINK] = html(PAGE.replace("&agrave; Lyon", "&lt;script&gt;alert(1)&lt;/script&gt;"))
    item = created(manager, django_capture_on_commit_callbacks)
    login(client, manager)
    page = client.get(reverse("content:item", args=[item.pk])).content.decode()
    assert 'class="link-preview" href="https://news.example/lyon" rel="noopener noreferrer"' in page
    assert f'src="/media/{item.preview_image.name}" alt=""' in page
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Lumen Énergie" in page
    assert "news.example/images/lyon.jpg" not in page  # never the remote image
    assert refresh_url(item) in page
    login(client, approver)
    page = client.get(reverse("content:item", args=[item.pk])).content.decode()
    assert "Lumen Énergie" in page and refresh_url(item) not in page


@override_settings(LINK_PREVIEWS=True)
def test_the_item_page_says_why_the_preview_failed(
    client, manager, site, media, django_capture_on_commit_callbacks
):
    site.routes[LINK] = lambda request: respond(200, b"%PDF", content_type="application/pdf")
    item = created(manager, django_capture_on_commit_callbacks)
    login(client, manager)
    page = client.get(reverse("content:item", args=[item.pk])).content.decode()
    assert "could not be read: the link is not a web page." in page
    assert 'class="link-preview"' not in page
    client.cookies.load({"django_language": "fr"})
    page = client.get(
        reverse("content:item", args=[item.pk]), HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    assert "le lien n\u2019est pas une page web" in page
