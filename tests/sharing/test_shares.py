"""Sharing without connecting an account: tracked links, shares, personalization, gates."""

from __future__ import annotations

import datetime as dt
import threading
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection

from portevoix.accounts.roles import Role
from portevoix.content import services as content_services
from portevoix.content.models import ContentItem
from portevoix.core import clock
from portevoix.core.errors import DomainError, NotFound, PermissionDenied
from portevoix.governance import gates
from portevoix.sharing import services
from portevoix.sharing.models import Share, ShareState, TrackedLink
from portevoix.sharing.visitor import local_day
from tests import factories
from tests.factories import make_item, make_live_item
from tests.sharing.conftest import SHORT_BASE, presence, set_networks, total

pytestmark = pytest.mark.django_db


# --- Tracked links


def test_a_link_is_unique_per_ambassador_item_and_network(ambassador, item):
    first = services.link_get_or_create(membership=ambassador, item=item, network="linkedin")
    again = services.link_get_or_create(membership=ambassador, item=item, network="linkedin")
    assert again.pk == first.pk
    assert TrackedLink.objects.count() == 1
    other_network = services.link_get_or_create(membership=ambassador, item=item, network="x")
    assert other_network.code != first.code
    assert len(first.code) == 7 and first.code.isalnum() and first.code.isascii()


def test_a_code_collision_draws_another_code(ambassador, item, org, monkeypatch):
    taken = services.link_get_or_create(membership=ambassador, item=item, network="x")
    codes = iter([taken.code, taken.code, "Zz99Zz9"])
    monkeypatch.setattr(services.links, "new_code", lambda: next(codes))
    link = services.link_get_or_create(membership=ambassador, item=item, network="bluesky")
    assert link.code == "Zz99Zz9"


def test_links_of_another_organization_are_refused(outsider, item):
    with pytest.raises(NotFound):
        services.link_get_or_create(membership=outsider, item=item, network="x")


def test_losing_a_creation_race_returns_the_winners_link(ambassador, item, monkeypatch):
    real_code = services.links.new_code

    def racing_code() -> str:
        # Another request creates the same link between our read and our insert.
        if not TrackedLink.objects.exists():
            TrackedLink.objects.create(
                organization_id=item.organization_id,
                code="Winner1",
                membership=ambassador,
                item=item,
                network="x",
            )
        return real_code()

    monkeypatch.setattr(services.links, "new_code", racing_code)
    link = services.link_get_or_create(membership=ambassador, item=item, network="x")
    assert link.code == "Winner1"
    assert TrackedLink.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_creation_makes_one_link(org):
    manager = factories.make_member(org, Role.CONTENT_MANAGER)
    approver = factories.make_member(org, Role.APPROVER)
    ambassador = factories.make_member(org, ambassador=True)
    item = make_live_item(manager, approver)
    barrier = threading.Barrier(4)
    codes: list[str] = []
    errors: list[BaseException] = []

    def create() -> None:
        try:
            barrier.wait()
            link = services.link_get_or_create(membership=ambassador, item=item, network="x")
            codes.append(link.code)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=create) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert len(set(codes)) == 1
    assert TrackedLink.objects.filter(item=item, network="x").count() == 1


# --- Opening a share


def test_share_opens_the_networks_page_with_the_tracked_link(ambassador, item, rollup_calls):
    start = services.share_open(membership=ambassador, item_id=item.pk, network="x")
    link = TrackedLink.objects.get()
    assert start.short_url == f"{SHORT_BASE}/l/{link.code}"
    assert start.text == f"On recrute #jobs {start.short_url}"
    assert start.intent_url == (
        "https://x.com/intent/post?text=On%20recrute%20%23jobs&url="
        + f"https%3A%2F%2Fgo.example.org%2Fl%2F{link.code}"
    )
    share = start.share
    assert share.state == ShareState.OPENED
    assert share.network == "x"
    assert share.personalized is False
    assert share.link_id == link.pk
    assert share.created_at is not None
    assert share.audience == 0  # no declared presence on X


def test_share_records_the_declared_audience_and_feeds_the_rollups(
    ambassador, item, rollup_calls, org
):
    start = services.share_open(membership=ambassador, item_id=item.pk, network="linkedin")
    assert start.share.audience == 300
    assert start.intent_url.startswith("https://www.linkedin.com/sharing/share-offsite/?url=")
    assert rollup_calls == [
        {
            "organization_id": org.pk,
            "day": local_day(start.share.created_at),
            "item_id": item.pk,
            "campaign_id": None,
            "membership_id": ambassador.pk,
            "network": "linkedin",
            "shares": 1,
            "original_posts": 0,
            "potential_reach": 300,
        }
    ]


