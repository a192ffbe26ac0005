"""SAML 2.0 single sign-on without a running IdP: the settings (the IdP's metadata checked,
our key pair made and sealed, audit), the pages' access rules (admins only; another
organization's provider and metadata are a 404), our public metadata, the ACS's refusals
before any signature is read, the replay store, and the IdP-initiated RelayState rule."""

from __future__ import annotations

import datetime as dt
import tempfile
import threading
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client

from portevoix.accounts.roles import Role
from portevoix.core import clock, crypto
from portevoix.core.errors import DomainError, PermissionDenied
from portevoix.governance.models import AuditEntry
from portevoix.sso import saml, saml_flow, saml_sp, services
from portevoix.sso.models import IdentityProvider, SamlSeenId
from tests import factories
from tests.peers.saml_peer import SamlPeer

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def idp_metadata() -> str:
    """The metadata of an IdP at http://127.0.0.1:9 (nothing listens: only read here)."""
    with tempfile.TemporaryDirectory() as folder:
        peer = SamlPeer(folder=Path(folder), base_url="http://127.0.0.1:9")
        key_pem, cert_pem = saml.key_pair("test IdP")
        peer.key_file, peer.cert_file = f"{folder}/idp.key", f"{folder}/idp.crt"
        Path(peer.key_file).write_text(key_pem)
        Path(peer.cert_file).write_text(cert_pem)
        return peer.metadata()


@pytest.fixture
def org():
    return factories.make_org("Acme")


@pytest.fixture
def admin(org):
    return factories.make_member(org, Role.ADMIN, email="boss@example.com")


def _data(metadata: str, **overrides: Any) -> services.ProviderData:
    values = {"protocol": "saml", "idp_metadata": metadata, "domains": ["example.com"]}
    return services.ProviderData(**(values | overrides))


def test_the_settings_make_and_seal_our_key_and_are_audited(admin, idp_metadata):
    provider = services.provider_save(actor=admin, data=_data(idp_metadata))
    assert provider.protocol == "saml"
    assert provider.saml_idp_entity_id == "http://127.0.0.1:9/metadata"
    assert "PRIVATE KEY" not in provider.saml_sp_key_sealed
    assert crypto.decrypt(provider.saml_sp_key_sealed).startswith("-----BEGIN PRIVATE KEY")
    assert provider.saml_sp_cert.startswith("-----BEGIN CERTIFICATE")
    assert len(provider.saml_key) >= 20
    entry = AuditEntry.objects.get(action="sso.provider_set")
    assert entry.after is not None
    assert entry.after["protocol"] == "saml" and entry.after["idp_entity_id"]
    assert "PRIVATE" not in str(entry.after) and "client_secret_changed" not in entry.after
    # Saved again without metadata: the IdP and our key pair stay.
    sealed, key = provider.saml_sp_key_sealed, provider.saml_key
    again = services.provider_save(
        actor=admin, data=_data("", allow_idp_initiated=True, enforced=False)
    )
    assert again.saml_sp_key_sealed == sealed and again.saml_key == key
    assert again.saml_idp_metadata == idp_metadata.strip() and again.saml_allow_idp_initiated


@pytest.mark.parametrize(
    "metadata",
    [
        "",
        "not xml at all",
        "<EntityDescriptor/>",
        "<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'b'>]><x>&a;</x>",  # no entities
    ],
)
def test_metadata_that_is_not_an_idps_is_refused(admin, metadata):
    with pytest.raises(DomainError) as caught:
        services.provider_save(actor=admin, data=_data(metadata))
    assert "idp_metadata" in caught.value.field_errors
    assert not IdentityProvider.objects.exists()


