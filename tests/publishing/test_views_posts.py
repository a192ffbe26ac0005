"""Publishing web pages, per role: connected accounts, my posts, editing a post (escaping
included)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse

from portevoix.core import clock
from portevoix.networks.base import Metrics
from portevoix.publishing import services, sync
from portevoix.publishing.models import ConnectionStatus, Post, PostState
from tests.factories import make_live_item, make_member
from tests.publishing._view_helpers import (
    PARIS,
    later,
    linkedin_connection,
    local_input,
    login,
    row,
    schedule,
)
from tests.publishing.conftest import connect_x

pytestmark = pytest.mark.django_db


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