def test_the_rollup_cell_has_the_items_campaign(ambassador, manager, approver, rollup_calls):
    campaign = content_services.campaign_create(membership=manager, name="Printemps")
    item = make_live_item(manager, approver, campaign_id=campaign.pk)
    services.share_open(membership=ambassador, item_id=item.pk, network="x", text="À moi")
    assert rollup_calls[0]["campaign_id"] == campaign.pk
    assert rollup_calls[0]["original_posts"] == 1


def test_sharing_twice_records_two_shares_on_one_link(ambassador, item, rollup_calls):
    first = services.share_open(membership=ambassador, item_id=item.pk, network="bluesky")
    second = services.share_open(membership=ambassador, item_id=item.pk, network="bluesky")
    assert first.share.pk != second.share.pk
    assert first.short_url == second.short_url
    assert TrackedLink.objects.count() == 1
    assert total(rollup_calls, "shares") == 2


def test_a_chosen_variant_is_shared(ambassador, manager, approver):
    item = make_live_item(
        manager,
        approver,
        copies=[
            content_services.CopyData("bluesky", "Variante une https://example.org/jobs/42"),
            content_services.CopyData("bluesky", "Variante deux https://example.org/jobs/42"),
        ],
    )
    second = item.copies.get(variant=2)
    start = services.share_open(
        membership=ambassador, item_id=item.pk, network="bluesky", variant_id=second.pk
    )
    assert start.text == f"Variante deux {start.short_url}"
    assert parse_qs(urlsplit(start.intent_url).query) == {"text": [start.text]}


def test_without_a_copy_for_the_network_the_title_and_link_are_proposed(ambassador, item):
    start = services.share_open(membership=ambassador, item_id=item.pk, network="threads")
    assert start.text == f"{item.title}\n\n{start.short_url}"
    assert not start.share.personalized


@pytest.mark.parametrize("state", ["draft", "in_review", "scheduled", "expired", "archived"])
def test_only_live_items_can_be_shared(ambassador, manager, approver, state):
    now = clock.now()
    if state == "draft":
        item = make_item(manager)
    elif state == "in_review":
        item = make_item(manager)
        content_services.item_submit(membership=manager, item=item)
    elif state == "scheduled":
        item = make_live_item(manager, approver, publish_at=now + dt.timedelta(days=1))
    elif state == "expired":
        item = make_live_item(manager, approver)
        ContentItem.objects.filter(pk=item.pk).update(expire_at=now - dt.timedelta(seconds=1))
    else:
        item = make_live_item(manager, approver)
        content_services.item_archive(membership=manager, item=item)
    with pytest.raises(NotFound):
        services.share_open(membership=ambassador, item_id=item.pk, network="x")
    assert not Share.objects.exists()


def test_only_ambassadors_share(member, admin, item):
    for who in (member, admin):
        with pytest.raises(PermissionDenied):
            services.share_open(membership=who, item_id=item.pk, network="x")


def test_an_outsider_cannot_share_another_organizations_item(outsider, item):
    with pytest.raises(NotFound):
        services.share_open(membership=outsider, item_id=item.pk, network="x")


def test_unknown_network_is_not_found(ambassador, item):
    with pytest.raises(NotFound):
        services.share_open(membership=ambassador, item_id=item.pk, network="myspace")


def test_a_withdrawn_ambassador_cannot_share(ambassador, item):
    from portevoix.accounts import services as account_services

    account_services.ambassador_opt_out(membership=ambassador)
    with pytest.raises(PermissionDenied):
        services.share_open(membership=ambassador, item_id=item.pk, network="x")


# --- Mastodon on the ambassador's own instance


def test_mastodon_shares_on_the_ambassadors_instance(ambassador, item):
    set_networks(ambassador, presence("mastodon", 120, "Piaille.fr"))
    start = services.share_open(membership=ambassador, item_id=item.pk, network="mastodon")
    assert start.intent_url.startswith("https://piaille.fr/share?text=")
    assert parse_qs(urlsplit(start.intent_url).query) == {"text": [start.text]}
    assert start.share.audience == 120


def test_mastodon_without_instance_is_refused_with_a_field_error(ambassador, item):
    with pytest.raises(DomainError) as caught:
        services.share_open(membership=ambassador, item_id=item.pk, network="mastodon")
    assert "instance" in caught.value.field_errors
    assert not Share.objects.exists()
    assert not TrackedLink.objects.exists()


# --- Personalization