@pytest.mark.slow  # making our metadata runs xmlsec1 (its algorithms)
def test_an_sps_metadata_is_not_an_idps(admin, idp_metadata):
    key_pem, cert_pem = saml.key_pair("sp")
    sp_only = saml.sp_metadata(
        saml.ServiceProvider(
            entity_id="https://sp.example.com/md",
            acs_url="https://sp.example.com/acs",
            key_pem=key_pem,
            cert_pem=cert_pem,
        )
    )
    with pytest.raises(DomainError) as caught:
        services.provider_save(actor=admin, data=_data(sp_only))
    assert "identity provider" in caught.value.field_errors["idp_metadata"][0]


def test_an_idp_at_a_private_address_is_refused(admin, idp_metadata):
    private = idp_metadata.replace("http://127.0.0.1:9", "http://10.0.0.7")
    with pytest.raises(DomainError) as caught:
        services.provider_save(actor=admin, data=_data(private))
    assert "idp_metadata" in caught.value.field_errors


def test_only_admins_set_it(org, idp_metadata):
    member = factories.make_member(org, Role.CONTENT_MANAGER)
    with pytest.raises(PermissionDenied):
        services.provider_save(actor=member, data=_data(idp_metadata))


def test_the_domains_and_break_glass_rules_are_the_same_as_oidcs(admin, idp_metadata):
    services.provider_save(actor=admin, data=_data(idp_metadata))
    other = factories.make_member(factories.make_org(), Role.ADMIN)
    with pytest.raises(DomainError) as caught:
        services.provider_save(actor=other, data=_data(idp_metadata))
    assert "domains" in caught.value.field_errors
    with pytest.raises(DomainError) as caught:
        services.provider_save(actor=admin, data=_data("", enforced=True))
    assert "break_glass_email" in caught.value.field_errors


@pytest.mark.slow  # making our metadata runs xmlsec1 (its algorithms)
def test_our_metadata_is_public_at_our_entity_id(admin, idp_metadata):
    provider = services.provider_save(actor=admin, data=_data(idp_metadata))
    entity_id, acs_url = saml_sp.sp_urls(provider)
    assert entity_id.endswith(f"/sso/saml/{provider.saml_key}/metadata/")
    response = Client().get(f"/sso/saml/{provider.saml_key}/metadata/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/samlmetadata+xml")
    xml = response.content.decode()
    assert f'entityID="{entity_id}"' in xml and acs_url in xml
    assert 'WantAssertionsSigned="true"' in xml and 'AuthnRequestsSigned="true"' in xml
    assert "PRIVATE" not in xml
    assert Client().get("/sso/saml/no-such-key/metadata/").status_code == 404
    assert Client().get(f"/sso/saml/{provider.pk}/metadata/").status_code == 404


@pytest.mark.slow  # making our metadata runs xmlsec1 (its algorithms)
def test_the_settings_page_for_admins_members_and_outsiders(admin, org, idp_metadata):
    provider = services.provider_save(actor=admin, data=_data(idp_metadata))
    download = f"/settings/sso/{provider.pk}/saml-metadata.xml"
    client = Client()
    client.force_login(admin.user)
    page = client.get("/settings/sso/").content.decode()
    assert provider.saml_key in page and "http://127.0.0.1:9/metadata" in page
    response = client.get(download)
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    member = factories.make_member(org)
    client.force_login(member.user)
    assert client.get("/settings/sso/").status_code == 403
    assert client.get(download).status_code == 403
    outsider = factories.make_member(factories.make_org("Globex"), Role.ADMIN)
    client.force_login(outsider.user)
    page = client.get("/settings/sso/").content.decode()
    assert provider.saml_key not in page and "127.0.0.1:9" not in page
    assert client.get(download).status_code == 404
    assert client.post(f"/settings/sso/{provider.pk}/delete/").status_code == 404
    assert IdentityProvider.objects.filter(pk=provider.pk).exists()


