"""The library's tools through the API: bulk actions (one result per item, as the page's
report), duplicate, new draft from a template; who may, 404 across organizations, scopes
and methods."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from portevoix.accounts import services as account_services
from portevoix.content.models import Campaign, ContentImage, ContentItem, State, Topic
from portevoix.content.services import bulk
from tests.api.conftest import ApiClient, token_for
from tests.content._helpers import png_bytes
from tests.factories import make_item

pytestmark = pytest.mark.django_db


def api(membership) -> ApiClient:
    return ApiClient(token_for(membership))


def test_bulk_actions_answer_item_by_item(org, manager, outsider):
    mine = make_item(manager, title="Le mien")
    other = make_item(outsider, title="Ailleurs")
    topic = Topic.objects.create(organization=org, name="Tech", slug="tech")
    campaign = Campaign.objects.create(organization=org, name="Salon", slug="salon")
    client = api(manager)
    submitted = client.post("/content/bulk", {"action": "submit", "item_ids": [mine.pk, other.pk]})
    assert submitted.status_code == 200, submitted.content
    body = submitted.json()
    assert (body["done"], body["refused"]) == (1, 1)
    results = {r["item_id"]: r for r in body["results"]}
    assert results[mine.pk]["done"] is True
    assert results[other.pk] == {
        "item_id": other.pk,
        "title": "",
        "done": False,
        "reason": "Not found.",
    }
    mine.refresh_from_db()
    assert mine.state == State.IN_REVIEW
    other.refresh_from_db()
    assert other.state == State.DRAFT
    topic_body = {"action": "topic", "item_ids": [mine.pk], "topic_id": topic.pk}
    assert client.post("/content/bulk", topic_body).json()["done"] == 1
    campaign_body = {"action": "campaign", "item_ids": [mine.pk], "campaign_id": campaign.pk}
    assert client.post("/content/bulk", campaign_body).json()["done"] == 1
    template = {"action": "template", "item_ids": [mine.pk]}
    assert client.post("/content/bulk", template).json()["done"] == 1
    mine.refresh_from_db()
    assert list(mine.topics.all()) == [topic] and mine.campaign_id == campaign.pk
    assert mine.is_template


def test_bulk_body_is_checked(manager):
    item = make_item(manager)
    client = api(manager)
    assert (
        client.post("/content/bulk", {"action": "nope", "item_ids": [item.pk]}).status_code == 422
    )
    assert client.post("/content/bulk", {"action": "submit", "item_ids": []}).status_code == 422
    too_many = list(range(1, bulk.MAX_ITEMS + 2))
    assert (
        client.post("/content/bulk", {"action": "submit", "item_ids": too_many}).status_code == 422
    )
    no_topic = client.post("/content/bulk", {"action": "topic", "item_ids": [item.pk]})
    assert no_topic.status_code == 400 and "topic" in no_topic.json()["errors"]


def test_a_member_without_the_library_is_refused(member, manager):
    item = make_item(manager)
    client = api(member)
    assert (
        client.post("/content/bulk", {"action": "archive", "item_ids": [item.pk]}).status_code
        == 403
    )
    assert client.post(f"/content/{item.pk}/duplicate").status_code == 403
    item.refresh_from_db()
    assert item.state == State.DRAFT and ContentItem.objects.count() == 1


def test_duplicate_and_new_from_template(manager, approver, outsider):
    source = make_item(manager, title="Original")
    duplicated = api(manager).post(f"/content/{source.pk}/duplicate")
    assert duplicated.status_code == 201, duplicated.content
    copy = ContentItem.objects.exclude(pk=source.pk).get()
    assert duplicated.json()["id"] == copy.pk and copy.title == "Original (copy)"
    assert copy.state == State.DRAFT
    # The approver sees the library but may not create.
    assert api(approver).post(f"/content/{source.pk}/duplicate").status_code == 403
    assert api(outsider).post(f"/content/{source.pk}/duplicate").status_code == 404
    assert api(manager).post(f"/content/{source.pk}/from-template").status_code == 409
    bulk.bulk_apply(membership=manager, action="template", item_ids=[source.pk])
    drafted = api(manager).post(f"/content/{source.pk}/from-template")
    assert drafted.status_code == 201
    draft = ContentItem.objects.get(pk=drafted.json()["id"])
    assert draft.title == "Original" and not draft.is_template and draft.state == State.DRAFT
    assert api(outsider).post(f"/content/{source.pk}/from-template").status_code == 404
    assert ContentItem.objects.count() == 3


def test_methods_and_scopes(manager):
    item = make_item(manager)
    client = api(manager)
    assert client.get(f"/content/{item.pk}/duplicate").status_code == 405
    assert client.get("/content/bulk").status_code == 405
    read_only = ApiClient(
        account_services.api_token_create(membership=manager, name="ro", can_write=False).secret
    )
    refused = read_only.post(f"/content/{item.pk}/duplicate")
    assert refused.status_code == 403 and "content:write" in refused.json()["detail"]
    assert ContentItem.objects.count() == 1


def _upload(client: ApiClient, item_id: int, content: bytes, **fields: str) -> Any:
    upload = SimpleUploadedFile("photo.png", content, content_type="image/png")
    return client.client.post(
        f"/api/v1/content/{item_id}/images",
        {"image": upload, **fields},
        headers=client._headers(),
    )


def test_images_are_added_and_removed_as_in_the_editor(manager, approver, outsider):
    item = make_item(manager)
    client = api(manager)
    added = _upload(client, item.pk, png_bytes(), alt_text="Une photo")
    assert added.status_code == 201, added.content
    image = ContentImage.objects.get(item=item)
    assert added.json()["id"] == image.pk and image.alt_text == "Une photo"
    assert client.get(f"/content/{item.pk}").json()["images"][0]["id"] == image.pk
    not_an_image = _upload(client, item.pk, b"%PDF-1.4 not an image")
    assert not_an_image.status_code == 400 and "image" in not_an_image.json()["errors"]
    long_alt = _upload(client, item.pk, png_bytes(), alt_text="x" * 301)
    assert long_alt.status_code == 400 and "alt_text" in long_alt.json()["errors"]
    assert _upload(api(approver), item.pk, png_bytes()).status_code == 403
    assert _upload(api(outsider), item.pk, png_bytes()).status_code == 404
    other_item = make_item(manager, title="Autre")
    assert client.delete(f"/content/{other_item.pk}/images/{image.pk}").status_code == 404
    assert api(outsider).delete(f"/content/{item.pk}/images/{image.pk}").status_code == 404
    assert ContentImage.objects.count() == 1
    assert client.delete(f"/content/{item.pk}/images/{image.pk}").status_code == 204
    assert not ContentImage.objects.exists()
    read_only = ApiClient(
        account_services.api_token_create(membership=manager, name="ro", can_write=False).secret
    )
    refused = _upload(read_only, item.pk, png_bytes())
    assert refused.status_code == 403 and "content:write" in refused.json()["detail"]
