"""Single sign-on without a provider: the ID token's checks (tokens signed here), the
settings (secret sealed, audit, domains, break-glass), the pages' access rules, password
login enforcement, and the sign-in's outcome with the provider's answers stubbed."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.test import Client
from joserfc import jwt
from joserfc.jwk import KeySet, OctKey, RSAKey

from portevoix.accounts.models import Membership, Team, User
from portevoix.accounts.permissions import roles_of
from portevoix.accounts.roles import Role
from portevoix.core import crypto
from portevoix.core.errors import DomainError, PermissionDenied
from portevoix.governance.models import AuditEntry
from portevoix.sso import oidc, services
from portevoix.sso.models import IdentityProvider
from portevoix.sso.views import FLOW_SESSION_KEY
from tests import factories

pytestmark = pytest.mark.django_db

ISSUER = "https://idp.example.com"
KEY = RSAKey.generate_key(2048, parameters={"kid": "k1"}, private=True)
KEYS = KeySet([KEY])


@pytest.fixture(autouse=True)
def _idp_host_resolves(settings):
    """The fast tier resolves no name: the example provider's host is let in as the local
    peers are (the guard still refuses any other)."""
    settings.SOCIAL_ALLOWED_PRIVATE_HOSTS = [
        *settings.SOCIAL_ALLOWED_PRIVATE_HOSTS,
        "idp.example.com",
    ]


def _token(key: Any = KEY, alg: str = "RS256", **overrides: Any) -> str:
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": "portevoix",
        "sub": "42",
        "iat": now,
        "exp": now + 300,
        "nonce": "n0nce",
    } | overrides
    return jwt.encode({"alg": alg, "kid": "k1"}, claims, key)


def _validate(token: str, **kwargs: Any) -> dict[str, Any]:
    args: dict[str, Any] = {"issuer": ISSUER, "client_id": "portevoix", "nonce": "n0nce"}
    return oidc.validate_id_token(token, keys=KEYS, **(args | kwargs))


def test_a_good_id_token_passes():
    assert _validate(_token())["sub"] == "42"


@pytest.mark.parametrize(
    "overrides",
    [
        {"aud": "another-app"},
        {"aud": ["portevoix", "another-app"]},  # several audiences and no azp
        {"exp": int(time.time()) - 3600},
        {"nonce": "replayed"},
        {"iss": "https://evil.example.com"},
    ],
)
def test_a_wrong_id_token_is_refused(overrides):
    with pytest.raises(oidc.OidcError):
        _validate(_token(**overrides))


def test_a_token_signed_by_another_key_or_with_a_shared_secret_is_refused():
    other = RSAKey.generate_key(2048, parameters={"kid": "k1"}, private=True)
    with pytest.raises(oidc.OidcError):
        _validate(_token(key=other))
    with pytest.raises(oidc.OidcError):
        _validate(_token(key=OctKey.import_key("s" * 32), alg="HS256"))


@pytest.fixture
def org():
    return factories.make_org("Acme")


@pytest.fixture
def admin(org):
    return factories.make_member(org, Role.ADMIN, email="boss@example.com")


def _data(**overrides: Any) -> services.ProviderData:
    values = {
        "issuer": ISSUER,
        "client_id": "portevoix",
        "client_secret": "s3cret",
        "domains": ["example.com", "@Example.org"],
    } | overrides
    return services.ProviderData(**values)


def test_the_settings_seal_the_secret_and_are_audited(admin):
    provider = services.provider_save(actor=admin, data=_data())
    assert "s3cret" not in provider.client_secret_sealed
    assert crypto.decrypt(provider.client_secret_sealed) == "s3cret"
    assert sorted(provider.domains.values_list("domain", flat=True)) == [
        "example.com",
        "example.org",
    ]
    entry = AuditEntry.objects.get(action="sso.provider_set")
    assert entry.actor == admin.user and "s3cret" not in str(entry.after)
    services.provider_save(actor=admin, data=_data(client_secret="", domains=["example.com"]))
    provider.refresh_from_db()
    assert crypto.decrypt(provider.client_secret_sealed) == "s3cret"  # kept
    assert list(provider.domains.values_list("domain", flat=True)) == ["example.com"]


def test_a_domain_belongs_to_one_organization(admin):
    services.provider_save(actor=admin, data=_data())
    other = factories.make_member(factories.make_org(), Role.ADMIN)
    with pytest.raises(DomainError) as caught:
        services.provider_save(actor=other, data=_data(domains=["example.com"]))
    assert "domains" in caught.value.field_errors


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"issuer": "http://10.0.0.7"}, "issuer"),
        ({"client_secret": ""}, "client_secret"),
        ({"domains": ["not a domain"]}, "domains"),
        ({"enforced": True}, "break_glass_email"),
        ({"break_glass_email": "someone@example.com"}, "break_glass_email"),
    ],
)
def test_the_settings_errors(admin, overrides, field):
    with pytest.raises(DomainError) as caught:
        services.provider_save(actor=admin, data=_data(**overrides))
    assert field in caught.value.field_errors


def test_only_admins_set_it(org):
    member = factories.make_member(org, Role.CONTENT_MANAGER)
    with pytest.raises(PermissionDenied):
        services.provider_save(actor=member, data=_data())


def test_the_page_is_for_admins_and_outsiders_get_404(admin, org):
    provider = services.provider_save(actor=admin, data=_data())
    client = Client()
    client.force_login(admin.user)
    page = client.get("/settings/sso/")
    assert page.status_code == 200 and ISSUER in page.content.decode()
    assert "/settings/sso/" in client.get("/settings/").content.decode()
    member = factories.make_member(org)
    client.force_login(member.user)
    assert client.get("/settings/sso/").status_code == 403
    assert client.post(f"/settings/sso/{provider.pk}/delete/").status_code == 403
    outsider = factories.make_member(factories.make_org(), Role.ADMIN)
    client.force_login(outsider.user)
    assert ISSUER not in client.get("/settings/sso/").content.decode()
    assert client.post(f"/settings/sso/{provider.pk}/delete/").status_code == 404
    assert IdentityProvider.objects.filter(pk=provider.pk).exists()


def test_the_admin_saves_and_removes_it_on_the_page(admin):
    client = Client()
    client.force_login(admin.user)
    form = {
        "issuer": ISSUER,
        "client_id": "portevoix",
        "client_secret": "s3cret",
        "domains": "example.com\nexample.org",
        "enabled": "on",
        "claim_name": "name",
    }
    assert client.post("/settings/sso/", form).status_code == 302
    provider = IdentityProvider.objects.get(organization=admin.organization)
    assert client.post(f"/settings/sso/{provider.pk}/delete/").status_code == 302
    assert not IdentityProvider.objects.exists()
    assert AuditEntry.objects.filter(action="sso.provider_deleted").exists()


def test_enforcement_refuses_password_login_but_the_break_glass_admin(admin, org):
    carol = factories.make_member(org, email="carol@example.com")
    services.provider_save(
        actor=admin, data=_data(enforced=True, break_glass_email="Boss@example.com")
    )
    assert services.password_login_refusal("carol@example.com")
    assert services.password_login_refusal("boss@example.com") is None
    assert services.password_login_refusal("someone@elsewhere.test") is None
    client = Client()
    page = client.post("/login/", {"username": carol.user.email, "password": factories.PASSWORD})
    assert "Continue with single sign-on" in page.content.decode()
    assert "_auth_user_id" not in client.session
    back = client.post("/login/", {"username": "boss@example.com", "password": factories.PASSWORD})
    assert back.status_code == 302


def test_without_enforcement_passwords_still_work(admin, org):
    carol = factories.make_member(org, email="carol@example.com")
    services.provider_save(actor=admin, data=_data())
    client = Client()
    assert (
        client.post(
            "/login/", {"username": carol.user.email, "password": factories.PASSWORD}
        ).status_code
        == 302
    )


METADATA = oidc.Metadata(
    issuer=ISSUER,
    authorization_endpoint=f"{ISSUER}/auth",
    token_endpoint=f"{ISSUER}/token",
    jwks_uri=f"{ISSUER}/jwks",
    userinfo_endpoint=f"{ISSUER}/me",
)


@pytest.fixture
def provider_answers(monkeypatch, admin):
    """The provider's answers, stubbed: discovery, token, JWKS and user info."""
    services.provider_save(
        actor=admin,
        data=_data(claim_name="name", claim_title="job_title", claim_groups="groups"),
    )
    answers: dict[str, Any] = {
        "email": "ada@example.com",
        "email_verified": True,
        "name": "Ada Lovelace",
        "job_title": "Engineer",
        "groups": ["engineering", "Unknown"],
    }
    monkeypatch.setattr(oidc, "discover", lambda issuer: METADATA)
    monkeypatch.setattr(oidc, "jwks", lambda metadata, fresh=False: KEYS)
    monkeypatch.setattr(oidc, "userinfo", lambda *a, **k: dict(answers, sub="42"))

    def exchange(metadata: Any, **kwargs: Any) -> dict[str, Any]:
        assert kwargs["client_secret"] == "s3cret" and kwargs["code_verifier"]
        return {"id_token": _token(nonce=answers["_nonce"]), "access_token": "at"}

    monkeypatch.setattr(oidc, "exchange_code", exchange)
    return answers


