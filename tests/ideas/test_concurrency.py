"""The same vote from concurrent requests counts once (real threads, each with its own
database connection: the idea's row lock and the unique constraint)."""

from __future__ import annotations

import pytest

from portevoix.ideas import services
from portevoix.ideas.models import Idea, IdeaVote
from tests import factories
from tests.training.test_concurrency import _run_concurrently

pytestmark = pytest.mark.slow


@pytest.mark.django_db(transaction=True)
def test_a_double_vote_at_the_same_moment_counts_once():
    org = factories.make_org()
    author = factories.make_member(org)
    voter, other = factories.make_member(org), factories.make_member(org)
    idea = services.idea_post(
        membership=author, data=services.IdeaData(kind="insight", title="Des démos en agence")
    )

    def vote(membership):
        return lambda: services.idea_vote(membership=membership, idea_id=idea.pk, vote=True)

    _run_concurrently([vote(voter) for _ in range(6)] + [vote(other) for _ in range(4)])
    idea.refresh_from_db()
    assert IdeaVote.objects.filter(idea=idea).count() == 2
    assert idea.vote_count == 2
    _run_concurrently(
        [lambda: services.idea_vote(membership=voter, idea_id=idea.pk, vote=False)] * 4
    )
    assert Idea.objects.get(pk=idea.pk).vote_count == 1
