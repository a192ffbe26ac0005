"""Publishing from the feed card (`{% card_publish_actions item %}`): share now, schedule at
the best time, share to all my accounts within the posting rhythm; the gates, the pause, a
double tap, other people's accounts and items; and a page of N cards costing the queries of
one."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection as db_connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from portevoix.accounts import services as account_services
from portevoix.content import selectors as content_selectors
from portevoix.core import clock
from portevoix.networks.base import Account, TokenSet
from portevoix.publishing import connections, scheduling, services
from portevoix.publishing.models import CadenceRule, Connection, Post, PostState, WhenMode
from portevoix.sharing.services import share_compose
from tests.factories import make_live_item, make_member
from tests.governance.conftest import publish_charter
from tests.publishing._scheduling_helpers import make_post
from tests.publishing._view_helpers import PARIS, later, linkedin_connection, login

pytestmark = pytest.mark.django_db

FEED = reverse("content:feed")
TAG = Template(
    "{% load publishing_tags %}{% for item in items %}{% card_publish_actions item %}{% endfor %}"
)


@pytest.fixture(autouse=True)
def _paris_english(settings: Any) -> Any:
    settings.TIME_ZONE = "Europe/Paris"
    settings.SHORT_LINK_BASE_URL = "https://go.example.org"
    with translation.override("en"):
        yield


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> dt.datetime:
    """The clock stops (after the items went live): the slot shown is the slot taken."""
    instant = timezone.now()
    monkeypatch.setattr(clock, "now", lambda: instant)
    return instant


def publish_url(item: Any) -> str:
    return reverse("publishing:card_publish", args=[item.pk])


def publish_all_url(item: Any) -> str:
    return reverse("publishing:card_publish_all", args=[item.pk])


def mastodon_connection(membership: Any, handle: str = "@ada@mastodon.example") -> Connection:
    return connections._store(
        membership=membership,
        network="mastodon",
        account=Account(account_id=handle, handle=handle),
        tokens=TokenSet(access_token="masto-token", expires_at=later(24 * 60)),
        instance="https://mastodon.example",
    )


def second_linkedin(membership: Any) -> Connection:
    return connections._store(
        membership=membership,
        network="linkedin",
        account=Account(account_id="urn:li:organization:7", handle="Acme Page", kind="company"),
        tokens=TokenSet(access_token="li-page-token", expires_at=later(24 * 60)),
        instance="",
    )


def render_cards(membership: Any, items: list[Any], path: str = FEED) -> str:
    request = RequestFactory().get(path)
    request.user = membership.user
    request.membership = membership  # type: ignore[attr-defined]
    return TAG.render(Context({"request": request, "items": items, "csrf_token": "t" * 64}))


def feed_page(membership: Any, count: int) -> list[Any]:
    """Items as the feed reads them (copies and images prefetched)."""
    return list(content_selectors.feed_items(membership=membership)[:count])


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


def best(membership: Any, network: str) -> dt.datetime:
    return scheduling.best_slot(membership=membership, network=network)[0]


def label(when: dt.datetime) -> str:
    return when.astimezone(PARIS).strftime("%a %H:%M")


# --------------------------------------------------------------------------- the control


def test_the_card_offers_each_account_with_its_best_time(ambassador, item, frozen):
    li = linkedin_connection(ambassador)
    masto = mastodon_connection(ambassador)
    html = render_cards(ambassador, feed_page(ambassador, 1), path="/feed/?page=2")
    assert html.count('<form method="post"') == 3  # two accounts + share to all
    assert f'id="publish-{item.pk}"' in html
    assert html.index(f'value="{li.pk}"') < html.index(f'value="{masto.pk}"')  # network order
    assert f"At the best time: {label(best(ambassador, 'linkedin'))}" in html
    assert f"At the best time: {label(best(ambassador, 'mastodon'))}" in html
    assert html.count('value="now"') == 2 and html.count('value="best"') == 2
    assert "Share to all my accounts at their best times" in html
    # The network's first suggested copy (else the title) is what goes out.
    # (the item's own link gives way to the tracked link)
    assert "Nous recrutons ! <span" in html and "https://example.org/jobs/42" not in html
    assert item.title in html  # no Mastodon copy: the title
    assert 'name="next" value="/feed/?page=2"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'src="/static/publishing/card.js"' in html
    assert 'aria-live="polite"' in html


def test_nothing_without_a_usable_account(org, ambassador, member, item):
    items = feed_page(ambassador, 1)
    assert render_cards(ambassador, items).strip() == ""
    # A connection that must be reconnected is not usable.
    linkedin_connection(ambassador, status="needs_reconnect")
    assert render_cards(ambassador, items).strip() == ""
    # A member who is not an ambassador sees nothing, even with an account.
    linkedin_connection(member)
    assert render_cards(member, items).strip() == ""


def test_a_withdrawn_ambassador_sees_nothing_and_cannot_publish(client, ambassador, item):
    li = linkedin_connection(ambassador)
    items = feed_page(ambassador, 1)
    account_services.ambassador_opt_out(membership=ambassador)
    assert render_cards(ambassador, items).strip() == ""
    login(client, ambassador)
    now = client.post(publish_url(item), {"connection": li.pk, "when": "now"})
    assert now.status_code == 403
    every = client.post(publish_all_url(item))
    assert every.status_code == 403
    assert not Post.objects.exists()


def test_a_page_of_ten_cards_costs_the_queries_of_one(org, manager, approver, ambassador):
    li = linkedin_connection(ambassador)
    mastodon_connection(ambassador)
    for _n in range(10):
        make_live_item(manager, approver)
    one, ten = feed_page(ambassador, 1), feed_page(ambassador, 10)
    assert len(ten) == 10
    # A post already planned shows on its card, from the same single read.
    services.card_publish(actor=ambassador, item_id=ten[3].pk, connection_id=li.pk, when="best")
    counts = []
    for items in (one, ten):
        with CaptureQueriesContext(db_connection) as queries:
            html = render_cards(ambassador, items)
        counts.append(len(queries))
        assert html.count('class="card-publish"') == len(items)
        # The stylesheet and script go out once per page.
        assert html.count('src="/static/publishing/card.js"') == 1
    assert "Planned for" in html
    assert counts[0] == counts[1], counts
    # Without an account: one query for the accounts, whatever the number of cards.
    Connection.objects.all().delete()
    with CaptureQueriesContext(db_connection) as none_queries:
        render_cards(ambassador, ten)
    assert len(none_queries) <= 3, [q["sql"] for q in none_queries]


# --------------------------------------------------------------------------- one account


def test_share_now_creates_and_sends(
    client, ambassador, item, x_connection, fake_x, django_capture_on_commit_callbacks
):
    login(client, ambassador)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            publish_url(item),
            {"connection": x_connection.pk, "when": "now", "next": "/feed/?page=2"},
        )
    assert response.status_code == 302
    assert response["Location"] == f"/feed/?page=2#publish-{item.pk}"
    post = Post.objects.get()
    assert post.state == PostState.PUBLISHED, post.error
    assert post.mode == WhenMode.NOW and post.share is not None
    # Exactly what the share page's panel posts: the first X copy with the tracked link.
    composed = share_compose(membership=ambassador, item_id=item.pk, network="x")
    assert post.text == composed.text and post.link == composed.link
    assert "https://go.example.org/" in post.text
    [tweet] = fake_x.tweets_of()
    assert tweet.original.startswith("On recrute #jobs")
    # The test's transaction runs the publication after the view answered (in production it
    # runs as the service's transaction commits, and the message says "Published on").
    assert messages_of(response) == [f"Sent to X {x_connection.handle}: it is being published."]


def test_schedule_at_the_best_time(client, ambassador, item, frozen):
    li = linkedin_connection(ambassador)
    shown = best(ambassador, "linkedin")
    response = login(client, ambassador).post(
        publish_url(item), {"connection": li.pk, "when": "best"}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 200
    post = Post.objects.get()
    assert post.state == PostState.SCHEDULED and post.mode == WhenMode.BEST
    assert post.scheduled_at == shown
    assert post.text.startswith("Nous recrutons !") and "https://go.example.org/" in post.text
    assert response.json() == {
        "ok": True,
        "messages": [
            {
                "level": "success",
                "text": f"Scheduled on LinkedIn Ada Lovelace for {label(shown)}.",
            }
        ],
    }
    # The card now says it is planned, instead of offering it again.
    html = render_cards(ambassador, feed_page(ambassador, 1))
    assert f"Planned for {label(shown)}." in html and 'value="best"' not in html


def test_a_double_tap_creates_one_post(client, ambassador, item, frozen):
    li = linkedin_connection(ambassador)
    login(client, ambassador)
    first = client.post(publish_url(item), {"connection": li.pk, "when": "best"})
    second = client.post(publish_url(item), {"connection": li.pk, "when": "best"})
    also_now = client.post(publish_url(item), {"connection": li.pk, "when": "now"})
    assert first.status_code == second.status_code == also_now.status_code == 302
    post = Post.objects.get()
    assert messages_of(second)[-1] == (
        f"Already planned on LinkedIn Ada Lovelace for {label(post.scheduled_at)}."
    )
    assert messages_of(also_now)[-1] == messages_of(second)[-1]
    # Share to all does not add another one either.
    client.post(publish_all_url(item))
    assert Post.objects.count() == 1


def test_the_charter_blocks_and_nothing_is_created(client, admin, ambassador, item, frozen):
    li = linkedin_connection(ambassador)
    mastodon_connection(ambassador)
    publish_charter(admin)
    login(client, ambassador)
    one = client.post(publish_url(item), {"connection": li.pk, "when": "now"})
    assert one.status_code == 302
    [message] = messages_of(one)
    assert message.startswith("You cannot share yet: Read and accept the social media charter")
    every = client.post(publish_all_url(item), HTTP_ACCEPT="application/json")
    assert every.status_code == 403 and every.json()["ok"] is False
    assert "social media charter" in every.json()["messages"][0]["text"]
    assert not Post.objects.exists()


def test_a_publishing_pause_holds_what_the_card_sends(
    client, admin, ambassador, item, frozen, django_capture_on_commit_callbacks
):
    li = linkedin_connection(ambassador)
    masto = mastodon_connection(ambassador)
    services.pause_start(actor=admin, reason="Crise en cours")
    login(client, ambassador)
    with django_capture_on_commit_callbacks(execute=True):
        now = client.post(publish_url(item), {"connection": li.pk, "when": "now"})
    held = Post.objects.get(connection=li)
    assert held.state == PostState.HELD and held.published_at is None
    assert messages_of(now) == [
        "Publishing is paused (Crise en cours): your post on LinkedIn Ada Lovelace waits "
        "until it resumes."
    ]
    later_one = client.post(publish_url(item), {"connection": masto.pk, "when": "best"})
    waiting = Post.objects.get(connection=masto)
    assert waiting.state == PostState.SCHEDULED  # the engine does not send it while paused
    assert "Publishing is paused (Crise en cours)" in messages_of(later_one)[0]


def test_wrong_method_and_bad_form(client, ambassador, item):
    li = linkedin_connection(ambassador)
    login(client, ambassador)
    assert client.get(publish_url(item)).status_code == 405
    assert client.get(publish_all_url(item)).status_code == 405
    bad = client.post(
        publish_url(item), {"connection": li.pk, "when": "at"}, HTTP_ACCEPT="application/json"
    )
    assert bad.status_code == 400 and bad.json()["ok"] is False
    assert not Post.objects.exists()


def test_other_peoples_accounts_and_items_are_not_found(
    client, org, manager, approver, ambassador, outsider, item
):
    li = linkedin_connection(ambassador)
    colleague = make_member(org, email="colleague@acme.test", ambassador=True)
    linkedin_connection(colleague)
    # A colleague cannot post through the ambassador's account.
    response = login(client, colleague).post(
        publish_url(item), {"connection": li.pk, "when": "now"}
    )
    assert response.status_code == 404
    # Another organization's member: 404 on the item, whatever the method.
    login(client, outsider)
    assert client.get(publish_url(item)).status_code == 404
    assert client.post(publish_url(item), {"connection": li.pk, "when": "now"}).status_code == 404
    assert client.post(publish_all_url(item)).status_code == 404
    # An item that is not live (a draft) is not found either.
    draft = make_live_item(manager, approver)
    type(draft).objects.filter(pk=draft.pk).update(state="draft")
    login(client, ambassador)
    assert client.post(publish_url(draft), {"connection": li.pk, "when": "now"}).status_code == 404
    assert client.post(publish_all_url(draft)).status_code == 404
    assert not Post.objects.exists()


def test_next_must_stay_on_this_site(client, ambassador, item, frozen):
    li = linkedin_connection(ambassador)
    response = login(client, ambassador).post(
        publish_url(item), {"connection": li.pk, "when": "best", "next": "https://evil.example/"}
    )
    assert response["Location"] == f"{FEED}#publish-{item.pk}"


# --------------------------------------------------------------------------- every account


def test_share_to_all_schedules_one_post_per_account_at_its_best_time(
    client, ambassador, item, frozen
):
    li = linkedin_connection(ambassador)
    masto = mastodon_connection(ambassador)
    expected = {li.pk: best(ambassador, "linkedin"), masto.pk: best(ambassador, "mastodon")}
    response = login(client, ambassador).post(publish_all_url(item), {"next": FEED})
    assert response.status_code == 302
    posts = {p.connection_id or 0: p for p in Post.objects.all()}
    assert set(posts) == {li.pk, masto.pk}
    for pk, post in posts.items():
        assert post.state == PostState.SCHEDULED and post.mode == WhenMode.BEST
        assert post.scheduled_at == expected[pk]
    assert messages_of(response) == [
        f"Scheduled on LinkedIn Ada Lovelace for {label(expected[li.pk])}.",
        f"Scheduled on Mastodon {masto.handle} for {label(expected[masto.pk])}.",
    ]
    # Again: nothing more.
    again = client.post(publish_all_url(item))
    assert Post.objects.count() == 2
    assert all(m.startswith("Already planned on") for m in messages_of(again)[-2:])


def test_share_to_all_moves_to_the_next_slot_the_rhythm_accepts(
    client, org, ambassador, item, frozen
):
    """Two LinkedIn accounts, at least 3 hours between two LinkedIn posts: the second
    account's post moves to a slot 3 hours or more from the first."""
    CadenceRule.objects.create(organization=org, network="linkedin", min_gap_minutes=180)
    li = linkedin_connection(ambassador)
    page = second_linkedin(ambassador)
    top = best(ambassador, "linkedin")
    login(client, ambassador).post(publish_all_url(item))
    first, second = (Post.objects.get(connection=c) for c in (page, li))
    assert top in {first.scheduled_at, second.scheduled_at}
    gap = abs(first.scheduled_at - second.scheduled_at)
    assert gap >= dt.timedelta(hours=3)
    for post in (first, second):
        assert not scheduling.cadence_reasons(
            membership=ambassador, network="linkedin", at=post.scheduled_at, exclude_post_id=post.pk
        )