def test_a_personalized_text_is_an_original_post(ambassador, item, rollup_calls):
    text = "Mon équipe recrute, venez ! 🚀 https://example.org/jobs/42"
    start = services.share_open(membership=ambassador, item_id=item.pk, network="x", text=text)
    assert start.share.personalized is True
    assert start.text == f"Mon équipe recrute, venez ! 🚀 {start.short_url}"
    assert start.share.text == start.text
    assert parse_qs(urlsplit(start.intent_url).query)["text"] == ["Mon équipe recrute, venez ! 🚀"]
    assert total(rollup_calls, "original_posts") == 1


def test_a_text_without_the_link_gets_the_short_link(ambassador, item):
    start = services.share_open(
        membership=ambassador, item_id=item.pk, network="bluesky", text="Rien que mes mots"
    )
    assert start.text == f"Rien que mes mots\n\n{start.short_url}"


def test_resending_the_suggested_text_is_not_personalized(ambassador, item, rollup_calls):
    prep = services.share_prepare(membership=ambassador, item_id=item.pk, network="x")
    suggested = prep.variants[0][1]
    start = services.share_open(
        membership=ambassador, item_id=item.pk, network="x", text="  " + suggested + "\r\n"
    )
    assert start.share.personalized is False
    raw = services.share_open(
        membership=ambassador, item_id=item.pk, network="x", text=item.copies.get(network="x").text
    )
    assert raw.share.personalized is False
    assert total(rollup_calls, "original_posts") == 0


def test_a_personalized_text_must_fit_the_network(ambassador, item):
    too_long = "é" * 290
    with pytest.raises(DomainError) as caught:
        services.share_open(membership=ambassador, item_id=item.pk, network="x", text=too_long)
    assert "text" in caught.value.field_errors
    assert "too many" in caught.value.field_errors["text"][0]
    assert not Share.objects.exists()


def test_a_text_that_fits_exactly_is_accepted(ambassador, item):
    # X: 280 weighted characters, the link counting 23 and a space before it.
    text = "a" * (280 - 24)
    start = services.share_open(membership=ambassador, item_id=item.pk, network="x", text=text)
    assert start.share.personalized
    with pytest.raises(DomainError):
        services.share_open(membership=ambassador, item_id=item.pk, network="x", text=text + "a")


def test_bluesky_counts_graphemes_with_the_short_link(ambassador, item):
    emoji = "🇫🇷"  # one grapheme of two code points (8 UTF-8 bytes: 270 stay under 3,000 bytes)
    short_len = len(f"{SHORT_BASE}/l/XXXXXXX")
    ok = emoji * (300 - short_len - 2)  # "\n\n" before the link
    start = services.share_open(membership=ambassador, item_id=item.pk, network="bluesky", text=ok)
    assert start.share.personalized
    with pytest.raises(DomainError):
        services.share_open(
            membership=ambassador, item_id=item.pk, network="bluesky", text=ok + emoji
        )


# --- Governance gates


def test_blockers_refuse_the_share_with_their_urls(ambassador, item, monkeypatch, rollup_calls):
    seen = []

    def blockers(membership, *, personalize=False):
        seen.append(personalize)
        return [gates.Blocker("charter", "Acknowledge the charter first.", "/charter/")]

    monkeypatch.setattr(gates, "sharing_blockers", blockers)
    with pytest.raises(services.SharingBlocked) as caught:
        services.share_open(membership=ambassador, item_id=item.pk, network="x")
    assert caught.value.status == 403
    assert caught.value.field_errors == {"blockers": ["Acknowledge the charter first. (/charter/)"]}
    assert "/charter/" in caught.value.message
    assert seen == [False]
    with pytest.raises(services.SharingBlocked):
        services.share_open(membership=ambassador, item_id=item.pk, network="x", text="Mes mots")
    assert seen == [False, True]
    assert not Share.objects.exists()
    assert not TrackedLink.objects.exists()  # rolled back with the refusal
    assert rollup_calls == []


def test_a_personalized_share_can_be_blocked_while_a_suggested_one_passes(
    ambassador, item, monkeypatch
):
    def blockers(membership, *, personalize=False):
        if personalize:
            return [gates.Blocker("course", "Pass the course first.", "/training/1/")]
        return []

    monkeypatch.setattr(gates, "sharing_blockers", blockers)
    assert services.share_open(membership=ambassador, item_id=item.pk, network="x").share.pk
    with pytest.raises(services.SharingBlocked):
        services.share_open(membership=ambassador, item_id=item.pk, network="x", text="Mes mots")


