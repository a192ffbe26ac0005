"""Single sign-on against a real OpenID Connect provider (oidc-provider on 127.0.0.1)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from portevoix.accounts.models import Membership, Team, User
from portevoix.accounts.permissions import roles_of
from portevoix.accounts.roles import Role
from portevoix.governance.models import AuditEntry
from portevoix.sso import oidc, services
from tests import factories
from tests.peers.oidc_peer import (
    CLIENT_ID,
    CLIENT_SECRET,
    OTHER_CLIENT_ID,
    callback_path,
    oidc_peer_fixture,
)

pytestmark = [pytest.mark.peers, pytest.mark.django_db]

oidc_peer = oidc_peer_fixture()


@pytest.fixture
def org(oidc_peer):
    org = factories.make_org("Acme")
    admin = factories.make_member(org, Role.ADMIN, email="boss@example.com")
    Team.objects.create(organization=org, name="Engineering")
    services.provider_save(
        actor=admin,
        data=services.ProviderData(
            issuer=oidc_peer.issuer,
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            domains=["example.com"],
            claim_name="name",
            claim_title="job_title",
            claim_groups="groups",
        ),
    )
    return org


def _start(client: Client, email: str, next_url: str = "") -> str:
    response = client.post("/sso/start/", {"email": email, "next": next_url})
    assert response.status_code == 302, response
    return response["Location"]


def test_a_full_login_makes_a_member_never_an_ambassador(oidc_peer, org):
    client = Client()
    url = _start(client, "ada@example.com", "/me/")
    query = parse_qs(urlsplit(url).query)
    assert query["code_challenge_method"] == ["S256"] and query["nonce"] and query["state"]
    response = client.get(callback_path(oidc_peer.login(url, "ada@example.com")))
    assert response.status_code == 302 and response["Location"] == "/me/"
    user = User.objects.get(email="ada@example.com")
    assert user.full_name == "Ada Lovelace" and not user.has_usable_password()
    membership = Membership.objects.get(organization=org, user=user)
    assert membership.title == "Engineer"
    assert [t.name for t in membership.teams.all()] == ["Engineering"]
    assert Role.AMBASSADOR not in roles_of(membership)
    assert client.get("/me/").status_code == 200
    assert AuditEntry.objects.filter(action="sso.member_joined", actor=user).exists()


def test_an_existing_user_is_matched_by_email(oidc_peer, org):
    grace = factories.make_user("grace@example.com", "G. H.")
    client = Client()
    url = _start(client, "grace@example.com")
    client.get(callback_path(oidc_peer.login(url, "grace@example.com")))
    grace.refresh_from_db()
    assert grace.full_name == "Grace Hopper"
    assert Membership.objects.filter(organization=org, user=grace).count() == 1


def test_a_wrong_state_is_refused(oidc_peer, org):
    client = Client()
    url = _start(client, "ada@example.com")
    back = oidc_peer.login(url, "ada@example.com").replace("state=", "state=x")
    response = client.get(callback_path(back), follow=True)
    assert "expired or was not started here" in response.content.decode()
    assert not User.objects.filter(email="ada@example.com").exists()


def test_a_wrong_nonce_is_refused(oidc_peer, org):
    client = Client()
    url = _start(client, "ada@example.com")
    session = client.session
    session["portevoix_sso_flow"]["nonce"] = "another"
    session.save()
    response = client.get(callback_path(oidc_peer.login(url, "ada@example.com")), follow=True)
    assert "could not be verified" in response.content.decode()
    assert not User.objects.filter(email="ada@example.com").exists()


def _real_id_token(oidc_peer, client_id: str, monkeypatch) -> tuple[str, oidc.Metadata, str]:
    """An ID token the provider signed for `client_id`, and the nonce it carries."""
    metadata = oidc.discover(oidc_peer.issuer)
    auth = oidc.authorization(
        metadata, client_id=client_id, redirect_uri="http://testserver/sso/callback/"
    )
    back = parse_qs(urlsplit(oidc_peer.login(auth.url, "ada@example.com")).query)
    secret = CLIENT_SECRET if client_id == CLIENT_ID else "another-secret"
    tokens = oidc.exchange_code(
        metadata,
        client_id=client_id,
        client_secret=secret,
        redirect_uri="http://testserver/sso/callback/",
        code=back["code"][0],
        code_verifier=auth.code_verifier,
    )
    return tokens["id_token"], metadata, auth.nonce


def test_a_token_for_another_audience_is_refused(oidc_peer, monkeypatch):
    token, metadata, nonce = _real_id_token(oidc_peer, OTHER_CLIENT_ID, monkeypatch)
    keys = oidc.jwks(metadata)
    assert oidc.validate_id_token(
        token, keys=keys, issuer=metadata.issuer, client_id=OTHER_CLIENT_ID, nonce=nonce
    )
    with pytest.raises(oidc.OidcError):
        oidc.validate_id_token(
            token, keys=keys, issuer=metadata.issuer, client_id=CLIENT_ID, nonce=nonce
        )


def test_an_expired_id_token_is_refused(oidc_peer, monkeypatch):
    token, metadata, nonce = _real_id_token(oidc_peer, CLIENT_ID, monkeypatch)
    later = dt.datetime.now(tz=dt.UTC) + dt.timedelta(hours=3)
    monkeypatch.setattr("portevoix.core.clock.now", lambda: later)
    with pytest.raises(oidc.OidcError):
        oidc.validate_id_token(
            token,
            keys=oidc.jwks(metadata),
            issuer=metadata.issuer,
            client_id=CLIENT_ID,
            nonce=nonce,
        )


def test_an_address_of_a_domain_the_organization_does_not_own_is_refused(oidc_peer, org):
    client = Client()
    url = _start(client, "ada@example.com")
    response = client.get(callback_path(oidc_peer.login(url, "eve@elsewhere.test")), follow=True)
    assert "is not an address of Acme" in response.content.decode()
    assert not User.objects.filter(email="eve@elsewhere.test").exists()


def test_an_unverified_address_is_refused(oidc_peer, org):
    client = Client()
    url = _start(client, "nobody@example.com")
    response = client.get(callback_path(oidc_peer.login(url, "nobody@example.com")), follow=True)
    assert "did not confirm your email address" in response.content.decode()


def test_enforcement_refuses_passwords_except_the_break_glass_admin(oidc_peer, org):
    admin = Membership.objects.get(organization=org, user__email="boss@example.com")
    member = factories.make_member(org, email="carol@example.com")
    provider = services.selectors.provider_page(membership=admin)
    assert provider is not None
    services.provider_save(
        actor=admin,
        data=services.ProviderData(
            issuer=provider.issuer,
            client_id=CLIENT_ID,
            domains=["example.com"],
            enforced=True,
            break_glass_email="boss@example.com",
        ),
    )
    client = Client()
    response = client.post(
        "/login/", {"username": member.user.email, "password": factories.PASSWORD}
    )
    assert response.status_code == 200
    assert "logs in through its identity provider" in response.content.decode()
    response = client.post(
        "/login/", {"username": "boss@example.com", "password": factories.PASSWORD}
    )
    assert response.status_code == 302


def test_a_replayed_callback_is_refused(oidc_peer, org):
    """The same answer of the provider (state and code) brought back a second time: the
    sign-in it belonged to is over, so it is refused, in the same browser or another one."""
    client = Client()
    back = callback_path(oidc_peer.login(_start(client, "ada@example.com"), "ada@example.com"))
    assert client.get(back).status_code == 302
    stranger = Client()
    for browser in (client, stranger):
        response = browser.get(back, follow=True)
        assert "expired or was not started here" in response.content.decode()
    assert stranger.get("/me/").status_code == 302  # not logged in by the replay
    assert AuditEntry.objects.filter(action="sso.member_joined").count() == 1
