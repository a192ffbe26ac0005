"""SAML 2.0 single sign-on against a real identity provider: pysaml2's own IdP on 127.0.0.1
(tests/peers/saml_peer.py), which reads our metadata as an IdP admin would. The IdP's
Responses are posted to our ACS (HTTP-POST binding) by the test client, as the browser
does with the IdP's auto-posting form."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client

from portevoix.accounts.models import Membership, Team, User
from portevoix.accounts.permissions import roles_of
from portevoix.accounts.roles import Role
from portevoix.accounts.services.directory import SSO_LOGIN_SESSION_KEY
from portevoix.governance.models import AuditEntry
from portevoix.sso import saml_sp, services
from portevoix.sso.models import IdentityProvider, SamlRequest, SamlSeenId
from tests import factories
from tests.peers.saml_peer import SamlPeer, query_of, saml_peer_fixture

pytestmark = [pytest.mark.peers, pytest.mark.django_db]

saml_peer = saml_peer_fixture()


def _save(admin: Membership, peer: SamlPeer, **overrides: object) -> IdentityProvider:
    values: dict[str, object] = {
        "protocol": "saml",
        "idp_metadata": peer.metadata(),
        "domains": ["example.com"],
        "claim_email": "email",
        "claim_name": "displayName",
        "claim_title": "title",
        "claim_groups": "groups",
    } | overrides
    return services.provider_save(actor=admin, data=services.ProviderData(**values))  # type: ignore[arg-type]


@pytest.fixture
def admin():
    org = factories.make_org("Acme")
    Team.objects.create(organization=org, name="Engineering")
    return factories.make_member(org, Role.ADMIN, email="boss@example.com")


@pytest.fixture
def provider(saml_peer, admin):
    provider = _save(admin, saml_peer)
    metadata = Client().get(urlsplit(saml_sp.sp_urls(provider)[0]).path)
    assert metadata.status_code == 200
    saml_peer.trust(metadata.content.decode())  # the metadata exchange, the IdP's side
    return provider


def _start(client: Client, email: str = "ada@example.com", next_url: str = "") -> str:
    response = client.post("/sso/start/", {"email": email, "next": next_url})
    assert response.status_code == 302, response
    return response["Location"]


def _post(client: Client, form: dict[str, str]) -> Any:
    """What the IdP's page makes the browser do: POST the form to our ACS."""
    data = {k: v for k, v in form.items() if k != "action"}
    return client.post(urlsplit(form["action"]).path, data, follow=True)


def _logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_an_sp_initiated_login_makes_a_member_never_an_ambassador(saml_peer, provider):
    client = Client()
    url = _start(client, next_url="/me/")
    query = query_of(url)
    assert url.startswith(saml_peer.base_url + "/sso/redirect?")
    assert query["SAMLRequest"] and query["Signature"] and "rsa-sha256" in query["SigAlg"]
    assert SamlRequest.objects.filter(provider=provider).count() == 1
    form = saml_peer.login(url, "ada@example.com")
    assert urlsplit(form["action"]).path == f"/sso/saml/{provider.saml_key}/acs/"
    response = _post(client, form)
    assert response.redirect_chain[0] == ("/me/", 302)
    assert _logged_in(client) and client.session[SSO_LOGIN_SESSION_KEY] == provider.organization_id
    user = User.objects.get(email="ada@example.com")
    assert user.full_name == "Ada Lovelace" and not user.has_usable_password()
    membership = Membership.objects.get(organization=provider.organization, user=user)
    assert membership.title == "Engineer"
    assert [t.name for t in membership.teams.all()] == ["Engineering"]
    assert Role.AMBASSADOR not in roles_of(membership) and roles_of(membership) == frozenset()
    assert not Team.objects.filter(name="Unknown").exists()
    assert AuditEntry.objects.filter(action="sso.member_joined", actor=user).exists()
    assert not SamlRequest.objects.exists()  # used once
    assert SamlSeenId.objects.filter(provider=provider).count() == 2  # response and assertion


def test_an_existing_user_is_matched_by_email(saml_peer, provider):
    grace = factories.make_user("grace@example.com", "G. H.")
    client = Client()
    _post(client, saml_peer.login(_start(client, "grace@example.com"), "grace@example.com"))
    grace.refresh_from_db()
    assert grace.full_name == "Grace Hopper"
    assert Membership.objects.filter(organization=provider.organization, user=grace).count() == 1


def test_an_unsigned_authn_request_is_refused_by_the_idp(saml_peer, provider):
    url = _start(Client())
    unsigned = url.split("&SigAlg=")[0]
    with pytest.raises(AssertionError, match="refused"):
        saml_peer.login(unsigned, "ada@example.com")


