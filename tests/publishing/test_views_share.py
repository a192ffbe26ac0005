"""Publishing web pages, per role: publishing from the share page, best times; CSRF and the
French locale."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from portevoix.publishing import services
from portevoix.publishing.models import Connection, CrisisPause, Post, PostState
from tests.factories import make_member
from tests.publishing._view_helpers import later, local_input, login, schedule
from tests.publishing.conftest import connect_x

pytestmark = pytest.mark.django_db


# --------------------------------------------------------------------------- the share page


def test_share_page_shows_the_publish_panel(client, ambassador, item, x_connection, fake_x):
    response = login(client, ambassador).get(reverse("sharing:share", args=[item.pk, "x"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="publish"' in html and "Publish with your X account" in html
    assert f'action="{reverse("publishing:publish", args=[item.pk, "x"])}"' in html
    assert f'<option value="{x_connection.pk}">@{fake_x.default_user.username}</option>' in html
    # Without a connection on the network, the panel invites to connect one.
    bluesky = login(client, ambassador).get(reverse("sharing:share", args=[item.pk, "bluesky"]))
    assert "Connect your Bluesky account" in bluesky.content.decode()


def test_a_delegate_sees_the_executives_account(client, org, executive, item, fake_x):
    assistant = make_member(org, email="assistant@acme.test", ambassador=True)
    connection = connect_x(executive, fake_x)
    url = reverse("sharing:share", args=[item.pk, "x"])
    before = login(client, assistant).get(url).content.decode()
    assert f'<option value="{connection.pk}"' not in before
    services.delegation_grant(executive=executive, assistant_id=assistant.pk)
    html = client.get(url).content.decode()
    name = executive.user.display_name
    assert f'<option value="{connection.pk}">' in html
    assert f"for {name}, who approves before it goes out" in html
    # Prepared through the panel: it waits for the executive.
    response = client.post(
        reverse("publishing:publish", args=[item.pk, "x"]),
        {"connection": connection.pk, "text": "", "when": "now"},
    )
    assert response.status_code == 302
    post = Post.objects.get()
    assert post.state == PostState.AWAITING_APPROVAL and post.prepared_by == assistant


def test_publish_now_from_the_share_page(
    client, ambassador, item, x_connection, fake_x, django_capture_on_commit_callbacks
):
    login(client, ambassador)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("publishing:publish", args=[item.pk, "x"]),
            {"connection": x_connection.pk, "text": "Allez voir !", "when": "now"},
        )
    assert response.status_code == 302 and response["Location"] == reverse("publishing:posts")
    post = Post.objects.get()
    assert post.state == PostState.PUBLISHED, post.error
    [tweet] = fake_x.tweets_of()
    assert tweet.original.startswith("Allez voir !")


def test_publish_error_keeps_the_text(client, ambassador, item, x_connection, fake_x):
    response = login(client, ambassador).post(
        reverse("publishing:publish", args=[item.pk, "x"]),
        {
            "connection": x_connection.pk,
            "text": "Mon texte gardé",
            "when": "at",
            "at": local_input(later(-3)),
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="publish-errors"' in html and "This time is in the past." in html
    assert ">Mon texte gardé</textarea>" in html
    assert 'value="at" checked' in html
    assert f'<option value="{x_connection.pk}" selected>' in html
    assert not Post.objects.exists()
    # No account chosen: said so.
    missing = client.post(
        reverse("publishing:publish", args=[item.pk, "x"]), {"text": "Texte", "when": "now"}
    )
    assert missing.status_code == 400
    assert "Choose the account to publish with." in missing.content.decode()


def test_publish_through_someone_elses_account_is_not_found(
    client, org, ambassador, item, x_connection
):
    colleague = make_member(org, email="colleague@acme.test", ambassador=True)
    response = login(client, colleague).post(
        reverse("publishing:publish", args=[item.pk, "x"]),
        {"connection": x_connection.pk, "when": "now"},
    )
    assert response.status_code == 404
    assert not Post.objects.exists()


# --------------------------------------------------------------------------- best time


def test_best_time_page(client, ambassador, member):
    response = login(client, ambassador).get(reverse("publishing:best_time") + "?network=x")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<table class="figures heatmap">' in html
    assert html.count('<th scope="row">') == 7
    assert html.count('class="heatmap-best"') == 1
    assert "Next best slot:" in html and "Recommended defaults" in html
    assert '<option value="x" selected>' in html
    assert client.get(reverse("publishing:best_time") + "?network=myspace").status_code == 404
    assert login(Client(), member).get(reverse("publishing:best_time")).status_code == 403


# --------------------------------------------------------------------------- CSRF, locale


def test_posts_need_the_csrf_token(community, ambassador, item, x_connection, fake_x):
    as_ambassador = login(Client(enforce_csrf_checks=True), ambassador)
    post = schedule(ambassador, x_connection, item)
    for url, data in (
        (
            reverse("publishing:publish", args=[item.pk, "x"]),
            {"connection": x_connection.pk, "when": "now"},
        ),
        (reverse("publishing:post_cancel", args=[post.pk]), {}),
        (reverse("publishing:post_edit", args=[post.pk]), {"text": "x", "when": "now"}),
        (reverse("publishing:disconnect", args=[x_connection.pk]), {}),
    ):
        assert as_ambassador.post(url, data).status_code == 403, url
    as_community = login(Client(enforce_csrf_checks=True), community)
    assert as_community.post(reverse("publishing:pause"), {"reason": "Crise"}).status_code == 403
    post.refresh_from_db()
    assert post.state == PostState.SCHEDULED
    assert Connection.objects.filter(pk=x_connection.pk).exists()
    assert not CrisisPause.objects.exists()
    # With the token from the page, it goes through.
    page = as_ambassador.get(reverse("publishing:posts"))
    token = page.cookies[django_settings.CSRF_COOKIE_NAME].value
    ok = as_ambassador.post(
        reverse("publishing:post_cancel", args=[post.pk]), {"csrfmiddlewaretoken": token}
    )
    assert ok.status_code == 302


def test_pages_render_in_french(client, ambassador, community, x_connection, fake_x):
    login(client, ambassador)
    response = client.get(reverse("publishing:accounts"), headers={"Accept-Language": "fr"})
    assert response.status_code == 200
    assert '<html lang="fr">' in response.content.decode()
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "fr"
    for name in ("publishing:posts", "publishing:best_time"):
        page = client.get(reverse(name))
        assert page.status_code == 200, name
        assert '<html lang="fr">' in page.content.decode()
    as_community = login(Client(), community)
    as_community.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "fr"
    for name in ("publishing:pause", "publishing:cadence"):
        assert as_community.get(reverse(name)).status_code == 200, name


def test_the_ambassador_sets_their_time_zone(client, ambassador):
    client.force_login(ambassador.user)
    page = client.get("/me/best-time/?network=x").content.decode()
    assert 'id="tz-select"' in page and "America/New_York" in page
    client.post("/me/time-zone/", {"time_zone": "America/New_York", "network": "x"})
    ambassador.user.refresh_from_db()
    assert ambassador.user.time_zone == "America/New_York"
    page = client.get("/me/best-time/?network=x").content.decode()
    assert "America/New_York)" in page  # the heatmap is read in the new zone
    response = client.post("/me/time-zone/", {"time_zone": "Mars/Olympus"}, follow=True)
    assert "Unknown time zone." in response.content.decode()
    ambassador.user.refresh_from_db()
    assert ambassador.user.time_zone == "America/New_York"
