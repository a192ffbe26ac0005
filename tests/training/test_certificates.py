"""Certificates: public verification (no login), the holder's printable page, revocation."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portevoix.training import services
from tests import factories
from tests.training.conftest import answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate(member, course):
    member.user.full_name = "Aurélie Perrin"
    member.user.save(update_fields=["full_name"])
    return services.quiz_submit(
        membership=member, course=course, answers=answers(course)
    ).certificate


def test_valid_certificate_is_public(client, certificate, org):
    response = client.get(reverse("training:certificate_verify", args=[certificate.public_id]))
    assert response.status_code == 200
    text = response.content.decode()
    for expected in ("Valid", "Aurélie Perrin", certificate.course_title, org.name):
        assert expected in text
    assert response["X-Robots-Tag"] == "noindex"


def test_typed_numbers_are_forgiven(client, certificate):
    typed = certificate.public_id.lower()
    response = client.get(reverse("training:certificate_verify", args=[typed]))
    assert response.status_code == 200
    lookup = client.get(reverse("training:certificate_lookup"), {"id": f" {typed} "})
    assert lookup.status_code == 302
    assert lookup.url == reverse("training:certificate_verify", args=[certificate.public_id])
    assert client.get(reverse("training:certificate_lookup")).status_code == 200


@pytest.mark.parametrize("public_id", ["PV-0000-0000-0000", "nope", "PV-" + "X" * 200])
def test_unknown_certificate_is_404(client, certificate, public_id):
    response = client.get(reverse("training:certificate_verify", args=[public_id]))
    assert response.status_code == 404


def test_revoked_certificate_says_so(client, admin, certificate):
    services.certificate_revoke(actor=admin, certificate=certificate, reason="Obtenu par erreur")
    response = client.get(reverse("training:certificate_verify", args=[certificate.public_id]))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Revoked" in text and "Obtenu par erreur" in text
    assert "genuine and valid" not in text


def test_printable_page_is_for_the_holder_only(client, certificate, member, admin, outsider):
    url = reverse("training:certificate_print", args=[certificate.public_id])
    response = client.get(url)
    assert response.status_code == 302 and "login" in response.url
    client.force_login(member.user)
    response = client.get(url)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Aurélie Perrin" in text and certificate.public_id in text
    assert "certificate.css" in text and "/certificates/" in text
    for other in (admin, outsider, factories.make_member(member.organization)):
        client.force_login(other.user)
        assert client.get(url).status_code == 404


def test_revocation_page_for_course_managers(client, certificate, admin, member, manager):
    url = reverse("training:certificate_revoke", args=[certificate.public_id])
    client.force_login(member.user)
    assert client.get(url).status_code == 403
    assert client.post(url, {"reason": "x"}).status_code == 403
    client.force_login(manager.user)
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": "Erreur de saisie"})
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.revoked_at is not None and certificate.revoked_reason == "Erreur de saisie"
    assert client.post(url, {"reason": "again"}).status_code == 400  # already revoked