def test_idp_initiated_is_refused_unless_the_organization_allows_it(saml_peer, provider, admin):
    metadata = Client().get(urlsplit(saml_sp.sp_urls(provider)[0]).path).content.decode()
    client = Client()
    response = _post(client, saml_peer.idp_initiated(metadata, "ada@example.com", "/me/"))
    assert "Start from Portevoix" in response.content.decode()
    assert not _logged_in(client) and not User.objects.filter(email="ada@example.com").exists()

    _save(admin, saml_peer, idp_metadata="", allow_idp_initiated=True)  # metadata kept
    response = _post(client, saml_peer.idp_initiated(metadata, "ada@example.com", "/me/"))
    assert response.redirect_chain[0] == ("/me/", 302) and _logged_in(client)


@pytest.mark.parametrize("relay_state", ["https://evil.example/", "//evil.example/x", "\\\\x"])
def test_an_idp_initiated_relay_state_is_only_a_path_of_ours(
    saml_peer, provider, admin, relay_state
):
    _save(admin, saml_peer, idp_metadata="", allow_idp_initiated=True)
    metadata = Client().get(urlsplit(saml_sp.sp_urls(provider)[0]).path).content.decode()
    client = Client()
    response = _post(client, saml_peer.idp_initiated(metadata, "ada@example.com", relay_state))
    assert response.redirect_chain[0] == ("/", 302) and _logged_in(client)


def test_a_replayed_response_is_refused(saml_peer, provider, admin):
    _save(admin, saml_peer, idp_metadata="", allow_idp_initiated=True)
    metadata = Client().get(urlsplit(saml_sp.sp_urls(provider)[0]).path).content.decode()
    form = saml_peer.idp_initiated(metadata, "ada@example.com")
    first = Client()
    _post(first, form)
    assert _logged_in(first)
    thief = Client()
    response = _post(thief, form)
    assert "already used" in response.content.decode()
    assert not _logged_in(thief)


def test_a_replayed_sp_initiated_response_is_refused(saml_peer, provider):
    client = Client()
    form = saml_peer.login(_start(client), "ada@example.com")
    _post(client, form)
    thief = Client()
    response = _post(thief, form)
    assert "expired or was not started here" in response.content.decode()
    assert not _logged_in(thief)


@pytest.mark.parametrize(
    "variant",
    [
        {"audience": "another"},  # an assertion for another service provider
        {"lifetime": -30},  # expired half an hour ago
        {"unsigned": 1},  # the response signed, the assertion not
    ],
)
def test_a_wrong_assertion_is_refused(saml_peer, provider, variant):
    client = Client()
    response = _post(client, saml_peer.login(_start(client), "ada@example.com", **variant))
    assert "could not be verified" in response.content.decode()
    assert not _logged_in(client)
    assert not User.objects.filter(email="ada@example.com").exists()
    assert not SamlSeenId.objects.exists()


class _Later:
    """The `time` module as pysaml2's checks read it, `seconds` later."""

    def __init__(self, seconds: float):
        self.seconds = seconds

    def gmtime(self, at: float | None = None) -> time.struct_time:
        return time.gmtime(time.time() + self.seconds if at is None else at)

    def __getattr__(self, name: str) -> object:
        return getattr(time, name)


@pytest.mark.parametrize(("seconds", "accepted"), [(90, True), (180, False)])
def test_the_clock_skew_is_one_minute(saml_peer, provider, monkeypatch, seconds, accepted):
    """An assertion valid one minute, checked 90 seconds later (30 seconds past its end)
    still passes: the clocks of two servers differ a little. Two minutes past it does not."""
    client = Client()
    form = saml_peer.login(_start(client), "ada@example.com", lifetime=1)
    monkeypatch.setattr("saml2.time_util.time", _Later(seconds))
    _post(client, form)
    assert _logged_in(client) is accepted


def test_an_address_of_a_domain_the_organization_does_not_own_is_refused(saml_peer, provider):
    client = Client()
    response = _post(client, saml_peer.login(_start(client), "eve@elsewhere.test"))
    assert "is not an address of Acme" in response.content.decode()
    assert not User.objects.filter(email="eve@elsewhere.test").exists()
    assert not _logged_in(client)


def test_a_response_for_one_organization_is_refused_at_another(saml_peer, provider):
    other_admin = factories.make_member(factories.make_org("Globex"), Role.ADMIN)
    other = _save(other_admin, saml_peer, domains=["globex.test"])
    client = Client()
    form = saml_peer.login(_start(client), "ada@example.com")
    form["action"] = form["action"].replace(provider.saml_key, other.saml_key)
    response = _post(client, form)
    assert "expired or was not started here" in response.content.decode()
    assert not _logged_in(client)


def test_enforcement_refuses_passwords_except_the_break_glass_admin(saml_peer, provider, admin):
    member = factories.make_member(provider.organization, email="carol@example.com")
    _save(admin, saml_peer, idp_metadata="", enforced=True, break_glass_email="boss@example.com")
    client = Client()
    response = client.post(
        "/login/", {"username": member.user.email, "password": factories.PASSWORD}
    )
    assert "logs in through its identity provider" in response.content.decode()
    response = client.post(
        "/login/", {"username": "boss@example.com", "password": factories.PASSWORD}
    )
    assert response.status_code == 302
