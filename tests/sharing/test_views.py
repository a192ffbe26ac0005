"""Sharing web pages: the share page, My shares, all shares, tracking settings, per role."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from portevoix.accounts.roles import Role
from portevoix.governance import gates
from portevoix.sharing import services
from portevoix.sharing.models import Share, ShareState, TrackedLink, TrackingSettings
from tests import factories
from tests.factories import make_live_item
from tests.sharing.conftest import SHORT_BASE, presence, set_networks

pytestmark = pytest.mark.django_db


def login(client: Client, membership) -> Client:
    client.force_login(membership.user)
    return client


def share_url(item, network="x") -> str:
    return reverse("sharing:share", args=[item.pk, network])


# --- The share page


def test_the_share_page_offers_the_texts_with_the_tracked_link(client, ambassador, item):
    response = login(client, ambassador).get(share_url(item))
    assert response.status_code == 200
    link = TrackedLink.objects.get(membership=ambassador, item=item, network="x")
    html = response.content.decode()
    short = f"{SHORT_BASE}/l/{link.code}"
    assert f'value="{short}"' in html
    assert f"On recrute #jobs {short}" in html
    assert 'data-guardrails="x"' in html
    assert reverse("sharing:check") in html
    assert "Share on X" in html
    # Opening the page twice keeps the same link.
    login(client, ambassador).get(share_url(item))
    assert TrackedLink.objects.count() == 1


def test_linkedin_says_the_text_must_be_pasted(client, ambassador, item):
    html = login(client, ambassador).get(share_url(item, "linkedin")).content.decode()
    assert "does not let other sites fill in the text" in html


def test_mastodon_without_instance_asks_for_it(client, ambassador, item):
    response = login(client, ambassador).get(share_url(item, "mastodon"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "needs your instance" in html
    assert reverse("accounts:enrol") in html
    assert 'data-guardrails="mastodon"' not in html
    response = client.post(share_url(item, "mastodon"), {})
    assert response.status_code == 302
    assert response["Location"] == share_url(item, "mastodon")
    assert not Share.objects.exists()


def test_mastodon_with_instance_goes_to_the_instance(client, ambassador, item):
    set_networks(ambassador, presence("mastodon", 80, "piaille.fr"))
    response = login(client, ambassador).post(share_url(item, "mastodon"), {})
    assert response.status_code == 302
    assert response["Location"].startswith("https://piaille.fr/share?text=")


def test_sharing_a_suggested_copy_redirects_to_the_intent(client, ambassador, item):
    copy = item.copies.get(network="x")
    response = login(client, ambassador).post(share_url(item), {"variant": copy.pk})
    assert response.status_code == 302
    share = Share.objects.get()
    assert share.state == ShareState.OPENED
    assert not share.personalized
    location = response["Location"]
    assert location.startswith("https://x.com/intent/post?text=")
    assert parse_qs(urlsplit(location).query)["url"] == [f"{SHORT_BASE}/l/{share.link.code}"]


def test_a_personalized_text_is_shared_as_written(client, ambassador, item):
    response = login(client, ambassador).post(
        share_url(item, "bluesky"), {"text": "Ma version à moi 🚀"}
    )
    assert response.status_code == 302
    share = Share.objects.get()
    assert share.personalized
    assert parse_qs(urlsplit(response["Location"]).query)["text"] == [share.text]


def test_a_text_too_long_is_shown_again_with_the_error(client, ambassador, item):
    response = login(client, ambassador).post(share_url(item), {"text": "x" * 400})
    assert response.status_code == 400
    html = response.content.decode()
    assert "too many" in html
    assert "x" * 400 in html  # what they wrote is kept
    assert not Share.objects.exists()


def test_blockers_are_listed_with_their_links(client, ambassador, item, monkeypatch):
    monkeypatch.setattr(
        gates,
        "sharing_blockers",
        lambda membership, *, personalize=False: [
            gates.Blocker("charter", "Acknowledge the social media charter.", "/charter/ack/")
        ],
    )
    response = login(client, ambassador).get(share_url(item))
    # The charter's link brings the ambassador back to this share once accepted.
    charter_link = f"/charter/ack/?{urlencode({'next': share_url(item)})}"
    assert f'href="{charter_link}"' in response.content.decode()
    response = client.post(share_url(item), {})
    assert response.status_code == 403
    assert "Acknowledge the social media charter." in response.content.decode()
    assert not Share.objects.exists()


def test_the_share_form_needs_the_csrf_token(ambassador, item):
    client = login(Client(enforce_csrf_checks=True), ambassador)
    assert client.post(share_url(item), {}).status_code == 403
    assert not Share.objects.exists()


@pytest.mark.parametrize("who", ["member", "admin", "manager"])
def test_only_ambassadors_get_the_share_page(client, request, item, who):
    response = login(client, request.getfixturevalue(who)).get(share_url(item))
    assert response.status_code == 403
    assert reverse("accounts:enrol") in response.content.decode()
    assert client.post(share_url(item), {}).status_code == 403
    assert not TrackedLink.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in(client, item):
    for url in (share_url(item), reverse("sharing:my_shares"), reverse("sharing:tracking")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_unknown_network_and_non_live_items_are_404(client, ambassador, manager, item):
    login(client, ambassador)
    assert client.get(share_url(item, "myspace")).status_code == 404
    from portevoix.content import services as content_services

    content_services.item_archive(membership=manager, item=item)
    assert client.get(share_url(item)).status_code == 404
    assert client.post(share_url(item), {}).status_code == 404


def test_the_feed_has_a_share_button_per_network(client, ambassador, item):
    html = login(client, ambassador).get(reverse("content:feed")).content.decode()
    for network in ("linkedin", "x", "facebook", "mastodon", "bluesky", "threads"):
        assert f'action="{share_url(item, network)}"' in html
    assert "Share on LinkedIn" in html


# --- The live counter


def check(client: Client, body: Any) -> Any:
    return client.post(
        reverse("sharing:check"),
        json.dumps(body) if not isinstance(body, str) else body,
        content_type="application/json",
    )


def test_the_counter_counts_the_text_as_it_will_be_posted(client, ambassador, item):
    login(client, ambassador).get(share_url(item))  # creates the link
    response = check(client, {"item_id": item.pk, "network": "x", "text": "a" * 256})
    assert response.status_code == 200
    data = response.json()
    assert data["length"] == 280 and data["ok"] is True and data["limit"] == 280
    data = check(client, {"item_id": item.pk, "network": "x", "text": "a" * 257}).json()
    assert data["ok"] is False and data["errors"]


def test_the_counter_refuses_bad_requests(client, ambassador, member, item, outsider):
    assert check(client, {"item_id": item.pk, "network": "x", "text": ""}).status_code == 401
    login(client, member)
    assert check(client, {"item_id": item.pk, "network": "x", "text": ""}).status_code == 403
    login(client, ambassador)
    assert check(client, "nope").status_code == 400
    assert check(client, [1]).status_code == 400
    assert check(client, {"item_id": item.pk, "network": "myspace"}).status_code == 400
    assert check(client, {"item_id": "1", "network": "x"}).status_code == 400
    assert check(client, {"item_id": 2**70, "network": "x"}).status_code == 400
    assert check(client, {"item_id": item.pk, "network": "x", "text": 5}).status_code == 400
    login(client, outsider)
    assert check(client, {"item_id": item.pk, "network": "x", "text": "a"}).status_code == 404


# --- My shares


def test_my_shares_lists_my_shares_with_their_clicks(client, ambassador, org, item):
    start = services.share_open(membership=ambassador, item_id=item.pk, network="x")
    colleague = factories.make_member(org, ambassador=True)
    services.share_open(membership=colleague, item_id=item.pk, network="linkedin")
    from portevoix.core import clock
    from tests.sharing.conftest import click

    services.clicks_ingest(
        [click(start.share.link.code, at=clock.now(), visitor=f"{n:032x}") for n in range(3)]
    )
    response = login(client, ambassador).get(reverse("sharing:my_shares"))
    assert response.status_code == 200
    shares = response.context["shares"]
    assert [s.pk for s in shares] == [start.share.pk]
    assert shares[0].clicks == 3
    html = response.content.decode()
    assert f"/l/{start.share.link.code}" in html
    assert "I posted it" in html
    assert "My shares" in html  # the navigation entry


def test_my_shares_query_count_is_constant(
    client, ambassador, manager, approver, django_assert_max_num_queries
):
    for n in range(5):
        item = make_live_item(manager, approver, title=f"Sujet {n}")
        for network in ("x", "linkedin", "bluesky"):
            services.share_open(membership=ambassador, item_id=item.pk, network=network)
    login(client, ambassador)
    client.get(reverse("sharing:my_shares"))  # warm up the session
    with django_assert_max_num_queries(9) as captured:
        response = client.get(reverse("sharing:my_shares"))
    assert len(response.context["shares"]) == 15
    baseline = len(captured)
    for n in range(5, 12):
        item = make_live_item(manager, approver, title=f"Sujet {n}")
        services.share_open(membership=ambassador, item_id=item.pk, network="x")
    client.get(
        reverse("sharing:my_shares")
    )  # the writes moved the page frame's versions (accounts/frame.py)
    with django_assert_max_num_queries(baseline):
        response = client.get(reverse("sharing:my_shares"))
    assert len(response.context["shares"]) == 20


def test_confirm_my_share(client, ambassador, item):
    share = services.share_open(membership=ambassador, item_id=item.pk, network="x").share
    url = reverse("sharing:confirm", args=[share.pk])
    login(client, ambassador)
    assert client.get(url).status_code == 405
    response = client.post(url, {"next": share_url(item)})
    assert response.status_code == 302
    assert response["Location"] == share_url(item)
    share.refresh_from_db()
    assert share.state == ShareState.CONFIRMED
    response = client.post(url, {"next": "https://evil.example/"})
    assert response["Location"] == reverse("sharing:my_shares")


def test_nobody_else_confirms_my_share(client, ambassador, org, admin, item):
    share = services.share_open(membership=ambassador, item_id=item.pk, network="x").share
    colleague = factories.make_member(org, ambassador=True)
    for who in (colleague, admin):
        login(client, who)
        assert client.post(reverse("sharing:confirm", args=[share.pk])).status_code == 404
    share.refresh_from_db()
    assert share.state == ShareState.OPENED


# --- All shares, removal


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.ADMIN, 200),
        (Role.COMMUNITY_MANAGER, 200),
        (Role.ANALYST, 200),
        (Role.CONTENT_MANAGER, 403),
        (Role.APPROVER, 403),
        (Role.EXECUTIVE, 403),
        (None, 403),
    ],
)
def test_all_shares_by_role(client, org, ambassador, item, role, status):
    services.share_open(membership=ambassador, item_id=item.pk, network="x")
    who = factories.make_member(org, *([role] if role else []))
    response = login(client, who).get(reverse("sharing:org_shares"))
    assert response.status_code == status
    if status == 200:
        assert len(response.context["shares"]) == 1
        assert ambassador.user.display_name in response.content.decode()


def test_all_shares_filter_by_member(client, org, admin, ambassador, item):
    services.share_open(membership=ambassador, item_id=item.pk, network="x")
    colleague = factories.make_member(org, ambassador=True)
    services.share_open(membership=colleague, item_id=item.pk, network="x")
    login(client, admin)
    response = client.get(reverse("sharing:org_shares"), {"member": colleague.pk})
    assert [s.membership_id for s in response.context["shares"]] == [colleague.pk]
    response = client.get(reverse("sharing:org_shares"), {"member": "x" * 30})
    assert len(response.context["shares"]) == 2


def test_the_ambassador_cannot_see_all_shares(client, ambassador):
    assert login(client, ambassador).get(reverse("sharing:org_shares")).status_code == 403


def test_remove_a_share(client, org, ambassador, item):
    share = services.share_open(membership=ambassador, item_id=item.pk, network="x").share
    url = reverse("sharing:remove", args=[share.pk])
    assert login(client, ambassador).post(url).status_code == 403
    community = factories.make_member(org, Role.COMMUNITY_MANAGER)
    login(client, community)
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 302
    share.refresh_from_db()
    assert share.removed_at is not None


# --- An outsider gets 404 on every URL with an id


def test_outsider_gets_404_on_every_id_url(client, ambassador, outsider, item):
    share = services.share_open(membership=ambassador, item_id=item.pk, network="x").share
    login(client, outsider)
    urls = [
        share_url(item),
        share_url(item, "linkedin"),
        reverse("sharing:confirm", args=[share.pk]),
        reverse("sharing:remove", args=[share.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"text": "pwned"}).status_code == 404, url
    share.refresh_from_db()
    assert share.state == ShareState.OPENED and share.removed_at is None
    assert Share.objects.count() == 1
    assert not TrackedLink.objects.filter(membership=outsider).exists()


# --- Tracking settings


def tracking_post(**overrides: str) -> dict[str, str]:
    data = {
        "utm_enabled": "on",
        "utm_source": "{network}",
        "utm_medium": "employee_advocacy",
        "utm_campaign": "{campaign}",
        "utm_content": "{ambassador}",
        "fallback_url": "https://example.org/",
        "attribution_days": "14",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("who", "status"),
    [("admin", 200), ("manager", 403), ("ambassador", 403), ("member", 403), ("approver", 403)],
)
def test_tracking_settings_are_for_admins(client, request, who, status):
    login(client, request.getfixturevalue(who))
    assert client.get(reverse("sharing:tracking")).status_code == status
    assert client.post(reverse("sharing:tracking"), tracking_post()).status_code in {
        status,
        302,
    }
    assert client.post(reverse("sharing:tracking_key")).status_code == status
    if status == 403:
        assert not TrackingSettings.objects.exists()


def test_admin_saves_the_tracking_settings(client, admin, org):
    login(client, admin)
    response = client.post(reverse("sharing:tracking"), tracking_post(utm_enabled=""))
    assert response.status_code == 302
    saved = TrackingSettings.objects.get(organization=org)
    assert saved.utm_enabled is False
    assert saved.attribution_days == 14
    assert saved.fallback_url == "https://example.org/"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("fallback_url", "javascript:alert(1)"),
        ("fallback_url", "ftp://example.org/"),
        ("fallback_url", "//evil.example/"),
        ("attribution_days", "0"),
        ("attribution_days", "366"),
        ("utm_source", "{email}"),
        ("utm_campaign", "{campaign"),
        ("utm_content", "x" * 61),
    ],
)
def test_bad_tracking_settings_are_refused(client, admin, field, value):
    login(client, admin)
    response = client.post(reverse("sharing:tracking"), tracking_post(**{field: value}))
    assert response.status_code == 400
    assert response.context["form"].errors.get(field)
    assert not TrackingSettings.objects.exists()


def test_the_conversion_key_is_shown_once(client, admin, org):
    login(client, admin)
    response = client.post(reverse("sharing:tracking_key"))
    assert response.status_code == 200
    key = response.context["new_key"]
    assert key.startswith("pvck_") and key in response.content.decode()
    stored = TrackingSettings.objects.get(organization=org).conversion_key_encrypted
    assert key not in stored
    page = client.get(reverse("sharing:tracking")).content.decode()
    assert key not in page
    assert "A key is set." in page
    assert "/c/pixel.gif?org=" in page
    assert "X-Portevoix-Signature" in page


def test_the_pages_speak_french(client, ambassador, item):
    login(client, ambassador)
    html = client.get(share_url(item), headers={"accept-language": "fr"}).content.decode()
    assert "Partager sur X" in html and "Textes suggérés" in html
    html = client.get(reverse("sharing:my_shares"), headers={"accept-language": "fr"})
    assert "Mes partages" in html.content.decode()
