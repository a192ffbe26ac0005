from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from portevoix.accounts.roles import Role
from portevoix.content import services as content_services
from portevoix.content.models import ContentItem, State
from portevoix.core import clock
from tests.api.conftest import item_payload
from tests.factories import make_item, make_live_item, make_member

pytestmark = pytest.mark.django_db


# --- The whole flow


def test_create_submit_approve_then_in_ambassador_feed(api_as, manager, approver, ambassador, org):
    as_manager, as_approver, as_ambassador = api_as(manager), api_as(approver), api_as(ambassador)
    topic = as_manager.post("/topics", {"name": "Recrutement"}).json()
    campaign = as_manager.post("/campaigns", {"name": "Printemps"}).json()
    publish_at = (clock.now() - dt.timedelta(minutes=5)).isoformat()

    created = as_manager.post(
        "/content",
        item_payload(topic_ids=[topic["id"]], campaign_id=campaign["id"], publish_at=publish_at),
    )
    assert created.status_code == 201, created.json()
    item = created.json()
    assert item["state"] == "draft"
    assert item["author"]["id"] == manager.user_id
    assert [c["network"] for c in item["copies"]] == ["linkedin", "x"]
    assert item["topics"] == [{"id": topic["id"], "name": "Recrutement"}]
    assert item["campaign"] == {"id": campaign["id"], "name": "Printemps"}
    assert item["body_html"] == "<p>Rejoignez <strong>notre équipe</strong>.</p>"

    # Not in the feed while it is a draft.
    assert as_ambassador.get("/feed").json()["count"] == 0

    submitted = as_manager.post(f"/content/{item['id']}/submit", {"comment": "Prêt"})
    assert submitted.status_code == 200
    assert submitted.json()["state"] == "in_review"

    approved = as_approver.post(f"/content/{item['id']}/approve", {"comment": "OK"})
    assert approved.status_code == 200, approved.json()
    body = approved.json()
    assert body["state"] == "live"
    assert [a["approver"]["id"] for a in body["approvals"]] == [approver.user_id]

    feed = as_ambassador.get("/feed")
    assert feed.status_code == 200
    page = feed.json()
    assert page["count"] == 1
    entry = page["items"][0]
    assert entry["id"] == item["id"]
    assert entry["campaign"]["name"] == "Printemps"
    assert {c["network"]: c["text"] for c in entry["copies"]} == {
        "linkedin": "Nous recrutons ! https://example.org/jobs/42",
        "x": "On recrute #jobs https://example.org/jobs/42",
    }

    history = as_manager.get(f"/content/{item['id']}/history").json()
    assert [(h["action"], h["to_state"]) for h in history] == [
        ("create", "draft"),
        ("submit", "in_review"),
        ("approve", "live"),
    ]
    assert history[-1]["actor"]["id"] == approver.user_id
    assert history[-1]["comment"] == "OK"


def test_request_changes_then_edit_and_resubmit(api_as, manager, approver):
    as_manager, as_approver = api_as(manager), api_as(approver)
    item_id = as_manager.post("/content", item_payload()).json()["id"]
    as_manager.post(f"/content/{item_id}/submit")

    missing = as_approver.post(f"/content/{item_id}/request-changes", {})
    assert missing.status_code == 422
    assert "comment" in missing.json()["errors"]
    blank = as_approver.post(f"/content/{item_id}/request-changes", {"comment": "   "})
    assert blank.status_code == 400
    assert "comment" in blank.json()["errors"]

    response = as_approver.post(f"/content/{item_id}/request-changes", {"comment": "Trop long"})
    assert response.status_code == 200
    assert response.json()["state"] == "changes_requested"

    edited = as_manager.put(f"/content/{item_id}", item_payload(title="Plus court"))
    assert edited.status_code == 200
    assert edited.json()["title"] == "Plus court"
    assert edited.json()["revision"] == 2
    assert as_manager.post(f"/content/{item_id}/submit").json()["state"] == "in_review"


def test_editing_live_item_sends_it_back_to_review(api_as, manager, approver):
    item = make_live_item(manager, approver)
    response = api_as(manager).put(
        f"/content/{item.pk}",
        item_payload(copies=[{"network": "bluesky", "text": "Nouveau texte"}], topic_ids=[]),
    )
    assert response.status_code == 200
    body = response.json()
    assert body["state"] == "in_review"
    assert body["approvals"] == []  # the old approval was for the previous revision
    assert [c["network"] for c in body["copies"]] == ["bluesky"]


