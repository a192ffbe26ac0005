"""Recognition's settings through the API (what the badges, fair-play and rules pages
offer): the organization's own badges (create, retire), the fair-play thresholds, the
review of a flag (confirm with a reason, or dismiss), a recount; each for its role only;
another organization's badge or flag is 404; the page's validation; scopes."""

from __future__ import annotations

import datetime as dt

import pytest

from portevoix.accounts import services as account_services
from portevoix.accounts.roles import Role
from portevoix.core import clock
from portevoix.recognition import services
from portevoix.recognition.models import Badge, Challenge, FairPlayFlag, FlagStatus, PointRecount
from tests import factories
from tests.api.conftest import ApiClient, token_for
from tests.recognition.conftest import NOON

pytestmark = pytest.mark.django_db

BADGE = {"name": "Relais", "counter": "points", "threshold": 100, "shape": "star", "color": "gold"}


def burst(membership, count: int) -> None:
    """`count` shares two minutes apart: a burst for the default thresholds."""
    for n in range(count):
        services.fairplay_share_posted(
            organization_id=membership.organization_id,
            membership_id=membership.pk,
            share_id=n + 1,
            text_hash="",
            at=NOON + dt.timedelta(minutes=2 * n),
        )


def api(membership) -> ApiClient:
    return ApiClient(token_for(membership))


@pytest.fixture
def cm(org):
    return factories.make_member(org, Role.COMMUNITY_MANAGER, email="cm@acme.test")


def test_badges_are_created_and_retired(admin, ambassador, outsider):
    created = api(admin).post("/recognition/badges", BADGE)
    assert created.status_code == 201, created.content
    badge_id = created.json()["id"]
    retired = api(admin).put(f"/recognition/badges/{badge_id}/active", {"active": False})
    assert retired.status_code == 200 and retired.json()["active"] is False
    assert api(ambassador).post("/recognition/badges", BADGE).status_code == 403
    active = {"active": True}
    assert api(ambassador).put(f"/recognition/badges/{badge_id}/active", active).status_code == 403
    assert api(outsider).put(f"/recognition/badges/{badge_id}/active", active).status_code == 404
    assert Badge.objects.get(pk=badge_id).active is False
    refused = api(admin).post("/recognition/badges", {**BADGE, "counter": "nothing"})
    assert refused.status_code == 400 and "counter" in refused.json()["errors"]
    assert api(admin).post("/recognition/badges", {**BADGE, "threshold": 0}).status_code == 422
    assert Badge.objects.count() == 1


def test_a_flag_is_confirmed_or_dismissed_by_its_reviewers(ambassador, cm, outsider):
    burst(ambassador, 11)
    flag = FairPlayFlag.objects.get()
    listed = api(cm).get("/recognition/fair-play/flags")
    assert [f["id"] for f in listed.json()] == [flag.pk]
    assert listed.json()[0]["member_ids"] == [ambassador.pk]
    url = f"/recognition/fair-play/flags/{flag.pk}/review"
    assert api(ambassador).get("/recognition/fair-play/flags").status_code == 403
    assert api(ambassador).post(url, {"decision": "dismiss"}).status_code == 403
    assert api(outsider).post(url, {"decision": "dismiss"}).status_code == 404
    no_reason = api(cm).post(url, {"decision": "confirm", "reason": " "})
    assert no_reason.status_code == 400 and "reason" in no_reason.json()["errors"]
    dismissed = api(cm).post(url, {"decision": "dismiss", "reason": "Un lancement"})
    assert dismissed.status_code == 200 and dismissed.json()["status"] == FlagStatus.DISMISSED
    assert api(cm).post(url, {"decision": "dismiss"}).status_code == 400  # reviewed once
    assert api(cm).post(url, {"decision": "maybe"}).status_code == 422


def test_thresholds_and_recounts_are_for_administrators(admin, cm, org):
    thresholds = {
        "burst_shares": 20,
        "burst_minutes": 60,
        "same_text_people": 5,
        "same_text_hours": 24,
    }
    saved = api(admin).put("/recognition/fair-play/settings", thresholds)
    assert saved.status_code == 200 and saved.json() == thresholds
    assert api(cm).put("/recognition/fair-play/settings", thresholds).status_code == 403
    too_many = {**thresholds, "burst_minutes": 5000}
    assert api(admin).put("/recognition/fair-play/settings", too_many).status_code == 422
    since = (clock.now() - dt.timedelta(days=7)).date().isoformat()
    done = api(admin).post("/recognition/recounts", {"since": since})
    assert done.status_code == 201, done.content
    assert done.json()["since"] == since and PointRecount.objects.count() == 1
    assert api(cm).post("/recognition/recounts", {"since": since}).status_code == 403
    assert api(admin).post("/recognition/recounts", {"since": "yesterday"}).status_code == 422
    assert PointRecount.objects.count() == 1


def test_scopes_and_methods(admin):
    read_only = ApiClient(
        account_services.api_token_create(membership=admin, name="ro", can_write=False).secret
    )
    refused = read_only.post("/recognition/badges", BADGE)
    assert refused.status_code == 403 and "recognition:write" in refused.json()["detail"]
    assert api(admin).get("/recognition/recounts").status_code == 405
    assert not Badge.objects.exists()


def _challenge(**overrides: object) -> dict[str, object]:
    start = clock.now() + dt.timedelta(days=1)
    body: dict[str, object] = {
        "title": "200 partages",
        "metric": "shares",
        "target": 200,
        "starts_at": start.isoformat(),
        "ends_at": (start + dt.timedelta(days=7)).isoformat(),
        "scope": "organization",
        "bonus_points": 50,
    }
    body.update(overrides)
    return body


def test_a_challenge_is_created_for_its_scope(admin, ambassador, outsider):
    created = api(admin).post("/recognition/challenges", _challenge())
    assert created.status_code == 201, created.content
    assert created.json()["scope"] == "organization" and created.json()["bonus_points"] == 50
    theirs = account_services.team_create(actor=outsider, name="Globex")
    refused = api(admin).post(
        "/recognition/challenges", _challenge(scope="team", team_id=theirs.pk)
    )
    assert refused.status_code == 400 and "team_id" in refused.json()["errors"]
    start = clock.now()
    backwards = _challenge(ends_at=(start - dt.timedelta(days=1)).isoformat())
    assert api(admin).post("/recognition/challenges", backwards).status_code == 400
    naive = _challenge(starts_at="2030-01-01T10:00:00")
    assert api(admin).post("/recognition/challenges", naive).status_code == 422
    assert api(ambassador).post("/recognition/challenges", _challenge()).status_code == 403
    assert Challenge.objects.count() == 1
