"""The crisis-pause banner reaches every page through core's `page_banners` context
processor (core loads no publishing tag): shown to the members of the paused organization
only, in French, with one query at most and none for anonymous visitors."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client, RequestFactory
from django.urls import reverse

import portevoix.core
from portevoix.accounts.roles import Role
from portevoix.content import services as content_services
from portevoix.core.context_processors import banners_for
from portevoix.publishing import selectors, services
from tests.factories import make_member, make_org

pytestmark = pytest.mark.django_db


@pytest.fixture
def community(org):
    return make_member(org, Role.COMMUNITY_MANAGER, email="community@acme.test")


def test_base_template_loads_no_publishing_tags():
    base = Path(portevoix.core.__file__).parent / "templates" / "base.html"
    assert "publishing_tags" not in base.read_text()


def test_banner_on_every_page_of_the_paused_organization_only(community, ambassador):
    pause = services.pause_start(actor=community, reason="Crise : on se tait")
    client = Client()
    client.force_login(ambassador.user)
    html = client.get(reverse("content:feed")).content.decode()
    assert (
        f'data-pause="{pause.pk}"' in html and 'class="notice notice-warning pause-banner"' in html
    )
    assert "All scheduled publishing is paused." in html and "Crise : on se tait" in html

    outsider = make_member(make_org("Other"), email="outsider@other.test")
    other = Client()
    other.force_login(outsider.user)
    page = other.get(reverse("content:feed")).content.decode()
    assert "pause-banner" not in page and "Crise" not in page

    anonymous = Client().get(reverse("accounts:login")).content.decode()
    assert "pause-banner" not in anonymous


def test_campaign_banner_in_french(community, ambassador, manager):
    campaign = content_services.campaign_create(membership=manager, name="Salon <b>2025</b>")
    services.pause_start(actor=community, reason="Stand fermé", campaign_id=campaign.pk)
    client = Client()
    client.force_login(ambassador.user)
    html = client.get(reverse("content:feed"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert (
        "Les publications de la campagne «\u00a0Salon &lt;b&gt;2025&lt;/b&gt;\u00a0» sont en pause."
        in html
    )
    assert "Stand fermé" in html


def test_one_query_for_a_member_none_for_anonymous(
    community, ambassador, django_assert_num_queries
):
    services.pause_start(actor=community, reason="Un")
    factory = RequestFactory()

    request = factory.get("/")
    request.user = ambassador.user
    request.membership = ambassador  # type: ignore[attr-defined]
    with django_assert_num_queries(1):
        found = banners_for(request)
    assert [(b.kind, b.level, b.detail) for b in found] == [("pause", "warning", "Un")]

    anonymous = factory.get("/")
    anonymous.user = AnonymousUser()
    with django_assert_num_queries(0):
        assert banners_for(anonymous) == []
    assert selectors.pause_banners(anonymous) == []