def test_archive_restore_and_conflicts(api_as, manager, approver):
    as_manager = api_as(manager)
    item_id = as_manager.post("/content", item_payload()).json()["id"]
    # Approving a draft is a conflict, not a crash.
    conflict = api_as(approver).post(f"/content/{item_id}/approve")
    assert conflict.status_code == 409
    assert conflict.json()["detail"]

    archived = as_manager.post(f"/content/{item_id}/archive", {"comment": "obsolète"})
    assert archived.json()["state"] == "archived"
    assert as_manager.post(f"/content/{item_id}/archive").status_code == 409
    assert as_manager.put(f"/content/{item_id}", item_payload()).status_code == 409
    restored = as_manager.post(f"/content/{item_id}/restore")
    assert restored.status_code == 200
    assert restored.json()["state"] == "draft"


def test_submit_without_copies_is_refused(api_as, manager):
    as_manager = api_as(manager)
    item_id = as_manager.post("/content", item_payload(copies=[])).json()["id"]
    response = as_manager.post(f"/content/{item_id}/submit")
    assert response.status_code == 400
    assert "copies" in response.json()["errors"]


def test_comment_appears_in_history(api_as, manager, approver):
    item = make_item(manager)
    response = api_as(approver).post(f"/content/{item.pk}/comment", {"comment": "Belle photo"})
    assert response.status_code == 201
    assert response.json()["action"] == "comment"
    assert response.json()["actor"]["id"] == approver.user_id
    history = api_as(manager).get(f"/content/{item.pk}/history").json()
    assert history[-1]["comment"] == "Belle photo"
    empty = api_as(approver).post(f"/content/{item.pk}/comment", {"comment": ""})
    assert empty.status_code == 400


def test_detail_shows_effective_state_and_images(api_as, manager, approver, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    now = clock.now()
    item = make_item(manager, publish_at=now + dt.timedelta(hours=1))
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format="PNG")
    upload = SimpleUploadedFile("photo.png", buffer.getvalue(), content_type="image/png")
    content_services.image_add(membership=manager, item=item, upload=upload, alt_text="Équipe")
    content_services.item_submit(membership=manager, item=item)
    content_services.item_approve(membership=approver, item=item)

    as_manager = api_as(manager)
    body = as_manager.get(f"/content/{item.pk}").json()
    assert body["state"] == "approved"
    assert body["images"][0]["alt_text"] == "Équipe"
    assert body["images"][0]["url"].startswith("http://testserver/media/content/")
    assert body["approvals_required"] == 1

    # Past its publication time, it reads as live before the periodic job records it.
    ContentItem.objects.filter(pk=item.pk).update(publish_at=now - dt.timedelta(minutes=1))
    assert ContentItem.objects.get(pk=item.pk).state == State.APPROVED
    assert as_manager.get(f"/content/{item.pk}").json()["state"] == "live"


# --- Roles


def test_ambassador_cannot_create(api_as, ambassador):
    response = api_as(ambassador).post("/content", item_payload())
    assert response.status_code == 403
    assert not ContentItem.objects.exists()


def test_approver_cannot_create_and_manager_cannot_approve(api_as, manager, approver):
    assert api_as(approver).post("/content", item_payload()).status_code == 403
    item = make_item(manager)
    content_services.item_submit(membership=manager, item=item)
    assert api_as(manager).post(f"/content/{item.pk}/approve").status_code == 403


def test_author_cannot_approve_own_item(api_as, org):
    both = make_member(org, Role.CONTENT_MANAGER, Role.APPROVER)
    as_both = api_as(both)
    item_id = as_both.post("/content", item_payload()).json()["id"]
    as_both.post(f"/content/{item_id}/submit")
    response = as_both.post(f"/content/{item_id}/approve")
    assert response.status_code == 403
    assert "own" in response.json()["detail"]


def test_plain_member_sees_no_library(api_as, member, manager):
    item = make_item(manager)
    as_member = api_as(member)
    assert as_member.get("/content").status_code == 403
    assert as_member.get(f"/content/{item.pk}").status_code == 403


