"""The charter's versions through the API (what /governance/charter/versions/ offers):
admins write a draft, change it, publish it or delete it, audited; a published version
never changes (409); others 403; another organization's version 404; scopes and methods."""

from __future__ import annotations

import pytest

from portevoix.accounts import services as account_services
from portevoix.governance.models import AuditEntry, CharterVersion
from tests.api.conftest import ApiClient
from tests.governance.conftest import publish_charter

pytestmark = pytest.mark.django_db


def test_an_admin_writes_publishes_and_members_are_asked_to_accept(api_as, admin, member):
    client = api_as(admin)
    created = client.post("/charter/versions", {"body_fr": "Soyez courtois.", "body_en": ""})
    assert created.status_code == 201, created.content
    draft = created.json()
    assert (draft["number"], draft["status"]) == (1, "draft")
    assert client.post("/charter/versions", {}).status_code == 409  # one draft at a time
    changed = client.put(
        f"/charter/versions/{draft['id']}", {"body_fr": "Soyez courtois.", "body_en": "Be kind."}
    )
    assert changed.status_code == 200 and changed.json()["body_en"] == "Be kind."
    assert api_as(member).get("/charter").status_code == 404  # nothing published yet
    published = client.post(f"/charter/versions/{draft['id']}/publish", {})
    assert published.status_code == 200, published.content
    assert published.json()["status"] == "published" and published.json()["published_at"]
    current = api_as(member).get("/charter")
    assert current.status_code == 200 and current.json()["acknowledged"] is False
    # A published version never changes and stays.
    body = {"body_fr": "Autre", "body_en": "Other"}
    assert client.put(f"/charter/versions/{draft['id']}", body).status_code == 409
    assert client.delete(f"/charter/versions/{draft['id']}").status_code == 409
    # The next one starts from the current text; publishing it needs a summary.
    second = client.post("/charter/versions", {}).json()
    assert (second["number"], second["body_en"]) == (2, "Be kind.")
    refused = client.post(f"/charter/versions/{second['id']}/publish", {})
    assert refused.status_code == 400 and "summary_of_changes" in refused.json()["errors"]
    assert client.delete(f"/charter/versions/{second['id']}").status_code == 204
    assert [v["number"] for v in client.get("/charter/versions").json()] == [1]
    assert client.get(f"/charter/versions/{draft['id']}").json()["number"] == 1
    actions = list(AuditEntry.objects.order_by("pk").values_list("action", flat=True))
    assert actions == [
        "charter.draft_create",
        "charter.draft_update",
        "charter.publish",
        "charter.draft_create",
        "charter.draft_delete",
    ]


def test_members_are_refused_and_outsiders_get_404(api_as, admin, member, outsider):
    version = publish_charter(admin)
    draft = api_as(admin).post("/charter/versions", {}).json()
    plain = api_as(member)
    assert plain.get("/charter/versions").status_code == 403
    assert plain.post("/charter/versions", {}).status_code == 403
    assert plain.post(f"/charter/versions/{draft['id']}/publish", {}).status_code == 403
    other = api_as(outsider)
    assert other.get("/charter/versions").json() == []
    assert other.get(f"/charter/versions/{version.pk}").status_code == 404
    body = {"body_fr": "x", "body_en": "y"}
    assert other.put(f"/charter/versions/{draft['id']}", body).status_code == 404
    summary = {"summary_of_changes": "Tout"}
    assert other.post(f"/charter/versions/{draft['id']}/publish", summary).status_code == 404
    assert other.delete(f"/charter/versions/{draft['id']}").status_code == 404
    assert CharterVersion.objects.get(pk=draft["id"]).status == "draft"


def test_methods_body_and_scopes(api_as, admin):
    draft = api_as(admin).post("/charter/versions", {}).json()
    client = api_as(admin)
    assert client.patch(f"/charter/versions/{draft['id']}", {}).status_code == 405
    assert client.get(f"/charter/versions/{draft['id']}/publish").status_code == 405
    assert client.put(f"/charter/versions/{draft['id']}", {"body_fr": "x"}).status_code == 422
    assert client.post("/charter/versions", {"body_fr": 3}).status_code == 422
    read_only = ApiClient(
        account_services.api_token_create(membership=admin, name="ro", can_write=False).secret
    )
    assert read_only.get("/charter/versions").status_code == 200
    refused = read_only.post(f"/charter/versions/{draft['id']}/publish", {})
    assert refused.status_code == 403 and "governance:write" in refused.json()["detail"]
    assert CharterVersion.objects.get(pk=draft["id"]).status == "draft"
