"""Reporting content to the moderators through the API (what /governance/report/ does):
a member reports an item of their feed, once while the case is open; a reason is
required; what the caller cannot see (a draft, another organization's item) is 404."""

from __future__ import annotations

import pytest

from portevoix.accounts import services as account_services
from portevoix.governance.models import CaseSource, ModerationCase
from tests import factories
from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def live_item(manager, approver):
    return factories.make_live_item(manager, approver)


def test_a_member_reports_an_item_of_their_feed_once(api_as, ambassador, community, live_item):
    client = api_as(ambassador)
    reported = client.post("/moderation/reports", {"item_id": live_item.pk, "reason": "Un nom"})
    assert reported.status_code == 201, reported.content
    case = ModerationCase.objects.get()
    assert reported.json()["case_id"] == case.pk and reported.json()["status"] == "open"
    assert (case.source, case.reported_by, case.object_id) == (
        CaseSource.REPORT,
        ambassador,
        str(live_item.pk),
    )
    again = client.post("/moderation/reports", {"item_id": live_item.pk, "reason": "Encore"})
    assert again.status_code == 201 and again.json()["case_id"] == case.pk
    assert ModerationCase.objects.count() == 1
    # The moderators find it in their queue.
    queue = api_as(community).get("/moderation", status="open").json()
    assert [c["id"] for c in queue["items"]] == [case.pk]


def test_a_reason_and_a_visible_item_are_required(api_as, ambassador, manager, outsider, live_item):
    client = api_as(ambassador)
    assert client.post("/moderation/reports", {"item_id": live_item.pk}).status_code == 422
    blank = client.post("/moderation/reports", {"item_id": live_item.pk, "reason": " "})
    assert blank.status_code == 400 and "reason" in blank.json()["errors"]
    missing = client.post("/moderation/reports", {"reason": "Sans objet"})
    assert missing.status_code == 400
    draft = factories.make_item(manager)
    body = {"item_id": draft.pk, "reason": "x"}
    assert client.post("/moderation/reports", body).status_code == 404  # not in the feed
    other = {"item_id": live_item.pk, "reason": "x"}
    assert api_as(outsider).post("/moderation/reports", other).status_code == 404
    assert not ModerationCase.objects.exists()


def test_methods_and_scopes(api_as, ambassador, live_item):
    assert api_as(ambassador).get("/moderation/reports").status_code == 405
    read_only = ApiClient(
        account_services.api_token_create(membership=ambassador, name="ro", can_write=False).secret
    )
    refused = read_only.post("/moderation/reports", {"item_id": live_item.pk, "reason": "x"})
    assert refused.status_code == 403 and "governance:write" in refused.json()["detail"]
    assert not ModerationCase.objects.exists()
