"""Every write of the idea box: posting, comments, votes, and the triage decisions."""

from .posting import (
    MAX_IMAGES,
    IdeaBlocked,
    IdeaData,
    charter_blockers,
    idea_comment,
    idea_post,
    idea_vote,
)
from .triage import DRAFT_KINDS, idea_accept, idea_decline, idea_merge, may_draft

__all__ = [
    "DRAFT_KINDS",
    "MAX_IMAGES",
    "IdeaBlocked",
    "IdeaData",
    "charter_blockers",
    "idea_accept",
    "idea_comment",
    "idea_decline",
    "idea_merge",
    "idea_post",
    "idea_vote",
    "may_draft",
]
