from __future__ import annotations

import json

import pytest
from django.test import Client

from portevoix.accounts import services as account_services
from portevoix.accounts.models import ApiToken
from tests.api.conftest import API, ApiClient, token_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/me"),
        ("get", "/content"),
        ("post", "/content"),
        ("get", "/feed"),
        ("get", "/members"),
        ("post", "/content/check-copy"),
    ],
)
def test_no_token_is_401(anonymous, method, path):
    response = getattr(anonymous, method)(path)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    body = response.json()
    assert body["detail"] and body["errors"] == {}


@pytest.mark.parametrize(
    "header",
    [
        "Bearer pv_not-a-real-token",
        "Bearer ",
        "Bearer",
        "Token pv_whatever",
        "Basic dXNlcjpwYXNz",
        "pv_no-scheme",
    ],
)
def test_bad_tokens_are_401(member, header):
    token_for(member)  # a real token exists, but is not the one sent
    response = Client().get(f"{API}/me", headers={"Authorization": header})
    assert response.status_code == 401


def test_revoked_token_is_401(member):
    issued = account_services.api_token_create(membership=member, name="ci")
    client = ApiClient(issued.secret)
    assert client.get("/me").status_code == 200
    account_services.api_token_revoke(membership=member, token=issued.token)
    response = client.get("/me")
    assert response.status_code == 401


def test_token_of_deactivated_member_is_401(admin, member):
    client = ApiClient(token_for(member))
    account_services.membership_update(actor=admin, membership=member, is_active=False)
    assert client.get("/me").status_code == 401


def test_token_use_is_recorded(member):
    issued = account_services.api_token_create(membership=member, name="ci")
    ApiClient(issued.secret).get("/me")
    assert ApiToken.objects.get(pk=issued.token.pk).last_used_at is not None


def test_me(api_as, manager, org):
    response = api_as(manager).get("/me")
    assert response.status_code == 200
    body = response.json()
    assert body["membership_id"] == manager.pk
    assert body["user"]["email"] == "manager@acme.test"
    assert body["organization"] == {"id": org.pk, "name": "Acme", "slug": org.slug}
    assert body["roles"] == ["content_manager"]


def test_me_shows_ambassador_role(api_as, ambassador):
    assert api_as(ambassador).get("/me").json()["roles"] == ["ambassador"]


def test_token_acts_in_its_own_organization_only(api_as, outsider, other_org):
    body = api_as(outsider).get("/me").json()
    assert body["organization"]["id"] == other_org.pk


def test_openapi_schema(anonymous):
    response = anonymous.get("/openapi.json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    for path in [
        "/api/v1/me",
        "/api/v1/me/ambassador",
        "/api/v1/me/ambassador/opt-in",
        "/api/v1/me/ambassador/opt-out",
        "/api/v1/content",
        "/api/v1/content/check-copy",
        "/api/v1/content/{item_id}",
        "/api/v1/content/{item_id}/submit",
        "/api/v1/content/{item_id}/approve",
        "/api/v1/content/{item_id}/request-changes",
        "/api/v1/content/{item_id}/archive",
        "/api/v1/content/{item_id}/restore",
        "/api/v1/content/{item_id}/comment",
        "/api/v1/content/{item_id}/history",
        "/api/v1/feed",
        "/api/v1/members",
        "/api/v1/members/{member_id}",
        "/api/v1/teams",
        "/api/v1/teams/{team_id}",
        "/api/v1/topics",
        "/api/v1/campaigns",
        "/api/v1/invitations",
    ]:
        assert path in paths, path
    schemes = schema["components"]["securitySchemes"]
    assert {"type": "http", "scheme": "bearer"} in schemes.values()
    assert paths["/api/v1/content"]["get"]["security"]
    # Error answers are documented with their shape.
    post = paths["/api/v1/content"]["post"]
    assert {"201", "400", "401", "403", "422"} <= set(post["responses"])


def test_docs_page(anonymous):
    assert anonymous.get("/docs").status_code == 200


def test_check_copy_accepts_the_web_session_with_csrf(member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member.user)
    body = json.dumps({"network": "x", "text": "hello"})
    url = f"{API}/content/check-copy"
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 403  # no CSRF token
    secret = "a" * 32
    client.cookies["csrftoken"] = secret
    response = client.post(
        url, body, content_type="application/json", headers={"X-CSRFToken": secret}
    )
    assert response.status_code == 200
    assert response.json()["copies"][0]["length"] == 5


def test_check_copy_without_token_or_session_is_401_even_with_csrf_enforced():
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        f"{API}/content/check-copy", {"network": "x", "text": "hi"}, content_type="application/json"
    )
    assert response.status_code == 401


def test_session_is_not_enough_elsewhere(member):
    client = Client()
    client.force_login(member.user)
    assert client.get(f"{API}/me").status_code == 401
