"""The publishing API for community managers and admins: crisis pauses and the posting rhythm."""

from __future__ import annotations

import datetime as dt

import pytest

from portevoix.core import clock
from portevoix.publishing import engine, services
from portevoix.publishing.models import CadenceRule, Post, PostState
from tests.publishing._api_helpers import schedule

pytestmark = pytest.mark.django_db


# --------------------------------------------------------------------------- crisis pause


def test_pause_hold_resume_release(community, ambassador, item, x_connection, fake_x, api):
    post = schedule(ambassador, x_connection, item)
    client = api(community)
    started = client.post("/publishing/pauses", {"reason": "Crise en cours"})
    assert started.status_code == 201, started.content
    pause = started.json()
    assert (pause["reason"], pause["campaign"], pause["ended_at"], pause["held"]) == (
        "Crise en cours",
        None,
        None,
        0,
    )
    assert pause["started_by_id"] == community.pk
    assert client.post("/publishing/pauses", {"reason": "Encore"}).status_code == 409
    # What comes due during the pause is held.
    Post.objects.filter(pk=post.pk).update(scheduled_at=clock.now() - dt.timedelta(seconds=1))
    assert engine.posts_hold_paused() == 1
    listed = client.get("/publishing/pauses").json()
    assert [(p["id"], p["held"]) for p in listed["active"]] == [(pause["id"], 1)]
    assert listed["recent"] == []
    # Held posts are decided after the pause only.
    early = client.post(f"/publishing/pauses/{pause['id']}/held", {"decision": "release"})
    assert early.status_code == 409

    ended = client.post(f"/publishing/pauses/{pause['id']}/end")
    assert ended.status_code == 200
    assert ended.json()["ended_at"] and ended.json()["ended_by_id"] == community.pk
    assert ended.json()["held"] == 1
    assert client.post(f"/publishing/pauses/{pause['id']}/end").status_code == 409
    listed = client.get("/publishing/pauses").json()
    assert listed["active"] == [] and [p["held"] for p in listed["recent"]] == [1]

    bad = client.post(f"/publishing/pauses/{pause['id']}/held", {"decision": "maybe"})
    assert bad.status_code == 422 and "decision" in bad.json()["errors"]
    released = client.post(
        f"/publishing/pauses/{pause['id']}/held", {"decision": "release", "post_ids": [post.pk]}
    )
    assert released.status_code == 200 and released.json() == {"count": 1}
    post.refresh_from_db()
    assert post.state in (PostState.SCHEDULED, PostState.PUBLISHED)
    assert post.held_by_id == pause["id"]


def test_pause_errors(community, ambassador, outsider, api):
    as_ambassador = api(ambassador)
    refused = as_ambassador.post("/publishing/pauses", {"reason": "Non"})
    assert refused.status_code == 403 and refused.json()["detail"]
    assert as_ambassador.get("/publishing/pauses").status_code == 403
    client = api(community)
    blank = client.post("/publishing/pauses", {"reason": "   "})
    assert blank.status_code == 400 and blank.json()["errors"]["reason"]
    assert client.post("/publishing/pauses", {}).status_code == 422
    too_long = client.post("/publishing/pauses", {"reason": "x" * 2001})
    assert too_long.status_code == 422 and "reason" in too_long.json()["errors"]
    # Another organization's campaign is not found.
    from portevoix.content import services as content_services

    theirs = content_services.campaign_create(membership=outsider, name="Globex launch")
    assert (
        client.post("/publishing/pauses", {"reason": "Crise", "campaign_id": theirs.pk}).status_code
        == 404
    )
    pause = client.post("/publishing/pauses", {"reason": "Crise"}).json()
    assert api(outsider).post(f"/publishing/pauses/{pause['id']}/end").status_code == 404
    assert api(outsider).get("/publishing/pauses").json() == {"active": [], "recent": []}


def test_pause_one_campaign(community, manager, api):
    from portevoix.content import services as content_services

    campaign = content_services.campaign_create(membership=manager, name="Salon 2030")
    response = api(community).post(
        "/publishing/pauses", {"reason": "Salon annulé", "campaign_id": campaign.pk}
    )
    assert response.status_code == 201, response.content
    assert response.json()["campaign"] == {"id": campaign.pk, "name": "Salon 2030"}


# --------------------------------------------------------------------------- cadence


def test_cadence_read_and_set(community, admin, ambassador, api):
    client = api(community)
    rules = client.get("/publishing/cadence")
    assert rules.status_code == 200
    assert rules.json() == [
        {"network": code, "max_per_day": 0, "min_gap_minutes": 0}
        for code in ("linkedin", "x", "facebook", "mastodon", "bluesky", "threads")
    ]
    saved = client.put("/publishing/cadence/x", {"max_per_day": 2, "min_gap_minutes": 90})
    assert saved.status_code == 200
    assert saved.json() == {"network": "x", "max_per_day": 2, "min_gap_minutes": 90}
    assert {r["network"]: r["max_per_day"] for r in api(admin).get("/publishing/cadence").json()}[
        "x"
    ] == 2
    bad = client.put("/publishing/cadence/x", {"max_per_day": -1, "min_gap_minutes": 99_999})
    assert bad.status_code == 400
    assert set(bad.json()["errors"]) == {"max_per_day", "min_gap_minutes"}
    assert client.put("/publishing/cadence/x", {"max_per_day": 1}).status_code == 422
    assert (
        client.put(
            "/publishing/cadence/myspace", {"max_per_day": 1, "min_gap_minutes": 0}
        ).status_code
        == 404
    )
    # Both at 0 removes the rule.
    removed = client.put("/publishing/cadence/x", {"max_per_day": 0, "min_gap_minutes": 0})
    assert removed.status_code == 200 and not CadenceRule.objects.exists()
    # Ambassadors neither read nor set it.
    assert api(ambassador).get("/publishing/cadence").status_code == 403
    forbidden = api(ambassador).put(
        "/publishing/cadence/x", {"max_per_day": 1, "min_gap_minutes": 0}
    )
    assert forbidden.status_code == 403


def test_cadence_of_another_organization_is_untouched(community, outsider, api):
    services.cadence_set(actor=community, network="x", max_per_day=1, min_gap_minutes=0)
    assert api(outsider).put(
        "/publishing/cadence/x", {"max_per_day": 5, "min_gap_minutes": 0}
    ).json() == {"network": "x", "max_per_day": 5, "min_gap_minutes": 0}
    mine = CadenceRule.objects.get(organization_id=community.organization_id)
    assert mine.max_per_day == 1
