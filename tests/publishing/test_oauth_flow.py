"""OAuth end to end in the browser-free test client, against the fake X peer: the state is
single-use and bound to the member who started it, PKCE is verified by the network, a bad
state is refused, disconnecting deletes the tokens."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.test import Client

from portevoix.core import crypto
from portevoix.publishing.models import Connection, OAuthState
from portevoix.publishing.tokens import unseal

pytestmark = pytest.mark.django_db


def login(membership) -> Client:
    client = Client()
    client.force_login(membership.user)
    return client


def start(client: Client) -> str:
    response = client.post("/me/accounts/connect/x/")
    assert response.status_code == 302
    return response["Location"]


def consent(authorize_url: str) -> tuple[str, dict[str, str]]:
    """The member consents on the network: where the network sends them back."""
    response = httpx.get(authorize_url, follow_redirects=False)
    assert response.status_code == 302, response.text
    location = urlsplit(response.headers["location"])
    return location.path, {k: v[0] for k, v in parse_qs(location.query).items()}


def test_connect_x_end_to_end(ambassador, fake_x):
    client = login(ambassador)
    authorize_url = start(client)
    query = {k: v[0] for k, v in parse_qs(urlsplit(authorize_url).query).items()}
    assert query["code_challenge_method"] == "S256"
    assert query["redirect_uri"] == "http://testserver/me/accounts/callback/x/"
    assert set(query["scope"].split()) == {
        "tweet.read",
        "tweet.write",
        "users.read",
        "offline.access",
    }
    # Neither the state nor the verifier is stored in clear.
    pending = OAuthState.objects.get()
    assert query["state"] not in pending.state_hash
    assert pending.code_verifier_encrypted and "=" not in query["code_challenge"]

    path, params = consent(authorize_url)
    response = client.get(path, params)
    assert response.status_code == 302 and response["Location"] == "/me/accounts/"
    connection = Connection.objects.get(membership=ambassador, network="x")
    assert connection.account_id == fake_x.default_user.id
    assert connection.followers == fake_x.default_user.followers
    tokens = unseal(connection.tokens_encrypted)
    assert tokens.access_token in fake_x.access_tokens
    assert tokens.refresh_token  # offline.access
    page = client.get("/me/accounts/")
    assert fake_x.default_user.username in page.content.decode()


def test_state_is_single_use(ambassador, fake_x):
    client = login(ambassador)
    path, params = consent(start(client))
    assert client.get(path, params).status_code == 302
    assert Connection.objects.count() == 1
    Connection.objects.all().delete()
    replay = client.get(path, params, follow=True)
    assert "already used" in replay.content.decode()
    assert Connection.objects.count() == 0


def test_bad_state_is_refused(ambassador, fake_x):
    client = login(ambassador)
    path, params = consent(start(client))
    params["state"] = "forged-" + params["state"]
    response = client.get(path, params, follow=True)
    assert "not valid" in response.content.decode()
    assert Connection.objects.count() == 0


def test_state_of_another_member_is_refused(ambassador, org, fake_x):
    from tests.factories import make_member

    other = make_member(org, email="other@acme.test", ambassador=True)
    path, params = consent(start(login(ambassador)))
    response = login(other).get(path, params, follow=True)
    assert "not valid" in response.content.decode()
    assert Connection.objects.count() == 0


def test_pkce_verifier_is_checked_by_the_network(ambassador, fake_x):
    client = login(ambassador)
    path, params = consent(start(client))
    # Swap the stored verifier: the network compares it with the challenge it saw.
    OAuthState.objects.update(code_verifier_encrypted=crypto.encrypt("x" * 64))
    response = client.get(path, params, follow=True)
    assert response.status_code == 200
    assert Connection.objects.count() == 0
    assert fake_x.app.count("POST", "/2/oauth2/token") == 1


def test_denied_authorization_is_reported(ambassador, fake_x):
    client = login(ambassador)
    authorize_url = start(client)
    state = parse_qs(urlsplit(authorize_url).query)["state"][0]
    response = client.get(
        "/me/accounts/callback/x/", {"state": state, "error": "access_denied"}, follow=True
    )
    assert "not authorized" in response.content.decode()
    assert Connection.objects.count() == 0


def test_unconfigured_network_says_so(ambassador, settings):
    settings.SOCIAL_APPS = {"x": {"client_id": "", "client_secret": ""}}
    response = login(ambassador).post("/me/accounts/connect/x/", follow=True)
    assert "not set up on this platform" in response.content.decode()


def test_disconnect_deletes_the_tokens_and_revokes(ambassador, x_connection, fake_x):
    client = login(ambassador)
    token = unseal(x_connection.tokens_encrypted).access_token
    response = client.post(f"/me/accounts/{x_connection.pk}/disconnect/")
    assert response.status_code == 302
    assert not Connection.objects.filter(pk=x_connection.pk).exists()
    assert fake_x.app.count("POST", "/2/oauth2/revoke") >= 1
    assert token not in fake_x.access_tokens or token in fake_x.revoked


def test_connection_of_another_member_cannot_be_disconnected(org, x_connection, fake_x):
    from tests.factories import make_member

    other = make_member(org, email="intruder@acme.test", ambassador=True)
    response = login(other).post(f"/me/accounts/{x_connection.pk}/disconnect/")
    assert response.status_code == 404
    assert Connection.objects.filter(pk=x_connection.pk).exists()


def test_mastodon_instance_on_a_private_address_is_refused(ambassador, settings):
    settings.SOCIAL_ALLOWED_PRIVATE_HOSTS = []
    client = login(ambassador)
    for instance in ("127.0.0.1:3000", "http://127.0.0.1", "10.0.0.8", "localhost", "[::1]"):
        response = client.post(
            "/me/accounts/connect/mastodon/", {"instance": instance}, follow=True
        )
        assert response.status_code == 200
        assert response.redirect_chain[-1][0] == "/me/accounts/"
    assert OAuthState.objects.count() == 0


def test_connect_requires_post_and_login(ambassador, fake_x):
    assert Client().post("/me/accounts/connect/x/").status_code == 302  # to login
    assert login(ambassador).get("/me/accounts/connect/x/").status_code == 405
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(ambassador.user)
    assert csrf_client.post("/me/accounts/connect/x/").status_code == 403


def test_account_marked_company_affiliated(ambassador, org, x_connection, fake_x):
    from tests.factories import make_member

    client = login(ambassador)
    response = client.post(f"/me/accounts/{x_connection.pk}/kind/", {"kind": "company"})
    assert response.status_code == 302
    x_connection.refresh_from_db()
    assert x_connection.kind == "company"
    assert 'value="company" selected' in client.get("/me/accounts/").content.decode()
    client.post(f"/me/accounts/{x_connection.pk}/kind/", {"kind": "bogus"})
    x_connection.refresh_from_db()
    assert x_connection.kind == "company"
    other = make_member(org, email="someone@acme.test", ambassador=True)
    assert (
        login(other).post(f"/me/accounts/{x_connection.pk}/kind/", {"kind": "personal"}).status_code
        == 404
    )
