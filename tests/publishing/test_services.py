"""Posts through the services: delegated posting, cadence rules, editing and cancelling,
roles and tenant isolation."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from portevoix.accounts.roles import Role
from portevoix.core import clock
from portevoix.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from portevoix.governance.models import AuditEntry
from portevoix.publishing import engine, services
from portevoix.publishing.models import CadenceRule, Post, PostState, WhenMode
from tests.factories import make_live_item, make_member
from tests.publishing.conftest import connect_x

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
# Not found, from a service (NotFound) or from the tenant choke point (Http404).
MISSING = (NotFound,)


def draft(connection, item, **kwargs):
    return services.PostDraft(connection_id=connection.pk, item_id=item.pk, **kwargs)


def later(hours: float = 2) -> dt.datetime:
    return clock.now() + dt.timedelta(hours=hours)


# --------------------------------------------------------------------------- delegation


@pytest.fixture
def executive(org):
    return make_member(org, Role.EXECUTIVE, email="ceo@acme.test", ambassador=True)


@pytest.fixture
def assistant(org):
    return make_member(org, email="assistant@acme.test")


def test_delegated_post_waits_for_the_executive(executive, assistant, item, fake_x, monkeypatch):
    connection = connect_x(executive, fake_x)
    services.delegation_grant(executive=executive, assistant_id=assistant.pk)
    post = services.post_create(actor=assistant, draft=draft(connection, item))
    assert post.state == PostState.AWAITING_APPROVAL
    assert post.membership == executive and post.prepared_by == assistant
    # Due, but nothing goes out before the approval.
    assert engine.posts_publish_due().get("published", 0) == 0
    assert fake_x.tweets_of() == []
    # The assistant edits: still waiting.
    post = services.post_update(
        actor=assistant, post_id=post.pk, text="Mon texte à moi", when=WhenMode.AT, at=later(1)
    )
    assert post.state == PostState.AWAITING_APPROVAL
    # The assistant cannot approve; the executive can.
    with pytest.raises(MISSING):
        services.post_approve(actor=assistant, post_id=post.pk)
    services.post_approve(actor=executive, post_id=post.pk)
    post.refresh_from_db()
    assert post.state == PostState.SCHEDULED and post.approved_at is not None
    monkeypatch.setattr(clock, "now", lambda: post.scheduled_at + dt.timedelta(seconds=1))
    assert engine.posts_publish_due().get("published") == 1
    assert "Mon texte à moi" in fake_x.tweets_of()[0].text
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert "publishing.delegation_grant" in actions


def test_without_delegation_no_one_posts_on_anothers_account(executive, assistant, item, fake_x):
    connection = connect_x(executive, fake_x)
    with pytest.raises(MISSING):
        services.post_create(actor=assistant, draft=draft(connection, item))


def test_withdrawn_delegation_cancels_what_waits(executive, assistant, item, fake_x):
    connection = connect_x(executive, fake_x)
    delegation = services.delegation_grant(executive=executive, assistant_id=assistant.pk)
    post = services.post_create(actor=assistant, draft=draft(connection, item))
    services.delegation_revoke(executive=executive, delegation_id=delegation.pk)
    post.refresh_from_db()
    assert post.state == PostState.CANCELLED
    with pytest.raises(MISSING):
        services.post_create(actor=assistant, draft=draft(connection, make_live_item_for(item)))


def make_live_item_for(item):
    from portevoix.content.models import ContentItem

    return ContentItem.objects.get(pk=item.pk)


def test_executive_declines(executive, assistant, item, fake_x):
    connection = connect_x(executive, fake_x)
    services.delegation_grant(executive=executive, assistant_id=assistant.pk)
    post = services.post_create(actor=assistant, draft=draft(connection, item))
    services.post_decline(actor=executive, post_id=post.pk)
    post.refresh_from_db()
    assert post.state == PostState.CANCELLED


# --------------------------------------------------------------------------- cadence


@pytest.fixture
def community(org):
    return make_member(org, Role.COMMUNITY_MANAGER, email="community@acme.test")


def test_cadence_refuses_a_second_post_the_same_day_and_says_why(
    community, ambassador, manager, approver, x_connection, fake_x
):
    services.cadence_set(actor=community, network="x", max_per_day=1, min_gap_minutes=0)
    first_item = make_live_item(manager, approver, title="Un")
    second_item = make_live_item(manager, approver, title="Deux")
    noon = dt.datetime.combine(
        clock.now().astimezone(PARIS).date() + dt.timedelta(days=2), dt.time(12), PARIS
    )
    services.post_create(
        actor=ambassador, draft=draft(x_connection, first_item, when="at", at=noon)
    )
    with pytest.raises(DomainError) as refused:
        services.post_create(
            actor=ambassador,
            draft=draft(x_connection, second_item, when="at", at=noon + dt.timedelta(hours=3)),
        )
    reasons = " ".join(refused.value.field_errors["at"])
    assert "At most 1 post a day on X" in reasons
    assert "First free slot" in reasons
    # The best time moves to a slot that fits, and says so.
    moved = services.post_create(
        actor=ambassador, draft=draft(x_connection, second_item, when="best")
    )
    assert moved.scheduled_at.astimezone(PARIS).date() != noon.date() or moved.schedule_note


def test_cadence_gap_between_posts(community, ambassador, manager, approver, x_connection, fake_x):
    services.cadence_set(actor=community, network="x", max_per_day=0, min_gap_minutes=120)
    a = make_live_item(manager, approver, title="A")
    b = make_live_item(manager, approver, title="B")
    at = later(5)
    services.post_create(actor=ambassador, draft=draft(x_connection, a, when="at", at=at))
    with pytest.raises(DomainError) as refused:
        services.post_create(
            actor=ambassador,
            draft=draft(x_connection, b, when="at", at=at + dt.timedelta(minutes=90)),
        )
    assert "At least 2 hours between two posts on X" in " ".join(refused.value.field_errors["at"])
    ok = services.post_create(
        actor=ambassador, draft=draft(x_connection, b, when="at", at=at + dt.timedelta(minutes=120))
    )
    assert ok.state == PostState.SCHEDULED


def test_cadence_rules_are_for_managers(ambassador):
    with pytest.raises(PermissionDenied):
        services.cadence_set(actor=ambassador, network="x", max_per_day=1, min_gap_minutes=0)


def test_cadence_values_are_checked_and_zero_removes(community):
    with pytest.raises(DomainError) as bad:
        services.cadence_set(actor=community, network="x", max_per_day=-1, min_gap_minutes=99999)
    assert set(bad.value.field_errors) == {"max_per_day", "min_gap_minutes"}
    services.cadence_set(actor=community, network="linkedin", max_per_day=1, min_gap_minutes=0)
    assert CadenceRule.objects.count() == 1
    services.cadence_set(actor=community, network="linkedin", max_per_day=0, min_gap_minutes=0)
    assert CadenceRule.objects.count() == 0


# --------------------------------------------------------------------------- editing


def test_owner_edits_reschedules_and_cancels(ambassador, item, x_connection, fake_x):
    post = services.post_create(
        actor=ambassador, draft=draft(x_connection, item, when="at", at=later(3))
    )
    post = services.post_update(
        actor=ambassador, post_id=post.pk, text="Nouveau texte", when="at", at=later(6)
    )
    assert "Nouveau texte" in post.text and post.personalized
    assert post.scheduled_at > later(5)
    services.post_cancel(actor=ambassador, post_id=post.pk)
    post.refresh_from_db()
    assert post.state == PostState.CANCELLED
    with pytest.raises(Conflict):
        services.post_cancel(actor=ambassador, post_id=post.pk)


def test_published_post_cannot_be_edited(ambassador, item, x_connection, fake_x):
    post = services.post_create(actor=ambassador, draft=draft(x_connection, item))
    engine.post_publish(post_id=post.pk)
    with pytest.raises(Conflict):
        services.post_update(actor=ambassador, post_id=post.pk, text=None, when="now", at=None)


def test_one_post_per_item_and_account(ambassador, item, x_connection, fake_x):
    services.post_create(actor=ambassador, draft=draft(x_connection, item, when="at", at=later()))
    with pytest.raises(Conflict):
        services.post_create(
            actor=ambassador, draft=draft(x_connection, item, when="at", at=later(4))
        )


def test_past_time_and_missing_time_are_refused(ambassador, item, x_connection, fake_x):
    with pytest.raises(DomainError) as past:
        services.post_create(
            actor=ambassador, draft=draft(x_connection, item, when="at", at=later(-2))
        )
    assert "past" in past.value.field_errors["at"][0]
    with pytest.raises(DomainError):
        services.post_create(actor=ambassador, draft=draft(x_connection, item, when="at", at=None))


def test_text_goes_through_the_sharing_checks(ambassador, item, x_connection, fake_x):
    with pytest.raises(DomainError) as too_long:
        services.post_create(
            actor=ambassador, draft=draft(x_connection, item, text="x" * 400, when="at", at=later())
        )
    assert too_long.value.field_errors["text"]


def test_another_organization_sees_nothing(outsider, ambassador, item, x_connection, fake_x):
    post = services.post_create(
        actor=ambassador, draft=draft(x_connection, item, when="at", at=later())
    )
    with pytest.raises(MISSING):
        services.post_create(actor=outsider, draft=draft(x_connection, item))
    with pytest.raises(MISSING):
        services.post_cancel(actor=outsider, post_id=post.pk)
    with pytest.raises(MISSING):
        services.delegation_grant(executive=outsider, assistant_id=ambassador.pk)


def test_a_colleague_cannot_touch_my_posts(org, ambassador, item, x_connection, fake_x):
    colleague = make_member(org, email="colleague@acme.test", ambassador=True)
    post = services.post_create(
        actor=ambassador, draft=draft(x_connection, item, when="at", at=later())
    )
    with pytest.raises(MISSING):
        services.post_cancel(actor=colleague, post_id=post.pk)
    with pytest.raises(MISSING):
        services.post_update(actor=colleague, post_id=post.pk, text="hack", when="now", at=None)
    assert Post.objects.get(pk=post.pk).state == PostState.SCHEDULED


def test_pause_is_for_community_managers_and_needs_a_reason(ambassador, community):
    with pytest.raises(PermissionDenied):
        services.pause_start(actor=ambassador, reason="non")
    with pytest.raises(DomainError):
        services.pause_start(actor=community, reason="  ")
    pause = services.pause_start(actor=community, reason="Crise")
    with pytest.raises(Conflict):
        services.pause_start(actor=community, reason="Encore")
    services.pause_end(actor=community, pause_id=pause.pk)
    with pytest.raises(Conflict):
        services.pause_end(actor=community, pause_id=pause.pk)


def test_publish_now_during_a_pause_is_held_and_says_why(
    client, community, ambassador, item, x_connection, fake_x, django_capture_on_commit_callbacks
):
    services.pause_start(actor=community, reason="Incident en cours")
    client.force_login(ambassador.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/share/{item.pk}/x/publish/",
            {"connection": x_connection.pk, "when": "now"},
            follow=True,
        )
    post = Post.objects.get()
    assert post.state == PostState.HELD
    assert "Publishing is paused (Incident en cours)" in response.content.decode()
    assert fake_x.tweets_of() == []
