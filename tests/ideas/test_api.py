"""The idea box through the API: post, vote, comment, and the triage (accept, decline,
merge), with the pages' rules (the charter gate, the guardrails, one vote per member, triage
for the board); another organization's idea is a 404; scopes and methods checked."""

from __future__ import annotations

import pytest

from portevoix.accounts import services as account_services
from portevoix.ideas.models import Idea, IdeaComment, IdeaStatus, IdeaVote
from tests.api.conftest import ApiClient, token_for
from tests.ideas.conftest import block_term, post, publish_charter

pytestmark = pytest.mark.django_db


def api(membership) -> ApiClient:
    return ApiClient(token_for(membership))


def test_a_member_posts_an_idea_and_colleagues_vote_and_comment(member, colleague):
    created = api(member).post(
        "/ideas", {"kind": "insight", "title": "Les clients aiment le SAV", "body": "Vu au salon"}
    )
    assert created.status_code == 201, created.content
    idea = Idea.objects.get()
    assert created.json()["id"] == idea.pk and idea.author_id == member.pk
    assert created.json()["status"] == IdeaStatus.OPEN
    colleague_api = api(colleague)
    voted = colleague_api.post(f"/ideas/{idea.pk}/vote", {"vote": True})
    assert voted.status_code == 200 and voted.json()["votes"] == 1
    assert colleague_api.post(f"/ideas/{idea.pk}/vote", {}).json()["votes"] == 1  # once
    own = api(member).post(f"/ideas/{idea.pk}/vote", {"vote": True})
    assert own.status_code == 400  # not for one's own idea
    commented = colleague_api.post(f"/ideas/{idea.pk}/comments", {"body": "Bonne idée"})
    assert commented.status_code == 201 and commented.json()["body"] == "Bonne idée"
    detail = colleague_api.get(f"/ideas/{idea.pk}").json()
    assert (detail["votes"], detail["comments"]) == (1, 1)
    taken_back = colleague_api.post(f"/ideas/{idea.pk}/vote", {"vote": False})
    assert taken_back.json()["votes"] == 0 and not IdeaVote.objects.exists()


def test_the_body_and_the_rules_of_the_page_are_checked(member, admin, org):
    client = api(member)
    assert client.post("/ideas", {"kind": "insight", "title": ""}).status_code == 422
    assert client.post("/ideas", {"kind": "nope", "title": "Titre"}).status_code == 400
    refused = client.post(
        "/ideas", {"kind": "insight", "title": "Titre", "link": "https://example.org/"}
    )
    assert refused.status_code == 400 and "kind" in refused.json()["errors"]
    block_term(org)
    blocked = client.post("/ideas", {"kind": "insight", "title": "Le Projet Orion arrive"})
    assert blocked.status_code == 400
    publish_charter(admin)
    gated = client.post("/ideas", {"kind": "insight", "title": "Une autre idée"})
    assert gated.status_code == 403
    assert not Idea.objects.exists()


def test_the_board_accepts_declines_and_merges(member, colleague, board):
    first = post(member, kind="improvement", title="Un parking vélo")
    second = post(colleague, kind="improvement", title="Un parking pour les vélos")
    third = post(colleague, kind="improvement", title="Une cantine bio")
    fourth = post(colleague, kind="improvement", title="Des réunions plus courtes")
    api(board).post(f"/ideas/{second.pk}/vote", {"vote": True})
    triage = api(board)
    assert api(member).post(f"/ideas/{third.pk}/accept").status_code == 403
    merged = triage.post(f"/ideas/{second.pk}/merge", {"into_id": first.pk})
    assert merged.status_code == 200, merged.content
    assert merged.json()["status"] == IdeaStatus.MERGED
    assert merged.json()["merged_into_id"] == first.pk
    assert triage.get(f"/ideas/{first.pk}").json()["votes"] == 1  # the vote moved
    assert triage.post(f"/ideas/{third.pk}/decline", {"reason": ""}).status_code == 422
    declined = triage.post(f"/ideas/{third.pk}/decline", {"reason": "Déjà prévu"})
    assert declined.status_code == 200 and declined.json()["status"] == IdeaStatus.DECLINED
    accepted = triage.post(f"/ideas/{fourth.pk}/accept")
    assert accepted.status_code == 200 and accepted.json()["status"] == IdeaStatus.ACCEPTED
    assert triage.post(f"/ideas/{fourth.pk}/accept").status_code == 409  # already triaged


def test_another_organizations_idea_is_404(member, outsider):
    idea = post(member, kind="insight", title="Une idée d'Acme")
    other = api(outsider)
    assert other.get(f"/ideas/{idea.pk}").status_code == 404
    assert other.post(f"/ideas/{idea.pk}/vote", {"vote": True}).status_code == 404
    assert other.post(f"/ideas/{idea.pk}/comments", {"body": "Salut"}).status_code == 404
    assert other.post(f"/ideas/{idea.pk}/accept").status_code == 404
    assert other.post(f"/ideas/{idea.pk}/decline", {"reason": "Non"}).status_code == 404
    theirs = post(outsider, kind="insight", title="Une idée de Globex")
    assert other.post(f"/ideas/{theirs.pk}/merge", {"into_id": idea.pk}).status_code == 404
    assert not IdeaVote.objects.exists() and not IdeaComment.objects.exists()
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.OPEN
    theirs.refresh_from_db()
    assert theirs.status == IdeaStatus.OPEN


def test_methods_and_scopes(member, colleague):
    idea = post(member, kind="insight", title="Une idée")
    client = api(colleague)
    assert client.get(f"/ideas/{idea.pk}/vote").status_code == 405
    assert client.delete(f"/ideas/{idea.pk}").status_code == 405
    read_only = ApiClient(
        account_services.api_token_create(membership=colleague, name="ro", can_write=False).secret
    )
    assert read_only.get(f"/ideas/{idea.pk}").status_code == 200
    refused = read_only.post(f"/ideas/{idea.pk}/vote", {"vote": True})
    assert refused.status_code == 403 and "ideas:write" in refused.json()["detail"]
    other_area = ApiClient(
        account_services.api_token_create(membership=colleague, name="c", areas=["content"]).secret
    )
    assert other_area.post("/ideas", {"kind": "insight", "title": "X"}).status_code == 403
    assert Idea.objects.count() == 1 and not IdeaVote.objects.exists()
