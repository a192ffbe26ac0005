"""The public certificate lookup answers a malformed number with the normal 404 page, not
a 500 (issue 9: `/certificates/?id=a/b`)."""

from __future__ import annotations

import pytest
from django.test import Client

from portevoix.core.errors import NotFound
from portevoix.training import selectors, services
from portevoix.training.public_ids import is_well_formed
from tests.training.conftest import answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate(member, course):
    result = services.quiz_submit(membership=member, course=course, answers=answers(course))
    assert result.certificate is not None
    return result.certificate


@pytest.mark.parametrize(
    "value", ["a/b", "PV-1234/5678", "../etc/passwd", "/", "PV-ABCD.EFGH", "%2F", "a\\b"]
)
def test_a_malformed_number_is_the_not_found_page(value):
    response = Client(raise_request_exception=False).get("/certificates/", {"id": value})
    assert response.status_code == 404
    assert b"Traceback" not in response.content


def test_a_malformed_number_on_the_verify_page_is_404():
    response = Client(raise_request_exception=False).get("/certificates/a%2Fb/")
    assert response.status_code == 404


def test_a_real_number_still_redirects_and_verifies(certificate):
    client = Client()
    typed = certificate.public_id.lower().replace("0", "o")
    response = client.get("/certificates/", {"id": typed})
    assert response.status_code == 302
    assert response["Location"] == f"/certificates/{certificate.public_id}/"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert certificate.holder_name.encode() in page.content


def test_an_unknown_well_formed_number_is_404_on_its_page():
    client = Client()
    response = client.get("/certificates/", {"id": "PV-0000-0000-0000"})
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 404


def test_the_selector_speaks_not_found(certificate):
    with pytest.raises(NotFound):
        selectors.certificate_public(public_id="a/b")
    with pytest.raises(NotFound):
        selectors.certificate_public(public_id="PV-0000-0000-0000")
    assert selectors.certificate_public(public_id=certificate.public_id) == certificate
    assert is_well_formed(certificate.public_id)
    assert not is_well_formed("A/B")
