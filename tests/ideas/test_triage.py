"""Triage: who may, accept into a content draft (points once, origin shown), merge (votes
carried once), decline (a reason required), the author notified, audit rows."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portevoix.content.models import ContentItem, State
from portevoix.core.errors import Conflict, DomainError, PermissionDenied
from portevoix.governance.models import AuditEntry
from portevoix.ideas import services, signals
from portevoix.ideas.models import Idea, IdeaStatus, IdeaVote
from portevoix.notifications.models import Kind, Notification
from portevoix.recognition.models import PointEntry
from tests import factories

from .conftest import login, png, post

pytestmark = pytest.mark.django_db


def test_accepting_content_makes_a_draft_crediting_the_author(
    manager, member, django_capture_on_commit_callbacks
):
    idea = post(
        member,
        body="Montrer l'atelier.",
        link="https://example.org/atelier",
        images=[png(), png()],
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.idea_accept(membership=manager, idea_id=idea.pk)
    idea.refresh_from_db()
    item = ContentItem.objects.get()
    assert (idea.status, idea.content_item_id, idea.decided_by_id) == (
        IdeaStatus.ACCEPTED,
        item.pk,
        manager.pk,
    )
    assert item.state == State.DRAFT and item.title == idea.title
    assert item.link == "https://example.org/atelier" and item.images.count() == 2
    assert member.user.display_name in item.body
    copy = item.copies.get()
    assert copy.network == "linkedin" and idea.title in copy.text
    entry = PointEntry.objects.get(membership=member)
    assert (entry.rule, entry.key, entry.lifetime) == ("idea_accepted", f"idea:{idea.pk}", 25)
    audit = AuditEntry.objects.get(action="idea.accept")
    assert audit.object_id == str(idea.pk)
    assert audit.after is not None and audit.after["content_item"] == item.pk
    note = Notification.objects.get(membership=member)
    assert note.kind == Kind.SUGGESTION and note.dedupe_key == f"idea:{idea.pk}:accepted"


def test_points_are_awarded_once_even_when_the_signal_is_replayed(manager, member):
    idea = post(member, kind="improvement", title="Un badge pour les mentors")
    services.idea_accept(membership=manager, idea_id=idea.pk)
    idea.refresh_from_db()
    signals.idea_accepted.send(
        sender=Idea,
        organization_id=idea.organization_id,
        idea_id=idea.pk,
        author_id=member.pk,
        at=idea.decided_at,
    )
    assert PointEntry.objects.filter(membership=member).count() == 1
    with pytest.raises(Conflict):
        services.idea_accept(membership=manager, idea_id=idea.pk)
    assert PointEntry.objects.filter(membership=member).count() == 1


def test_an_improvement_is_accepted_without_a_draft(board, member):
    idea = post(member, kind="improvement", title="Des sessions de coaching le midi")
    services.idea_accept(membership=board, idea_id=idea.pk)
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.ACCEPTED and idea.content_item_id is None
    assert not ContentItem.objects.exists()


def test_a_board_member_cannot_turn_content_into_a_draft(board, member):
    idea = post(member)
    with pytest.raises(PermissionDenied):
        services.idea_accept(membership=board, idea_id=idea.pk)
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.OPEN and not PointEntry.objects.exists()


@pytest.mark.parametrize("role", ["admin", "content_manager", "advocacy_board"])
def test_triagers_decline_with_a_reason(org, member, role, django_capture_on_commit_callbacks):
    triager = factories.make_member(org, role)
    idea = post(member, kind="insight", title="Les clients veulent des webinaires")
    with pytest.raises(DomainError) as caught:
        services.idea_decline(membership=triager, idea_id=idea.pk, reason="  ")
    assert "reason" in caught.value.field_errors
    with django_capture_on_commit_callbacks(execute=True):
        services.idea_decline(membership=triager, idea_id=idea.pk, reason="Déjà prévu en mars.")
    idea.refresh_from_db()
    assert (idea.status, idea.decision_reason) == (IdeaStatus.DECLINED, "Déjà prévu en mars.")
    assert AuditEntry.objects.filter(action="idea.decline", object_id=str(idea.pk)).exists()
    note = Notification.objects.get(membership=member)
    assert "Déjà prévu en mars." in note.body
    assert not PointEntry.objects.exists()


@pytest.mark.parametrize("role", ["", "approver", "community_manager", "analyst", "executive"])
def test_other_roles_may_not_triage(org, member, role):
    other = factories.make_member(org, *([role] if role else []))
    idea = post(member)
    for call in (
        lambda: services.idea_accept(membership=other, idea_id=idea.pk),
        lambda: services.idea_decline(membership=other, idea_id=idea.pk, reason="Non"),
        lambda: services.idea_merge(membership=other, idea_id=idea.pk, into_id=idea.pk),
    ):
        with pytest.raises(PermissionDenied):
            call()
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.OPEN


def test_merging_carries_the_votes_over_without_double_counting(
    org, manager, member, colleague, django_capture_on_commit_callbacks
):
    third, fourth = factories.make_member(org), factories.make_member(org)
    original = post(member, title="Une vidéo de l'atelier")
    duplicate = post(colleague, title="Filmer l'atelier de Lyon")
    for voter in (colleague, third):
        services.idea_vote(membership=voter, idea_id=original.pk, vote=True)
    for voter in (third, fourth, member):  # third voted for both; member wrote the original
        services.idea_vote(membership=voter, idea_id=duplicate.pk, vote=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.idea_merge(membership=manager, idea_id=duplicate.pk, into_id=original.pk)
    original.refresh_from_db()
    duplicate.refresh_from_db()
    assert original.vote_count == 3  # colleague, third, fourth
    assert set(IdeaVote.objects.filter(idea=original).values_list("membership_id", flat=True)) == {
        colleague.pk,
        third.pk,
        fourth.pk,
    }
    assert (duplicate.status, duplicate.merged_into_id, duplicate.vote_count) == (
        IdeaStatus.MERGED,
        original.pk,
        0,
    )
    assert AuditEntry.objects.filter(action="idea.merge").count() == 1
    assert Notification.objects.get(membership=colleague).dedupe_key == (
        f"idea:{duplicate.pk}:merged"
    )


def test_merge_needs_another_open_idea(manager, member, colleague):
    one, other = post(member), post(colleague, title="Autre chose")
    with pytest.raises(DomainError):
        services.idea_merge(membership=manager, idea_id=one.pk, into_id=one.pk)
    services.idea_decline(membership=manager, idea_id=other.pk, reason="Non")
    with pytest.raises(DomainError):
        services.idea_merge(membership=manager, idea_id=one.pk, into_id=other.pk)


def test_the_draft_page_says_where_it_came_from(client, manager, member):
    idea = post(member, title="Portrait d'une technicienne")
    services.idea_accept(membership=manager, idea_id=idea.pk)
    idea.refresh_from_db()
    login(client, manager)
    page = client.get(reverse("content:item", args=[idea.content_item_id])).content.decode()
    assert reverse("ideas:idea", args=[idea.pk]) in page
    assert member.user.display_name in page


def test_triage_through_the_pages(client, manager, member):
    idea = post(member, kind="insight", title="Les clients demandent des études de cas")
    login(client, manager)
    page = client.get(reverse("ideas:idea", args=[idea.pk]))
    assert reverse("ideas:accept", args=[idea.pk]) in page.content.decode()
    refused = client.post(reverse("ideas:decline", args=[idea.pk]), {"reason": ""})
    assert refused.status_code == 400
    accepted = client.post(reverse("ideas:accept", args=[idea.pk]))
    assert accepted.status_code == 302
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.ACCEPTED and idea.content_item_id is not None


def test_a_member_sees_no_triage_and_is_refused(client, member, colleague):
    idea = post(member)
    login(client, colleague)
    page = client.get(reverse("ideas:idea", args=[idea.pk])).content.decode()
    assert reverse("ideas:accept", args=[idea.pk]) not in page
    for name in ("accept", "decline", "merge"):
        response = client.post(
            reverse(f"ideas:{name}", args=[idea.pk]), {"reason": "x", "into": idea.pk}
        )
        assert response.status_code == 403
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.OPEN
