"""Votes (once each, taken back), the pages (owner / member / outsider / wrong method),
filters, similar ideas, tenant isolation, the API."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from portevoix.core.errors import Conflict, DomainError, NotFound
from portevoix.ideas import selectors, services
from portevoix.ideas.models import IdeaStatus, IdeaVote

from .conftest import login, post

pytestmark = pytest.mark.django_db


def test_a_vote_counts_once_and_can_be_taken_back(member, colleague):
    idea = post(member)
    for _ in range(3):
        services.idea_vote(membership=colleague, idea_id=idea.pk, vote=True)
    idea.refresh_from_db()
    assert idea.vote_count == 1 and IdeaVote.objects.count() == 1
    services.idea_vote(membership=colleague, idea_id=idea.pk, vote=False)
    services.idea_vote(membership=colleague, idea_id=idea.pk, vote=False)
    idea.refresh_from_db()
    assert idea.vote_count == 0 and not IdeaVote.objects.exists()


def test_the_database_refuses_a_second_vote_row(member, colleague):
    idea = post(member)
    services.idea_vote(membership=colleague, idea_id=idea.pk, vote=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        IdeaVote.objects.create(
            organization=idea.organization,
            idea=idea,
            membership=colleague,
            created_at=idea.created_at,
        )


def test_no_vote_for_ones_own_idea_nor_a_closed_one(manager, member, colleague):
    idea = post(member)
    with pytest.raises(DomainError):
        services.idea_vote(membership=member, idea_id=idea.pk, vote=True)
    services.idea_decline(membership=manager, idea_id=idea.pk, reason="Non")
    with pytest.raises(Conflict):
        services.idea_vote(membership=colleague, idea_id=idea.pk, vote=True)


def test_voting_through_the_page(client, member, colleague):
    idea = post(member)
    login(client, colleague)
    assert client.post(reverse("ideas:vote", args=[idea.pk]), {"vote": "on"}).status_code == 302
    assert client.post(reverse("ideas:vote", args=[idea.pk]), {"vote": "on"}).status_code == 302
    idea.refresh_from_db()
    assert idea.vote_count == 1
    page = client.get(reverse("ideas:idea", args=[idea.pk])).content.decode()
    assert "Take back my vote" in page
    client.post(reverse("ideas:vote", args=[idea.pk]), {"vote": "off"})
    idea.refresh_from_db()
    assert idea.vote_count == 0


@pytest.mark.parametrize("name", ["vote", "comment", "accept", "decline", "merge"])
def test_wrong_method_is_405_and_outsider_is_404(client, manager, member, outsider, name):
    idea = post(member)
    login(client, manager)
    assert client.get(reverse(f"ideas:{name}", args=[idea.pk])).status_code == 405
    login(client, outsider)
    assert client.post(reverse(f"ideas:{name}", args=[idea.pk]), {"vote": "on"}).status_code == 404
    assert client.get(reverse(f"ideas:{name}", args=[idea.pk])).status_code == 404
    idea.refresh_from_db()
    assert (idea.status, idea.vote_count, idea.comment_count) == (IdeaStatus.OPEN, 0, 0)


def test_pages_open_for_owner_and_member_not_for_outsider(client, member, colleague, outsider):
    idea = post(member, body="Le texte de l'idée")
    for who in (member, colleague):
        login(client, who)
        assert client.get(reverse("ideas:list")).status_code == 200
        assert client.get(reverse("ideas:new")).status_code == 200
        page = client.get(reverse("ideas:idea", args=[idea.pk]))
        assert page.status_code == 200 and "Le texte de l&#x27;idée" in page.content.decode()
    login(client, outsider)
    assert client.get(reverse("ideas:idea", args=[idea.pk])).status_code == 404
    assert idea.title not in client.get(reverse("ideas:list")).content.decode()
    with pytest.raises(NotFound):
        services.idea_vote(membership=outsider, idea_id=idea.pk, vote=True)
    with pytest.raises(NotFound):
        services.idea_comment(membership=outsider, idea_id=idea.pk, body="Coucou")
    assert not IdeaVote.objects.exists()


def test_the_list_filters_by_kind_and_status_and_sorts(client, manager, member, colleague):
    popular = post(member, kind="insight", title="Les clients aiment les démos")
    newest = post(member, kind="insight", title="Les acheteurs lisent LinkedIn")
    other = post(member, kind="improvement", title="Un quiz chaque mois")
    services.idea_vote(membership=colleague, idea_id=popular.pk, vote=True)
    services.idea_decline(membership=manager, idea_id=other.pk, reason="Plus tard")
    login(client, colleague)
    page = client.get(reverse("ideas:list"), {"kind": "insight", "sort": "votes"})
    assert [i.pk for i in page.context["ideas"]] == [popular.pk, newest.pk]
    page = client.get(reverse("ideas:list"), {"kind": "insight", "sort": "new"})
    assert [i.pk for i in page.context["ideas"]] == [newest.pk, popular.pk]
    page = client.get(reverse("ideas:list"), {"status": "declined"})
    assert [i.pk for i in page.context["ideas"]] == [other.pk]
    page = client.get(reverse("ideas:list"), {"kind": "nonsense", "status": "open"})
    assert page.status_code == 200


def test_the_list_makes_a_constant_number_of_queries(
    client, member, colleague, django_assert_max_num_queries
):
    for n in range(6):
        post(member, title=f"Idée numéro {n}")
    login(client, colleague)
    client.get(reverse("ideas:list"))
    with django_assert_max_num_queries(14):
        assert client.get(reverse("ideas:list")).status_code == 200


def test_similar_ideas_are_suggested_by_text(member, colleague, other_org):
    target = post(member, title="Filmer l'atelier de Lyon en vidéo")
    post(member, title="Un quiz sur la charte chaque mois", kind="improvement")
    found = selectors.similar_ideas(membership=colleague, title="Vidéo de l'atelier de Lyon")
    assert [s.id for s in found] == [target.pk]
    assert selectors.similar_ideas(membership=colleague, title="Recette de crêpes") == []
    from tests import factories

    stranger = factories.make_member(other_org)
    assert selectors.similar_ideas(membership=stranger, title="Vidéo de l'atelier de Lyon") == []


def test_similar_ideas_when_posting_and_triaging(client, manager, member, colleague):
    target = post(member, title="Filmer l'atelier de Lyon en vidéo")
    login(client, colleague)
    response = client.post(
        reverse("ideas:new"),
        {"kind": "content", "title": "Vidéo de l'atelier de Lyon", "action": "similar"},
    )
    assert response.status_code == 200
    assert [s.id for s in response.context["similar"]] == [target.pk]
    assert "Vidéo de l&#x27;atelier de Lyon" in response.content.decode()  # kept, not posted
    duplicate = post(colleague, title="Une vidéo de l'atelier de Lyon")
    login(client, manager)
    page = client.get(reverse("ideas:idea", args=[duplicate.pk]))
    assert [s.id for s in page.context["similar"]] == [target.pk]
    assert page.context["merge_form"].fields["into"].choices[1][0] == target.pk


def test_the_api_lists_the_organizations_ideas(member, outsider):
    from tests.api.conftest import ApiClient, token_for

    mine = post(member, kind="insight", title="Les clients veulent des webinaires")
    post(outsider, title="Idée d'ailleurs")
    response = ApiClient(token_for(member)).get("/ideas", kind="insight")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1 and [r["id"] for r in body["results"]] == [mine.pk]
    assert body["results"][0]["votes"] == 0