def test_share_to_all_skips_an_account_the_rhythm_leaves_no_room_for(
    client, org, ambassador, manager, approver, item, frozen
):
    """One LinkedIn post a day and every day of the coming weeks already taken: the LinkedIn
    account is skipped, and says why; Mastodon is scheduled."""
    CadenceRule.objects.create(organization=org, network="linkedin", max_per_day=1)
    li = linkedin_connection(ambassador)
    masto = mastodon_connection(ambassador)
    other = make_live_item(manager, approver)
    start = frozen.astimezone(PARIS).replace(hour=12, minute=0, second=0, microsecond=0)
    for day in range(80):
        make_post(ambassador, other, start + dt.timedelta(days=day))
    response = login(client, ambassador).post(publish_all_url(item), HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    data = response.json()
    assert data["ok"] is False  # one account was skipped
    [skipped, scheduled] = data["messages"]
    assert skipped["level"] == "error"
    assert skipped["text"].startswith(
        "Not scheduled on LinkedIn Ada Lovelace: The organization's posting rhythm leaves no "
        "free slot in the coming weeks. At most 1 post a day on LinkedIn"
    )
    assert scheduled["level"] == "success" and "Mastodon" in scheduled["text"]
    assert not Post.objects.filter(connection=li).exists()
    assert Post.objects.filter(connection=masto, state=PostState.SCHEDULED).count() == 1


def test_without_an_account_share_to_all_says_so(client, ambassador, item):
    response = login(client, ambassador).post(publish_all_url(item))
    assert response.status_code == 302
    assert messages_of(response) == ["Connect an account first."]


# --------------------------------------------------------------------------- French


def test_the_card_in_french(ambassador, item, frozen):
    linkedin_connection(ambassador)
    mastodon_connection(ambassador)
    with translation.override("fr"):
        html = render_cards(ambassador, feed_page(ambassador, 1))
    assert "Publier maintenant" in html
    assert "Publier sur tous mes comptes à leur meilleur moment" in html
    assert re.search(r"Au meilleur moment : \w+\.? \d\d:\d\d", html)


def test_the_feed_with_the_card_wired_costs_the_same_for_one_and_ten_items(
    client, settings, org, manager, approver, ambassador
):
    """The feed page itself, its card template reduced to the line to wire: as many
    queries for one item as for ten."""
    [engine] = settings.TEMPLATES
    options = {k: v for k, v in engine["OPTIONS"].items() if k != "loaders"}
    options["loaders"] = [
        (
            "django.template.loaders.locmem.Loader",
            {
                "content/feed.html": (
                    '{% extends "base.html" %}{% load publishing_tags %}{% block content %}'
                    "{% for card in cards %}<article>{% card_publish_actions card.item %}"
                    "</article>{% endfor %}{% endblock %}"
                )
            },
        ),
        "django.template.loaders.filesystem.Loader",
        "django.template.loaders.app_directories.Loader",
    ]
    settings.TEMPLATES = [{**engine, "APP_DIRS": False, "OPTIONS": options}]
    linkedin_connection(ambassador)
    mastodon_connection(ambassador)
    login(client, ambassador)
    counts = []
    for total in (1, 10):
        while len(feed_page(ambassador, 10)) < total:
            make_live_item(manager, approver)
        client.get(FEED)  # warm the per-process caches (session, content types)
        with CaptureQueriesContext(db_connection) as queries:
            response = client.get(FEED)
        assert response.status_code == 200
        assert response.content.decode().count('class="card-publish"') == total
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
