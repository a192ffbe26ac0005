"""The web toolkit of `core.web`: one membership decorator, safe `next`, domain errors on
forms."""

from __future__ import annotations

import logging

import pytest
from django import forms
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from portevoix.core.errors import DomainError, NotFound, PermissionDenied
from portevoix.core.web import apply_domain_error, member_view, post_only, safe_next

pytestmark = pytest.mark.django_db


def _request(user, membership=None, method="get", path="/x/"):
    request = getattr(RequestFactory(), method)(path)
    request.user = user
    request.membership = membership
    request.session = {}
    return request


@member_view
def _ok(request: HttpRequest, membership) -> HttpResponse:
    return HttpResponse(f"org {membership.organization_id}")


@member_view
def _refused(request: HttpRequest, membership) -> HttpResponse:
    raise PermissionDenied("Only admins may do this.")


@member_view
def _missing(request: HttpRequest, membership) -> HttpResponse:
    raise NotFound("gone")


def test_membership_is_passed(member):
    response = _ok(_request(member.user, member))
    assert response.status_code == 200
    assert response.content.decode() == f"org {member.organization_id}"


def test_anonymous_goes_to_login():
    response = _ok(_request(AnonymousUser()))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_no_membership_goes_to_the_organization_chooser(member):
    response = _ok(_request(member.user, None))
    assert response.status_code == 302
    assert response["Location"] == reverse(settings.ORGANIZATION_CHOOSER_URL)


def test_refusal_is_the_403_page_with_one_structured_log_line(member, caplog):
    with caplog.at_level(logging.WARNING):
        response = _refused(_request(member.user, member))
    assert response.status_code == 403
    records = [r for r in caplog.records if r.name == "portevoix.web"]
    assert len(records) == 1
    record = records[0]
    assert record.getMessage() == (
        f"permission_denied organization={member.organization_id} user={member.user_id} "
        "method=GET path=/x/"
    )
    assert record.exc_info is None
    assert record.organization_id == member.organization_id
    assert record.path == "/x/"


def test_not_found_is_a_404(member):
    from django.http import Http404

    with pytest.raises(Http404):
        _missing(_request(member.user, member))


def test_post_only():
    refused = post_only(RequestFactory().get("/"))
    assert refused is not None and refused.status_code == 405
    assert post_only(RequestFactory().post("/")) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("/library/?page=2", "/library/?page=2"),
        ("https://evil.example/", "/fallback/"),
        ("//evil.example/", "/fallback/"),
        ("javascript:alert(1)", "/fallback/"),
        ("", "/fallback/"),
        (None, "/fallback/"),
    ],
)
def test_safe_next(value, expected):
    request = RequestFactory().get("/")
    assert safe_next(request, value, "/fallback/") == expected


class _Form(forms.Form):
    title = forms.CharField()
    body = forms.CharField(required=False)


def test_domain_error_fields_and_form_wide_messages():
    form = _Form(data={"title": "x"})
    assert form.is_valid()
    exc = DomainError(
        "Fix it.", field_errors={"title": ["Too long."], "copies.0.text": ["Too long for X."]}
    )
    apply_domain_error(form, exc)
    assert form.errors["title"] == ["Too long."]
    assert form.non_field_errors() == ["Too long for X."]


def test_domain_error_field_map():
    form = _Form(data={"title": "x"})
    form.is_valid()
    apply_domain_error(
        form, DomainError("Fix it.", field_errors={"text": ["Empty."]}), field_map={"text": "body"}
    )
    assert form.errors["body"] == ["Empty."]
    form = _Form(data={"title": "x"})
    form.is_valid()
    apply_domain_error(
        form, DomainError("Fix it.", field_errors={"x": ["Bad."]}), field_map=lambda key: "title"
    )
    assert form.errors["title"] == ["Bad."]


def test_domain_error_without_fields_is_form_wide():
    form = _Form(data={"title": "x"})
    form.is_valid()
    apply_domain_error(form, DomainError("Not now."))
    assert form.non_field_errors() == ["Not now."]


@pytest.mark.parametrize("exc", [PermissionDenied("no"), NotFound("gone")])
def test_permission_and_existence_errors_are_not_form_errors(exc):
    form = _Form(data={"title": "x"})
    form.is_valid()
    with pytest.raises(type(exc)):
        apply_domain_error(form, exc)


def test_a_refused_page_is_one_log_line_without_traceback(client, member, caplog):
    client.force_login(member.user)
    with caplog.at_level(logging.INFO):
        response = client.get(reverse("accounts:org_settings"))
    assert response.status_code == 403
    lines = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.name for r in lines] == ["portevoix.web"]
    assert lines[0].exc_info is None
    assert lines[0].getMessage().startswith("permission_denied ")