def _sign_in(client: Client, answers: dict[str, Any], next_url: str = "") -> Any:
    start = client.post("/sso/start/", {"email": "ada@example.com", "next": next_url})
    assert start.status_code == 302 and start["Location"].startswith(f"{ISSUER}/auth?")
    flow = client.session[FLOW_SESSION_KEY]
    answers["_nonce"] = flow["nonce"]
    return client.get("/sso/callback/", {"state": flow["state"], "code": "c0de"})


def test_the_first_sign_in_makes_a_member_with_the_mapped_attributes(provider_answers, org):
    Team.objects.create(organization=org, name="Engineering")
    client = Client()
    response = _sign_in(client, provider_answers, next_url="https://evil.example/")
    assert response.status_code == 302 and response["Location"] == "/"  # no open redirect
    membership = Membership.objects.get(organization=org, user__email="ada@example.com")
    assert membership.user.full_name == "Ada Lovelace" and membership.title == "Engineer"
    assert [t.name for t in membership.teams.all()] == ["Engineering"]
    assert roles_of(membership) == frozenset()  # not an ambassador, no role
    assert not Team.objects.filter(name="Unknown").exists()
    assert FLOW_SESSION_KEY not in client.session  # one use


def test_a_local_next_is_followed(provider_answers):
    response = _sign_in(Client(), provider_answers, next_url="/me/")
    assert response["Location"] == "/me/"


