"""Every read of the idea box, scoped to the member's organization, with what each page
needs joined (a constant number of queries a page)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from rapidfuzz import fuzz, process, utils

from portevoix.accounts.permissions import can, require
from portevoix.content import selectors as content_selectors
from portevoix.core import goal_metrics
from portevoix.core.errors import NotFound
from portevoix.core.tenancy import get_scoped, scoped

from .models import Idea, IdeaComment, IdeaKind, IdeaStatus, IdeaVote

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

SORTS = ("votes", "new")
# Similar ideas are looked for among this many open ideas, the newest first.
SIMILAR_CANDIDATES = 500
SIMILAR_CUTOFF = 60.0
SIMILAR_LIMIT = 5


def ideas(
    *, membership: Membership, kind: str = "", status: str = IdeaStatus.OPEN, sort: str = "votes"
) -> QuerySet[Idea]:
    """The idea box, filtered by kind and status ("" for every one), by votes or newest."""
    require(membership, "idea.post")
    qs = scoped(Idea, membership.organization).select_related("author__user")
    if kind in IdeaKind.values:
        qs = qs.filter(kind=kind)
    if status in IdeaStatus.values:
        qs = qs.filter(status=status)
    if sort == "new":
        return qs.order_by("-id")
    return qs.order_by("-vote_count", "-id")


def idea(*, membership: Membership, idea_id: int) -> Idea:
    require(membership, "idea.post")
    return get_scoped(
        scoped(Idea, membership.organization)
        .select_related("author__user", "decided_by__user", "merged_into")
        .prefetch_related("images"),
        membership.organization,
        pk=idea_id,
    )


def comments(*, membership: Membership, idea: Idea) -> QuerySet[IdeaComment]:
    return (
        scoped(IdeaComment, membership.organization)
        .filter(idea=idea)
        .select_related("author__user")
        .order_by("created_at", "id")
    )


def voted_ids(*, membership: Membership, idea_ids: Iterable[int]) -> set[int]:
    """Which of these ideas the member voted for (one query)."""
    return set(
        scoped(IdeaVote, membership.organization)
        .filter(membership=membership, idea_id__in=list(idea_ids))
        .values_list("idea_id", flat=True)
    )


def can_triage(membership: Membership) -> bool:
    return can(membership, "idea.triage")


@dataclass(frozen=True)
class Similar:
    id: int
    title: str
    score: int
    vote_count: int


def _key(title: str, body: str) -> str:
    return f"{title} {body[:300]}"


def similar_ideas(
    *,
    membership: Membership,
    title: str,
    body: str = "",
    exclude_id: int | None = None,
    limit: int = SIMILAR_LIMIT,
    cutoff: float = SIMILAR_CUTOFF,
) -> list[Similar]:
    """Open ideas of the organization that read like `title` and `body` (rapidfuzz's
    token set ratio on the title and the start of the text, 0-100), best first. Only the
    newest `SIMILAR_CANDIDATES` open ideas are compared: one query, bounded work."""
    query = _key(title, body)
    if not utils.default_process(query):
        return []
    candidates = scoped(Idea, membership.organization).filter(status=IdeaStatus.OPEN)
    if exclude_id is not None:
        candidates = candidates.exclude(pk=exclude_id)
    rows = list(
        candidates.order_by("-id").values_list("pk", "title", "body", "vote_count")[
            :SIMILAR_CANDIDATES
        ]
    )
    choices = {pk: _key(t, b) for pk, t, b, _v in rows}
    found = process.extract(
        query,
        choices,
        scorer=fuzz.token_set_ratio,
        processor=utils.default_process,
        score_cutoff=cutoff,
        limit=limit,
    )
    by_id = {pk: (t, v) for pk, t, _b, v in rows}
    return [
        Similar(id=pk, title=by_id[pk][0], score=round(score), vote_count=by_id[pk][1])
        for _text, score, pk in found
    ]


def merge_targets(*, membership: Membership, idea: Idea) -> list[tuple[int, str]]:
    """The open ideas a duplicate may join: the similar ones first, then the most voted."""
    require(membership, "idea.triage")
    similar = similar_ideas(
        membership=membership, title=idea.title, body=idea.body, exclude_id=idea.pk, limit=10
    )
    seen = {s.id for s in similar}
    choices = [(s.id, s.title) for s in similar]
    for pk, title in (
        scoped(Idea, membership.organization)
        .filter(status=IdeaStatus.OPEN)
        .exclude(pk=idea.pk)
        .order_by("-vote_count", "-id")
        .values_list("pk", "title")[:50]
    ):
        if pk not in seen:
            choices.append((pk, title))
    return choices


def decided_idea(*, organization_id: int, idea_id: int) -> Idea:
    """An idea that was triaged, with its author (for the notification to the author)."""
    found = get_scoped(
        scoped(Idea, organization_id).select_related("author", "merged_into"),
        organization_id,
        pk=idea_id,
    )
    if found.status == IdeaStatus.OPEN:
        raise NotFound(_("Not found."))
    return found


def content_origin(*, item: object) -> tuple[str, str] | None:
    """Where a content item came from, for its page (`settings.CONTENT_ORIGIN_PROVIDERS`):
    the idea it was accepted from and its author; None for any other item."""
    organization_id = getattr(item, "organization_id", None)
    if organization_id is None:
        return None
    found = (
        scoped(Idea, organization_id)
        .filter(content_item_id=getattr(item, "pk", None))
        .select_related("author__user")
        .first()
    )
    if found is None:
        return None
    label = _("From the idea box: “%(title)s”, an idea of %(name)s") % {
        "title": found.title,
        "name": found.author.user.display_name,
    }
    return label, reverse("ideas:idea", args=[found.pk])


def draft_links(*, membership: Membership, idea: Idea) -> list[tuple[str, str]]:
    """On an accepted idea's page, for who may open the library: its content draft, then
    what other apps offer on it (drafting its copies with the organization's language model,
    docs/decisions/0030-drafting-assistance.md). Empty for anyone else, or with no draft."""
    if not idea.content_item_id or not can(membership, "content.view_library"):
        return []
    try:
        item = content_selectors.item_for_editor(membership=membership, pk=idea.content_item_id)
    except NotFound:
        return []
    return [
        (_("Open the content draft"), reverse("content:item", args=[item.pk])),
        *content_selectors.item_actions(membership=membership, item=item),
    ]


def accepted_count(
    organization_id: int, start: dt.date, end: dt.date, author_ids: Iterable[int] | None
) -> int:
    """Ideas accepted between `start` and `end` (inclusive dates), of the authors among
    `author_ids` (None: everyone): the goal figure "ideas accepted" (`core.goal_metrics`)."""
    since, until = goal_metrics.day_bounds(start, end)
    qs = scoped(Idea, organization_id).filter(
        status=IdeaStatus.ACCEPTED, decided_at__gte=since, decided_at__lt=until
    )
    if author_ids is not None:
        qs = qs.filter(author_id__in=author_ids)
    return qs.count()


def my_data(membership: Membership) -> dict[str, list[dict[str, Any]]]:
    """The member's own ideas, votes and comments ("My data" page and archive, privacy)."""
    org_id = membership.organization_id
    ideas = [
        {
            "id": i.pk,
            "kind": i.kind,
            "title": i.title,
            "body": i.body,
            "link": i.link,
            "status": i.status,
            "votes": i.vote_count,
            "created_at": i.created_at,
            "decided_at": i.decided_at,
            "decision_reason": i.decision_reason,
        }
        for i in scoped(Idea, org_id).filter(author=membership).order_by("created_at", "id")
    ]
    votes = [
        {"idea": v.idea.title, "created_at": v.created_at}
        for v in scoped(IdeaVote, org_id)
        .filter(membership=membership)
        .select_related("idea")
        .order_by("id")
    ]
    comments = [
        {"idea": c.idea.title, "text": c.body, "created_at": c.created_at}
        for c in scoped(IdeaComment, org_id)
        .filter(author=membership)
        .select_related("idea")
        .order_by("created_at", "id")
    ]
    return {"ideas": ideas, "idea_votes": votes, "idea_comments": comments}
