"""The token page offers the scopes and lists them, in English and in French."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portevoix.accounts import services
from portevoix.accounts.models import ApiToken
from tests.accounts._helpers import page_text

pytestmark = pytest.mark.django_db


def test_form_offers_the_scopes_in_english(as_member):
    text = page_text(as_member.get(reverse("accounts:tokens")))
    for label in ["Read and write", "Read only", "All areas", "Only the areas ticked below"]:
        assert label in text
    assert "Content" in text and "Analytics" in text


def test_form_offers_the_scopes_in_french(as_member):
    response = as_member.get(reverse("accounts:tokens"), HTTP_ACCEPT_LANGUAGE="fr")
    text = page_text(response)
    for label in ["Lecture et écriture", "Lecture seule", "Tous les domaines", "Contenus"]:
        assert label in text, label


def test_create_a_read_only_token_on_chosen_areas(as_member, member):
    response = as_member.post(
        reverse("accounts:tokens"),
        {
            "name": "Reporting",
            "access": "read",
            "coverage": "chosen",
            "areas": ["content", "ideas"],
        },
    )
    assert response.status_code == 200
    token = ApiToken.objects.get(name="Reporting")
    assert (token.can_write, token.all_areas, token.areas) == (False, False, ["content", "ideas"])
    text = page_text(as_member.get(reverse("accounts:tokens")))
    assert "Read only" in text and "Content, Ideas" in text  # in the areas' order


def test_the_list_shows_scopes_in_french(as_member, member):
    services.api_token_create(membership=member, name="Script", can_write=False, areas=["ideas"])
    services.api_token_create(membership=member, name="Full")
    text = page_text(as_member.get(reverse("accounts:tokens"), HTTP_ACCEPT_LANGUAGE="fr"))
    assert "Lecture seule" in text and "Idées" in text
    assert "Lecture et écriture" in text and "Tous les domaines" in text


def test_chosen_areas_need_at_least_one(as_member):
    response = as_member.post(
        reverse("accounts:tokens"), {"name": "Empty", "access": "read", "coverage": "chosen"}
    )
    assert response.status_code == 400
    assert "Choose at least one area of the API." in page_text(response)
    assert not ApiToken.objects.exists()


def test_unknown_area_is_refused(as_member):
    response = as_member.post(
        reverse("accounts:tokens"),
        {"name": "X", "access": "write", "coverage": "chosen", "areas": ["nope"]},
    )
    assert response.status_code == 400
    assert not ApiToken.objects.exists()
