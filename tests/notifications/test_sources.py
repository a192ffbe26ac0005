"""Where notifications come from: important content going live, a scheduled post that went
out or failed, a connection to reconnect, an answered suggestion, an event tomorrow. Each
through the path the owning app really takes (its services and declared signals)."""

from __future__ import annotations

import datetime as dt

import pytest

from portevoix.accounts.roles import Role
from portevoix.content import services as content_services
from portevoix.core import clock
from portevoix.governance import gates
from portevoix.governance.models import ModerationCase
from portevoix.governance.services import moderation_decide
from portevoix.networks.base import Account, TokenSet
from portevoix.notifications import sources
from portevoix.notifications.models import Kind, Notification
from portevoix.publishing import connections, engine
from portevoix.publishing import services as publishing_services
from portevoix.publishing.models import Post, PostState
from portevoix.publishing.signals import post_finished
from portevoix.training import services as training_services
from tests.factories import make_item, make_live_item, make_member
from tests.training.conftest import make_event

pytestmark = pytest.mark.django_db


def of(member, kind: str | None = None) -> list[Notification]:
    qs = Notification.objects.filter(membership_id=member.pk)
    return list(qs.filter(kind=kind) if kind else qs)


def test_important_content_going_live_reaches_the_ambassadors_who_read_its_language(
    org, manager, approver, ambassador, member
):
    english_only = make_member(org, ambassador=True, languages=["en"])
    item = make_live_item(manager, approver, important=True, language="fr")
    [notification] = of(ambassador, Kind.CONTENT_LIVE)
    assert item.title in notification.title
    assert notification.url == "/feed/"
    assert of(english_only) == [] and of(member) == []  # not in their feed; not an ambassador
    assert of(manager) == [] and of(approver) == []
    # Again (an edit, a new approval): never twice.
    assert sources.item_live(organization_id=org.pk, item_id=item.pk) == 0


def test_ordinary_content_notifies_nobody(manager, approver, ambassador):
    make_live_item(manager, approver)
    assert of(ambassador) == []


def test_content_scheduled_for_later_notifies_when_it_goes_live(
    org, manager, approver, ambassador, monkeypatch
):
    publish_at = clock.now() + dt.timedelta(hours=2)
    item = make_item(manager, important=True, publish_at=publish_at)
    content_services.item_submit(membership=manager, item=item)
    content_services.item_approve(membership=approver, item=item)
    assert of(ambassador) == []  # approved, not live yet
    later = publish_at + dt.timedelta(minutes=1)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert content_services.items_refresh_states(now=later) == 1
    assert len(of(ambassador, Kind.CONTENT_LIVE)) == 1


@pytest.fixture
def connection(ambassador):
    return connections._store(
        membership=ambassador,
        network="x",
        account=Account(account_id="42", handle="@amb", display_name="Amb"),
        tokens=TokenSet(access_token="at", refresh_token="rt", expires_at=None, scope=""),
        instance="",
    )


def scheduled_post(ambassador, connection, item) -> Post:
    later = clock.now() + dt.timedelta(hours=1)
    post = publishing_services.post_create(
        actor=ambassador,
        draft=publishing_services.PostDraft(
            connection_id=connection.pk, item_id=item.pk, when="at", at=later
        ),
    )
    Post.objects.filter(pk=post.pk).update(scheduled_at=clock.now() - dt.timedelta(seconds=1))
    return post


def test_a_connection_to_reconnect_and_the_post_that_failed_for_it(
    manager, approver, ambassador, connection
):
    item = make_live_item(manager, approver)
    post = scheduled_post(ambassador, connection, item)
    connections.connection_mark_needs_reconnect(connection_id=connection.pk, reason="revoked")
    connections.connection_mark_needs_reconnect(connection_id=connection.pk, reason="again")
    [reconnect] = of(ambassador, Kind.RECONNECT)
    assert reconnect.url == "/me/accounts/"
    assert engine.post_publish(post_id=post.pk) == "failed"
    [failed] = of(ambassador, Kind.POST_OUTCOME)
    assert "a échoué" in failed.title and failed.url == "/me/posts/"


def test_a_scheduled_post_that_went_out_is_told_a_post_shared_now_is_not(
    org, manager, approver, ambassador, connection
):
    item = make_live_item(manager, approver)
    post = scheduled_post(ambassador, connection, item)
    Post.objects.filter(pk=post.pk).update(state=PostState.PUBLISHED)
    post_finished.send(
        sender=None,
        organization_id=org.pk,
        membership_id=ambassador.pk,
        post_id=post.pk,
        state="published",
    )
    [went_out] = of(ambassador, Kind.POST_OUTCOME)
    assert went_out.title == "Votre publication est partie sur X"  # the organization speaks French
    Post.objects.filter(pk=post.pk).update(mode="now")
    Notification.objects.all().delete()
    assert sources.post_finished(organization_id=org.pk, post_id=post.pk) == 0


def test_an_answered_suggestion_tells_its_author(org, ambassador, admin):
    community = make_member(org, Role.COMMUNITY_MANAGER)
    gates.moderation_flag(
        organization=org,
        author=ambassador,
        text="Une idée de sujet",
        reason="",
        source="suggestion.content",
        object_id=1,
    )
    gates.moderation_flag(
        organization=org,
        author=ambassador,
        text="Un texte",
        reason="mot",
        source="sharing.share",
        object_id=2,
    )
    suggestion, warning = (
        ModerationCase.objects.get(source="suggestion"),
        ModerationCase.objects.get(source="warning"),
    )
    moderation_decide(actor=community, case=warning, decision="reject", reason="Non")
    assert of(ambassador) == []  # a warning is not a suggestion
    moderation_decide(actor=community, case=suggestion, decision="reject", reason="Déjà prévu")
    [answered] = of(ambassador, Kind.SUGGESTION)
    assert answered.body == "Déjà prévu"


def test_an_event_tomorrow_once_per_registration(org, admin, ambassador, member, settings):
    settings.TIME_ZONE = "Europe/Paris"
    soon = make_event(admin, starts_in=dt.timedelta(hours=20), capacity=1)
    later = make_event(admin, starts_in=dt.timedelta(days=3))
    training_services.registration_create(membership=ambassador, event=soon, notify=False)
    training_services.registration_create(membership=member, event=soon, notify=False)  # waitlist
    training_services.registration_create(membership=ambassador, event=later, notify=False)
    assert sources.events_tomorrow() == 1
    assert sources.events_tomorrow() == 0
    [reminder] = of(ambassador, Kind.EVENT)
    assert soon.title in reminder.title and reminder.url == f"/events/{soon.pk}/"
    assert of(member) == []
