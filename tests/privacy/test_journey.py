"""A person's whole life in an organization that uses its identity provider, through the
real pieces: the directory provisions them (SCIM), they log in by single sign-on (a real
OpenID Connect provider on 127.0.0.1), download their data and erase it. A colleague is
deprovisioned by the directory and erased by the hourly job once the organization's delay
has passed. After each erasure, the whole database is read: nothing of them is left."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from portevoix.accounts.models import Membership
from portevoix.accounts.roles import Role
from portevoix.core import clock
from portevoix.privacy import erasure
from portevoix.scim import services as scim_services
from portevoix.sso import services as sso_services
from tests import factories
from tests.peers.oidc_peer import CLIENT_ID, CLIENT_SECRET, callback_path, oidc_peer_fixture
from tests.privacy.test_erasure import scan
from tests.scim.conftest import PATCH_SCHEMA, Scim, user_body

pytestmark = [pytest.mark.peers, pytest.mark.django_db]

oidc_peer = oidc_peer_fixture()


@pytest.fixture
def org(oidc_peer: Any) -> Any:
    org = factories.make_org("Acme")
    admin = factories.make_member(org, Role.ADMIN, email="boss@example.com")
    sso_services.provider_save(
        actor=admin,
        data=sso_services.ProviderData(
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


@pytest.fixture
def directory(org: Any) -> Scim:
    admin = Membership.objects.get(organization=org, user__email="boss@example.com")
    return Scim(Client(), scim_services.directory_token_create(membership=admin, name="IdP").secret)


def _sso_login(oidc_peer: Any, client: Client, email: str) -> Any:
    response = client.post("/sso/start/", {"email": email, "next": "/me/data/"})
    assert response.status_code == 302, response
    return client.get(callback_path(oidc_peer.login(response["Location"], email)))


def test_provisioned_logged_in_by_sso_downloads_and_erases_then_a_colleague_is_deprovisioned(
    oidc_peer: Any,
    org: Any,
    directory: Scim,
    settings: Any,
    tmp_path: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }
    # The directory provisions two people.
    for email, given, family in (
        ("ada@example.com", "Ada", "Lovelace"),
        ("grace@example.com", "Grace", "Hopper"),
    ):
        body = user_body(email, name={"givenName": given, "familyName": family})
        response = directory.post("Users", body)
        assert response.status_code == 201, response.content
    ada = Membership.objects.get(organization=org, user__email="ada@example.com")
    assert ada.is_active

    # Ada logs in through the provider: the provisioned member, no second one.
    client = Client()
    response = _sso_login(oidc_peer, client, "ada@example.com")
    assert response.status_code == 302 and response["Location"] == "/me/data/"
    assert Membership.objects.filter(user__email="ada@example.com").count() == 1
    assert client.get("/me/data/").status_code == 200

    # She downloads her data.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("privacy:archive_request"))
    page = client.get("/me/data/").content.decode()
    link = page.split('href="/me/data/archive/')[1].split('"')[0]
    download = client.get(f"/me/data/archive/{link}")
    assert download.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(download.getvalue()))
    data = json.loads(archive.read("data.json"))
    assert data["data"]["accounts"]["account"][0]["email"] == "ada@example.com"
    assert scan("ada@example.com", "Ada Lovelace")

    # She erases it: she leaves, and nothing of her is left anywhere.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("privacy:erase_own"))
    assert response.status_code == 302
    assert scan("ada@example.com", "Ada Lovelace") == []
    ada.refresh_from_db()
    assert not ada.is_active and ada.erased_at is not None
    # Logging in again is a new start (she is still an employee of example.com): a new
    # member, with nothing of the erased one.
    assert _sso_login(oidc_peer, Client(), "ada@example.com").status_code == 302
    again = Membership.objects.get(user__email="ada@example.com")
    assert again.pk != ada.pk and again.user_id != ada.user_id

    # The directory deprovisions Grace (after she logged in once): she leaves, not erased yet.
    assert _sso_login(oidc_peer, Client(), "grace@example.com").status_code == 302
    grace = Membership.objects.get(organization=org, user__email="grace@example.com")
    scim_id = directory.get("Users", filter='userName eq "grace@example.com"').json()
    response = directory.send(
        "PATCH",
        f"Users/{scim_id['Resources'][0]['id']}",
        {
            "schemas": [PATCH_SCHEMA],
            "Operations": [{"op": "replace", "path": "active", "value": False}],
        },
    )
    assert response.status_code == 200, response.content
    grace.refresh_from_db()
    assert not grace.is_active and grace.left_at is not None
    assert erasure.erasures_run() == 0
    assert scan("grace@example.com", "Grace Hopper")
    # The organization's delay later, the hourly job erases her.
    later = clock.now() + dt.timedelta(days=org.erase_after_days + 1)
    with django_capture_on_commit_callbacks(execute=True):
        assert erasure.erasures_run(now=later) == 1
    assert scan("grace@example.com", "Grace Hopper") == []
