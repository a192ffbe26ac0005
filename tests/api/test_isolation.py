"""An outsider (admin, content manager and ambassador of another organization) gets 404 on
every object endpoint of `org`, never 403 and never the data."""

from __future__ import annotations

import pytest

from portevoix.accounts import services as account_services
from portevoix.content import services as content_services
from portevoix.content.models import ContentItem
from tests.api.conftest import item_payload
from tests.factories import make_item, make_live_item

pytestmark = pytest.mark.django_db

OBJECT_ENDPOINTS = [
    ("get", "/content/{item}", None),
    ("put", "/content/{item}", item_payload()),
    ("post", "/content/{item}/submit", {}),
    ("post", "/content/{item}/approve", {}),
    ("post", "/content/{item}/request-changes", {"comment": "No"}),
    ("post", "/content/{item}/archive", {}),
    ("post", "/content/{item}/restore", {}),
    ("post", "/content/{item}/comment", {"comment": "Hi"}),
    ("get", "/content/{item}/history", None),
    ("get", "/members/{member}", None),
    ("patch", "/members/{member}", {"title": "Pwned", "roles": ["admin"], "is_active": False}),
    ("get", "/teams/{team}", None),
    ("patch", "/teams/{team}", {"name": "Pwned"}),
    ("delete", "/teams/{team}", None),
    ("delete", "/invitations/{invitation}", None),
]


@pytest.fixture
def objects(org, admin, manager, approver, member):
    item = make_item(manager)
    content_services.item_submit(membership=manager, item=item)
    team = account_services.team_create(actor=admin, name="Ventes")
    invitation = account_services.invitation_create(actor=admin, email="new@acme.test").invitation
    return {"item": item.pk, "member": member.pk, "team": team.pk, "invitation": invitation.pk}


def _call(client, method, path, body):
    if method in {"get", "delete"}:
        return getattr(client, method)(path)
    return getattr(client, method)(path, body)


@pytest.mark.parametrize(("method", "path", "body"), OBJECT_ENDPOINTS)
def test_outsider_gets_404(api_as, outsider, objects, method, path, body):
    url = path.format(**objects)
    response = _call(api_as(outsider), method, url, body)
    assert response.status_code == 404, (url, response.content)
    assert response.json() == {"detail": "Not found.", "errors": {}}


@pytest.mark.parametrize(("method", "path", "body"), OBJECT_ENDPOINTS)
def test_insider_reaches_the_same_urls(api_as, admin, approver, objects, method, path, body):
    """Sanity check of the list above: for a member of `org` the object exists."""
    who = approver if path.endswith(("/approve", "/request-changes")) else admin
    response = _call(api_as(who), method, path.format(**objects), body)
    assert response.status_code != 404, (path, response.content)
    assert response.status_code < 500


def test_outsider_changed_nothing(api_as, outsider, objects, member):
    for method, path, body in OBJECT_ENDPOINTS:
        _call(api_as(outsider), method, path.format(**objects), body)
    item = ContentItem.objects.get(pk=objects["item"])
    assert item.state == "in_review"
    assert item.transitions.count() == 2
    member.refresh_from_db()
    assert member.is_active and member.title == ""


def test_lists_show_only_own_organization(api_as, outsider, manager, approver, org):
    make_live_item(manager, approver)
    as_outsider = api_as(outsider)
    assert as_outsider.get("/content").json()["count"] == 0
    assert as_outsider.get("/feed").json()["count"] == 0
    assert as_outsider.get("/topics").json() == []
    emails = [m["user"]["email"] for m in as_outsider.get("/members").json()["items"]]
    assert emails and all(not e.endswith("@acme.test") for e in emails)


def test_foreign_filters_find_nothing(api_as, outsider, admin, manager):
    team = account_services.team_create(actor=admin, name="Ventes")
    campaign = content_services.campaign_create(membership=manager, name="Salon")
    make_item(manager, campaign_id=campaign.pk)
    as_outsider = api_as(outsider)
    assert as_outsider.get("/members", team=team.pk).json()["items"] == []
    assert as_outsider.get("/content", campaign=campaign.pk).json()["items"] == []


def test_outsider_cannot_attach_foreign_teams(api_as, outsider, admin, other_org):
    team = account_services.team_create(actor=admin, name="Ventes")
    response = api_as(outsider).patch(f"/members/{outsider.pk}", {"team_ids": [team.pk]})
    assert response.status_code == 400
    assert "team_ids" in response.json()["errors"]
