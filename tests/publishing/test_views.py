"""Publishing web pages, per role: connected accounts, my posts, editing a post, publishing
from the share page, best times, the crisis pause, the posting rhythm and the network apps;
CSRF, escaping and the French locale."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from portevoix.accounts.roles import Role
from portevoix.core import clock
from portevoix.networks.base import Account, Metrics, TokenSet
from portevoix.publishing import connections, engine, services, sync
from portevoix.publishing.models import (
    CadenceRule,
    Connection,
    ConnectionStatus,
    CrisisPause,
    NetworkApp,
    Post,
    PostState,
)
from tests.factories import make_live_item, make_member
from tests.publishing.conftest import connect_x

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


def login(client: Client, membership) -> Client:
    client.force_login(membership.user)
    return client


def later(hours: float = 3) -> dt.datetime:
    return clock.now() + dt.timedelta(hours=hours)


def local_input(when: dt.datetime) -> str:
    """A datetime-local field's value, in the ambassador's zone (the platform's: Paris)."""
    return when.astimezone(PARIS).strftime("%Y-%m-%dT%H:%M")


def schedule(membership, connection, item, *, at: dt.datetime | None = None, text=None) -> Post:
    return services.post_create(
        actor=membership,
        draft=services.PostDraft(
            connection_id=connection.pk, item_id=item.pk, text=text, when="at", at=at or later()
        ),
    )


def row(html: str, post: Post) -> str:
    """The <tr> of one post in the posts table."""
    found = re.search(rf'<tr data-post="{post.pk}".*?</tr>', html, re.S)
    assert found, f"no row for post {post.pk}"
    return found.group(0)


def linkedin_connection(membership, **fields) -> Connection:
    connection = connections._store(
        membership=membership,
        network="linkedin",
        account=Account(account_id="urn:li:person:ada", handle="Ada Lovelace"),
        tokens=TokenSet(access_token="li-access-token", expires_at=later(24 * 60)),
        instance="",
    )
    if fields:
        Connection.objects.filter(pk=connection.pk).update(**fields)
        connection.refresh_from_db()
    return connection


@pytest.fixture
def community(org):
    return make_member(org, Role.COMMUNITY_MANAGER, email="community@acme.test")


@pytest.fixture
def executive(org):
    return make_member(org, Role.EXECUTIVE, email="ceo@acme.test", ambassador=True)


# --------------------------------------------------------------------------- accounts


def test_accounts_page(client, ambassador, x_connection, fake_x):
    linkedin_connection(
        ambassador,
        status=ConnectionStatus.NEEDS_RECONNECT,
        status_reason="LinkedIn revoked the access on 2 May.",
    )
    response = login(client, ambassador).get(reverse("publishing:accounts"))
    assert response.status_code == 200
    html = response.content.decode()
    for code in ("linkedin", "x", "facebook", "mastodon", "bluesky", "threads"):
        assert f'id="network-{code}"' in html, code
    assert "LinkedIn does not give the figures of members" in html
    assert "never to personal profiles" in html
    assert "Connect a Facebook Page" in html
    assert "app password" in html
    # The connected X account, with its followers.
    x_item = re.search(rf'<li data-connection="{x_connection.pk}">.*?</li>', html, re.S)
    assert x_item is not None
    assert f"@{fake_x.default_user.username}" in x_item.group(0)
    assert "1234 followers" in x_item.group(0)
    assert "Reconnect" not in x_item.group(0)
    # The LinkedIn one must be reconnected: the reason and the button.
    linkedin = re.search(
        r'<section class="card" aria-labelledby="net-linkedin".*?</section>', html, re.S
    )
    assert linkedin is not None
    block = linkedin.group(0)
    assert "Needs to be reconnected" in block
    assert "LinkedIn revoked the access on 2 May." in block
    assert f'action="{reverse("publishing:connect", args=["linkedin"])}"' in block
    assert ">Reconnect</button>" in block
    # Tokens never reach the page.
    assert "li-access-token" not in html and x_connection.tokens_encrypted not in html


def test_accounts_page_needs_an_ambassador(client, member):
    assert login(client, member).get(reverse("publishing:accounts")).status_code == 403


def test_accounts_page_needs_a_login(client):
    response = client.get(reverse("publishing:accounts"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


# --------------------------------------------------------------------------- my posts


def test_posts_page_lists_each_state_with_its_actions(
    client, ambassador, manager, approver, item, x_connection, fake_x
):
    scheduled = schedule(ambassador, x_connection, item)
    published_item = make_live_item(manager, approver, title="Publié")
    published = schedule(ambassador, x_connection, published_item, at=later(6))
    Post.objects.filter(pk=published.pk).update(
        state=PostState.PUBLISHED,
        published_at=clock.now(),
        remote_id="1",
        remote_url="https://x.com/ada/status/1",
    )
    published.refresh_from_db()
    sync.snapshot_record(
        post=published, metrics=Metrics(likes=7, replies=2, reposts=3, quotes=1, impressions=500)
    )
    failed_item = make_live_item(manager, approver, title="Raté")
    failed = schedule(ambassador, x_connection, failed_item, at=later(9))
    Post.objects.filter(pk=failed.pk).update(state=PostState.FAILED, error="X refused it.")
    linkedin = schedule(ambassador, linkedin_connection(ambassador), item, at=later(12))
    Post.objects.filter(pk=linkedin.pk).update(state=PostState.PUBLISHED, published_at=clock.now())

    response = login(client, ambassador).get(reverse("publishing:posts"))
    assert response.status_code == 200
    html = response.content.decode()

    edit = reverse("publishing:post_edit", args=[scheduled.pk])
    cancel = reverse("publishing:post_cancel", args=[scheduled.pk])
    first = row(html, scheduled)
    assert 'data-state="scheduled"' in first and "Scheduled" in first
    assert f'href="{edit}"' in first and f'action="{cancel}"' in first
    assert "Try again" not in first

    done = row(html, published)
    assert 'data-state="published"' in done
    text = " ".join(re.sub(r"<[^>]+>", " ", done).split())
    assert "♥ 7 likes" in text and "↩ 2 replies" in text and "⟳ 3 reposts" in text
    assert "❝ 1 quotes" in text and "500 views" in text
    assert 'href="https://x.com/ada/status/1"' in done
    assert "Edit" not in done and "Cancel" not in done

    broken = row(html, failed)
    assert "X refused it." in broken
    assert f'action="{reverse("publishing:post_retry", args=[failed.pk])}"' in broken
    assert "post_edit" not in broken and "/edit/" not in broken

    assert "Not available from LinkedIn" in row(html, linkedin)


def test_posts_page_needs_an_ambassador(client, member):
    assert login(client, member).get(reverse("publishing:posts")).status_code == 403


def test_retry_and_cancel_buttons_work(client, ambassador, item, x_connection, fake_x):
    post = schedule(ambassador, x_connection, item)
    login(client, ambassador)
    response = client.post(reverse("publishing:post_cancel", args=[post.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("publishing:posts")
    post.refresh_from_db()
    assert post.state == PostState.CANCELLED
    Post.objects.filter(pk=post.pk).update(state=PostState.FAILED)
    client.post(reverse("publishing:post_retry", args=[post.pk]))
    post.refresh_from_db()
    assert post.state == PostState.SCHEDULED and post.error == ""


# --------------------------------------------------------------------------- editing a post


def test_edit_a_post(client, ambassador, item, x_connection, fake_x):
    post = schedule(ambassador, x_connection, item, at=later(5))
    url = reverse("publishing:post_edit", args=[post.pk])
    login(client, ambassador)
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="text"' in html and 'value="at" checked' in html
    assert f'value="{local_input(post.scheduled_at)}"' in html

    new_time = later(8)
    response = client.post(
        url, {"text": "Un texte bien à moi", "when": "at", "at": local_input(new_time)}
    )
    assert response.status_code == 302 and response["Location"] == reverse("publishing:posts")
    post.refresh_from_db()
    assert post.text.startswith("Un texte bien à moi") and post.personalized
    assert post.scheduled_at == new_time.replace(second=0, microsecond=0)


def test_edit_refused_by_the_rhythm_keeps_the_text(
    client, community, ambassador, manager, approver, item, x_connection, fake_x
):
    services.cadence_set(actor=community, network="x", max_per_day=1, min_gap_minutes=0)
    noon = dt.datetime.combine(
        clock.now().astimezone(PARIS).date() + dt.timedelta(days=2), dt.time(12), PARIS
    )
    schedule(ambassador, x_connection, item, at=noon)
    other = make_live_item(manager, approver, title="Deux")
    second = schedule(ambassador, x_connection, other, at=noon + dt.timedelta(days=1))
    response = login(client, ambassador).post(
        reverse("publishing:post_edit", args=[second.pk]),
        {
            "text": "Mon texte que je garde",
            "when": "at",
            "at": local_input(noon + dt.timedelta(hours=3)),
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "At most 1 post a day on X" in html and "First free slot" in html
    assert ">Mon texte que je garde</textarea>" in html
    second.refresh_from_db()
    assert second.scheduled_at == noon + dt.timedelta(days=1)
    assert "Mon texte que je garde" not in second.text


def test_edit_someone_elses_post_is_not_found(
    client, org, outsider, ambassador, item, x_connection
):
    post = schedule(ambassador, x_connection, item)
    colleague = make_member(org, email="colleague@acme.test", ambassador=True)
    url = reverse("publishing:post_edit", args=[post.pk])
    assert login(client, colleague).get(url).status_code == 404
    assert login(Client(), outsider).get(url).status_code == 404
    assert Client().get(url).status_code == 302


def test_a_published_post_can_no_longer_be_edited(client, ambassador, item, x_connection):
    post = schedule(ambassador, x_connection, item)
    Post.objects.filter(pk=post.pk).update(state=PostState.PUBLISHED, published_at=clock.now())
    html = login(client, ambassador).get(reverse("publishing:post_edit", args=[post.pk]))
    assert html.status_code == 200
    assert "This post can no longer be changed." in html.content.decode()
    assert 'name="text"' not in html.content.decode()


def test_post_text_is_escaped(client, executive, org, item, fake_x):
    assistant = make_member(org, email="assistant@acme.test", ambassador=True)
    connection = connect_x(executive, fake_x)
    services.delegation_grant(executive=executive, assistant_id=assistant.pk)
    post = services.post_create(
        actor=assistant,
        draft=services.PostDraft(
            connection_id=connection.pk,
            item_id=item.pk,
            text="<script>alert(1)</script> Salut",
            when="at",
            at=later(),
        ),
    )
    assert "<script>alert(1)</script>" in post.text
    for page in (
        login(client, executive).get(reverse("publishing:posts")),
        client.get(reverse("publishing:post_edit", args=[post.pk])),
    ):
        assert page.status_code == 200
        html = page.content.decode()
        assert "&lt;script&gt;alert(1)&lt;/script&gt; Salut" in html
        assert "<script>alert(1)</script>" not in html


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


# --------------------------------------------------------------------------- crisis pause


def test_pause_page_is_for_community_managers(client, community, ambassador):
    assert login(client, community).get(reverse("publishing:pause")).status_code == 200
    as_ambassador = login(Client(), ambassador)
    assert as_ambassador.get(reverse("publishing:pause")).status_code == 403
    refused = as_ambassador.post(reverse("publishing:pause"), {"reason": "Non"})
    assert refused.status_code == 403
    assert not CrisisPause.objects.exists()


def test_pause_banner_resume_and_release(
    client,
    community,
    ambassador,
    item,
    x_connection,
    fake_x,
    django_capture_on_commit_callbacks,
):
    post = schedule(ambassador, x_connection, item)
    login(client, community)
    started = client.post(
        reverse("publishing:pause"), {"reason": "Crise : on se tait", "campaign": ""}
    )
    assert started.status_code == 302
    pause = CrisisPause.objects.get()
    assert pause.reason == "Crise : on se tait" and pause.campaign is None

    # Ambassadors see why on their feed.
    feed = login(Client(), ambassador).get(reverse("content:feed"))
    assert feed.status_code == 200
    html = feed.content.decode()
    assert f'data-pause="{pause.pk}"' in html
    assert "All scheduled publishing is paused." in html and "Crise : on se tait" in html

    page = client.get(reverse("publishing:pause")).content.decode()
    assert f'action="{reverse("publishing:pause_end", args=[pause.pk])}"' in page
    # Due during the pause: held.
    Post.objects.filter(pk=post.pk).update(scheduled_at=clock.now() - dt.timedelta(seconds=1))
    assert engine.posts_hold_paused() == 1

    ended = client.post(reverse("publishing:pause_end", args=[pause.pk]))
    assert ended.status_code == 302
    page = client.get(reverse("publishing:pause")).content.decode()
    held = re.search(
        rf'<section class="card" aria-labelledby="held-{pause.pk}".*?</section>', page, re.S
    )
    assert held is not None
    block = held.group(0)
    assert item.title in block and f'value="{post.pk}"' in block
    assert 'name="decision" value="release"' in block and 'name="decision" value="cancel"' in block
    assert f'data-pause="{pause.pk}"' not in page  # the banner is gone

    with django_capture_on_commit_callbacks(execute=True):
        released = client.post(
            reverse("publishing:held_decide", args=[pause.pk]), {"decision": "release"}
        )
    assert released.status_code == 302
    post.refresh_from_db()
    assert post.state == PostState.PUBLISHED, post.error
    assert len(fake_x.tweets_of()) == 1


def test_held_posts_can_be_cancelled(client, community, ambassador, item, x_connection, fake_x):
    post = schedule(ambassador, x_connection, item)
    pause = services.pause_start(actor=community, reason="Crise")
    Post.objects.filter(pk=post.pk).update(scheduled_at=clock.now() - dt.timedelta(seconds=1))
    engine.posts_hold_paused()
    services.pause_end(actor=community, pause_id=pause.pk)
    response = login(client, community).post(
        reverse("publishing:held_decide", args=[pause.pk]),
        {"decision": "cancel", "post": [str(post.pk)]},
    )
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.state == PostState.CANCELLED and "Crise" in post.error
    assert fake_x.tweets_of() == []


def test_a_pause_without_a_reason_is_refused(client, community):
    response = login(client, community).post(reverse("publishing:pause"), {"reason": ""})
    assert response.status_code == 400
    assert not CrisisPause.objects.exists()


# --------------------------------------------------------------------------- cadence


def test_cadence_page(client, admin, community, ambassador):
    url = reverse("publishing:cadence")
    assert login(client, admin).get(url).status_code == 200
    assert login(Client(), ambassador).get(url).status_code == 403
    as_community = login(Client(), community)
    page = as_community.get(url)
    assert page.status_code == 200
    assert 'id="cadence-x"' in page.content.decode()
    saved = as_community.post(url, {"network": "x", "max_per_day": "2", "min_gap_minutes": "90"})
    assert saved.status_code == 302
    rule = CadenceRule.objects.get()
    assert (rule.network, rule.max_per_day, rule.min_gap_minutes) == ("x", 2, 90)
    html = as_community.get(url).content.decode()
    assert 'id="max-x" value="2"' in html and 'id="gap-x" value="90"' in html
    bad = as_community.post(url, {"network": "x", "max_per_day": "-1", "min_gap_minutes": "0"})
    assert bad.status_code == 400
    assert CadenceRule.objects.get().max_per_day == 2
    refused = login(Client(), ambassador).post(
        url, {"network": "x", "max_per_day": "9", "min_gap_minutes": "0"}
    )
    assert refused.status_code == 403
    assert CadenceRule.objects.get().max_per_day == 2


# --------------------------------------------------------------------------- network apps


def test_apps_page_never_shows_a_secret(client, admin, community):
    url = reverse("publishing:apps")
    assert login(Client(), community).get(url).status_code == 403
    login(client, admin)
    assert client.get(url).status_code == 200
    saved = client.post(
        url, {"network": "x", "client_id": "acme-x-client", "client_secret": "s3cr3t-Value-42"}
    )
    assert saved.status_code == 302
    app = NetworkApp.objects.get()
    assert app.client_id == "acme-x-client"
    assert app.client_secret_encrypted and "s3cr3t-Value-42" not in app.client_secret_encrypted
    html = client.get(url).content.decode()
    assert 'value="acme-x-client"' in html and "A secret is stored." in html
    assert "s3cr3t-Value-42" not in html
    assert app.client_secret_encrypted not in html
    assert reverse("publishing:callback", args=["x"]) in html
    # Saving without a secret keeps the stored one.
    client.post(url, {"network": "x", "client_id": "acme-x-client-2", "client_secret": ""})
    app.refresh_from_db()
    assert app.client_id == "acme-x-client-2" and app.client_secret_encrypted
    forbidden = login(Client(), community).post(
        url, {"network": "x", "client_id": "hack", "client_secret": "x"}
    )
    assert forbidden.status_code == 403
    assert NetworkApp.objects.get().client_id == "acme-x-client-2"


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