def _match(action: str, term: str) -> gates.GuardrailMatch:
    return gates.GuardrailMatch(
        rule_id=1,
        kind="blocked_term",
        action=action,
        term=term,
        start=0,
        end=len(term),
        reason="Confidential",
    )


def test_guardrails_block_a_personalized_text(ambassador, item, monkeypatch):
    calls = []

    def check(*, organization, text, network):
        calls.append((organization.pk, network))
        return gates.GuardrailResult(text=text, matches=(_match("block", "Projet Titan"),))

    monkeypatch.setattr(gates, "guardrails_check", check)
    with pytest.raises(DomainError) as caught:
        services.share_open(
            membership=ambassador, item_id=item.pk, network="x", text="Le Projet Titan arrive"
        )
    assert caught.value.field_errors == {"text": ["“Projet Titan”: Confidential"]}
    assert calls == [(ambassador.organization_id, "x")]
    assert not Share.objects.exists()


def test_guardrails_are_not_run_on_the_approved_copy(ambassador, item, monkeypatch):
    def check(**kwargs):
        raise AssertionError("approved copy is not re-checked")

    monkeypatch.setattr(gates, "guardrails_check", check)
    services.share_open(membership=ambassador, item_id=item.pk, network="x")


def test_the_disclosure_is_added_and_warnings_go_to_moderation(ambassador, item, monkeypatch):
    flagged = []

    def check(*, organization, text, network):
        return gates.GuardrailResult(text=text + " #employee", matches=(_match("warn", "venez"),))

    def flag(**kwargs):
        flagged.append(kwargs)

    monkeypatch.setattr(gates, "guardrails_check", check)
    monkeypatch.setattr(gates, "moderation_flag", flag)
    start = services.share_open(
        membership=ambassador, item_id=item.pk, network="bluesky", text="Venez nous voir"
    )
    assert start.text.endswith(" #employee")
    assert start.share.text == start.text
    assert parse_qs(urlsplit(start.intent_url).query)["text"] == [start.text]
    assert len(flagged) == 1
    assert flagged[0]["source"] == "share"
    assert flagged[0]["object_id"] == start.share.pk
    assert flagged[0]["author"] == ambassador
    assert flagged[0]["text"] == start.text


def test_a_disclosure_that_no_longer_fits_is_refused(ambassador, item, monkeypatch):
    def check(*, organization, text, network):
        return gates.GuardrailResult(text=text + " " + "x" * 300)

    monkeypatch.setattr(gates, "guardrails_check", check)
    with pytest.raises(DomainError) as caught:
        services.share_open(membership=ambassador, item_id=item.pk, network="x", text="Bonjour")
    assert "text" in caught.value.field_errors


# --- Confirm and remove


def test_confirm_is_idempotent_and_only_for_the_sharer(ambassador, org, item):
    share = services.share_open(membership=ambassador, item_id=item.pk, network="x").share
    confirmed = services.share_confirm(membership=ambassador, share_id=share.pk)
    assert confirmed.state == ShareState.CONFIRMED
    first_at = confirmed.confirmed_at
    again = services.share_confirm(membership=ambassador, share_id=share.pk)
    assert again.state == ShareState.CONFIRMED and again.confirmed_at == first_at
    colleague = factories.make_member(org, ambassador=True)
    with pytest.raises(NotFound):
        services.share_confirm(membership=colleague, share_id=share.pk)


def test_confirm_of_another_organizations_share_is_not_found(ambassador, outsider, item):
    share = services.share_open(membership=ambassador, item_id=item.pk, network="x").share
    with pytest.raises(NotFound):
        services.share_confirm(membership=outsider, share_id=share.pk)


def test_remove_marks_the_share_and_needs_the_permission(
    ambassador, admin, org, outsider, item, rollup_calls
):
    share = services.share_open(membership=ambassador, item_id=item.pk, network="x").share
    with pytest.raises(PermissionDenied):
        services.share_remove(share_id=share.pk, actor=ambassador)
    with pytest.raises(NotFound):
        services.share_remove(share_id=share.pk, actor=outsider)
    community = factories.make_member(org, Role.COMMUNITY_MANAGER)
    removed = services.share_remove(share_id=share.pk, actor=community)
    assert removed.removed_at is not None
    again = services.share_remove(share_id=share.pk, actor=admin)
    assert again.removed_at == removed.removed_at
    # Kept in the rollups: it was shared.
    assert total(rollup_calls, "shares") == 1
    # A removed share cannot be confirmed any more.
    assert services.share_confirm(membership=ambassador, share_id=share.pk).state == "opened"