def test_an_address_outside_the_domains_is_refused(provider_answers):
    provider_answers["email"] = "ada@elsewhere.test"
    response = _sign_in(Client(), provider_answers)
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert not User.objects.filter(email="ada@elsewhere.test").exists()


def test_a_deactivated_member_stays_out(provider_answers, org):
    member = factories.make_member(org, email="ada@example.com")
    member.is_active = False
    member.save(update_fields=["is_active"])
    client = Client()
    _sign_in(client, provider_answers)
    assert "_auth_user_id" not in client.session


def test_a_callback_without_a_start_is_refused():
    response = Client().get("/sso/callback/", {"state": "x", "code": "y"}, follow=True)
    assert "expired or was not started here" in response.content.decode()


def test_an_address_without_single_sign_on_goes_back_to_the_login(admin):
    response = Client().post("/sso/start/", {"email": "ada@nowhere.test"}, follow=True)
    assert "not set up for this address" in response.content.decode()


def test_the_admins_two_step_policy_is_about_passwords(provider_answers, org):
    """An admin of an organization that requires two-step verification of its admins is not
    sent to enrol after a single sign-on login (the provider owns the second factor), but is
    after a password login."""
    member = factories.make_member(org, Role.ADMIN, email="ada@example.com")
    org.two_factor_required_for_admins = True
    org.save(update_fields=["two_factor_required_for_admins"])
    by_sso = Client()
    assert _sign_in(by_sso, provider_answers).status_code == 302
    assert by_sso.get("/people/").status_code == 200
    by_password = Client()
    by_password.force_login(member.user)
    response = by_password.get("/people/")
    assert response.status_code == 302 and response["Location"] == "/me/security/"


def test_discovery_and_keys_are_cached_and_fetched_again_after_a_rotation(
    monkeypatch, provider_answers, org
):
    """A second login asks the provider for neither its discovery document nor its keys;
    a token signed by a key the cached set does not hold makes one fresh fetch of the keys."""
    from django.core.cache import cache

    cache.clear()
    rotated = RSAKey.generate_key(2048, parameters={"kid": "k2"}, private=True)
    served = {"keys": KEYS}
    fetched: list[str] = []

    def get_json(url: str, *, token: str = "") -> dict[str, Any]:
        fetched.append(url.rsplit("/", 1)[-1])
        if url.endswith("/.well-known/openid-configuration"):
            return {
                "issuer": ISSUER,
                "authorization_endpoint": f"{ISSUER}/auth",
                "token_endpoint": f"{ISSUER}/token",
                "jwks_uri": f"{ISSUER}/jwks",
            }
        return dict(served["keys"].as_dict(private=False))

    monkeypatch.setattr(oidc, "_get_json", get_json)
    monkeypatch.undo()  # the fixture's stubs of discover and jwks go; ours stays below
    monkeypatch.setattr(oidc, "_get_json", get_json)
    monkeypatch.setattr(oidc, "userinfo", lambda *a, **k: dict(provider_answers, sub="42"))
    signing = {"key": KEY}

    def exchange(metadata: Any, **kwargs: Any) -> dict[str, Any]:
        key, now = signing["key"], int(time.time())
        claims = {"iss": ISSUER, "aud": "portevoix", "sub": "42", "iat": now, "exp": now + 300}
        header = {"alg": "RS256", "kid": key.kid}
        return {"id_token": jwt.encode(header, claims | {"nonce": provider_answers["_nonce"]}, key)}

    monkeypatch.setattr(oidc, "exchange_code", exchange)
    for _login in range(2):
        response = _sign_in(Client(), provider_answers)
        assert response.status_code == 302 and "/login/" not in response["Location"]
        assert fetched == ["openid-configuration", "jwks"]  # the second asks nothing again
    # The provider rotates its key: the cached set fails, one fresh fetch, the login passes.
    signing["key"] = rotated
    served["keys"] = KeySet([rotated])
    response = _sign_in(Client(), provider_answers)
    assert response.status_code == 302 and "/login/" not in response["Location"]
    assert fetched == ["openid-configuration", "jwks", "jwks"]