def test_analyst_reads_library_but_not_history(api_as, org, manager):
    analyst = make_member(org, Role.ANALYST)
    item = make_item(manager)
    as_analyst = api_as(analyst)
    assert as_analyst.get(f"/content/{item.pk}").status_code == 200
    assert as_analyst.get(f"/content/{item.pk}/history").status_code == 403
    assert as_analyst.put(f"/content/{item.pk}", item_payload()).status_code == 403


def test_feed_only_for_opted_in_ambassadors(api_as, member, manager, ambassador):
    assert api_as(member).get("/feed").status_code == 403
    assert api_as(manager).get("/feed").status_code == 403
    assert api_as(ambassador).get("/feed").status_code == 200


# --- Library list


def test_library_filters_and_stable_pagination(api_as, manager, approver):
    as_manager = api_as(manager)
    campaign = as_manager.post("/campaigns", {"name": "Salon"}).json()
    ids = [
        as_manager.post("/content", item_payload(title=f"Item {n}", language="fr")).json()["id"]
        for n in range(5)
    ]
    english = as_manager.post(
        "/content", item_payload(title="Hiring", language="en", campaign_id=campaign["id"])
    ).json()["id"]
    live = make_live_item(manager, approver, title="Déjà en ligne")

    page1 = as_manager.get("/content", limit=3, offset=0).json()
    page2 = as_manager.get("/content", limit=3, offset=3).json()
    page3 = as_manager.get("/content", limit=3, offset=6).json()
    assert page1["count"] == 7 and page1["limit"] == 3 and page1["offset"] == 0
    seen = [i["id"] for i in page1["items"] + page2["items"] + page3["items"]]
    assert sorted(seen) == sorted([*ids, english, live.pk])
    assert len(set(seen)) == 7

    assert [i["id"] for i in as_manager.get("/content", language="en").json()["items"]] == [english]
    assert [
        i["id"] for i in as_manager.get("/content", campaign=campaign["id"]).json()["items"]
    ] == [english]
    assert [i["id"] for i in as_manager.get("/content", state="live").json()["items"]] == [live.pk]
    assert as_manager.get("/content", state="draft").json()["count"] == 6
    assert [i["id"] for i in as_manager.get("/content", q="Hiring").json()["items"]] == [english]
    summary = as_manager.get("/content", q="Hiring").json()["items"][0]
    assert summary["copy_count"] == 2
    assert summary["campaign"]["name"] == "Salon"


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0},
        {"limit": 1000},
        {"offset": -1},
        {"limit": "many"},
        {"state": "bogus"},
        {"language": "de"},
        {"campaign": "x"},
        {"campaign": "99999999999999999999999"},
    ],
)
def test_bad_list_parameters_are_422(api_as, manager, params):
    response = api_as(manager).get("/content", **params)
    assert response.status_code == 422
    assert set(response.json()["errors"]) == set(params)


# --- No N+1


def _populate(manager, approver, ambassador_topics, count):
    for n in range(count):
        make_live_item(manager, approver, title=f"Live {n}", topic_ids=ambassador_topics)


def test_library_and_feed_query_counts_do_not_grow(
    api_as, org, manager, approver, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    topics = [content_services.topic_create(membership=manager, name=f"T{n}").pk for n in range(2)]
    campaign = content_services.campaign_create(membership=manager, name="C")
    reader = make_member(org, Role.CONTENT_MANAGER, ambassador=True, topic_ids=topics[:1])
    as_reader = api_as(reader)
    as_reader.get("/me")  # the token's first use records it: keep that write out of the counts

    def counts() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as library:
            assert as_reader.get("/content", limit=50).status_code == 200
        with CaptureQueriesContext(connection) as feed:
            assert as_reader.get("/feed", limit=50).status_code == 200
        return len(library), len(feed)

    _populate(manager, approver, topics, 1)
    small = counts()
    for n in range(10):
        make_live_item(
            manager, approver, title=f"More {n}", topic_ids=topics, campaign_id=campaign.pk
        )
    large = counts()
    assert large == small

    # Token, membership, roles (2), count, page, topics.
    with django_assert_max_num_queries(7):
        response = as_reader.get("/content", limit=50)
    assert response.json()["count"] == 11
    assert all(len(i["topics"]) == 2 for i in response.json()["items"])
    # Token, membership, roles (2), interests, count, page, copies, images.
    with django_assert_max_num_queries(9):
        response = as_reader.get("/feed", limit=50)
    assert response.json()["count"] == 11
    assert all(len(i["copies"]) == 2 for i in response.json()["items"])
