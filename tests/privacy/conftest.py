"""A person with data in every app, another person of the same organization, and the same
person in another organization, each with rows the archive must (not) hold."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

import pytest

from portevoix.accounts import services as account_services
from portevoix.accounts.models import Membership
from portevoix.accounts.roles import Role
from portevoix.core import clock
from portevoix.ideas.models import Idea, IdeaComment, IdeaVote
from portevoix.notifications.models import PushSubscription
from portevoix.publishing.models import Post
from portevoix.recognition.models import Badge, BadgeAward, PointEntry
from portevoix.sharing.models import Click, Share, TrackedLink
from portevoix.surveys.models import Answer, Participation, Question, Response, Survey
from portevoix.training.models import Certificate, Course
from tests import factories

NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def private_root(settings: Any, tmp_path: Any) -> Any:
    root = tmp_path / "private"
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root)},
        },
    }
    return root


@pytest.fixture
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> dict[str, dt.datetime]:
    moment = {"now": NOW}
    monkeypatch.setattr(clock, "now", lambda: moment["now"])
    return moment


_n = iter(range(1, 10_000))


def fill(membership: Membership, tag: str, author: Membership) -> None:
    """Rows of every kind for `membership`, their texts marked with `tag`."""
    org_id = membership.organization_id
    item = factories.make_item(author, title=f"Item {tag}")
    n = next(_n)
    link = TrackedLink.objects.create(
        organization_id=org_id,
        code=f"c{tag[:6]}{n}",
        membership=membership,
        item=item,
        network="linkedin",
    )
    for i, counted in enumerate((True, True, False)):
        Click.objects.create(
            organization_id=org_id,
            link=link,
            item_id_copy=item.pk,
            membership_id_copy=membership.pk,
            network="linkedin",
            at=NOW,
            day=NOW.date(),
            visitor=f"v{i}",
            counted=counted,
            click_id=f"k{n}-{i}",
            journal_key=f"j{n}-{i}",
        )
    Share.objects.create(
        organization_id=org_id,
        membership=membership,
        item=item,
        network="linkedin",
        link=link,
        text=f'=HYPERLINK("http://evil.example","{tag}")',
        created_at=NOW,
    )
    Post.objects.create(
        organization_id=org_id,
        membership=membership,
        network="linkedin",
        item=item,
        link=link,
        text=f"Post {tag}",
        scheduled_at=NOW,
        state="published",
        created_at=NOW,
    )
    PointEntry.objects.create(
        organization_id=org_id,
        membership=membership,
        rule="share",
        lifetime=5,
        spendable=5,
        source_type="share",
        source_id=n,
        key=f"share:{n}",
        at=NOW,
        day=NOW.date(),
        created_at=NOW,
    )
    badge = Badge.objects.create(
        organization_id=org_id,
        name=f"Badge {tag}",
        counter="points",
        threshold=1,
        created_at=NOW,
    )
    BadgeAward.objects.create(
        organization_id=org_id, badge=badge, membership=membership, earned_at=NOW
    )
    idea = Idea.objects.create(
        organization_id=org_id,
        author=membership,
        kind="content",
        title=f"Idea {tag}",
        created_at=NOW,
    )
    IdeaVote.objects.create(
        organization_id=org_id, idea=idea, membership=membership, created_at=NOW
    )
    IdeaComment.objects.create(
        organization_id=org_id, idea=idea, author=membership, body=f"Comment {tag}", created_at=NOW
    )
    for anonymous in (False, True):
        survey = Survey.objects.create(
            organization_id=org_id,
            title=f"Survey {tag} {'anon' if anonymous else 'named'}",
            anonymous=anonymous,
            state="open",
            deadline=NOW + dt.timedelta(days=3),
            created_at=NOW,
        )
        question = Question.objects.create(
            organization_id=org_id, survey=survey, position=1, kind="text", text="Why?"
        )
        Participation.objects.create(
            organization_id=org_id, survey=survey, membership=membership, answered_on=NOW.date()
        )
        response = Response.objects.create(
            organization_id=org_id, survey=survey, membership=None if anonymous else membership
        )
        Answer.objects.create(
            organization_id=org_id,
            response=response,
            question=question,
            text=f"{'ANONYMOUS' if anonymous else 'Named'} answer {tag}",
        )
    course = Course.objects.create(organization_id=org_id, title=f"Course {tag}", language="en")
    Certificate.objects.create(
        organization_id=org_id,
        public_id=uuid.uuid4().hex[:20],
        membership=membership,
        course=course,
        holder_name=membership.user.display_name,
        course_title=f"Course {tag}",
        score=90,
        issued_at=NOW,
    )
    PushSubscription.objects.create(
        organization_id=org_id,
        membership=membership,
        endpoint_hash=uuid.uuid4().hex,
        endpoint_sealed="x",
        p256dh_sealed="x",
        auth_sealed="x",
        browser="Firefox",
        created_at=NOW,
    )
    account_services.api_token_create(membership=membership, name=f"Token {tag}")


@dataclass
class People:
    me: Membership
    colleague: Membership
    me_elsewhere: Membership


@pytest.fixture
def people(org: Any, other_org: Any, ambassador: Membership) -> People:
    colleague = factories.make_member(org, email="colleague@acme.test", ambassador=True)
    elsewhere = account_services.membership_add(
        organization=other_org, user=ambassador.user, roles=[]
    )
    author = factories.make_member(org, Role.CONTENT_MANAGER)
    other_author = factories.make_member(other_org, Role.CONTENT_MANAGER)
    fill(ambassador, "MINE", author)
    fill(colleague, "COLLEAGUE", author)
    fill(elsewhere, "ELSEWHERE", other_author)
    return People(ambassador, colleague, elsewhere)
