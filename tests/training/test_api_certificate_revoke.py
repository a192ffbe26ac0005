"""Revoking a certificate through the API (what the training report's "revoke" does):
training managers only, once (409 again), the public page then says so; another
organization's certificate is 404; scopes and methods."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from portevoix.accounts import services as account_services
from portevoix.training import services
from portevoix.training.models import Certificate
from tests.api.conftest import ApiClient
from tests.training.conftest import answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate(member, course):
    result = services.quiz_submit(membership=member, course=course, answers=answers(course))
    assert result.certificate is not None
    return result.certificate


def test_a_manager_revokes_a_certificate_once(api_as, admin, certificate):
    url = f"/certificates/{certificate.public_id}/revoke"
    revoked = api_as(admin).post(url, {"reason": "Obtenu par erreur"})
    assert revoked.status_code == 200, revoked.content
    assert revoked.json()["valid"] is False and revoked.json()["revoked_at"]
    assert api_as(admin).post(url, {"reason": "Encore"}).status_code == 409
    page = Client().get(reverse("training:certificate_verify", args=[certificate.public_id]))
    assert "Obtenu par erreur" in page.content.decode()


def test_others_are_refused(api_as, member, outsider, certificate):
    url = f"/certificates/{certificate.public_id}/revoke"
    assert api_as(member).post(url, {}).status_code == 403  # the holder cannot
    assert api_as(outsider).post(url, {}).status_code == 404
    assert api_as(member).post(url, {"reason": "x" * 301}).status_code == 422
    assert Certificate.objects.get(pk=certificate.pk).revoked_at is None


def test_methods_and_scopes(api_as, admin, certificate):
    url = f"/certificates/{certificate.public_id}/revoke"
    assert api_as(admin).get(url).status_code == 405
    read_only = ApiClient(
        account_services.api_token_create(membership=admin, name="ro", can_write=False).secret
    )
    refused = read_only.post(url, {})
    assert refused.status_code == 403 and "training:write" in refused.json()["detail"]
    assert Certificate.objects.get(pk=certificate.pk).revoked_at is None