def test_the_admin_uploads_the_metadata_file_on_the_page(admin, idp_metadata):
    client = Client()
    client.force_login(admin.user)
    form = {
        "protocol": "saml",
        "idp_metadata_file": SimpleUploadedFile("idp.xml", idp_metadata.encode(), "text/xml"),
        "domains": "example.com",
        "enabled": "on",
        "claim_email": "email",
        "claim_name": "displayName",
    }
    assert client.post("/settings/sso/", form).status_code == 302
    provider = IdentityProvider.objects.get(organization=admin.organization)
    assert provider.protocol == "saml" and provider.claim_name == "displayName"
    assert provider.saml_idp_entity_id == "http://127.0.0.1:9/metadata"
    page = client.post("/settings/sso/", {"protocol": "saml", "domains": "example.com"})
    assert page.status_code == 302  # the metadata is kept when none is given


def test_the_settings_page_in_french(admin, idp_metadata):
    client = Client(headers={"accept-language": "fr"})
    client.force_login(admin.user)
    page = client.get("/settings/sso/").content.decode()
    assert "Métadonnées SAML du fournisseur d\u2019identité" in page


def test_the_acs_refuses_before_reading_any_signature(admin, idp_metadata):
    provider = services.provider_save(actor=admin, data=_data(idp_metadata))
    acs = f"/sso/saml/{provider.saml_key}/acs/"
    assert Client().get(acs).status_code == 405
    for data in ({}, {"SAMLResponse": "%%%"}, {"SAMLResponse": "PG5vdCB4bWw"}):
        response = Client().post(acs, data)
        assert response.status_code == 302 and response["Location"].startswith("/login/")
    response = Client().post("/sso/saml/unknown/acs/", {"SAMLResponse": "eA=="}, follow=True)
    assert "no longer set up" in response.content.decode()


def test_a_disabled_provider_does_not_sign_anyone_in(admin, idp_metadata):
    provider = services.provider_save(actor=admin, data=_data(idp_metadata, enabled=False))
    response = Client().post(
        f"/sso/saml/{provider.saml_key}/acs/", {"SAMLResponse": "eA=="}, follow=True
    )
    assert "no longer set up" in response.content.decode()


def test_the_replay_store_takes_each_id_once(admin, idp_metadata):
    provider = services.provider_save(actor=admin, data=_data(idp_metadata))
    until = clock.now() + dt.timedelta(minutes=5)
    assert saml_flow.first_use(provider, ["r1", "a1"], until=until)
    assert not saml_flow.first_use(provider, ["r2", "a1"], until=until)  # the assertion again
    assert not saml_flow.first_use(provider, ["r1"], until=until)
    assert not SamlSeenId.objects.filter(message_id="r2").exists()  # all or nothing
    assert not saml_flow.first_use(provider, [], until=until)
    # Once expired, an ID is forgotten (its assertion is refused as expired anyway).
    SamlSeenId.objects.update(expires_at=clock.now() - dt.timedelta(seconds=1))
    assert saml_flow.first_use(provider, ["r3"], until=until)
    assert not SamlSeenId.objects.filter(message_id="r1").exists()


@pytest.mark.parametrize(
    ("relay_state", "kept"),
    [
        ("/me/", "/me/"),
        ("/content/?page=2", "/content/?page=2"),
        ("https://evil.example/", ""),
        ("//evil.example/", ""),
        ("/\\evil.example/", ""),
        ("javascript:alert(1)", ""),
        ("", ""),
    ],
)
def test_an_idp_initiated_relay_state_is_kept_only_as_a_local_path(relay_state, kept):
    assert saml_flow._relay_path(relay_state) == kept


@pytest.mark.django_db(transaction=True)
def test_two_copies_at_once_are_taken_once(admin, idp_metadata):
    """Two servers receiving the same Response at the same moment: the database's unique
    constraint lets one through."""
    provider = services.provider_save(actor=admin, data=_data(idp_metadata))
    until = clock.now() + dt.timedelta(minutes=5)
    barrier = threading.Barrier(4)
    results: list[bool] = []

    def post() -> None:
        try:
            barrier.wait(timeout=10)
            results.append(saml_flow.first_use(provider, ["resp-1", "assert-1"], until=until))
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == [False, False, False, True]
    assert SamlSeenId.objects.filter(provider=provider).count() == 2
