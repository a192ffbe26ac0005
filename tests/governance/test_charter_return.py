"""After accepting the charter, the ambassador returns to the share they started; the gates
(charter, required courses) are shown on the feed before the first share attempt."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from portevoix.content.models import ContentItem
from portevoix.governance import gates, selectors
from portevoix.governance.models import CharterAcknowledgement
from portevoix.sharing.models import Share
from tests.factories import make_live_item
from tests.governance.conftest import publish_charter
from tests.training.conftest import make_course

pytestmark = pytest.mark.django_db

CHARTER = reverse("governance:charter")
ACCEPT = reverse("governance:charter_accept")
FEED = reverse("content:feed")
BANNER = Template("{% load governance_tags %}{% sharing_gates_banner %}")


@pytest.fixture
def item(manager: Any, approver: Any) -> ContentItem:
    return make_live_item(manager, approver)


def share_url(item: ContentItem, network: str = "x") -> str:
    return reverse("sharing:share", args=[item.pk, network])


def charter_link(next_url: str) -> str:
    return f"{CHARTER}?{urlencode({'next': next_url})}"


def login(client: Client, membership: Any) -> Client:
    client.force_login(membership.user)
    return client


def hidden_next(html: str) -> str:
    found = re.search(r'<input type="hidden" name="next"[^>]*>', html)
    assert found is not None, "the accept form carries no next field"
    value = re.search(r'value="([^"]*)"', found.group(0))
    return value.group(1) if value else ""


def render_banner(membership: Any, path: str = FEED) -> str:
    request = RequestFactory().get(path)
    request.membership = membership  # type: ignore[attr-defined]
    return BANNER.render(Context({"request": request}))


# --- Back to the share


class TestBackToTheShare:
    def test_the_share_page_links_to_the_charter_with_next(self, client, ambassador, charter, item):
        response = login(client, ambassador).get(share_url(item))
        assert response.status_code == 200
        html = response.content.decode()
        assert 'id="blockers"' in html
        assert f'href="{charter_link(share_url(item))}"' in html

    def test_a_refused_share_links_to_the_charter_with_next(
        self, client, ambassador, charter, item
    ):
        response = login(client, ambassador).post(share_url(item), {})
        assert response.status_code == 403
        assert f'href="{charter_link(share_url(item))}"' in response.content.decode()
        assert not Share.objects.exists()

    def test_next_is_kept_then_followed_after_accepting(self, client, ambassador, charter, item):
        login(client, ambassador)
        page = client.get(charter_link(share_url(item)))
        assert page.status_code == 200
        assert hidden_next(page.content.decode()) == share_url(item)
        response = client.post(ACCEPT, {"version": charter.pk, "next": share_url(item)})
        assert response.status_code == 302
        assert response["Location"] == share_url(item)
        assert selectors.has_acknowledged(ambassador, charter)
        # Back on the share: nothing blocks it any more.
        html = client.get(share_url(item)).content.decode()
        assert 'id="blockers"' not in html
        assert "you accepted version 1 of the charter" in html

    def test_a_course_blocker_keeps_its_own_link(self):
        course = gates.Blocker("course", "Pass the course.", "/training/courses/3/")
        assert course.with_next("/share/1/x/") == course
        charter = gates.Blocker("charter", "Accept the charter.", CHARTER)
        assert charter.with_next("") == charter
        assert charter.with_next("/share/1/x/?a=1&b=2").url == (
            f"{CHARTER}?next=%2Fshare%2F1%2Fx%2F%3Fa%3D1%26b%3D2"
        )

    def test_a_newer_version_meanwhile_keeps_next(self, client, admin, ambassador, charter, item):
        publish_charter(admin, body_fr="v2", body_en="v2", summary="v2")
        response = login(client, ambassador).post(
            ACCEPT, {"version": charter.pk, "next": share_url(item)}
        )
        assert response.status_code == 302
        assert response["Location"] == charter_link(share_url(item))
        assert not CharterAcknowledgement.objects.filter(membership=ambassador).exists()

    def test_an_invalid_form_keeps_next(self, client, ambassador, charter, item):
        response = login(client, ambassador).post(ACCEPT, {"next": share_url(item)})
        assert response.status_code == 302
        assert response["Location"] == charter_link(share_url(item))
        assert not CharterAcknowledgement.objects.filter(membership=ambassador).exists()


@pytest.mark.parametrize(
    "outside",
    [
        "https://evil.example.net/",
        "//evil.example.net/share/",
        "http://evil.example.net/governance/charter/",
        "javascript:alert(1)",
    ],
)
class TestExternalNext:
    def test_ignored_on_the_page(self, client, ambassador, charter, outside):
        response = login(client, ambassador).get(CHARTER, {"next": outside})
        assert response.status_code == 200
        assert hidden_next(response.content.decode()) == ""
        html = response.content.decode()
        assert f'href="{outside}"' not in html
        assert f'value="{outside}"' not in html

    def test_ignored_after_accepting(self, client, ambassador, charter, outside):
        response = login(client, ambassador).post(ACCEPT, {"version": charter.pk, "next": outside})
        assert response.status_code == 302
        assert response["Location"] == CHARTER
        assert selectors.has_acknowledged(ambassador, charter)

    def test_ignored_when_refused(self, client, admin, ambassador, charter, outside):
        publish_charter(admin, body_fr="v2", body_en="v2", summary="v2")
        response = login(client, ambassador).post(ACCEPT, {"version": charter.pk, "next": outside})
        assert response.status_code == 302
        assert response["Location"] == CHARTER


# --- The banner on the feed


class TestFeedBanner:
    def test_shown_to_an_ambassador_who_has_not_accepted(self, client, ambassador, charter):
        response = login(client, ambassador).get(FEED)
        assert response.status_code == 200
        html = response.content.decode()
        assert 'id="gates-banner"' in html
        assert "Read and accept the social media charter (version 1)." in html
        assert f'href="{charter_link(FEED)}"' in html

    def test_hidden_after_accepting(self, client, ambassador, charter):
        login(client, ambassador)
        response = client.post(ACCEPT, {"version": charter.pk, "next": FEED})
        assert response["Location"] == FEED
        html = client.get(FEED).content.decode()
        assert 'id="gates-banner"' not in html
        assert "you accepted version 1 of the charter" in html

    def test_shown_again_for_a_new_version(self, client, admin, ambassador, charter):
        login(client, ambassador).post(ACCEPT, {"version": charter.pk})
        publish_charter(admin, body_fr="v2", body_en="v2", summary="v2")
        html = client.get(FEED).content.decode()
        assert "Read and accept the social media charter (version 2)." in html

    def test_none_without_a_charter(self, client, ambassador):
        html = login(client, ambassador).get(FEED).content.decode()
        assert 'id="gates-banner"' not in html

    def test_lists_a_required_course_with_its_link(self, admin, ambassador, charter):
        course = make_course(admin, title="Bien partager", required_for="share")
        html = render_banner(ambassador)
        assert "Pass the course “Bien partager”." in html
        assert 'data-gate="course"' in html
        assert str(course.pk) in html
        assert "Open the course" in html

    def test_in_french(self, ambassador, charter):
        with translation.override("fr"):
            html = render_banner(ambassador)
        assert "Avant de partager :" in html
        assert "Lire la charte" in html
        assert "Lisez et acceptez la charte" in html

    def test_queries(self, ambassador, charter):
        with CaptureQueriesContext(connection) as ctx:
            render_banner(ambassador)
        # The charter in one query, the required courses in one (none required here).
        assert len(ctx.captured_queries) <= 2

    def test_nothing_and_no_query_without_a_membership(self):
        with CaptureQueriesContext(connection) as ctx:
            html = render_banner(None)
        assert html.strip() == ""
        assert ctx.captured_queries == []

    def test_not_on_another_organizations_feed(self, client, outsider, charter):
        html = login(client, outsider).get(FEED).content.decode()
        assert 'id="gates-banner"' not in html


# --- Another organization


class TestOutsider:
    def test_404_on_the_organizations_charter_pages(self, client, outsider, charter):
        login(client, outsider)
        assert client.get(reverse("governance:charter_edit", args=[charter.pk])).status_code == 404
        response = client.post(ACCEPT, {"version": charter.pk, "next": FEED})
        assert response.status_code == 404
        assert not CharterAcknowledgement.objects.exists()

    def test_its_own_charter_page_shows_no_charter(self, client, outsider, charter):
        response = login(client, outsider).get(CHARTER, {"next": FEED})
        assert response.status_code == 200
        assert "Sharing is <strong>voluntary</strong>" not in response.content.decode()
