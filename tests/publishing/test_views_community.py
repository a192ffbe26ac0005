"""Publishing web pages of the community managers and admins: the crisis pause, the posting
rhythm and the network apps."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse

from portevoix.core import clock
from portevoix.publishing import engine, services
from portevoix.publishing.models import CadenceRule, CrisisPause, NetworkApp, Post, PostState
from tests.publishing._view_helpers import login, schedule

pytestmark = pytest.mark.django_db


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
